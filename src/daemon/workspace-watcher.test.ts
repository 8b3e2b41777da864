import { mkdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { gitRepo } from '../../test/helpers/git-repo.js';
import { tempDir } from '../../test/helpers/temp-root.js';
import { silentLogger, type LogFields, type Logger } from '../shared/index.js';
import { watchWorkspace, type WorkspaceWatcher } from './workspace-watcher.js';

/*
 * The watcher on a real git repository with real inotify events. The quiet-period wait is a
 * timer the test fires by hand, so nothing depends on how fast the machine is: writes made by
 * this (single-threaded) process before it next waits are all in the kernel's queue when the
 * watcher reads it, so once the wait has been started, every event of those writes has been seen.
 */

const watchers: WorkspaceWatcher[] = [];
afterEach(async () => {
  await Promise.all(watchers.splice(0).map((watcher) => watcher.close()));
});

/** Poll `probe` until it holds (the test's own timeout bounds the wait). */
async function waitFor(probe: () => boolean): Promise<void> {
  while (!probe()) await delay(10);
}

interface Harness {
  cwd: string;
  watcher: WorkspaceWatcher;
  batches: string[][];
  /** Quiet-period waits started so far (one per event: each event restarts the wait). */
  waits: () => number;
  /** The wait that would close the batch is running. */
  waiting: () => boolean;
  /** End the quiet period now and wait for the batch it closes; returns that batch (or undefined: no batch). */
  quiet: () => Promise<string[] | undefined>;
  warnings: { message: string; fields: LogFields | undefined }[];
}

async function harness(files: Record<string, string>, options: { fullRescanEvents?: number } = {}): Promise<Harness> {
  const cwd = await tempDir('mnemo-watch-');
  await gitRepo(cwd, files);
  const batches: string[][] = [];
  let pending: (() => void) | undefined;
  let waits = 0;
  let flushes = 0;
  const warnings: Harness['warnings'] = [];
  const logger: Logger = { ...silentLogger, warn: (message, fields) => warnings.push({ message, fields }) };
  const watcher = await watchWorkspace({
    workspace: cwd,
    ignoredFolders: [join(cwd, '.mnemo')],
    ignoreGlobs: ['**/*.tmp'],
    debounceMs: 1500,
    onBatch: (paths) => batches.push(paths),
    logger,
    debounce: (fire, ms) => {
      expect(ms).toBe(1500);
      waits += 1;
      const wait = () => {
        flushes += 1;
        fire();
      };
      pending = wait;
      return () => {
        if (pending === wait) pending = undefined;
      };
    },
    ...options,
  });
  watchers.push(watcher);
  await watcher.ready;
  const quiet = async () => {
    await waitFor(() => pending !== undefined);
    const before = batches.length;
    const fire = pending as () => void;
    pending = undefined;
    const flushed = flushes;
    fire();
    expect(flushes).toBe(flushed + 1);
    // the batch is closed once git check-ignore has answered; a batch with nothing left is none
    await watcher.settled();
    return batches.length > before ? batches.at(-1) : undefined;
  };
  return { cwd, watcher, batches, waits: () => waits, waiting: () => pending !== undefined, quiet, warnings };
}

const write = (root: string, path: string, content = `${path}\n`) => {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), content);
};

