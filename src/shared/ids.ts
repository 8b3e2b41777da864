import { randomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import type { Clock } from './clock.js';

/** A ULID (sortable, 26 characters) for topics, tasks and dreams. */
export function createIdGenerator(clock: Clock): () => string {
  const next = monotonicFactory();
  return () => next(clock.now().getTime());
}

/** A short random token, base36, for session ids and temp names. */
export function randomToken(length = 6): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += (byte % 36).toString(36);
  return out;
}

const SLUG_MAX = 64;

/**
 * A file-safe, lower-case, kebab-case slug from a title. Never empty, never starts with a dot,
 * never contains a path separator.
 */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX)
    .replace(/-+$/g, '');
  return slug.length > 0 ? slug : 'topic';
}

/** Whether a string can be a topic slug (a file name in the root, without `.md`). */
export function isValidSlug(slug: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(slug) && !slug.includes('..') && slug !== 'MEMORY';
}
