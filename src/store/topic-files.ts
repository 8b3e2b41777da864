import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import { lstat, readFile, realpath } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { MnemoError, errnoCode, isValidSlug, sha256 } from '../shared/index.js';
import { INDEX_FILE } from './memory-root.js';
import { parseTopicText } from './topic-format.js';
import type { Topic } from './topic-schema.js';

/** Topic files larger than this are not parsed: they are reported as unreadable. */
export const MAX_TOPIC_BYTES = 256 * 1024;

/** A topic file found in the root, before parsing. */
export interface TopicFileEntry {
  slug: string;
  path: string;
  mtimeMs: number;
  size: number;
}

export interface TopicFileProblem {
  file: string;
  message: string;
}

/** A parsed topic with what identifies its file version. */
export interface StoredTopic extends Topic {
  path: string;
  frontmatter: string;
  hash: string;
  mtimeMs: number;
  size: number;
}

export type TopicRead =
  | { status: 'ok'; topic: StoredTopic }
  | { status: 'unreadable'; slug: string; path: string; error: string; hash: string | undefined; mtimeMs: number; size: number }
  | { status: 'missing'; slug: string };

/** The absolute path of a topic, refusing slugs that would leave the root. */
export function topicPath(root: string, slug: string): string {
  if (!isValidSlug(slug)) {
    throw new MnemoError('invalid-input', `${JSON.stringify(slug)} is not a topic name: topics are files directly in the memory root.`, {
      hint: 'Use the slug shown by `mnemo list` (letters, digits, ".", "_" and "-"; no "/" or "..").',
    });
  }
  return join(root, `${slug}.md`);
}

/** The sha256 of a topic file's bytes as they are now; null when there is no such file. */
export async function topicFileHash(root: string, slug: string): Promise<string | null> {
  try {
    return sha256(await readFile(topicPath(root, slug)));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep);
}

/**
 * The topic files of a root: every `*.md` beside MEMORY.md. Symlinks that lead out of the root
 * and names that are not valid slugs are reported, not read.
 */
export async function listTopicFiles(root: string): Promise<{ files: TopicFileEntry[]; problems: TopicFileProblem[] }> {
  const files: TopicFileEntry[] = [];
  const problems: TopicFileProblem[] = [];
  let names: string[];
  try {
    names = readdirSync(root);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { files, problems };
    throw error;
  }
  // Synchronous stats: this runs before every read, and 10,000 sync lstat calls cost a few ms.
  const realRoot = realpathSync(root);
  for (const name of names.sort()) {
    if (!name.endsWith('.md') || name === INDEX_FILE) continue;
    const path = join(root, name);
    const slug = name.slice(0, -3);
    if (!isValidSlug(slug)) {
      problems.push({ file: name, message: 'the file name is not a valid topic slug; rename it to letters, digits, "-", "_" or "."' });
      continue;
    }
    let stats;
    try {
      stats = lstatSync(path);
      if (stats.isSymbolicLink()) {
        const target = realpathSync(path);
        if (!isInside(realRoot, target)) {
          problems.push({ file: name, message: `is a symbolic link to ${target}, outside the memory root; it is not read` });
          continue;
        }
        stats = lstatSync(target);
      }
    } catch (error) {
      problems.push({ file: name, message: `cannot be read: ${errnoCode(error) ?? String(error)}` });
      continue;
    }
    if (!stats.isFile()) continue;
    files.push({ slug, path, mtimeMs: stats.mtimeMs, size: stats.size });
  }
  return { files, problems };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Read and parse one topic file; never throws for bad content. */
export async function readTopicFile(root: string, slug: string): Promise<TopicRead> {
  const path = topicPath(root, slug);
  let stats;
  try {
    stats = await lstat(path);
    if (stats.isSymbolicLink()) {
      const target = await realpath(path);
      if (!isInside(await realpath(root), target)) {
        return {
          status: 'unreadable',
          slug,
          path,
          error: `is a symbolic link to ${target}, outside the memory root`,
          hash: undefined,
          mtimeMs: stats.mtimeMs,
          size: 0,
        };
      }
      stats = await lstat(target);
    }
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { status: 'missing', slug };
    throw error;
  }
  if (stats.size > MAX_TOPIC_BYTES) return tooLarge(slug, path, stats);
  return topicFromBytes(root, slug, await readFile(path), stats);
}

function tooLarge(slug: string, path: string, stats: { mtimeMs: number; size: number }): TopicRead {
  return {
    status: 'unreadable',
    slug,
    path,
    mtimeMs: stats.mtimeMs,
    size: stats.size,
    hash: undefined,
    error: `is ${Math.round(stats.size / 1024)} KB, over the ${MAX_TOPIC_BYTES / 1024} KB a topic may have; split it into smaller topics`,
  };
}

/**
 * What `readTopicFile` gives for a file that holds `bytes` and has this size and time: for a
 * writer that knows both (it just wrote them), so the file need not be read back.
 */
export function topicFromBytes(root: string, slug: string, bytes: Uint8Array, stats: { mtimeMs: number; size: number }): TopicRead {
  const path = topicPath(root, slug);
  const base = { slug, path, mtimeMs: stats.mtimeMs, size: stats.size };
  if (stats.size > MAX_TOPIC_BYTES) return tooLarge(slug, path, stats);
  const hash = sha256(bytes);
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return { status: 'unreadable', ...base, hash, error: 'is not UTF-8 text; re-save it as UTF-8' };
  }
  const parsed = parseTopicText(text, slug);
  if (!parsed.ok) return { status: 'unreadable', ...base, hash, error: parsed.error };
  return { status: 'ok', topic: { ...parsed.topic, ...base, frontmatter: parsed.frontmatter, hash } };
}
