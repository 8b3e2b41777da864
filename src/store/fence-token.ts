import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../shared/index.js';
import { rootPaths } from './memory-root.js';

const TOKEN = /^[a-z0-9]{16,64}$/;

/** The tokens read, by path, with the stamp of the file they were read from. */
const tokens = new Map<string, { token: string; stamp: string }>();

function fileStamp(path: string): string | undefined {
  try {
    const stats = statSync(path, { bigint: true });
    return `${stats.ino}:${stats.size}:${stats.mtimeNs}`;
  } catch {
    return undefined;
  }
}

function fencePath(root: string): string {
  return join(rootPaths(root).state, 'fence-token');
}

async function readToken(path: string): Promise<string | undefined> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    return TOKEN.test(text) ? text : undefined;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The memory's data-fence boundary token (`.state/fence-token`), made once: 20 random base-36
 * characters. Two processes that make it at the same time agree (the file is linked into place,
 * which fails for the second, who then reads the first one's token). A lost or broken file is
 * made again; the token only has to be unknown to whoever wrote the fenced text.
 */
export async function readFenceToken(root: string): Promise<string> {
  const path = fencePath(root);
  // Every recall asks: while the file is the one read last (same inode, size and mtime; one stat),
  // its token is not read again.
  const stamp = fileStamp(path);
  const known = tokens.get(path);
  if (known !== undefined && stamp !== undefined && known.stamp === stamp) return known.token;
  const existing = await readToken(path);
  if (existing !== undefined) {
    if (stamp !== undefined) tokens.set(path, { token: existing, stamp });
    return existing;
  }
  await mkdir(rootPaths(root).state, { recursive: true });
  const token = Array.from(randomBytes(20), (byte) => (byte % 36).toString(36)).join('');
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, `${token}\n`, { mode: 0o600 });
  try {
    await link(temporary, path);
    return token;
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw error;
    const winner = await readToken(path);
    if (winner !== undefined) return winner;
    // a broken file: replace it
    await writeFile(path, `${token}\n`, { mode: 0o600 });
    return token;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}
