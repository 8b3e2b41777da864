import { z } from 'zod';
import { MnemoError } from '../shared/index.js';
import { defineTool, type ToolDefinition, lazy } from './define-tool.js';
import type { MemoryToolApi } from './memory-tool-api.js';
import { toolDescription } from './tool-description.js';

const inputSchema = lazy(() =>
  z
    .object({
      topic: z.string().min(1).max(200).describe('The memory to show: its slug (as in the index, e.g. "staging-deploys") or its id.'),
    })
    .strict(),
);

/** `show`: one memory in full, as its file is written. */
export function showTool(api: MemoryToolApi): ToolDefinition {
  return defineTool({
    name: 'show',
    title: 'Show one memory',
    description: toolDescription('show'),
    inputSchema: inputSchema(),
    hints: { readOnly: true, destructive: false, idempotent: true, openWorld: false },
    execute: async ({ topic }) => {
      const result = await api.show(topic);
      if (!result.found) {
        throw new MnemoError('not-found', result.message, { hint: 'Call list (or recall) to find the slug of the memory you want.' });
      }
      if ('unreadable' in result) {
        throw new MnemoError('invalid-input', `The memory ${result.slug} cannot be read: ${result.unreadable}.`, {
          hint: 'Tell the user: the file needs fixing by hand (mnemo show shows the problem).',
        });
      }
      const problems = result.problems.length > 0 ? `\n\n(problems in this file: ${result.problems.join('; ')})` : '';
      // an untrusted topic reaches the agent fenced as data, in the text and in the data alike
      const fenced = result.fenced === undefined ? {} : { fenced: result.fenced };
      return {
        text: `${result.agentText}${problems}`,
        data: { slug: result.slug, text: result.agentText, ...fenced, problems: result.problems },
      };
    },
  });
}
