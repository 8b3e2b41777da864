import { z } from 'zod';
import { MnemoError } from '../shared/index.js';
import { defineTool, type ToolDefinition, lazy } from './define-tool.js';
import type { MemoryToolApi } from './memory-tool-api.js';
import { renderReport } from './render-report.js';
import { toolDescription } from './tool-description.js';

const inputSchema = lazy(() =>
  z
    .object({
      apply: z
        .boolean()
        .optional()
        .describe('false (the default): only propose, change nothing. true: apply the changes; only when the user asked for it.'),
    })
    .strict(),
);

/** `dream`: consolidate the memory; propose-only unless `apply` is set. */
export function dreamTool(api: MemoryToolApi): ToolDefinition {
  return defineTool({
    name: 'dream',
    title: 'Consolidate memory (dream)',
    description: toolDescription('dream'),
    inputSchema: inputSchema(),
    hints: { readOnly: false, destructive: true, idempotent: false, openWorld: false },
    execute: async ({ apply }) => {
      if (!api.dream) {
        throw new MnemoError('not-found', 'dream is not available in this version of mnemo.', {
          hint: 'Nothing to do: the memory is consolidated by a later version (or by `mnemo dream` when it exists).',
        });
      }
      return renderReport(await api.dream({ apply: apply === true }));
    },
  });
}
