import { z } from 'zod';
import type { VerifyReport } from '../discipline/index.js';
import { MnemoError } from '../shared/index.js';
import { defineTool, type ToolDefinition, lazy } from './define-tool.js';
import type { MemoryToolApi } from './memory-tool-api.js';
import { toolDescription } from './tool-description.js';

const inputSchema = lazy(() =>
  z
    .object({
      topics: z
        .array(z.string().min(1).max(200))
        .min(1)
        .max(50)
        .optional()
        .describe('Slugs of the memories to check; leave out to check every active and suspect memory.'),
    })
    .strict(),
);

function describeReport(report: VerifyReport): string {
  const checked = report.topics.filter((outcome) => outcome.checked);
  if (checked.length === 0) return 'No memory with evidence to check.';
  const lines = checked.flatMap((outcome) => {
    const state = outcome.healed ? 'healed' : (outcome.verdict?.status ?? 'not checked');
    return [
      `- ${outcome.slug}: ${state}${outcome.status === 'suspect' ? ' (now suspect: do not rely on it)' : ''}`,
      ...(outcome.verdict?.verdicts ?? []).map((item) => `    ${item.evidence.kind}: ${item.status}: ${item.detail}`),
      ...(outcome.healed?.reasons ?? []).map((reason) => `    healed: ${reason}`),
    ];
  });
  return `Checked ${checked.length} memories against the project:\n${lines.join('\n')}`;
}

/** `verify`: check memories' evidence against the project as it is now. */
export function verifyTool(api: MemoryToolApi): ToolDefinition {
  return defineTool({
    name: 'verify',
    title: 'Verify memories against the project',
    description: toolDescription('verify'),
    inputSchema: inputSchema(),
    hints: { readOnly: false, destructive: false, idempotent: true, openWorld: true },
    execute: async ({ topics }) => {
      if (!api.verify) {
        throw new MnemoError('not-found', 'verify is not available in this version of mnemo.', {
          hint: 'Use recall: memories are checked when they are recalled, and their caveats say what was found.',
        });
      }
      const report = await api.verify(topics ? { slugs: topics } : { all: true });
      return {
        text: describeReport(report),
        data: {
          topics: report.topics.map((outcome) => ({
            slug: outcome.slug,
            checked: outcome.checked,
            verdict: outcome.verdict?.status ?? null,
            status: outcome.status,
            healed: outcome.healed !== undefined,
            caveats: outcome.caveats,
          })),
        },
      };
    },
  });
}
