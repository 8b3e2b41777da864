import { scanForInjection } from '../guard/index.js';
import { slugify } from '../shared/index.js';
import { readTopicFile, serializeTopic, type TopicMeta } from '../store/index.js';
import type { TopicFileWrite } from './change-set.js';
import { exampleLine, specificSignature } from './error-signature.js';
import type { PromotionContext } from './promotion-context.js';
import type { PromotedTopic, TaskRecord } from './task-store.js';

export interface LessonWrite {
  write: TopicFileWrite;
  promoted: PromotedTopic;
  signature: string;
}

const MAX_LESSONS_PER_TASK = 3;

function lessonSlug(signature: string): string {
  return `lesson-${slugify(signature.replace(/<[a-z]+>/g, ' ')).slice(0, 56)}`;
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Lessons (causal memory) from a task that ran into errors and then passed its verification:
 * one per distinct error signature, linking the signature to the verified fix. A lesson with the
 * same signature is strengthened (its fixes accumulate) instead of duplicated.
 */
export async function buildLesson(
  context: PromotionContext,
  task: TaskRecord,
  promoted: readonly PromotedTopic[],
  options: { summary?: string | undefined; now: string; taken: Set<string> },
): Promise<LessonWrite[]> {
  const signatures = [...new Set(task.errors.map((error) => error.signature))].slice(-MAX_LESSONS_PER_TASK);
  const passed = [...task.attempts].reverse().find((attempt) => attempt.passed);
  const fixLines = [options.summary ? options.summary : undefined, ...task.notes.map((note) => `${note.name}: ${note.description}`)].filter(
    (line): line is string => line !== undefined && line.trim() !== '',
  );
  const fix = fixLines.length > 0 ? fixLines.map((line) => `- ${line}`).join('\n') : `- the change made by task ${task.id} (${task.goal})`;
  const check = passed ? `\`${passed.check}\` passed` : 'confirmed by a person';
  const existingLessons = new Map(
    context.search
      .topicsOfType('lesson')
      .filter((topic) => topic.readable && topic.meta.errorSignature !== undefined)
      .map((topic) => [topic.readable ? (topic.meta.errorSignature as string) : '', topic.slug]),
  );
  const lessons: LessonWrite[] = [];
  for (const signature of signatures) {
    if (scanForInjection(signature, { purpose: 'transcript' }).some((finding) => finding.severity !== 'low')) continue;
    const texts = task.errors.filter((error) => error.signature === signature).map((error) => error.text);
    // numbers the same in every occurrence (a port, a status code) are part of the meaning: shown
    const shown = specificSignature(signature, texts);
    // Error text comes from tools and may carry instructions aimed at agents: such an example is left out.
    const example = texts.some((text) => scanForInjection(text, { purpose: 'transcript' }).some((finding) => finding.severity !== 'low'))
      ? undefined
      : exampleLine(texts, shown);
    const existingSlug = existingLessons.get(signature);
    const slug = existingSlug ?? lessonSlug(signature);
    if (options.taken.has(slug)) continue;
    options.taken.add(slug);
    const read = await readTopicFile(context.root, slug);
    const previous = read.status === 'ok' ? read.topic : undefined;
    const id = previous?.meta.id ?? context.newId();
    const earlier = previous
      ? `\n\nEarlier fixes:\n${previous.body
          .split('\n')
          .filter((line) => line.startsWith('- '))
          .slice(0, 10)
          .join('\n')}`
      : '';
    const body = [
      `When you see: \`${shown}\``,
      ...(example === undefined ? [] : [`(for example: ${shorten(example, 200)})`]),
      '',
      `Fix, verified by task ${task.id} (${check} on ${options.now.slice(0, 10)}):`,
      fix,
      '',
      `**Why:** task "${task.goal}" hit this error and succeeded after this fix.`,
      `**How to apply:** when this error appears again, try this fix first${promoted.length > 0 ? `; see ${promoted.map((item) => item.slug).join(', ')}` : ''}.${earlier}`,
    ].join('\n');
    const meta: TopicMeta = {
      ...(previous?.meta ?? { supersedes: [], evidence: [] }),
      name: shorten(`Fix: ${shown.replace(/<[a-z]+>/g, '…')}`, 120),
      description: shorten(`what fixed "${shown}"`, 300),
      type: 'lesson',
      id,
      created: previous?.meta.created ?? options.now,
      updated: options.now,
      status: 'active',
      source: { kind: 'agent', task: task.id, session: task.session, trust: 'trusted' },
      links: [...(previous?.meta.links ?? []), ...promoted.map((item) => ({ rel: 'fixed-by', id: item.id }))],
      tags: [...new Set([...(previous?.meta.tags ?? []), 'lesson', 'error'])],
      errorSignature: signature,
    };
    lessons.push({
      signature,
      write: { slug, content: serializeTopic(meta, body, previous?.frontmatter), expectHash: previous ? previous.hash : null },
      promoted: { slug, id, action: 'lesson' },
    });
  }
  return lessons;
}
