import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { parseTopicText } from '../../src/store/index.js';

const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** Hashes of the topic files (not MEMORY.md) of a root. */
export async function topicHashes(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of (await readdir(dir)).filter((file) => file.endsWith('.md') && file !== 'MEMORY.md').sort()) {
    out.set(name.slice(0, -3), sha(await readFile(join(dir, name))));
  }
  return out;
}

interface TombstoneLine {
  slug: string;
  id?: string;
  hash: string;
  copy: string;
}

/**
 * The invariants of dream on a memory root, as sentences that failed (empty when all hold):
 * - no journal is left (after recovery);
 * - every topic known before is active, superseded with a pointer to a topic that exists or was
 *   tombstoned, or tombstoned with an intact copy;
 * - when `before` is given: the topics are all as before, or all as the dream record says after.
 */
export async function dreamInvariantViolations(
  dir: string,
  known: ReadonlySet<string>,
  before?: ReadonlyMap<string, string>,
): Promise<string[]> {
  const problems: string[] = [];
  const journal = join(dir, '.state', 'journal');
  if (existsSync(journal) && (await readdir(journal)).some((name) => name.endsWith('.json'))) problems.push('a journal is left');
  const now = await topicHashes(dir);
  const tombstoneText = await readFile(join(dir, '.state', 'tombstones.jsonl'), 'utf8').catch(() => '');
  const tombstones = new Map<string, TombstoneLine>();
  for (const line of tombstoneText.split('\n').filter((text) => text.trim() !== '')) {
    const tombstone = JSON.parse(line) as TombstoneLine;
    tombstones.set(tombstone.slug, tombstone);
    if (tombstone.id) tombstones.set(tombstone.id, tombstone);
  }
  const ids = new Map<string, string>();
  const metas = new Map<string, { status: string; supersededBy?: string | undefined }>();
  for (const slug of now.keys()) {
    const parsed = parseTopicText(await readFile(join(dir, `${slug}.md`), 'utf8'), slug);
    if (!parsed.ok) continue;
    metas.set(slug, parsed.topic.meta);
    if (parsed.topic.meta.id) ids.set(parsed.topic.meta.id, slug);
  }
  for (const slug of known) {
    if (now.has(slug)) continue;
    const tombstone = tombstones.get(slug);
    if (!tombstone) {
      problems.push(`${slug} is lost: no file and no tombstone`);
      continue;
    }
    const copy = join(dir, '.state', tombstone.copy);
    if (!existsSync(copy) || sha(await readFile(copy)) !== tombstone.hash) problems.push(`${slug} is tombstoned without an intact copy`);
  }
  for (const [slug, meta] of metas) {
    if (meta.status !== 'superseded') continue;
    const target = meta.supersededBy;
    if (target === undefined) problems.push(`${slug} is superseded without a pointer`);
    else if (!now.has(target) && !ids.has(target) && !tombstones.has(target))
      problems.push(`${slug} points at ${target}, which is neither a topic nor tombstoned`);
  }
  if (before) {
    const records = (await readdir(join(dir, '.state', 'dreams')).catch(() => [] as string[])).filter(
      (name) => name.endsWith('.json') && name !== 'last.json',
    );
    if (records.length === 0) {
      for (const [slug, hash] of before) if (now.get(slug) !== hash) problems.push(`no dream was recorded, yet ${slug} changed`);
    } else {
      const record = JSON.parse(await readFile(join(dir, '.state', 'dreams', records.sort().at(-1) as string), 'utf8')) as {
        files: Record<string, { before: string | null; after: string | null }>;
      };
      for (const [slug, hash] of before) {
        const file = record.files[slug];
        const expected = file ? file.after : hash;
        if ((now.get(slug) ?? null) !== expected) problems.push(`${slug} is neither as before nor as the dream left it`);
      }
      for (const [slug, file] of Object.entries(record.files))
        if (file.before === null && (now.get(slug) ?? null) !== file.after) problems.push(`created ${slug} is missing`);
    }
  }
  return problems;
}
