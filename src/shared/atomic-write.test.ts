import { spawn } from 'node:child_process';
import { chmod, lstat, mkdir, readFile, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-root.js';
import { writeFileAtomic } from './atomic-write.js';

const MODULE = fileURLToPath(new URL('./atomic-write.ts', import.meta.url));

describe('writeFileAtomic', () => {
  it('replaces the content and leaves nothing beside the file', async () => {
    const dir = await tempDir();
    const path = join(dir, 'topic.md');
    await writeFileAtomic(path, 'first\n');
    await writeFileAtomic(path, Buffer.from('second\n'));
    expect(await readFile(path, 'utf8')).toBe('second\n');
    expect(await readdir(dir)).toEqual(['topic.md']);
  });

  it('returns the size and modification time the file has after the write', async () => {
    const path = join(await tempDir(), 'a.json');
    const written = await writeFileAtomic(path, '{"é":1}');
    const stats = await stat(path);
    expect(written).toEqual({ size: stats.size, mtimeMs: stats.mtimeMs });
    expect(written.size).toBe(Buffer.byteLength('{"é":1}'));
  });

  it('creates its folder, also when the folder was removed after an earlier write', async () => {
    const dir = await tempDir();
    const path = join(dir, 'journal', 'deep', 'one.json');
    await writeFileAtomic(path, 'one');
    await rm(join(dir, 'journal'), { recursive: true });
    await writeFileAtomic(path, 'two');
    expect(await readFile(path, 'utf8')).toBe('two');
  });

  it('fails with the folder named when a file is in the way, and writes nothing', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'state'), 'a file');
    await expect(writeFileAtomic(join(dir, 'state', 'x.json'), '{}')).rejects.toThrow(/Cannot create the folder .*state/);
    expect(await readdir(dir)).toEqual(['state']);
  });

  it('a write that fails after its temp file was made leaves the old content and no temp file', async () => {
    const dir = await tempDir();
    const path = join(dir, 'topic.md');
    await writeFileAtomic(path, 'old\n');
    // Not a string or a buffer: the write of the temp file throws.
    await expect(writeFileAtomic(path, 42 as unknown as string)).rejects.toThrow();
    expect(await readFile(path, 'utf8')).toBe('old\n');
    expect(await readdir(dir)).toEqual(['topic.md']);
    // The rename fails: a folder holds the name.
    await mkdir(join(dir, 'held.md'));
    await writeFile(join(dir, 'held.md', 'inside'), 'kept');
    await expect(writeFileAtomic(join(dir, 'held.md'), 'new')).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['held.md', 'topic.md']);
    expect(await readFile(join(dir, 'held.md', 'inside'), 'utf8')).toBe('kept');
  });

  it('keeps the mode of the file it replaces', async () => {
    const dir = await tempDir();
    const path = join(dir, 'private.md');
    await writeFile(path, 'old');
    await chmod(path, 0o600);
    await writeFileAtomic(path, 'new');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await chmod(path, 0o666); // bits the usual umask takes away are kept too
    await writeFileAtomic(path, 'newer');
    expect((await stat(path)).mode & 0o777).toBe(0o666);
  });

  it('writes through a symbolic link: the link stays, its target changes', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'real'));
    await writeFile(join(dir, 'real', 'target.md'), 'old');
    await symlink(join(dir, 'real', 'target.md'), join(dir, 'link.md'));
    await writeFileAtomic(join(dir, 'link.md'), 'new');
    expect((await lstat(join(dir, 'link.md'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(dir, 'link.md'))).toBe(join(dir, 'real', 'target.md'));
    expect(await readFile(join(dir, 'real', 'target.md'), 'utf8')).toBe('new');
    expect((await readdir(dir)).sort()).toEqual(['link.md', 'real']);
    expect(await readdir(join(dir, 'real'))).toEqual(['target.md']);
  });

  it('writes of one file from one process land in the order they were called', async () => {
    const path = join(await tempDir(), 'order.txt');
    await Promise.all(Array.from({ length: 20 }, (_, index) => writeFileAtomic(path, `${index}`.repeat(1000 - index * 40))));
    expect(await readFile(path, 'utf8')).toBe('19'.repeat(1000 - 19 * 40));
  });

  it('a process killed by SIGTERM in the middle of a write leaves no temp file', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out');
    await mkdir(out);
    const script = join(dir, 'writer.mts');
    // The writer signals itself once its temp file exists (before the write can finish).
    await writeFile(
      script,
      [
        `import { readdir } from 'node:fs/promises';`,
        `import { writeFileAtomic } from ${JSON.stringify(MODULE)};`,
        `void writeFileAtomic(${JSON.stringify(join(out, 'big.txt'))}, 'x'.repeat(64 * 1024 * 1024));`,
        `while (!(await readdir(${JSON.stringify(out)})).some((name) => name.startsWith('big.txt.'))) {}`,
        `process.stdout.write('temp file made\\n');`,
        `process.kill(process.pid, 'SIGTERM');`,
      ].join('\n'),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let told = '';
    child.stdout.on('data', (chunk: Buffer) => (told += chunk.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, exitSignal) => resolve(exitSignal)));
    expect(told).toBe('temp file made\n');
    expect(signal).toBe('SIGTERM'); // the signal still ends it: nothing else listens
    expect(await readdir(out)).toEqual([]);
  });
});
