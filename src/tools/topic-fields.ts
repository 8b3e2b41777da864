import { z } from 'zod';
import { lazy } from './define-tool.js';
import type { TopicInput } from '../discipline/index.js';
import { TOPIC_TYPES, type Evidence } from '../store/index.js';

/** Evidence a model may attach: the cheap, side-effect-free kinds (never commands or URLs). */
export const toolEvidenceSchema = lazy(() =>
  z
    .object({
      kind: z.enum(['file', 'symbol', 'package', 'git', 'env']).describe('What kind of claim this is.'),
      path: z.string().max(500).optional().describe('file: the path, relative to the project folder.'),
      contains: z.string().max(500).optional().describe('file: text the file must contain for the memory to hold.'),
      name: z.string().max(200).optional().describe('symbol, package or env: the name (function, npm package, variable).'),
      glob: z.string().max(200).optional().describe('symbol: the files to search, e.g. "src/**/*.ts" (default: all).'),
      range: z.string().max(100).optional().describe('package: the semver range that must be installed, e.g. "^4.2".'),
      ref: z.string().max(200).optional().describe('git: a branch, tag or commit that must exist.'),
    })
    .strict(),
);

export type ToolEvidence = z.infer<ReturnType<typeof toolEvidenceSchema>>;

/** The fields of a memory a model writes: the same as a topic file's. */
export const topicFields = lazy(() => ({
  name: z.string().min(1).max(120).describe('A short title, e.g. "Staging deploys are blue-green".'),
  description: z.string().min(1).max(300).describe('One line that says when this memory matters; recall ranks on it.'),
  type: z
    .enum(TOPIC_TYPES)
    .describe(
      'user: about the user (role, preferences); feedback: how the user wants you to work; project: facts about this project; reference: where to find things; lesson: an error and the fix that resolved it.',
    ),
  body: z
    .string()
    .min(1)
    .max(65_536)
    .describe('The fact or rule first, then "**Why:**" (the reason) and "**How to apply:**" (when and how to use it). Markdown.'),
  tags: z.array(z.string().max(40)).max(20).optional().describe('A few one-word tags.'),
  evidence: z
    .array(toolEvidenceSchema())
    .max(20)
    .optional()
    .describe('Checkable claims that must hold for this memory to stay true; each is checked again before the memory is used.'),
}));

/** Evidence as the library takes it, without the fields the model left out. */
export function toEvidence(items: readonly ToolEvidence[] | undefined): Evidence[] {
  return (items ?? []).map((item) => Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined)) as Evidence);
}

/** The topic input of a model's note or memory. */
export function toTopicInput(input: {
  name: string;
  description: string;
  type: TopicInput['type'];
  body: string;
  tags?: string[] | undefined;
  evidence?: ToolEvidence[] | undefined;
}): TopicInput {
  return {
    name: input.name,
    description: input.description,
    type: input.type,
    body: input.body,
    tags: input.tags ?? [],
    evidence: toEvidence(input.evidence),
  };
}

/** A task id as the tools accept it. */
export const taskIdSchema = lazy(() =>
  z
    .string()
    .regex(/^t-[a-z0-9]{4,16}$/, 'a task id looks like t-k3x9q2 (from task_begin)')
    .describe('The task id that task_begin returned, e.g. "t-k3x9q2".'),
);
