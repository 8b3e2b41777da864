import { isDeepStrictEqual } from 'node:util';
import type { ChangeSet, TopicFileRemoval, TopicFileWrite } from '../discipline/index.js';
import type { CatalogTopic } from '../retrieval/index.js';
import { isoSeconds, sha256 } from '../shared/index.js';
import { readTopicFile, serializeTopic, type StoredTopic, type TopicMeta } from '../store/index.js';

/** What a dream does to a topic; one report section each. */
export const DREAM_ACTION_KINDS = [
  'dates',
  'verify',
  'heal',
  'suspect',
  'supersede',
  'merge',
  'lesson',
  'note',
  'retire',
  'repoint',
] as const;
export type DreamActionKind = (typeof DREAM_ACTION_KINDS)[number];

/** One change of a dream, applied whole or not at all, with its reason and its audit lines. */
export interface DreamAction {
  kind: DreamActionKind;
  /** The topic the action is about (survivor, winner, lesson, retired topic). */
  slug: string;
  /** Every topic the action writes or removes. */
  slugs: string[];
  /** Why, in words a person reads in the report. */
  reason: string;
  audit: { action: string; slug: string; id: string | undefined; reason: string; details?: Record<string, unknown> }[];
}

/** A topic as a dream is changing it. */
export interface TopicDraft {
  slug: string;
  /** The file as planned from; undefined for a topic the dream creates. */
  original: StoredTopic | undefined;
  meta: TopicMeta;
  body: string;
}

/** The current view of a topic during planning: the draft when there is one, else the catalog's. */
export interface TopicView {
  slug: string;
  meta: TopicMeta;
  body: string;
}

/** A retired topic's marker: where its copy is, and why it went. */
export interface Tombstone {
  slug: string;
  id: string | undefined;
  name: string;
  type: string;
  dream: string;
  time: string;
  reason: string;
  /** The retired file's hash; the snapshot copy under `copy` has these bytes. */
  hash: string;
  /** The recoverable copy, relative to `.state/`. */
  copy: string;
  supersededBy?: string | undefined;
}

/**
 * The plan of one dream: drafts of the topics it changes, the topics it retires, and the actions
 * that explain both. Planners read the current view (`view`, `active`) and change it through
 * `edit`/`create`/`retire`, so later planners see earlier decisions. Nothing is written here.
 */
export class DreamPlan {
  readonly actions: DreamAction[] = [];
  readonly drafts = new Map<string, TopicDraft>();
  readonly retired = new Map<string, { hash: string; reason: string; topic: StoredTopic }>();
  /** Slugs whose file changed after the catalog was read: left alone by this dream. */
  readonly moved = new Set<string>();
  readonly now: Date;
  readonly nowText: string;
  private readonly root: string;
  private readonly catalog: ReadonlyMap<string, CatalogTopic>;
  /** Frontmatter id → slug, of the catalog and of created topics. */
  private readonly ids = new Map<string, string>();

  constructor(root: string, catalog: readonly CatalogTopic[], now: Date) {
    this.root = root;
    this.catalog = new Map(catalog.map((topic) => [topic.slug, topic]));
    for (const topic of catalog) if (topic.readable && topic.meta.id) this.ids.set(topic.meta.id, topic.slug);
    this.now = now;
    this.nowText = isoSeconds(now);
  }

  /** The topic as planned so far; undefined when unreadable, retired or unknown. */
  view(slug: string): TopicView | undefined {
    if (this.retired.has(slug)) return undefined;
    const draft = this.drafts.get(slug);
    if (draft) return draft;
    const topic = this.catalog.get(slug);
    return topic?.readable ? { slug, meta: topic.meta, body: topic.body } : undefined;
  }

  /** Every readable topic as planned so far (retired ones excluded), drafts included. */
  views(): TopicView[] {
    const slugs = new Set([...this.catalog.keys(), ...this.drafts.keys()]);
    return [...slugs]
      .sort()
      .map((slug) => this.view(slug))
      .filter((view): view is TopicView => view !== undefined);
  }

  /** Active and suspect topics, the ones consolidation works on. */
  active(): TopicView[] {
    return this.views().filter((view) => view.meta.status === 'active' || view.meta.status === 'suspect');
  }

  /** The slug taken by no topic, planned or on disk. */
  freeSlug(base: string): string {
    const taken = (slug: string) => this.catalog.has(slug) || this.drafts.has(slug);
    if (!taken(base)) return base;
    for (let counter = 2; ; counter += 1) if (!taken(`${base}-${counter}`)) return `${base}-${counter}`;
  }

  /** The id other topics use to point at this one: its `id`, else its slug. */
  reference(slug: string): string {
    return this.view(slug)?.meta.id ?? slug;
  }

  /** The slug of a topic named by id or slug. */
  resolve(reference: string): string | undefined {
    if (this.catalog.has(reference) || this.drafts.has(reference)) return reference;
    return this.ids.get(reference);
  }

