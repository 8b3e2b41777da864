import { MnemoError } from '../shared/index.js';
import type { LanguageModelPort, ModelRequest, ModelResponse } from './language-model.js';

/** One scripted answer: text, or a function of the request (and the call's index). */
export type ScriptedAnswer = string | ((request: ModelRequest, call: number) => string);

/** The scripted model: the fake of the model port, with every request it was sent. */
export interface ScriptedModel extends LanguageModelPort {
  readonly requests: ModelRequest[];
}

/**
 * A model that answers from a script, for tests and offline demos: answers are used in order (a
 * single function answers every call). Past the end of the script it rejects like a model that
 * failed (MnemoError `io`), so callers' failure paths are exercised too.
 */
export function createScriptedModel(script: readonly ScriptedAnswer[] | ScriptedAnswer, id = 'scripted:test'): ScriptedModel {
  const requests: ModelRequest[] = [];
  return {
    id,
    requests,
    generate: async (request: ModelRequest): Promise<ModelResponse> => {
      const call = requests.length;
      requests.push(request);
      if (request.signal?.aborted) throw new MnemoError('io', `The model ${id} did not answer: aborted`);
      const answer = typeof script === 'string' || typeof script === 'function' ? script : script[call];
      if (answer === undefined) {
        throw new MnemoError('io', `The model ${id} did not answer: its script has ${call} answer(s) and call ${call + 1} was made`, {
          hint: 'Add answers to the scripted model.',
        });
      }
      const text = typeof answer === 'function' ? answer(request, call) : answer;
      return { text, usage: { inputTokens: Math.ceil(request.prompt.length / 4), outputTokens: Math.ceil(text.length / 4) } };
    },
  };
}
