import { z } from 'zod';
import { MnemoError } from '../shared/index.js';
import {
  evidenceSchema,
  SOURCE_KINDS,
  TOPIC_TYPES,
  topicLinkSchema,
  type Evidence,
  type SourceKind,
  type TopicLink,
  type TopicType,
} from '../store/index.js';

/** Largest topic body mnemo writes; recall cuts topics to 4 KB anyway. */
export const MAX_BODY_BYTES = 64 * 1024;

/** What a caller gives to write a topic (remember, a staged note, a heal). */
export const topicInputSchema = z.object({
  name: z.string().trim().min(1, 'a name is required').max(120, 'a name is at most 120 characters'),
  description: z
    .string()
    .trim()
    .min(1, 'a description is required: one line that says when the topic matters')
    .max(300, 'a description is one line of at most 300 characters')
    .refine((value) => !/[\r\n]/.test(value), 'a description is a single line'),
  type: z.enum(TOPIC_TYPES, { message: `type must be one of ${TOPIC_TYPES.join(', ')}` }),
  body: z
    .string()
    .refine((value) => value.trim().length > 0, 'the body is empty: say the fact, why it holds, and how to apply it')
    .refine(
      (value) => Buffer.byteLength(value) <= MAX_BODY_BYTES,
      `the body is over ${MAX_BODY_BYTES / 1024} KB; keep topics short and split long material`,
    ),
  tags: z
    .array(
      z
        .string()
        .trim()
        .regex(/^[\p{L}\p{N}][\p{L}\p{N}._/-]{0,39}$/u, 'a tag is one word of letters, digits, ".", "_", "/" or "-"'),
    )
    .max(20)
    .default([]),
  evidence: z.array(evidenceSchema).default([]),
  links: z.array(topicLinkSchema).default([]),
  /** A slug to use instead of one made from the name. */
  slug: z.string().optional(),
});

export type TopicInput = z.input<typeof topicInputSchema>;
export type ValidTopicInput = z.output<typeof topicInputSchema>;

/** Who wrote it and where it came from (the guard decides trust from this). */
export interface Provenance {
  kind: SourceKind;
  origin?: string | undefined;
  session?: string | undefined;
  task?: string | undefined;
}

export const provenanceKindSchema = z.enum(SOURCE_KINDS);

/** Validate topic input; a bad field is an `invalid-input` error naming the field and the fix. */
export function parseTopicInput(input: unknown): ValidTopicInput {
  const result = topicInputSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`);
  throw new MnemoError('invalid-input', `Cannot write this topic: ${problems.join('; ')}.`, {
    hint: 'Fix the named fields and run the command again; nothing was written.',
  });
}

export type { Evidence, TopicLink, TopicType };
