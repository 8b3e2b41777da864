import { errorSignature, exampleLine, specificSignature, textSimilarity, type TaskRecord } from '../discipline/index.js';
import { slugify } from '../shared/index.js';
import type { TopicMeta } from '../store/index.js';
import type { DreamGathered } from './dream-gather.js';
import type { DreamPlan, TopicView } from './dream-plan.js';

/** A fix a task's verification confirmed for an error signature. */
interface VerifiedFix {
  text: string;
  task: string;
  session: string;
  check: string;
  time: string;
}

interface Recurrence {
  sessions: Set<string>;
  fixes: VerifiedFix[];
  /** The error texts seen (not the signature itself), for the example and the numbers kept. */
  examples: string[];
}

const RECURRENCE_LINE = /^Recurrence: seen in (\d+) sessions?: (.*)\.$/m;

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function fixText(task: TaskRecord): string {
  if (task.summary?.trim()) return task.summary.trim();
  const notes = task.notes.map((note) => `${note.name}: ${note.description}`);
  return notes.length > 0 ? notes.join('; ') : `the change made by task ${task.id} (${task.goal})`;
}

function collect(gathered: DreamGathered): Map<string, Recurrence> {
  const bySignature = new Map<string, Recurrence>();
  const entry = (signature: string, example?: string): Recurrence => {
    let found = bySignature.get(signature);
    if (!found) bySignature.set(signature, (found = { sessions: new Set(), fixes: [], examples: [] }));
    if (example !== undefined && example.trim() !== '' && found.examples.length < 20) found.examples.push(example);
    return found;
  };
  for (const task of gathered.tasks) {
    for (const error of task.errors) entry(error.signature, error.text).sessions.add(task.session);
    const passed = [...task.attempts].reverse().find((attempt) => attempt.passed);
    if (task.status !== 'completed' || !passed) continue;
    for (const signature of new Set(task.errors.map((error) => error.signature))) {
      entry(signature).fixes.push({
        text: fixText(task),
        task: task.id,
        session: task.session,
        check: passed.check,
        time: passed.time,
      });
    }
  }
  for (const session of gathered.sessions) {
    for (const event of session.events) {
      if (event.kind !== 'error' && event.kind !== 'attempt-failed' && event.kind !== 'tool-error') continue;
      const signature = typeof event.data?.signature === 'string' ? event.data.signature : (errorSignature(event.text) ?? undefined);
      if (signature) entry(signature, event.text).sessions.add(session.id);
    }
  }
  return bySignature;
}

/** The fix verified in the most sessions, with every task that verified it (fixes that read alike count as one). */
function strongestFix(fixes: readonly VerifiedFix[]): VerifiedFix[] {
  const groups: VerifiedFix[][] = [];
  for (const fix of [...fixes].sort((a, b) => a.time.localeCompare(b.time))) {
    const group = groups.find((candidate) => textSimilarity(candidate[0]?.text ?? '', fix.text) >= 0.5);
    if (group) group.push(fix);
    else groups.push([fix]);
  }
  const sessions = (group: VerifiedFix[]) => new Set(group.map((fix) => fix.session)).size;
  return groups.sort((a, b) => sessions(b) - sessions(a) || (b.at(-1)?.time ?? '').localeCompare(a.at(-1)?.time ?? ''))[0] ?? [];
}

