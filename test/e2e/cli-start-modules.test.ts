import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-root.js';
import { CLI, REPO, assertBuilt, memoryProject } from './mcp-harness.js';

/*
 * The CLI starts fast because the commands load only what they use. Timing that would be flaky on a
 * busy machine, so this counts instead: each command runs as a real process with a preload that
 * records every module it loads, and the heavy packages must be absent where they are not needed.
 * The built bin is bundled (scripts/bundle-cli.mjs): its CommonJS entry, a chunk of the full CLI, or the per-prompt bundle
 * (lean-cli.cjs, run through V8's code cache), stands for the modules its source map names (our
 * src/*.ts as the dist/*.js tsc made of them, and the packages' files), whether they ran or not.
 */

beforeAll(assertBuilt);

const RECORDER = join(REPO, 'test', 'helpers', 'record-modules.mjs');

interface Loaded {
  /** Modules of mnemo itself (dist/). */
  own: string[];
  /** Package names, once each. */
  packages: Set<string>;
  /** Every module file of mnemo and its packages. */
  total: number;
  /** Whether the per-prompt bundle (dist/cli/lean-cli.cjs) was compiled: it ran through the code cache. */
  leanBundle: boolean;
}

function packageOf(path: string): string | undefined {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  return match?.[1];
}

