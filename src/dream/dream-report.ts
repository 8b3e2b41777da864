import { redactSecrets } from '../guard/index.js';
import type { DreamActionKind, DreamPlan } from './dream-plan.js';
import { lineDiff } from './line-diff.js';
import type { HeldCandidate } from './plan-model.js';
import type { HeldRetirement } from './plan-retire.js';

/** The index as it will be (or was) rendered after the dream. */
export interface IndexOutlook {
  entries: number;
  lines: number;
  bytes: number;
  maxLines: number;
  maxBytes: number;
  omitted: string[];
}

export interface DreamReportInput {
  id: string;
  time: string;
  mode: 'proposed' | 'applied';
  trigger: string[];
  plan: DreamPlan;
  /** New content of each changed topic. */
  contents: ReadonlyMap<string, string>;
  stats: { topics: number; sessions: number; events: number; recallHits: number; tasks: number };
  heldRetirements: readonly HeldRetirement[];
  heldCandidates: readonly HeldCandidate[];
  notChecked: readonly string[];
  skipped: readonly string[];
  problems: readonly string[];
  index: IndexOutlook;
  model: string | undefined;
}

const SECTIONS: { kind: DreamActionKind; title: string }[] = [
  { kind: 'merge', title: 'Merged near-duplicates' },
  { kind: 'supersede', title: 'Settled conflicts' },
  { kind: 'lesson', title: 'Lessons' },
  { kind: 'heal', title: 'Healed' },
  { kind: 'suspect', title: 'Marked suspect' },
  { kind: 'note', title: 'Distilled notes' },
  { kind: 'dates', title: 'Relative dates made absolute' },
  { kind: 'retire', title: 'Retired (moved to the trash, tombstone kept)' },
  { kind: 'repoint', title: 'Re-pointed' },
];

/** Counts per kind, in the order of the report. */
export function countActions(plan: DreamPlan): Partial<Record<DreamActionKind, number>> {
  const counts: Partial<Record<DreamActionKind, number>> = {};
  for (const action of plan.actions) counts[action.kind] = (counts[action.kind] ?? 0) + 1;
  return counts;
}

function originalText(plan: DreamPlan, slug: string): string {
  const draft = plan.drafts.get(slug);
  const topic = draft?.original ?? plan.retired.get(slug)?.topic;
  return topic ? `---\n${topic.frontmatter}\n---\n${topic.body}` : '';
}

function diffBlock(plan: DreamPlan, contents: ReadonlyMap<string, string>, slug: string, shown: Set<string>): string[] {
  if (shown.has(slug)) return [`${slug}.md: its diff is shown above`];
  shown.add(slug);
  const after = plan.retired.has(slug) ? '' : (contents.get(slug) ?? originalText(plan, slug));
  const lines = lineDiff(originalText(plan, slug), after, { context: 1 });
  if (lines.length === 0) return [];
  return [`${slug}.md:`, '```diff', ...lines.slice(0, 80), ...(lines.length > 80 ? [`… ${lines.length - 80} more line(s)`] : []), '```'];
}

/**
 * The report of a dream, as markdown: what it gathered, each change per topic with its reason
 * and a line diff, what it held for a person, and the index it leaves. The same text is the
 * `--propose` output and `.state/dreams/<id>.md`. Secrets are redacted.
 */
export function renderDreamReport(input: DreamReportInput): string {
  const { plan, stats, index } = input;
  const counts = countActions(plan);
  const summary = SECTIONS.filter(({ kind }) => counts[kind])
    .map(({ kind }) => `${kind} ${counts[kind] ?? 0}`)
    .concat(counts.verify ? [`verified ${counts.verify}`] : [])
    .join(', ');
  const out = [
    `# Dream ${input.id}${input.mode === 'proposed' ? ' (proposed: nothing was changed)' : ''}`,
    '',
    `- time: ${input.time}`,
    `- trigger: ${input.trigger.join('; ') || 'run by hand'}`,
    `- orient: ${stats.topics} topics; gather: ${stats.sessions} session(s) with ${stats.events} new event(s), ${stats.tasks} task(s), ${stats.recallHits} recall hit(s)`,
    `- changes: ${summary || 'none'}`,
    ...(input.model ? [`- model: ${input.model}`] : []),
    `- index: ${index.entries} entries, ${index.lines}/${index.maxLines} lines, ${index.bytes}/${index.maxBytes} bytes${index.omitted.length > 0 ? `; left out (over budget, lowest ranked): ${index.omitted.join(', ')}` : ''}`,
  ];
  const shown = new Set<string>();
  for (const { kind, title } of SECTIONS) {
    const actions = plan.actions.filter((action) => action.kind === kind);
    if (actions.length === 0) continue;
    out.push('', `## ${title}`);
    for (const action of actions) {
      out.push('', `### ${kind}: ${action.slug}`, '', `reason: ${action.reason}`, '');
      for (const slug of action.slugs) out.push(...diffBlock(plan, input.contents, slug, shown));
    }
  }
  const verified = plan.actions.filter((action) => action.kind === 'verify');
  if (verified.length > 0) {
    out.push('', `## Re-checked and confirmed (${verified.length})`, '', verified.map((action) => action.slug).join(', '));
  }
  if (input.notChecked.length > 0) out.push('', `## Not re-checked (time budget spent; next dream)`, '', input.notChecked.join(', '));
  if (input.heldRetirements.length > 0) {
    out.push('', '## Held for a person');
    for (const held of input.heldRetirements) out.push(`- ${held.slug}: ${held.reason}`);
  }
  if (input.heldCandidates.length > 0) {
    out.push('', '## Model notes held for approval (in .state/quarantine/)');
    for (const held of input.heldCandidates) out.push(`- ${held.name} (session ${held.session}): ${held.reasons.join('; ')}`);
  }
  if (input.skipped.length > 0) out.push('', '## Left alone (changed while the dream ran)', '', input.skipped.join(', '));
  if (input.problems.length > 0) {
    out.push('', '## Problems');
    for (const problem of input.problems) out.push(`- ${problem}`);
  }
  return redactSecrets(`${out.join('\n')}\n`).text;
}
