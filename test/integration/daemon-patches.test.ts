import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startChatCompletionsStub, requestText, type ChatCompletionsStub } from '../helpers/chat-completions-stub.js';
import { cli } from '../helpers/run-cli.js';
import { git, gitRepo } from '../helpers/git-repo.js';
import { tempDir } from '../helpers/temp-root.js';
import { BROKEN, GOOD, waitFor, webhook } from '../helpers/daemon-harness.js';

/*
 * The daemon's patches as a user meets them: the built CLI as a real child process, a real git
 * repository with TypeScript (the project's own, linked in), real tsc runs in the user's tree and
 * in the patch worktree, a scripted model behind a loopback OpenAI-compatible server (or a small
 * node script as an external agent) writing the fix, a loopback webhook receiving the
 * notifications. Every wait polls a condition; nothing waits for a fixed time.
 */
const REPO = join(import.meta.dirname, '..', '..');
const CLI = join(REPO, 'dist', 'cli', 'main.js');
const LONG = 600_000;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does).`);
});

interface Notification {
  kind: string;
  title: string;
  message: string;
  check?: string;
  patch: { id: string; branch: string; file: string; files: string[]; applied: boolean } | null;
}

interface PatchRecord {
  id: string;
  signature: string;
  check: string;
  branch: string;
  base: string;
  files: { path: string; hashAtHead: string | null; hashBefore: string | null }[];
  status: string;
  created: string;
  lesson?: string;
  verification: { check: string; outcome: string }[];
  patchFile: string;
}

interface State {
  pid: number;
  status: string;
  runs: number;
  checks: Record<string, { runs: number; last?: { outcome: string } }>;
  patches?: { agent?: string; job?: { id: string; phase: string }; last?: { id: string; outcome: string; reason: string } };
}

const servers: Server[] = [];
const stubs: ChatCompletionsStub[] = [];
const children: ChildProcess[] = [];
const strays: number[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const pid of strays.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  await Promise.all(stubs.splice(0).map((stub) => stub.close()));
});

const BAD_LINE = '  const sum: number = prices.join(",");';
const FIXED_LINE = '  const sum: number = prices.reduce((a, b) => a + b, 0);';
const WRONG_LINE = '  const sum: number = prices.join("+");';

/** tsc as the check, relative to the folder it runs in: the worktree finds it through the linked node_modules. */
const typecheck = { name: 'typecheck', command: `"${process.execPath}" node_modules/typescript/bin/tsc --noEmit -p .` };

/** A git repository with TypeScript code that compiles (TypeScript linked in, ignored), a memory root and the daemon's config. */
async function project(config: Record<string, unknown>): Promise<{ cwd: string; dir: string; statePath: string; patches: string }> {
  const cwd = await tempDir('mnemo-patches-');
  await gitRepo(cwd, {
    '.gitignore': 'node_modules/\n.mnemo/\n',
    'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [] }, include: ['src'] }),
    'src/total.ts': GOOD,
  });
  await mkdir(join(cwd, 'node_modules'));
  await symlink(join(REPO, 'node_modules', 'typescript'), join(cwd, 'node_modules', 'typescript'), 'dir');
  await cli(['init'], { cwd });
  const dir = join(cwd, '.mnemo');
  const { daemon, ...rest } = config as { daemon: Record<string, unknown> };
  await writeFile(
    join(dir, 'mnemo.config.json'),
    JSON.stringify({ ...rest, daemon: { dreamCron: null, debounceMs: 200, checks: [typecheck], ...daemon } }),
  );
  return { cwd, dir, statePath: join(dir, '.state', 'daemon', 'state.json'), patches: join(dir, '.state', 'daemon', 'patches') };
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function runDaemon(cwd: string): { child: ChildProcess; exited: Promise<number | null> } {
  // a fixed start (MNEMO_NOW; the daemon's clock moves on from it): "today" cannot end mid-test
  const child = spawn(process.execPath, [CLI, 'daemon', 'run'], {
    cwd,
    stdio: ['ignore', 'ignore', 'ignore'],
    env: { ...process.env, MNEMO_NOW: '2026-06-01T09:00:00Z' },
  });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited };
}

function mnemo(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** tsc in the user's tree, asynchronously: the webhook server in this process keeps answering meanwhile (a blocked one makes the daemon retry). */
function tsc(cwd: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', '.'], { cwd, encoding: 'utf8' }, (error, stdout) =>
      resolve({ ok: error === null, output: stdout }),
    );
  });
}

function settled(statePath: string, runs: number): Promise<State> {
  return waitFor(() => {
    const state = readJson<State>(statePath);
    return state?.status === 'watching' && state.runs >= runs ? state : undefined;
  });
}

/** The patch job is over and its worktree is gone. */
function jobOver(statePath: string, dir: string, id?: string): Promise<State> {
  return waitFor(() => {
    const state = readJson<State>(statePath);
    if (!state?.patches?.last || state.patches.job) return undefined;
    if (id !== undefined && state.patches.last.id !== id) return undefined;
    return liveWorktrees(dir).length === 0 ? state : undefined;
  });
}

function liveWorktrees(dir: string): string[] {
  const folder = join(dir, '.state', 'daemon', 'worktrees');
  return existsSync(folder) ? readdirSync(folder) : [];
}

function daemonEvents(dir: string): { kind: string; text: string; data?: Record<string, unknown> }[] {
  const name = readdirSync(join(dir, 'sessions')).find((item) => item.endsWith('mnemo-daemon.jsonl'));
  if (!name) return [];
  return readFileSync(join(dir, 'sessions', name), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { kind: string; text: string; data?: Record<string, unknown> });
}

/** The model's answers for one patch job: edit the broken line into `line`, then say so. */
function editTo(line: string, words: string) {
  return [{ toolCalls: [{ name: 'edit', arguments: { path: 'src/total.ts', old: BAD_LINE, new: line } }] }, { text: words }];
}

function gitWorktrees(cwd: string): number {
  return git(cwd, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((line) => line.startsWith('worktree ')).length;
}

describe('mnemo daemon patches (the built CLI as a real process)', () => {
  it(
    'a type error: the scripted model fixes it in a worktree, tsc passes there, a verified patch waits (branch, file, webhook), the user tree is untouched until `daemon apply`',
    async () => {
      const hook = await webhook<Notification>(servers);
      const stub = await startChatCompletionsStub(editTo(FIXED_LINE, 'Summed the prices with reduce instead of joining them.'));
      stubs.push(stub);
      const { cwd, dir, statePath, patches } = await project({
        model: { provider: 'openai-compatible', model: 'stub-coder', baseURL: stub.baseURL },
        daemon: { notify: [{ type: 'webhook', url: hook.url }] },
      });
      const daemon = runDaemon(cwd);
      await settled(statePath, 1);

      await writeFile(join(cwd, 'src', 'total.ts'), BROKEN);
      const failed = await waitFor(() => hook.received.find((item) => item.kind === 'failed'));
      expect(failed.message).toContain('A patch job started in a fresh worktree');
      expect(failed.patch).toBeNull();
      const offered = await waitFor(() => hook.received.find((item) => item.kind === 'patch-offered'));
      expect(offered.title).toMatch(/^typecheck: a verified patch is waiting \(p-[a-z0-9]+\)$/);
      expect(offered.message).toContain(`mnemo daemon apply ${offered.patch?.id ?? ''}`);
      expect(offered.patch?.branch).toMatch(/^mnemo\/fix-error-ts2322-type-string-is-not-assignable-[a-z-]*[0-9a-f]{6}$/);
      expect(offered.patch?.files).toEqual(['src/total.ts']);
      expect(offered.patch?.applied).toBe(false);
      // the model got the diagnostics, and worked in the worktree, not in the user's tree
      expect(requestText(stub.requests[0] ?? { model: '', messages: [] })).toContain("Type 'string' is not assignable to type 'number'");
      const id = offered.patch?.id ?? '';
      const record = readJson<PatchRecord>(join(patches, `${id}.json`));
      expect(record).toMatchObject({ id, check: 'typecheck', status: 'offered', branch: offered.patch?.branch });
      // the worktree started as the user's tree (HEAD and their uncommitted break); the patch applies on that
      expect(record?.files).toEqual([
        {
          path: 'src/total.ts',
          hashAtHead: git(cwd, 'rev-parse', 'HEAD:src/total.ts').trim(),
          hashBefore: git(cwd, 'hash-object', 'src/total.ts').trim(),
        },
      ]);
      expect(record?.verification).toEqual([{ check: 'typecheck', outcome: 'passed', durationMs: expect.any(Number) }]);
      expect(readFileSync(join(patches, `${id}.patch`), 'utf8')).toContain(`+${FIXED_LINE}`);
      expect(git(cwd, 'show', `${offered.patch?.branch ?? ''}:src/total.ts`)).toContain(FIXED_LINE);
      // the user's tree: exactly as they left it
      expect(await readFile(join(cwd, 'src', 'total.ts'), 'utf8')).toBe(BROKEN);
      expect(git(cwd, 'status', '--porcelain')).toBe(' M src/total.ts\n');

      // the worktree is gone when the job ends; the fix became a lesson through the write discipline
      await jobOver(statePath, dir, id);
      expect(gitWorktrees(cwd)).toBe(1);
      const withLesson = await waitFor(() => readJson<PatchRecord>(join(patches, `${id}.json`))?.lesson);
      expect(existsSync(join(dir, `${withLesson}.md`))).toBe(true);
      expect(await readFile(join(dir, `${withLesson}.md`), 'utf8')).toContain('Summed the prices with reduce');

      const listed = await mnemo(cwd, 'daemon', 'patches', '--json');
      expect(listed.code).toBe(0);
      expect((JSON.parse(listed.stdout) as PatchRecord[]).map((item) => item.id)).toEqual([id]);
      const status = await mnemo(cwd, 'daemon', 'status');
      expect(status.stdout).toContain('patches offered (mnemo daemon apply ID):');
      expect(status.stdout).toContain(`${id}  offered`);

      const applied = await mnemo(cwd, 'daemon', 'apply', id);
      expect(applied.code).toBe(0);
      expect(applied.stdout).toContain(`Applied patch ${id}: src/total.ts.`);
      expect((await tsc(cwd)).ok).toBe(true);
      const recovered = await waitFor(() => hook.received.find((item) => item.kind === 'recovered'));
      expect(recovered.title).toBe('typecheck recovered: it passes again');
      expect(readJson<PatchRecord>(join(patches, `${id}.json`))?.status).toBe('applied');
      expect((await mnemo(cwd, 'daemon', 'apply', id)).code).toBe(2);

      daemon.child.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);
      expect(hook.received.map((item) => item.kind)).toEqual(['failed', 'patch-offered', 'recovered']);
    },
    LONG,
  );

  it(
    'a fix that does not pass: nothing is offered, the attempt is in the daemon transcript, and after N attempts one notification says it gave up',
    async () => {
      const hook = await webhook<Notification>(servers);
      // (the per-day counting itself, on an injected clock, is in daemon-patch-jobs.test.ts)
      const stub = await startChatCompletionsStub(editTo(WRONG_LINE, 'Joined with plus.'));
      stubs.push(stub);
      const { cwd, dir, statePath, patches } = await project({
        model: { provider: 'openai-compatible', model: 'stub-coder', baseURL: stub.baseURL },
        daemon: { notify: [{ type: 'webhook', url: hook.url }], patches: { attemptsPerDay: 1 } },
      });
      await writeFile(join(cwd, 'src', 'total.ts'), BROKEN);
      const daemon = runDaemon(cwd);
      // the first run fails: the one attempt of the day, whose fix does not pass tsc in the worktree
      const first = await jobOver(statePath, dir);
      expect(first.patches?.last).toMatchObject({ outcome: 'failed' });
      expect(first.patches?.last?.reason).toMatch(/typecheck failed in the worktree after the agent's change: src\/total\.ts:2:9/);
      expect(hook.received.map((item) => item.kind)).toEqual(['failed']);
      // the same error again (a save that keeps it): no second attempt, one "gave up"
      await writeFile(join(cwd, 'src', 'total.ts'), `// still wrong\n${BROKEN}`);
      const gaveUp = await waitFor(() => hook.received.find((item) => item.kind === 'patch-gave-up'));
      expect(gaveUp.title).toBe('typecheck: no patch, gave up after 1 attempt(s) today');
      expect(gaveUp.message).toContain('1 patch attempt(s) for this error failed their checks today');
      expect(gaveUp.patch).toBeNull();
      // the attempts are counted on the day MNEMO_NOW set, not on the machine's date
      expect(readJson<{ day: string }>(join(patches, 'ledger.json'))?.day).toBe('2026-06-01');
      await writeFile(join(cwd, 'src', 'total.ts'), `// still wrong\n\n${BROKEN}`);
      await waitFor(() => (readJson<State>(statePath)?.runs ?? 0) >= 3 && readJson<State>(statePath)?.status === 'watching');
      expect(hook.received.filter((item) => item.kind === 'patch-gave-up')).toHaveLength(1);
      expect(hook.received.filter((item) => item.kind === 'patch-offered')).toHaveLength(0);
      expect(stub.requests).toHaveLength(2);
      const attempts = daemonEvents(dir).filter((event) => event.kind === 'patch-attempt-failed');
      expect(attempts).toHaveLength(1);
      expect(attempts[0]?.text).toContain('offered nothing');
      expect(existsSync(patches) ? readdirSync(patches).filter((name) => name.endsWith('.patch')) : []).toEqual([]);
      expect(git(cwd, 'branch', '--list', 'mnemo/*')).toBe('');
      expect(liveWorktrees(dir)).toEqual([]);
      daemon.child.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);
    },
    LONG,
  );

  it(
    'an external agent command (a node script given the task on stdin) writes the fix; `apply` refuses once the user changed the file; `drop` removes the branch and keeps a copy',
    async () => {
      const hook = await webhook<Notification>(servers);
      const tools = await tempDir('mnemo-agent-');
      const seen = join(tools, 'task.txt');
      const script = join(tools, 'fix-agent.mjs');
      await writeFile(
        script,
        [
          "import { readFileSync, writeFileSync } from 'node:fs';",
          "const task = readFileSync(0, 'utf8');",
          `writeFileSync(${JSON.stringify(seen)}, task + '\\ncwd: ' + process.cwd());`,
          "const file = 'src/total.ts';",
          `writeFileSync(file, readFileSync(file, 'utf8').replace(${JSON.stringify(BAD_LINE)}, ${JSON.stringify(FIXED_LINE)}));`,
          "console.log('fixed src/total.ts');",
        ].join('\n'),
      );
      const { cwd, dir, statePath, patches } = await project({
        daemon: { notify: [{ type: 'webhook', url: hook.url }], agent: { command: `"${process.execPath}" "${script}"` } },
      });
      await writeFile(join(cwd, 'src', 'total.ts'), BROKEN);
      const daemon = runDaemon(cwd);
      const offered = await waitFor(() => hook.received.find((item) => item.kind === 'patch-offered'));
      const id = offered.patch?.id ?? '';
      const task = await readFile(seen, 'utf8');
      expect(task).toContain('Make the check "typecheck" pass');
      expect(task).toContain("src/total.ts:2:9: Type 'string' is not assignable to type 'number'.");
      expect(task).toContain(`cwd: ${join(dir, '.state', 'daemon', 'worktrees', id)}`);
      expect(readJson<PatchRecord>(join(patches, `${id}.json`))).toMatchObject({ status: 'offered', check: 'typecheck' });
      await jobOver(statePath, dir, id);

      // the user edits the file meanwhile: apply refuses and writes nothing
      const theirs = BROKEN.replace('join(",")', 'join(";")');
      await writeFile(join(cwd, 'src', 'total.ts'), theirs);
      const refused = await mnemo(cwd, 'daemon', 'apply', id);
      expect(refused.code).toBe(2);
      expect((await mnemo(cwd, 'daemon', 'apply', '--help')).stdout).toMatch(
        /2 {2}refused, nothing written: a file the patch touches changed since/,
      );
      expect(refused.stderr).toContain(`src/total.ts changed in your working tree since patch ${id} was made; nothing was applied`);
      expect(await readFile(join(cwd, 'src', 'total.ts'), 'utf8')).toBe(theirs);

      const dropped = await mnemo(cwd, 'daemon', 'drop', id, '--json');
      expect(dropped.code).toBe(0);
      const result = JSON.parse(dropped.stdout) as { branch: string; branchDeleted: boolean; trash: string };
      expect(result.branchDeleted).toBe(true);
      expect(git(cwd, 'branch', '--list', result.branch)).toBe('');
      expect(readFileSync(join(result.trash, `${id}.patch`), 'utf8')).toContain(`+${FIXED_LINE}`);
      expect(existsSync(join(patches, `${id}.json`))).toBe(false);
      expect(JSON.parse((await mnemo(cwd, 'daemon', 'patches', '--json')).stdout)).toEqual([]);
      const missing = await mnemo(cwd, 'daemon', 'apply', id);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(`There is no patch ${id}`);
      daemon.child.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);
    },
    LONG,
  );

  it(
    'SIGKILL of the daemon while its agent works: the next start kills the left agent, removes its worktree, takes the lock over; SIGTERM mid-job also cleans up',
    async () => {
      const tools = await tempDir('mnemo-agent-');
      const marker = join(tools, 'started');
      const script = join(tools, 'slow-agent.mjs');
      // an agent that never finishes: it says it started (with its pid), then waits
      await writeFile(
        script,
        [
          "import { appendFileSync } from 'node:fs';",
          `appendFileSync(${JSON.stringify(marker)}, process.pid + '\\n');`,
          "appendFileSync('src/total.ts', '// half done\\n');",
          'setInterval(() => undefined, 1000);',
        ].join('\n'),
      );
      const { cwd, dir, statePath } = await project({ daemon: { agent: { command: `exec "${process.execPath}" "${script}"` } } });
      await writeFile(join(cwd, 'src', 'total.ts'), BROKEN);
      const first = runDaemon(cwd);
      const agentPid = Number((await waitFor(() => existsSync(marker) && readFileSync(marker, 'utf8').trim())).split('\n')[0]);
      strays.push(agentPid);
      expect(liveWorktrees(dir).length).toBeGreaterThan(0);
      expect(gitWorktrees(cwd)).toBe(2);
      first.child.kill('SIGKILL');
      await first.exited;
      expect(existsSync(join(dir, '.state', 'daemon', 'daemon.lock'))).toBe(true);

      const second = runDaemon(cwd);
      // the restart found the dead daemon's job: its agent killed, its worktree removed, the attempt in the transcript
      await waitFor(() => daemonEvents(dir).some((event) => event.kind === 'patch-job-abandoned'));
      await waitFor(() => {
        try {
          process.kill(agentPid, 0);
          return false;
        } catch {
          return true;
        }
      });
      // its own job starts on the failing check (a second agent): then SIGTERM stops it cleanly
      await waitFor(() => readFileSync(marker, 'utf8').trim().split('\n').length >= 2);
      const state = readJson<State>(statePath);
      expect(state?.pid).toBe(second.child.pid);
      expect(readJson<{ pid: number }>(join(dir, '.state', 'daemon', 'daemon.lock'))?.pid).toBe(second.child.pid);
      expect(await readFile(join(cwd, 'src', 'total.ts'), 'utf8')).toBe(BROKEN);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      expect(liveWorktrees(dir)).toEqual([]);
      expect(gitWorktrees(cwd)).toBe(1);
      expect(existsSync(join(dir, '.state', 'daemon', 'daemon.lock'))).toBe(false);
      expect(existsSync(join(dir, '.state', 'daemon', 'patch-job.json'))).toBe(false);
      // the first agent's half-done change is kept on its branch (nothing is lost); no fix branch was offered
      expect(git(cwd, 'branch', '--list', 'mnemo/fix-*')).toBe('');
    },
    LONG,
  );
});