async function loadedBy(args: string[], cwd: string, stdin = ''): Promise<Loaded & { code: number | null; stdout: string }> {
  const record = join(await tempDir('mnemo-modules-'), 'loaded.txt');
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', RECORDER, CLI, ...args], {
      cwd,
      env: { ...process.env, MNEMO_LOG_LEVEL: 'silent', MNEMO_RECORD_MODULES: record },
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (exitCode) => resolve({ code: exitCode, stdout: out }));
    child.stdin.end(stdin);
  });
  const lines = (await readFile(record, 'utf8')).split('\n');
  const leanBundle = lines.includes(join(REPO, 'dist', 'cli', 'lean-cli.cjs'));
  const files = [
    ...new Set(
      lines
        .map((line) => line.replace(/^cjs:/, '').replace(/^file:\/\//, ''))
        .filter((line) => line.startsWith('/') && !line.includes('/test/helpers/'))
        .flatMap(bundledModules),
    ),
  ];
  const own = files.filter((file) => file.startsWith(join(REPO, 'dist')));
  const packages = new Set(files.flatMap((file) => packageOf(file) ?? []));
  return { code, stdout, own, packages, total: files.length, leanBundle };
}

/** A file of the bundled bin as the modules bundled into it (from its source map); any other file as itself. */
function bundledModules(file: string): string[] {
  const cli = join(REPO, 'dist', 'cli');
  const bundled = dirname(file) === cli && (/^(chunk-.*|run-cli)\.mjs$|\.cjs$/.test(relative(cli, file)) || file === CLI);
  if (!bundled || !existsSync(`${file}.map`)) return [file];
  const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
  if (map.sources.length === 0) return []; // esbuild's own helpers, shared by the chunks
  if (!map.sources.some((source) => source.includes('/src/') || source.includes('node_modules/'))) return [file];
  return map.sources.map((source) => {
    const path = resolve(cli, source);
    const own = relative(join(REPO, 'src'), path);
    return own.startsWith('..') ? path : join(REPO, 'dist', own.replace(/\.ts$/, '.js'));
  });
}

/** What no start path of these commands needs: model SDKs, the MCP SDK, the tokenizer, embeddings. */
const NEVER_AT_START = [
  'ai',
  '@ai-sdk/anthropic',
  '@ai-sdk/openai',
  '@ai-sdk/openai-compatible',
  'ollama-ai-provider-v2',
  '@modelcontextprotocol/server',
  '@modelcontextprotocol/core',
  '@modelcontextprotocol/node',
  'gpt-tokenizer',
  'onnxruntime-node',
];

function expectAbsent(loaded: Loaded, names: readonly string[]): void {
  expect(names.filter((name) => loaded.packages.has(name))).toEqual([]);
}

describe('what each command loads at start (counted, not timed)', () => {
  it('--help loads commander and the command list only: no zod, yaml, semver or SQLite', async () => {
    const loaded = await loadedBy(['--help'], await tempDir());
    expect(loaded.code).toBe(0);
    expect(loaded.stdout).toContain('recall');
    expectAbsent(loaded, [...NEVER_AT_START, 'zod', 'yaml', 'semver', 'better-sqlite3']);
    expect(loaded.total).toBeLessThan(120); // 78 today
    expect(loaded.leanBundle).toBe(false);
  });

  it('the per-turn hooks (stop, subagent-stop, session-end) load no package and almost none of mnemo before they return', async () => {
    const cwd = await tempDir();
    for (const event of ['stop', 'subagent-stop', 'session-end']) {
      // No transcript: the detached child they start has nothing to import.
      const loaded = await loadedBy(['hook', event], cwd, JSON.stringify({ hook_event_name: event, cwd, session_id: 's1' }));
      expect({ event, code: loaded.code, stdout: loaded.stdout }).toEqual({ event, code: 0, stdout: '' });
      expect([...loaded.packages]).toEqual([]);
      expect(loaded.own.map((file) => file.slice(join(REPO, 'dist').length + 1)).sort()).toEqual([
        'cli/background-hook.js',
        'cli/compiled-bundle.js',
        'cli/lean-commands.js',
        'cli/main.js',
      ]);
    }
  });

  it('recall, session-start and user-prompt-submit on a real memory read the topic without yaml, semver or a glob library', async () => {
    const { cwd } = await memoryProject();
    const remembered = await cli(
      [
        'remember',
        'Run `make deploy-staging` to deploy.',
        '--name',
        'Deploy staging',
        '--description',
        'how to deploy to staging',
        '--type',
        'project',
        '--tag',
        'deploy',
      ],
      { cwd },
    );
    expect(remembered.code).toBe(0);
    const payload = (event: string, extra: Record<string, unknown>) =>
      JSON.stringify({ hook_event_name: event, cwd, session_id: 's1', transcript_path: join(cwd, 'none.jsonl'), ...extra });
    const runs = {
      recall: await loadedBy(['recall', 'deploy staging'], cwd),
      'session-start': await loadedBy(['hook', 'session-start'], cwd, payload('SessionStart', { source: 'startup' })),
      'user-prompt-submit': await loadedBy(
        ['hook', 'user-prompt-submit'],
        cwd,
        payload('UserPromptSubmit', { prompt: 'deploy the build to staging with make deploy-staging' }),
      ),
    };
    // What the user sees: the topic came (so it was read from its file), through each path.
    expect(runs.recall.stdout).toContain('make deploy-staging');
    expect(runs['session-start'].stdout).toContain('Deploy staging');
    expect(runs['user-prompt-submit'].stdout).toContain('make deploy-staging');
    for (const [what, loaded] of Object.entries(runs)) {
      expect({ what, code: loaded.code, leanBundle: loaded.leanBundle }).toEqual({ what, code: 0, leanBundle: true });
      // The count sees into the bundle: the packages and our modules that did load are named.
      expect({ what, sqlite: loaded.packages.has('better-sqlite3'), zod: loaded.packages.has('zod') }).toEqual({
        what,
        sqlite: true,
        zod: true,
      });
      const store = join(REPO, 'dist', 'store');
      expect({ what, store: loaded.own.some((file) => file.startsWith(`${store}/`)) }).toEqual({ what, store: true });
      expectAbsent(loaded, [...NEVER_AT_START, 'yaml', 'semver', 'tinyglobby', 'picomatch', 'chokidar']);
      expect({ what, under: loaded.total < 450 }).toEqual({ what, under: true }); // 326–337 today; 481–491 before
    }
  });
});

describe('recall and the per-prompt hooks on a program of their own command', () => {
  it('answer --help, usage errors and results exactly as the full CLI does', async () => {
    const { cwd } = await memoryProject();
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, MNEMO_LOG_LEVEL: 'silent' } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('error', reject);
        child.on('exit', (code) => resolve({ code, stdout, stderr }));
        child.stdin.end('');
      });
    for (const args of [
      ['recall', '--help'],
      ['recall'],
      ['recall', 'x', '--bogus'],
      ['recall', 'nothing matches this'],
      ['hook', 'session-start'],
    ]) {
      const lean = await run(args);
      // `--dir` before the command takes the full CLI: the same command, every command registered.
      const full = await run(['--dir', join(cwd, '.mnemo'), ...args]);
      expect({ args, ...lean }).toEqual({ args, ...full });
    }
  });
});
