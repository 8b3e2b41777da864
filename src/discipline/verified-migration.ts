import type { TopicStatus } from '../store/index.js';
import type { TopicFileWrite } from './change-set.js';
import { appendVerdict, lastConfirmed, readVerdicts } from './verdict-history.js';

const FRONTMATTER = /^---\r?\n([\s\S]*?\r?\n)---(?:\r?\n|$)/;
const VERIFIED_LINE = /^verified:[ \t]*(.*?)[ \t]*\r?\n/m;
const STATUS_LINE = /^status:[ \t]*['"]?(active|suspect|superseded|quarantined)['"]?[ \t]*\r?$/m;

/** The `verified` time a topic file's frontmatter carries (the format before checks moved to `.state/`). */
export function verifiedInFrontmatter(content: string): { time: string; without: string } | undefined {
  const frontmatter = FRONTMATTER.exec(content);
  if (!frontmatter) return undefined;
  const block = frontmatter[1] as string;
  const line = VERIFIED_LINE.exec(block);
  if (!line) return undefined;
  const value = (line[1] as string).replace(/^(['"])(.*)\1$/, '$2');
  if (Number.isNaN(Date.parse(value))) return undefined;
  const start = frontmatter.index + content.slice(0, frontmatter[0].length).indexOf(block);
  const without = content.slice(0, start + line.index) + content.slice(start + line.index + line[0].length);
  return { time: new Date(Date.parse(value)).toISOString().replace(/\.000Z$/, 'Z'), without };
}

/**
 * Writes keep no `verified` time in topic files: a memory shared through git must not change on
 * every check. A write whose frontmatter still has one (an older file written back, or a planner
 * that set it) records it in `.state/verdicts/<slug>.jsonl` as a confirmation, unless a check there
 * already covers it, and goes without the field. Nothing is lost: readers take the newest of the two.
 */
export async function moveVerifiedToState(root: string, writes: readonly TopicFileWrite[]): Promise<TopicFileWrite[]> {
  const moved: TopicFileWrite[] = [];
  for (const write of writes) {
    const found = write.content.includes('verified:') ? verifiedInFrontmatter(write.content) : undefined;
    if (!found) {
      moved.push(write);
      continue;
    }
    const status = (STATUS_LINE.exec(FRONTMATTER.exec(write.content)?.[1] ?? '')?.[1] ?? 'active') as TopicStatus;
    await recordVerifiedTime(root, write.slug, found.time, status);
    moved.push({ ...write, content: found.without });
  }
  return moved;
}

/**
 * Keep a check time a topic file (or a planner) carried in `.state/verdicts/<slug>.jsonl`, as a
 * confirmation, unless a confirmation there is as new already. Returns whether it was appended.
 */
export async function recordVerifiedTime(root: string, slug: string, time: string, topicStatus: TopicStatus): Promise<boolean> {
  const recorded = lastConfirmed(await readVerdicts(root, slug, Number.MAX_SAFE_INTEGER));
  if (recorded !== undefined && Date.parse(recorded) >= Date.parse(time)) return false;
  await appendVerdict(root, slug, {
    time,
    status: 'confirmed',
    summary: 'verified (the time the topic file carried, moved to .state/verdicts)',
    items: [],
    topicStatus,
  });
  return true;
}
