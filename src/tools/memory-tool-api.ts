import type {
  BeginTaskInput,
  CompleteResult,
  ForgetResult,
  Provenance,
  NoteResult,
  TaskRecord,
  TopicInput,
  VerifyReport,
} from '../discipline/index.js';
import type { RecallOptions, RecallResult } from '../recall/index.js';
import type { TopicStatus, TopicType } from '../store/index.js';

/** A task as the tools drive it. */
export interface ToolTaskHandle {
  readonly id: string;
  readonly session: string;
  note(input: TopicInput & { source?: Provenance }): Promise<NoteResult>;
  observe(kind: string, text: string): Promise<{ signature: string | undefined }>;
  complete(options?: { confirmed?: boolean; summary?: string }): Promise<CompleteResult>;
  fail(reason: string): Promise<TaskRecord>;
  show(): Promise<TaskRecord>;
}

/** One line of `list`, as far as the tools read it. */
export type ToolTopicSummary =
  | { slug: string; readable: true; name: string; description: string; type: TopicType; status: TopicStatus; updated: string | undefined }
  | { slug: string; readable: false; error: string };

export type ToolShowResult =
  | {
      found: true;
      slug: string;
      /** The file as written (for a person). */
      text: string;
      /** What the agent is given: the file fenced as data with its provenance when the topic is untrusted. */
      agentText: string;
      /** The provenance it is fenced under, for an untrusted topic. */
      fenced?: string;
      problems: string[];
    }
  | { found: true; slug: string; unreadable: string }
  | { found: false; reference: string; message: string };

export type ToolRememberResult =
  | { status: 'written'; slug: string; created: boolean; redacted?: { rule: string; count: number }[] }
  | { status: 'staged'; task: string; note: string; message: string; redacted?: { rule: string; count: number }[] }
  | { status: 'quarantined'; id: string; reasons: string[]; message: string };

/** What `verify` asks for: these topics (by slug), or all of them. */
export interface VerifyToolInput {
  slugs?: string[];
  all?: boolean;
}

/** What `dream` asks for: propose (the default) or apply. */
export interface DreamToolInput {
  apply: boolean;
}

/**
 * The port the memory tools are built over: the library's `Memory` satisfies it. `verify` and
 * `dream` are optional; the tools say "not available in this version" without them. A dream
 * report is shown as its `text` field when it has one, else as JSON.
 */
export interface MemoryToolApi {
  recall(query: string, options?: RecallOptions): Promise<RecallResult>;
  show(reference: string): Promise<ToolShowResult>;
  list(filter?: { type?: TopicType; status?: TopicStatus }): Promise<ToolTopicSummary[]>;
  remember(input: TopicInput & { source?: Provenance; task?: string }): Promise<ToolRememberResult>;
  beginTask(input: BeginTaskInput): Promise<ToolTaskHandle>;
  task(id: string): Promise<ToolTaskHandle>;
  forget(slug: string, options?: { reason?: string; actor?: string }): Promise<ForgetResult>;
  status(): Promise<object>;
  verify?: (input: VerifyToolInput) => Promise<VerifyReport>;
  dream?: (input: DreamToolInput) => Promise<unknown>;
}
