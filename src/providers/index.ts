/**
 * providers: the language model port, its adapters over the Vercel AI SDK (Anthropic, OpenAI,
 * OpenAI-compatible servers, Ollama) built from the `model` configuration, and the scripted model
 * of tests. Without a `model` section no model is used; nothing is downloaded at run time.
 * Also the embedder port (`Embedder`) and its adapters (OpenAI, OpenAI-compatible, Ollama, a local
 * model folder through transformers.js) for the optional semantic recall (`embeddings` section).
 */
export type { LanguageModelPort, ModelRequest, ModelResponse } from './language-model.js';
export { aiSdkModel } from './ai-sdk-model.js';
export type { AiSdkModelOptions } from './ai-sdk-model.js';
export { createModel, createLanguageModel } from './create-model.js';
export { applyModelOverride } from './model-override.js';
export type { CreateModelOptions } from './create-model.js';
export { createScriptedModel } from './scripted-model.js';
export type { ScriptedModel, ScriptedAnswer } from './scripted-model.js';
export type { Embedder } from './embedder.js';
export { normalizeVector } from './embedder.js';
export { createEmbedder } from './create-embedder.js';
export type { CreateEmbedderOptions } from './create-embedder.js';