describe('watchWorkspace (real files, real git, real inotify)', () => {
  it('flapping saves of one file are one batch: every save restarts the wait, nothing is reported until it ends', async () => {
    const h = await harness({ '.gitignore': 'build/\n', 'src/total.ts': 'export const a = 1;\n' });
    for (let save = 0; save < 10; save += 1) write(h.cwd, 'src/total.ts', `export const a = ${save};\n`);
    await waitFor(h.waiting);
    const afterFirst = h.waits();
    expect(h.batches).toEqual([]);
    // more saves while it waits: the wait starts again, still no batch
    for (let save = 0; save < 5; save += 1) write(h.cwd, 'src/total.ts', `export const b = ${save};\n`);
    await waitFor(() => h.waits() > afterFirst);
    expect(h.batches).toEqual([]);
    expect(await h.quiet()).toEqual(['src/total.ts']);
    expect(h.batches).toHaveLength(1);
    // nothing left over for a second batch
    expect(h.waiting()).toBe(false);
    expect(h.watcher.events()).toBeGreaterThanOrEqual(2);
  });

  it('ignores .gitignored files and folders (old and new), node_modules, .git and the memory folder', async () => {
    const h = await harness({
      '.gitignore': 'build/\n*.log\n',
      'src/a.ts': 'a\n',
      'build/old.js': 'x\n',
      'debug.log': 'x\n',
      'node_modules/dep/index.js': 'x\n',
      '.mnemo/.state/daemon/state.json': '{}\n',
    });
    const watched = h.watcher.folders();
    write(h.cwd, 'build/new.js');
    write(h.cwd, 'build/deep/er.js');
    write(h.cwd, 'debug.log', 'more\n');
    write(h.cwd, 'src/trace.log');
    write(h.cwd, 'src/scratch.tmp');
    write(h.cwd, 'node_modules/dep/other.js');
    write(h.cwd, 'node_modules/new-dep/index.js');
    write(h.cwd, '.mnemo/.state/daemon/state.json', '{"x":1}\n');
    write(h.cwd, '.mnemo/topics/t.md');
    // a folder new since the start that git ignores: not watched, nothing in it reported
    write(h.cwd, 'coverage/index.html');
    writeFileSync(join(h.cwd, '.gitignore'), 'build/\n*.log\ncoverage/\n');
    write(h.cwd, 'src/sentinel.ts');
    expect(await h.quiet()).toEqual(['.gitignore', 'src/sentinel.ts']);
    // the root and src; not build/, node_modules/, .git/, .mnemo/ nor coverage/
    expect(watched).toBe(2);
    expect(h.watcher.folders()).toBe(2);
    write(h.cwd, 'coverage/more.html');
    write(h.cwd, 'build/again.js');
    write(h.cwd, 'src/sentinel.ts', 'again\n');
    expect(await h.quiet()).toEqual(['src/sentinel.ts']);
  });

  it('picks up a new folder (its files, and later changes in it) and drops a deleted one', async () => {
    const h = await harness({ 'src/keep.ts': 'k\n', 'src/old/a.ts': 'a\n', 'src/old/inner/b.ts': 'b\n' });
    expect(h.watcher.folders()).toBe(4);
    // a new tree, made in one go: the files written before its folders were watched are found by listing them
    write(h.cwd, 'src/new/deep/c.ts');
    write(h.cwd, 'src/new/d.ts');
    expect(await h.quiet()).toEqual(['src/new/d.ts', 'src/new/deep/c.ts']);
    expect(h.watcher.folders()).toBe(6);
    // a change inside the new folder is seen: it is watched now
    write(h.cwd, 'src/new/deep/c.ts', 'changed\n');
    expect(await h.quiet()).toEqual(['src/new/deep/c.ts']);

    rmSync(join(h.cwd, 'src', 'old'), { recursive: true });
    expect(await h.quiet()).toEqual(['src/old', 'src/old/a.ts', 'src/old/inner', 'src/old/inner/b.ts']);
    expect(h.watcher.folders()).toBe(4);
    // the same name again is a new folder, watched again
    await mkdir(join(h.cwd, 'src', 'old'));
    expect(await h.quiet()).toBeUndefined();
    write(h.cwd, 'src/old/e.ts');
    expect(await h.quiet()).toEqual(['src/old/e.ts']);
    expect(h.watcher.folders()).toBe(5);
    expect(h.warnings).toEqual([]);
  });

  it('a file that came and went within the batch is no change; a removed file is one', async () => {
    const h = await harness({ 'src/a.ts': 'a\n', 'src/b.ts': 'b\n' });
    write(h.cwd, 'src/editor-swap.ts');
    unlinkSync(join(h.cwd, 'src', 'editor-swap.ts'));
    unlinkSync(join(h.cwd, 'src', 'b.ts'));
    expect(await h.quiet()).toEqual(['src/b.ts']);
  });

  it('a burst of 3,000 writes, changes and removals across 30 folders loses nothing: the batch is exactly what changed', async () => {
    const files: Record<string, string> = {};
    for (let index = 0; index < 600; index += 1) files[`src/m${index % 30}/old${index}.ts`] = `${index}\n`;
    const h = await harness(files);
    const expected = new Set<string>();
    for (let index = 0; index < 2300; index += 1) {
      const path = `src/m${index % 30}/new${index}.ts`;
      write(h.cwd, path);
      expected.add(path);
    }
    for (let index = 0; index < 600; index += 2) {
      const path = `src/m${index % 30}/old${index}.ts`;
      if (index % 4 === 0) unlinkSync(join(h.cwd, path));
      else write(h.cwd, path, 'changed and longer\n');
      expected.add(path);
    }
    for (let index = 0; index < 100; index += 1) {
      const path = `src/fresh${index % 10}/f${index}.ts`;
      write(h.cwd, path);
      expected.add(path);
    }
    const batch = await h.quiet();
    expect(new Set(batch)).toEqual(expected);
    expect(batch).toHaveLength(expected.size);
    expect(h.batches).toHaveLength(1);
    expect(h.waiting()).toBe(false);
  }, 120_000);

  it('a burst that overflows the kernel event queue still yields every path (every folder is listed again)', async () => {
    // Fill the kernel's inotify queue with renames in one folder (two events each), then write a
    // file in each of 40 other folders: their events are dropped without a trace (IN_Q_OVERFLOW,
    // which Node does not pass on), so only a listing of every folder finds them.
    const queue = Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8').trim());
    const files: Record<string, string> = { 'src/busy/a.ts': 'a\n' };
    for (let folder = 0; folder < 40; folder += 1) files[`src/f${folder}/keep.ts`] = 'k\n';
    const h = await harness(files);
    const busy = join(h.cwd, 'src', 'busy');
    for (let rename = 0; rename < queue / 4 + 100; rename += 1) {
      renameSync(join(busy, 'a.ts'), join(busy, 'b.ts'));
      renameSync(join(busy, 'b.ts'), join(busy, 'a.ts'));
    }
    const expected = new Set(['src/busy/a.ts']);
    for (let folder = 0; folder < 40; folder += 1) {
      write(h.cwd, `src/f${folder}/new.ts`);
      expected.add(`src/f${folder}/new.ts`);
    }
    expect(new Set(await h.quiet())).toEqual(expected);
  }, 120_000);
});