function lessonBody(signature: string, recurrence: Recurrence, fixes: VerifiedFix[], previous: string | undefined): string {
  const sessions = [...recurrence.sessions].sort();
  const verifiedBy = fixes.map((fix) => `task ${fix.task} (\`${fix.check}\` passed on ${fix.time.slice(0, 10)})`).join(', ');
  const recurrenceLine = `Recurrence: seen in ${sessions.length} sessions: ${sessions.join(', ')}.`;
  if (previous !== undefined) {
    const known = new Set(previous.split('\n').map((line) => line.trim()));
    const fixLine = `- ${fixes[0]?.text ?? ''}`;
    const addition = known.has(fixLine) ? '' : `\n\nFix verified again by ${verifiedBy}:\n${fixLine}`;
    const base = RECURRENCE_LINE.test(previous)
      ? previous.replace(RECURRENCE_LINE, recurrenceLine)
      : `${previous.replace(/\s+$/, '')}\n\n${recurrenceLine}`;
    return `${base.replace(/\s+$/, '')}${addition}\n`;
  }
  const shown = specificSignature(signature, recurrence.examples);
  const example = exampleLine(recurrence.examples, shown);
  return [
    `When you see: \`${shown}\``,
    ...(example === undefined ? [] : [`(for example: ${shorten(example, 200)})`]),
    '',
    `Fix, verified by ${verifiedBy}:`,
    `- ${fixes[0]?.text ?? ''}`,
    '',
    `**Why:** this error recurred in ${sessions.length} sessions and this fix passed its verification.`,
    '**How to apply:** when this error appears again, try this fix first.',
    '',
    recurrenceLine,
    '',
  ].join('\n');
}

/**
 * Consolidate: an error signature seen in two or more sessions, with a fix that a task's
 * verification confirmed, becomes a lesson topic, or strengthens the lesson with that signature
 * (its recurrence line, and the fix when it is new). Nothing changes when nothing recurred since.
 */
export async function planLessons(plan: DreamPlan, gathered: DreamGathered, newId: () => string): Promise<void> {
  const lessons = new Map<string, TopicView>();
  for (const view of plan.active())
    if (view.meta.type === 'lesson' && view.meta.errorSignature) lessons.set(view.meta.errorSignature, view);
  for (const [signature, recurrence] of collect(gathered)) {
    const existing = lessons.get(signature);
    const match = existing ? RECURRENCE_LINE.exec(existing.body) : null;
    for (const session of match?.[2]?.split(', ') ?? []) if (session.trim()) recurrence.sessions.add(session.trim());
    const fixes = strongestFix(recurrence.fixes);
    if (recurrence.sessions.size < 2 || fixes.length === 0) continue;
    const known = match ? Number(match[1]) : 0;
    if (existing && known >= recurrence.sessions.size) continue;
    const sessions = recurrence.sessions.size;
    if (existing) {
      const draft = await plan.edit(existing.slug);
      if (!draft) continue;
      draft.body = lessonBody(signature, recurrence, fixes, draft.body);
      draft.meta.updated = plan.nowText;
      draft.meta.description = shorten(`what fixed "${signature}" (seen in ${sessions} sessions)`, 300);
      const reason = `error signature recurred in ${sessions} sessions; fix verified by ${fixes.map((fix) => fix.task).join(', ')}`;
      plan.record({
        kind: 'lesson',
        slug: existing.slug,
        slugs: [existing.slug],
        reason,
        audit: [{ action: 'lesson-strengthened', slug: existing.slug, id: draft.meta.id, reason, details: { signature } }],
      });
      continue;
    }
    const slug = plan.freeSlug(`lesson-${slugify(signature.replace(/<[a-z]+>/g, ' ')).slice(0, 56)}`);
    const shown = specificSignature(signature, recurrence.examples);
    const meta: TopicMeta = {
      name: shorten(`Fix: ${shown.replace(/<[a-z]+>/g, '…')}`, 120),
      description: shorten(`what fixed "${shown}" (seen in ${sessions} sessions)`, 300),
      type: 'lesson',
      id: newId(),
      created: plan.nowText,
      updated: plan.nowText,
      status: 'active',
      source: { kind: 'dream', ...(fixes[0] ? { session: fixes[0].session, task: fixes[0].task } : {}), trust: 'trusted' },
      evidence: [],
      supersedes: [],
      links: [],
      tags: ['lesson', 'error'],
      errorSignature: signature,
    };
    plan.create(slug, meta, lessonBody(signature, recurrence, fixes, undefined));
    const reason = `error signature recurred in ${sessions} sessions with a fix verified by ${fixes.map((fix) => fix.task).join(', ')}`;
    plan.record({
      kind: 'lesson',
      slug,
      slugs: [slug],
      reason,
      audit: [{ action: 'lesson-created', slug, id: meta.id, reason, details: { signature } }],
    });
    lessons.set(signature, { slug, meta, body: '' });
  }
}
