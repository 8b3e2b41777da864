import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-root.js';
import { CACHE_FILES_KEPT, loadCompiledBundle } from './compiled-bundle.js';

const REPO = join(import.meta.dirname, '..', '..');

interface Bundle {
  answer: () => number;
  file: string;
  separator: string;
  platform: () => Promise<string>;
}

/** A CommonJS bundle like dist/cli/lean-cli.cjs (the module wrapper written out): module.exports, require, __filename, a lazy require. */
async function writeBundle(dir: string, answer = 42): Promise<string> {
  const bundle = join(dir, 'lean-cli.cjs');
  await writeFile(
    bundle,
    [
      '(function (exports, require, module, __filename, __dirname) { "use strict";',
      `module.exports.answer = function answer() { return ${answer}; };`,
      'module.exports.file = __filename;',
      'module.exports.separator = require("node:path").sep;',
      // esbuild's form of import() in this bundle (see compiled-bundle.ts)
      'module.exports.platform = () => Promise.resolve().then(() => require("node:os")).then((os) => os.platform());',
      '})',
      '',
    ].join('\n'),
  );
  return bundle;
}

/** Load the bundle in a fresh process (the cache is written when that process exits). */
function loadInChild(
  bundle: string,
  cacheHome: string,
): Promise<{ cacheUsed: boolean; cachePath: string; answer: number; platform: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test', 'helpers', 'compiled-bundle-child.ts'), bundle], {
      cwd: REPO,
      env: { ...process.env, XDG_CACHE_HOME: cacheHome, MNEMO_COMPILE_CACHE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`child exited ${code}: ${stderr}`))));
  });
}

describe('the per-prompt bundle through V8 code cache', () => {
  it('the first process compiles and leaves the code at exit; the next runs from it; a torn file is rejected and replaced', async () => {
    const dir = await tempDir();
    const bundle = await writeBundle(dir);
    const cache = join(dir, 'cache');

    const first = await loadInChild(bundle, cache);
    expect(first).toMatchObject({ cacheUsed: false, answer: 42, platform: process.platform });
    expect(first.cachePath.startsWith(join(cache, 'mnemo', 'compile-cache'))).toBe(true);
    const written = statSync(first.cachePath);

    const second = await loadInChild(bundle, cache);
    expect(second).toMatchObject({ cacheUsed: true, answer: 42, platform: process.platform, cachePath: first.cachePath });
    expect(statSync(first.cachePath).mtimeMs).toBe(written.mtimeMs); // used, not written again

    // What a crash mid-write would leave, were the write not atomic (or a file from elsewhere).
    await writeFile(first.cachePath, readFileSync(first.cachePath).subarray(0, 100));
    const torn = await loadInChild(bundle, cache);
    expect(torn).toMatchObject({ cacheUsed: false, answer: 42 });
    expect(statSync(first.cachePath).size).toBe(written.size);
    expect(await loadInChild(bundle, cache)).toMatchObject({ cacheUsed: true, answer: 42 });
  });

  it('runs the bundle as require would: module.exports, require, __filename', async () => {
    const dir = await tempDir();
    const bundle = await writeBundle(dir);
    const loaded = loadCompiledBundle<Bundle>(bundle, { XDG_CACHE_HOME: join(dir, 'cache') }, { saveAtExit: false });
    expect(loaded.exports.answer()).toBe(42);
    expect(loaded.exports.file).toBe(bundle);
    expect(loaded.exports.separator).toBe('/');
    expect(await loaded.exports.platform()).toBe(process.platform);
  });

  it('keys the cache by the bundle: a rebuilt bundle never runs stale code', async () => {
    const dir = await tempDir();
    const env = { XDG_CACHE_HOME: join(dir, 'cache') };
    const old = await writeBundle(dir, 1);
    const before = loadCompiledBundle<Bundle>(old, env, { saveAtExit: false });
    before.saveCache();
    const rebuilt = await writeBundle(dir, 12345);
    const after = loadCompiledBundle<Bundle>(rebuilt, env, { saveAtExit: false });
    expect(after.cachePath).not.toBe(before.cachePath);
    expect(after.cacheUsed).toBe(false);
    expect(after.exports.answer()).toBe(12345);
  });

  it(`keeps the newest ${CACHE_FILES_KEPT} cache files of a bundle, so rebuilds do not fill the cache folder`, async () => {
    const dir = await tempDir();
    const env = { XDG_CACHE_HOME: join(dir, 'cache') };
    const paths: string[] = [];
    for (let build = 1; build <= CACHE_FILES_KEPT + 2; build += 1) {
      const bundle = await writeBundle(dir, 10 ** build); // another size: another build
      const loaded = loadCompiledBundle<Bundle>(bundle, env, { saveAtExit: false });
      loaded.saveCache();
      paths.push(loaded.cachePath ?? '');
    }
    const folder = join(dir, 'cache', 'mnemo', 'compile-cache');
    const kept = (await readdir(folder)).map((name) => join(folder, name)).sort();
    expect(kept).toHaveLength(CACHE_FILES_KEPT);
    expect(kept).toContain(paths.at(-1));
  });

  it('runs without a cache when it is turned off or its folder cannot be written', async () => {
    const dir = await tempDir();
    const bundle = await writeBundle(dir);
    const off = loadCompiledBundle<Bundle>(bundle, { XDG_CACHE_HOME: join(dir, 'cache'), MNEMO_COMPILE_CACHE: '0' }, { saveAtExit: false });
    expect(off.cachePath).toBeUndefined();
    off.saveCache();
    expect(existsSync(join(dir, 'cache'))).toBe(false);
    expect(off.exports.answer()).toBe(42);

    const blocker = join(dir, 'not-a-folder');
    await writeFile(blocker, 'a file where the cache folder would go');
    const blocked = loadCompiledBundle<Bundle>(bundle, { XDG_CACHE_HOME: blocker }, { saveAtExit: false });
    expect(() => blocked.saveCache()).not.toThrow();
    expect(blocked.exports.answer()).toBe(42);
    expect(readFileSync(blocker, 'utf8')).toBe('a file where the cache folder would go');
  });
});
