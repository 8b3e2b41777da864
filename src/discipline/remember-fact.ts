import type { EvidenceService } from './evidence-service.js';
import type { MemoryWriter, WriteResult } from './memory-writer.js';
import type { QuarantineItem } from './quarantine-store.js';
import type { TaskService } from './task-service.js';
import { parseTopicInput, type Provenance, type TopicInput } from './topic-input.js';
import type { RedactionSummary, WriteGuard } from './write-guard.js';

/** What became of a `remember`: written (a person's fact), staged in a task (anyone else's), or held in quarantine. */
export type RememberResult =
  | ({ status: 'written'; warnings: string[]; redacted: RedactionSummary } & WriteResult)
  | { status: 'staged'; task: string; note: string; message: string; warnings: string[]; redacted: RedactionSummary }
  | { status: 'quarantined'; id: string; reasons: string[]; message: string };

export interface RememberInput extends TopicInput {
  /** Who asserts it; default a person (`user`), written directly. Anything else goes through a task. */
  source?: Provenance;
  /** For a non-person source: the task to stage it in (default: a new task without verification). */
  task?: string;
}

export interface RememberDependencies {
  writer: MemoryWriter;
  tasks: TaskService;
  guard: WriteGuard;
  evidence: EvidenceService;
}

function quarantined(item: QuarantineItem): RememberResult {
  return {
    status: 'quarantined',
    id: item.id,
    reasons: item.reasons,
    message: `Held in quarantine as ${item.id}: ${item.reasons.join('; ')}. Nothing reached memory; a person can review it with \`mnemo quarantine show ${item.id}\`.`,
  };
}

/**
 * Remember a fact. A person's fact is a direct, trusted write (the guard still redacts secrets
 * and reports what its scan found); a fact from anyone else is staged in a task through the guard
 * and reaches memory only when that task is verified.
 */
export async function rememberFact(dependencies: RememberDependencies, { source, task, ...input }: RememberInput): Promise<RememberResult> {
  const { writer, tasks, guard, evidence } = dependencies;
  if (source === undefined || source.kind === 'user') {
    writer.assertWritable('remember');
    const valid = parseTopicInput(input);
    const guarded = await guard.inspect(
      {
        name: valid.name,
        description: valid.description,
        type: valid.type,
        body: valid.body,
        tags: valid.tags,
        evidence: valid.evidence,
        source: source ?? { kind: 'user' },
      },
      'topic',
    );
    if (!guarded.ok) return quarantined(guarded.item);
    const { candidate } = guarded;
    const written = await writer.remember({
      ...input,
      name: candidate.name,
      description: candidate.description,
      body: candidate.body,
      tags: candidate.tags ?? [],
      evidence: await evidence.evidenceFor(candidate.body, candidate.evidence ?? [], 'trusted'),
      source: candidate.source,
    });
    return { status: 'written', warnings: guarded.warnings, redacted: guarded.redacted, ...written };
  }
  const target = task ?? (await tasks.begin({ goal: `remember: ${input.name}`, session: source.session })).id;
  const result = await tasks.note(target, { ...input, source });
  if (result.status === 'quarantined') {
    // a task opened only for this fact would be left open and empty: close it
    if (task === undefined) await tasks.close(target, 'abandoned', `its only note was held in quarantine (${result.item.id})`);
    return quarantined(result.item);
  }
  return {
    status: 'staged',
    task: target,
    note: result.note.id,
    warnings: result.warnings,
    redacted: result.redacted,
    message: `Staged in task ${target}; it reaches memory when the task is verified (mnemo task complete ${target}${task ? '' : ' --confirmed'}).`,
  };
}
