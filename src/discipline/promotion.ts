import { isoSeconds, slugify } from '../shared/index.js';
import { readTopicFile, serializeTopic, type StoredTopic, type TopicMeta } from '../store/index.js';
import type { ChangeSet, TopicFileWrite } from './change-set.js';
import { buildLesson } from './lesson.js';
import type { PromotionContext } from './promotion-context.js';
import { SUPERSEDE_THRESHOLD, textSimilarity } from './note-similarity.js';
import { serializeTask, taskFile, type PromotedTopic, type StagedNote, type TaskRecord } from './task-store.js';

export interface PromotionPlan {
  changes: ChangeSet;
  promoted: PromotedTopic[];
}

interface Target {
  slug: string;
  previous: StoredTopic | undefined;
  superseded: StoredTopic | undefined;
}

/** Where a note goes: its own slug (an update), a near-duplicate to supersede, or a new file. */
async function chooseTarget(context: PromotionContext, note: StagedNote, taken: Set<string>): Promise<Target> {
  const base = slugify(note.name);
  const own = await readTopicFile(context.root, base);
  if (own.status === 'ok' && !taken.has(base)) return { slug: base, previous: own.topic, superseded: undefined };
  let slug = base;
  for (let counter = 2; taken.has(slug) || (await readTopicFile(context.root, slug)).status !== 'missing'; counter += 1)
    slug = `${base}-${counter}`;
  const noteText = `${note.name} ${note.description}`;
  for (const hit of context.search.searchTopics(noteText, { limit: 5, types: [note.type], statuses: ['active', 'suspect'] })) {
    if (taken.has(hit.slug)) continue;
    const candidate = context.search.lookup(hit.slug);
    if (!candidate?.readable) continue;
    if (textSimilarity(noteText, `${candidate.meta.name} ${candidate.meta.description}`) < SUPERSEDE_THRESHOLD) continue;
    const read = await readTopicFile(context.root, hit.slug);
    if (read.status === 'ok') return { slug, previous: undefined, superseded: read.topic };
  }
  return { slug, previous: undefined, superseded: undefined };
}

/**
 * The change set that promotes a task's working set: each note becomes a topic (an update of the
 * topic with its name, a new version superseding a near-duplicate, or a new topic), a lesson is
 * added when the task ran into errors, and the task is closed in the same journaled change.
 */
export async function planPromotion(
  context: PromotionContext,
  task: TaskRecord,
  options: { summary?: string | undefined; actor: string },
): Promise<PromotionPlan> {
  const now = isoSeconds(context.clock.now());
  const writes: TopicFileWrite[] = [];
  const audit: ChangeSet['audit'] = [];
  const promoted: PromotedTopic[] = [];
  const taken = new Set<string>();
  for (const note of task.notes) {
    const target = await chooseTarget(context, note, taken);
    taken.add(target.slug);
    const id = target.previous?.meta.id ?? context.newId();
    const meta: TopicMeta = {
      ...(target.previous?.meta ?? { status: 'active', supersedes: [], links: [], evidence: [], tags: [] }),
      name: note.name,
      description: note.description,
      type: note.type,
      id,
      created: target.previous?.meta.created ?? now,
      updated: now,
      status: 'active',
      source: {
        kind: note.source.kind,
        ...(note.source.origin ? { origin: note.source.origin } : {}),
        session: note.source.session ?? task.session,
        task: task.id,
        trust: note.source.trust,
        ...(note.source.vouchedBy ? { vouchedBy: note.source.vouchedBy } : {}),
      },
      evidence: note.evidence.length > 0 ? note.evidence : (target.previous?.meta.evidence ?? []),
      links: [...(target.previous?.meta.links ?? []), ...note.links],
      tags: [...new Set([...(target.previous?.meta.tags ?? []), ...note.tags])],
      supersedes: target.superseded
        ? [...(target.previous?.meta.supersedes ?? []), target.superseded.meta.id ?? target.superseded.slug]
        : (target.previous?.meta.supersedes ?? []),
    };
    writes.push({
      slug: target.slug,
      content: serializeTopic(meta, note.body, target.previous?.frontmatter),
      expectHash: target.previous ? target.previous.hash : null,
    });
    if (target.superseded) {
      const old = target.superseded;
      taken.add(old.slug);
      const oldMeta: TopicMeta = { ...old.meta, status: 'superseded', supersededBy: id, updated: now };
      writes.push({ slug: old.slug, content: serializeTopic(oldMeta, old.body, old.frontmatter), expectHash: old.hash });
      audit.push({
        action: 'topic-superseded',
        slug: old.slug,
        id: old.meta.id,
        actor: options.actor,
        reason: `superseded by ${target.slug} (task ${task.id})`,
      });
      promoted.push({ slug: target.slug, id, action: 'superseded', supersedes: old.slug });
    } else {
      promoted.push({ slug: target.slug, id, action: target.previous ? 'updated' : 'created' });
    }
    audit.push({
      action: target.previous ? 'topic-updated' : 'topic-promoted',
      slug: target.slug,
      id,
      actor: options.actor,
      reason: `task ${task.id} verified: ${task.goal}`,
      details: { task: task.id, session: task.session, trust: note.source.trust },
    });
  }
  const lessons = await buildLesson(context, task, promoted, { summary: options.summary, now, taken });
  for (const lesson of lessons) {
    writes.push(lesson.write);
    promoted.push(lesson.promoted);
    audit.push({
      action: lesson.promoted.action === 'lesson' && lesson.write.expectHash === null ? 'lesson-created' : 'lesson-strengthened',
      slug: lesson.promoted.slug,
      id: lesson.promoted.id,
      actor: options.actor,
      reason: `error fixed by task ${task.id}`,
      details: { signature: lesson.signature },
    });
  }
  const closed: TaskRecord = {
    ...task,
    status: 'completed',
    updated: context.clock.now().toISOString(),
    promoted,
    ...(options.summary ? { summary: options.summary } : {}),
  };
  audit.push({
    action: 'task-completed',
    actor: options.actor,
    reason: task.goal,
    details: { task: task.id, promoted: promoted.map((item) => item.slug) },
  });
  return {
    promoted,
    changes: {
      reason: `complete task ${task.id}`,
      writes,
      removals: [],
      audit,
      state: [
        { path: taskFile(task.id, 'completed'), content: serializeTask(closed) },
        { path: taskFile(task.id, 'open'), content: null },
      ],
    },
  };
}