  /**
   * A draft to change, read from disk the first time: undefined when the file is no longer what
   * the catalog saw (someone wrote it meanwhile; the dream leaves it to the next run).
   */
  async edit(slug: string): Promise<TopicDraft | undefined> {
    const existing = this.drafts.get(slug);
    if (existing) return existing;
    if (this.retired.has(slug) || this.moved.has(slug)) return undefined;
    const known = this.catalog.get(slug);
    if (!known?.readable) return undefined;
    const read = await readTopicFile(this.root, slug);
    if (read.status !== 'ok' || read.topic.hash !== known.hash) {
      this.moved.add(slug);
      return undefined;
    }
    const draft: TopicDraft = { slug, original: read.topic, meta: structuredClone(read.topic.meta), body: read.topic.body };
    // Planners read the last check time as `verified` (the catalog's: .state/verdicts/ or the file's); never written back.
    if (known.meta.verified !== undefined) draft.meta.verified = known.meta.verified;
    this.drafts.set(slug, draft);
    return draft;
  }

  /** A new topic. */
  create(slug: string, meta: TopicMeta, body: string): TopicDraft {
    const draft: TopicDraft = { slug, original: undefined, meta, body };
    this.drafts.set(slug, draft);
    if (meta.id) this.ids.set(meta.id, slug);
    return draft;
  }

  /** Retire a topic (to the trash, with a tombstone). Its pending edits are dropped. */
  async retire(slug: string, reason: string): Promise<boolean> {
    const known = this.catalog.get(slug);
    if (!known?.readable || this.moved.has(slug)) return false;
    const read = await readTopicFile(this.root, slug);
    if (read.status !== 'ok' || read.topic.hash !== known.hash) {
      this.moved.add(slug);
      return false;
    }
    this.drafts.delete(slug);
    this.retired.set(slug, { hash: read.topic.hash, reason, topic: read.topic });
    return true;
  }

  record(action: DreamAction): void {
    this.actions.push(action);
  }

  /**
   * The new content of each changed topic (unchanged drafts are dropped). No check time goes into
   * a file: `verified` is what planners read; it lives in `.state/verdicts/` (see `carriedVerified`).
   */
  contents(): Map<string, string> {
    const out = new Map<string, string>();
    for (const draft of this.drafts.values()) {
      const original = draft.original;
      // A check time alone is no change (nor is a file's formatting that a rewrite would normalize).
      if (
        original &&
        draft.body === original.body &&
        isDeepStrictEqual({ ...draft.meta, verified: undefined }, { ...original.meta, verified: undefined })
      ) {
        continue;
      }
      const content = serializeTopic({ ...draft.meta, verified: undefined }, draft.body, original?.frontmatter);
      if (original && sha256(content) === original.hash) continue;
      out.set(draft.slug, content);
    }
    return out;
  }

  /**
   * The check times the changed topics' files carried (an older file's `verified` field) or a
   * created topic was given, by slug, with the status it is written with: kept in
   * `.state/verdicts/` when the plan is applied, as the files go without them.
   */
  carriedVerified(): Map<string, { time: string; status: TopicMeta['status'] }> {
    const out = new Map<string, { time: string; status: TopicMeta['status'] }>();
    for (const slug of this.contents().keys()) {
      const draft = this.drafts.get(slug) as TopicDraft;
      const time = draft.original ? draft.original.meta.verified : draft.meta.verified;
      if (time !== undefined) out.set(slug, { time, status: draft.meta.status });
    }
    return out;
  }

  /** Groups of slugs that must be applied together: the slugs of actions that share a topic. */
  components(): string[][] {
    const parent = new Map<string, string>();
    const find = (slug: string): string => {
      let root = slug;
      while ((parent.get(root) ?? root) !== root) root = parent.get(root) as string;
      parent.set(slug, root);
      return root;
    };
    for (const action of this.actions) {
      const [first, ...rest] = action.slugs;
      if (first === undefined) continue;
      for (const slug of rest) parent.set(find(slug), find(first));
      find(first);
    }
    const groups = new Map<string, string[]>();
    for (const slug of parent.keys()) {
      const root = find(slug);
      groups.set(root, [...(groups.get(root) ?? []), slug]);
    }
    return [...groups.values()];
  }

  /** Drop everything that touches these slugs (with the whole group each belongs to). */
  drop(slugs: ReadonlySet<string>): string[] {
    const dropped = new Set<string>();
    for (const group of this.components()) if (group.some((slug) => slugs.has(slug))) for (const slug of group) dropped.add(slug);
    for (const slug of slugs) dropped.add(slug);
    for (const slug of dropped) {
      this.drafts.delete(slug);
      this.retired.delete(slug);
    }
    const kept = this.actions.filter((action) => !action.slugs.some((slug) => dropped.has(slug)));
    this.actions.splice(0, this.actions.length, ...kept);
    return [...dropped].sort();
  }

  /** The topic writes, removals and audit lines of the plan (expecting the files as planned from). */
  changes(actor: string, dream: string): Pick<ChangeSet, 'writes' | 'removals' | 'audit'> {
    const writes: TopicFileWrite[] = [];
    for (const [slug, content] of this.contents()) {
      const draft = this.drafts.get(slug) as TopicDraft;
      writes.push({ slug, content, expectHash: draft.original ? draft.original.hash : null });
    }
    const removals: TopicFileRemoval[] = [...this.retired].map(([slug, { hash }]) => ({ slug, expectHash: hash }));
    const changed = new Set([...writes.map((write) => write.slug), ...removals.map((removal) => removal.slug)]);
    const audit = this.actions.flatMap((action) =>
      action.audit
        .filter((entry) => changed.has(entry.slug))
        .map((entry) => ({ ...entry, actor, details: { ...entry.details, dream, dreamAction: action.kind } })),
    );
    return { writes, removals, audit };
  }
}
