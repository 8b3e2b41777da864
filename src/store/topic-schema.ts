import { z } from 'zod';

export const TOPIC_TYPES = ['user', 'feedback', 'project', 'reference', 'lesson'] as const;
export type TopicType = (typeof TOPIC_TYPES)[number];

export const TOPIC_STATUSES = ['active', 'suspect', 'superseded', 'quarantined'] as const;
export type TopicStatus = (typeof TOPIC_STATUSES)[number];

export const SOURCE_KINDS = ['user', 'agent', 'tool', 'web', 'file', 'import', 'dream'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const topicTypeSchema = z.enum(TOPIC_TYPES);
export const topicStatusSchema = z.enum(TOPIC_STATUSES);

/** Where a topic's content came from, and whether it is trusted. */
export const topicSourceSchema = z
  .object({
    kind: z.enum(SOURCE_KINDS),
    session: z.string().optional(),
    task: z.string().optional(),
    /** Tool name, URL or path the content came from. */
    origin: z.string().optional(),
    trust: z.enum(['trusted', 'untrusted']),
    /** Who vouched for untrusted content (a person approving it). */
    vouchedBy: z.string().optional(),
  })
  .loose();
export type TopicSource = z.infer<typeof topicSourceSchema>;

const derived = { derived: z.boolean().optional() };

/** A checkable claim about the world attached to a topic. */
export const evidenceSchema = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('file'), path: z.string().min(1), contains: z.string().optional(), hash: z.string().optional(), ...derived })
    .loose(),
  z.object({ kind: z.literal('symbol'), name: z.string().min(1), glob: z.string().default('**/*'), ...derived }).loose(),
  z.object({ kind: z.literal('package'), name: z.string().min(1), range: z.string().default('*'), ...derived }).loose(),
  z.object({ kind: z.literal('git'), ref: z.string().min(1), ...derived }).loose(),
  z
    .object({
      kind: z.literal('command'),
      run: z.string().min(1),
      expect: z.object({ exit: z.number().int().optional(), stdout: z.string().optional() }).loose().optional(),
      ...derived,
    })
    .loose(),
  z
    .object({
      kind: z.literal('http'),
      url: z.string().min(1),
      expect: z.object({ status: z.number().int().optional(), body: z.string().optional() }).loose().optional(),
      ...derived,
    })
    .loose(),
  z.object({ kind: z.literal('env'), name: z.string().min(1), ...derived }).loose(),
]);
export type Evidence = z.infer<typeof evidenceSchema>;
export type EvidenceKind = Evidence['kind'];

export const topicLinkSchema = z.object({ rel: z.string().min(1), id: z.string().min(1) }).loose();
export type TopicLink = z.infer<typeof topicLinkSchema>;

/**
 * The frontmatter fields mnemo knows. `name`, `description` and `type` are Claude Code's; the
 * rest are mnemo's and optional when reading. Unknown fields are kept by the serializer.
 */
export interface TopicMeta {
  name: string;
  description: string;
  type: TopicType;
  id?: string | undefined;
  created?: string | undefined;
  updated?: string | undefined;
  verified?: string | undefined;
  status: TopicStatus;
  source?: TopicSource | undefined;
  evidence: Evidence[];
  supersedes: string[];
  /** Set on a superseded topic: the id (or slug) of the topic that replaced it. */
  supersededBy?: string | undefined;
  links: TopicLink[];
  tags: string[];
  /** On a lesson: the normalized error signature it resolves. */
  errorSignature?: string | undefined;
}

/** Every known field name, in the order a new file writes them. */
export const KNOWN_FIELDS = [
  'name',
  'description',
  'type',
  'id',
  'created',
  'updated',
  'verified',
  'status',
  'source',
  'evidence',
  'supersedes',
  'supersededBy',
  'links',
  'tags',
  'errorSignature',
] as const satisfies readonly (keyof TopicMeta)[];

/** A topic read from disk. */
export interface Topic {
  slug: string;
  meta: TopicMeta;
  body: string;
  /** Problems found while reading (invalid fields replaced by defaults); empty when clean. */
  problems: string[];
}

/** A topic file that could not be read at all, with the reason and the fix. */
export interface UnreadableTopic {
  slug: string;
  error: string;
}
