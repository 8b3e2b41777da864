/** One request to a language model: instructions and a prompt, answered with text. */
export interface ModelRequest {
  /** Instructions (the system prompt). */
  system?: string;
  prompt: string;
  /** Upper bound of the answer; the model's configured default when left out. */
  maxOutputTokens?: number;
  /** Stops the request. */
  signal?: AbortSignal;
}

/** What a model answered. */
export interface ModelResponse {
  text: string;
  usage?: { inputTokens: number | undefined; outputTokens: number | undefined };
}

/**
 * The language model port: what mnemo asks of a model. Implementations: the AI SDK adapters of
 * `createModel` (Anthropic, OpenAI, OpenAI-compatible servers, Ollama) and the scripted model of
 * tests. Model output is untrusted text: callers put it through the guard before it can become
 * memory. `generate` rejects with a MnemoError (`io`) that names the model when the call fails.
 */
export interface LanguageModelPort {
  /** `<provider>:<model>`, e.g. `anthropic:claude-sonnet-4-5`; recorded as the origin of what it wrote. */
  readonly id: string;
  generate(request: ModelRequest): Promise<ModelResponse>;
}
