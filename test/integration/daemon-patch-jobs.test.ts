import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WorktreePool, createScriptedAgentModel } from '../../src/agent/index.js';
import { openMemory, type Memory } from '../../src/app/index.js';
import {
  DAEMON_SESSION,
  PatchJobs,
  dropPatch,
  listPatches,
  patchPaths,
  resolveChecks,
  runCheck,
  type CheckRun,
  type DaemonCheck,
  type DaemonNotification,
} from '../../src/daemon/index.js';
import { createManualClock, isProcessAlive, silentLogger, type ManualClock } from '../../src/shared/index.js';
import { CHECK_ERROR, FIX, failingCheckRepo } from '../helpers/failing-check-repo.js';
import { git } from '../helpers/git-repo.js';
import { tempDir } from '../helpers/temp-root.js';

/*
 * The daemon's patch jobs in this process, with their bounds: a real git repository whose
 * `node check.js` fails, real worktrees, real agent processes (small node scripts given the task
 * on stdin) or a scripted model, real reruns of the check. The per-day counters run on an
 * injected clock, so nothing here depends on today's date.
 */

const opened: Memory[] = [];
const others: ChildProcess[] = [];

afterEach(async () => {
  for (const child of others.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const memory of opened.splice(0)) memory.close();
});

type AgentKind = 'fix' | 'wrong' | 'hang';

/** A node script as `daemon.agent.command`: it counts its calls (and pids) in `calls.txt`, then fixes greet.js, breaks it differently, or hangs. */
async function agentScript(tools: string, kind: AgentKind): Promise<{ command: string; calls: () => string[] }> {
  const script = join(tools, `${kind}-agent.mjs`);
  const calls = join(tools, 'calls.txt');
  const body = {
    fix: `writeFileSync('greet.js', readFileSync('greet.js', 'utf8').replace(${JSON.stringify(FIX.old)}, ${JSON.stringify(FIX.new)})); console.log('greet.js now says Hello, NAME!');`,
    wrong: `writeFileSync('greet.js', readFileSync('greet.js', 'utf8').replace(${JSON.stringify(FIX.old)}, "'Hello ' + name")); console.log('changed the greeting');`,
    hang: 'setInterval(() => undefined, 1000);',
  }[kind];
  await writeFile(
    script,
    [
      "import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';",
      "const task = readFileSync(0, 'utf8');",
      `writeFileSync(${JSON.stringify(join(tools, 'task.txt'))}, task);`,
      `appendFileSync(${JSON.stringify(calls)}, process.pid + '\\n');`,
      body,
    ].join('\n'),
  );
  return {
    command: `exec "${process.execPath}" "${script}"`,
    calls: () => (existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : []),
  };
}

interface Setup {
  workspace: string;
  memory: Memory;
  jobs: PatchJobs;
  check: DaemonCheck;
  clock: ManualClock;
  sent: DaemonNotification[];
  failing: () => Promise<CheckRun>;
}

async function setup(daemon: Record<string, unknown>, extra: { model?: ReturnType<typeof createScriptedAgentModel> } = {}): Promise<Setup> {
  const workspace = await tempDir('mnemo-patch-jobs-');
  await failingCheckRepo(workspace);
  const memory = await openMemory({
    dir: join(workspace, '.mnemo'),
    workspace,
    create: true,
    env: { MNEMO_LOG_LEVEL: 'silent' },
    config: { daemon: { checks: [{ name: 'greet', command: 'node check.js' }], ...daemon } } as never,
  });
  opened.push(memory);
  const clock = createManualClock('2026-06-01T10:00:00.000Z');
  const [check] = resolveChecks(memory.config.daemon, workspace);
  if (!check) throw new Error('no check');
  const sent: DaemonNotification[] = [];
  const model = extra.model;
  const jobs = new PatchJobs({
    memory,
    checks: [check],
    logger: silentLogger,
    clock,
    session: DAEMON_SESSION,
    notify: async (notification) => {
      sent.push(notification);
    },
    ...(model ? { model: async () => ({ model: model.model, id: 'scripted' }) } : {}),
  });
  const failing = async () => {
    const run = await runCheck(check, { workspace, now: () => clock.now() });
    expect(run.outcome).toBe('failed');
    return run;
  };
  return { workspace, memory, jobs, check, clock, sent, failing };
}

/** Every file of the user's tree (outside .git and the memory root) with a hash of its bytes. */
function tree(workspace: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.name === '.git' || entry.name === '.mnemo') continue;
      if (entry.isDirectory()) walk(path);
      else files[relative(workspace, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(workspace);
  return files;
}

function daemonEvents(workspace: string): { kind: string; text: string }[] {
  const sessions = join(workspace, '.mnemo', 'sessions');
  const name = readdirSync(sessions).find((item) => item.endsWith(`${DAEMON_SESSION}.jsonl`));
  if (!name) return [];
  return readFileSync(join(sessions, name), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { kind: string; text: string });
}

function liveWorktrees(workspace: string): string[] {
  const folder = patchPaths(join(workspace, '.mnemo')).worktrees;
  return existsSync(folder) ? readdirSync(folder) : [];
}

describe('the daemon patch jobs and their bounds', () => {
  it('a fix that does not pass offers nothing; after attemptsPerDay attempts one "gave up" notification, no more agent runs that day; the next day (injected clock) it tries again', async () => {
    const tools = await tempDir('mnemo-agent-');
    const agent = await agentScript(tools, 'wrong');
    const { workspace, jobs, clock, sent, failing, check } = await setup({
      agent: { command: agent.command },
      patches: { attemptsPerDay: 2 },
    });
    const before = tree(workspace);
    const run = await failing();

    for (const attempt of [1, 2]) {
      const decision = await jobs.consider(check, run, undefined);
      expect(decision.started, `attempt ${attempt}`).toBe(true);
      await jobs.idle();
      expect(jobs.state().last).toMatchObject({ outcome: 'failed' });
      expect(jobs.state().last?.reason).toContain("greet failed in the worktree after the agent's change");
      clock.advance(60_000);
    }
    expect(agent.calls()).toHaveLength(2);

    const refused = await jobs.consider(check, run, undefined);
    expect(refused.started).toBe(false);
    expect(refused.note).toContain('gave up patching this error for today after 2 attempt(s)');
    const again = await jobs.consider(check, run, undefined);
    expect(again.started).toBe(false);
    expect(agent.calls()).toHaveLength(2);
    const gaveUp = sent.filter((item) => item.kind === 'patch-gave-up');
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]?.message).toContain('2 patch attempt(s) for this error failed their checks today');
    expect(gaveUp[0]?.patch).toBeNull();
    expect(sent.filter((item) => item.kind === 'patch-offered')).toEqual([]);

    // each attempt is in the daemon's transcript; nothing was offered or left behind
    const attempts = daemonEvents(workspace).filter((event) => event.kind === 'patch-attempt-failed');
    expect(attempts).toHaveLength(2);
    expect(attempts[0]?.text).toContain('offered nothing');
    expect(await listPatches(patchPaths(join(workspace, '.mnemo')))).toEqual([]);
    expect(git(workspace, 'branch', '--list', 'mnemo/*')).toBe('');
    expect(liveWorktrees(workspace)).toEqual([]);
    expect(tree(workspace)).toEqual(before);

    // the next day (UTC) the counter starts over
    clock.set('2026-06-02T00:00:01.000Z');
    expect((await jobs.consider(check, run, undefined)).started).toBe(true);
    await jobs.idle();
    expect(agent.calls()).toHaveLength(3);
  }, 120_000);

  it('a verified patch: one offer per signature while it is open (no duplicate job), the user tree byte-for-byte unchanged; dropped, the error gets a job again', async () => {
    const tools = await tempDir('mnemo-agent-');
    const agent = await agentScript(tools, 'fix');
    const { workspace, memory, jobs, sent, failing, check } = await setup({ agent: { command: agent.command } });
    const before = tree(workspace);
    const run = await failing();
    // a lesson the memory has for this error goes into the agent's task
    const lesson = {
      slug: 'lesson-greeting',
      name: 'Fix: greet() says Hello',
      signature: 'x',
      body: '- return `Hello, ${name}!` from greet.js',
    };
    expect((await jobs.consider(check, run, lesson)).started).toBe(true);
    await jobs.idle();
    const task = await readFile(join(tools, 'task.txt'), 'utf8');
    expect(task).toContain('Make the check "greet" pass');
    expect(task).toContain(CHECK_ERROR);
    expect(task).toContain('A lesson in memory matches this error (lesson-greeting): Fix: greet() says Hello');
    expect(task).toContain('- return `Hello, ${name}!` from greet.js');
    const offered = sent.filter((item) => item.kind === 'patch-offered');
    expect(offered).toHaveLength(1);
    const id = offered[0]?.patch?.id ?? '';
    expect(offered[0]?.message).toContain('A verified patch is waiting');
    expect(offered[0]?.patch).toMatchObject({ files: ['greet.js'], applied: false });
    expect(offered[0]?.patch?.branch).toMatch(/^mnemo\/fix-assertionerror-greet-ada-returned-/);
    expect(git(workspace, 'show', `${offered[0]?.patch?.branch ?? ''}:greet.js`)).toContain(FIX.new);
    expect(tree(workspace)).toEqual(before);
    expect(liveWorktrees(workspace)).toEqual([]);

    // the same failure again (the next save): the open patch is named, no second job
    const again = await jobs.consider(check, run, undefined);
    expect(again).toMatchObject({ started: false, open: id });
    expect(again.note).toContain(`mnemo daemon apply ${id}`);
    await jobs.idle();
    expect(agent.calls()).toHaveLength(1);
    expect(sent.filter((item) => item.kind === 'patch-offered')).toHaveLength(1);

    // the fix became a verified lesson through the write discipline: the error recalls it
    const record = (await listPatches(patchPaths(memory.root)))[0];
    expect(record?.lesson).toMatch(/^lesson-/);
    const recalled = await memory.recall(CHECK_ERROR);
    expect(recalled.topics.map((topic) => topic.slug)).toContain(record?.lesson);

    await dropPatch(patchPaths(memory.root), id, { now: new Date('2026-06-01T11:00:00.000Z') });
    expect((await jobs.consider(check, run, undefined)).started).toBe(true);
    await jobs.idle();
    expect(agent.calls()).toHaveLength(2);
  }, 120_000);

  it('daemon.autoApply: the verified patch is applied to the working tree by itself, and the notification says so', async () => {
    const tools = await tempDir('mnemo-agent-');
    const agent = await agentScript(tools, 'fix');
    const { workspace, memory, jobs, sent, failing, check } = await setup({ agent: { command: agent.command }, autoApply: true });
    const run = await failing();
    await jobs.consider(check, run, undefined);
    await jobs.idle();
    const offered = sent.find((item) => item.kind === 'patch-offered');
    expect(offered?.patch?.applied).toBe(true);
    expect(offered?.message).toContain('daemon.autoApply is on: it was applied to your working tree.');
    expect(await readFile(join(workspace, 'greet.js'), 'utf8')).toContain(FIX.new);
    expect((await runCheck(check, { workspace, now: () => new Date() })).outcome).toBe('passed');
    expect((await listPatches(patchPaths(memory.root)))[0]?.status).toBe('applied');
  }, 120_000);

  it('a hung agent is killed at daemon.patches.timeoutMs (5 s here): nothing offered, its process gone, its worktree removed', async () => {
    const tools = await tempDir('mnemo-agent-');
    const agent = await agentScript(tools, 'hang');
    const { workspace, jobs, sent, failing, check } = await setup({ agent: { command: agent.command }, patches: { timeoutMs: 5000 } });
    await jobs.consider(check, await failing(), undefined);
    await jobs.idle();
    expect(jobs.state().last).toMatchObject({ outcome: 'failed' });
    expect(jobs.state().last?.reason).toMatch(/timed out after 5 s/);
    const pid = Number(agent.calls()[0]);
    expect(pid).toBeGreaterThan(0);
    expect(isProcessAlive(pid)).toBe(false);
    expect(liveWorktrees(workspace)).toEqual([]);
    expect(git(workspace, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(sent.filter((item) => item.kind === 'patch-offered')).toEqual([]);
    expect(daemonEvents(workspace).some((event) => event.kind === 'patch-attempt-failed' && /timed out/.test(event.text))).toBe(true);
  }, 120_000);

  it('one job at a time: a second failure waits for the job under way and starts when it ends, never beside it', async () => {
    const tools = await tempDir('mnemo-agent-');
    const agent = await agentScript(tools, 'wrong');
    const { workspace, jobs, failing, check } = await setup({ agent: { command: agent.command } });
    const run = await failing();
    expect((await jobs.consider(check, run, undefined)).started).toBe(true);
    const first = jobs.state().job;
    // another failure (no diagnostics: another signature) while the first job runs
    const other: CheckRun = { ...run, diagnostics: [] };
    const waiting = await jobs.consider(check, other, undefined);
    expect(waiting).toMatchObject({ started: false, note: 'A patch job for this error starts when the one under way ends.' });
    expect(jobs.state().job?.id).toBe(first?.id);
    await jobs.idle();
    // both ran, the second once the first had ended
    expect(agent.calls()).toHaveLength(2);
    expect(jobs.state().job).toBeUndefined();
    expect(jobs.state().last?.id).not.toBe(first?.id);
    const failed = daemonEvents(workspace).filter((event) => event.kind === 'patch-attempt-failed');
    expect(failed).toHaveLength(2);
    expect(liveWorktrees(workspace)).toEqual([]);
  }, 120_000);

  it("at most daemon.patches.maxWorktrees live worktrees: a job past it starts no agent and says which setting; a dead owner's worktree is removed by the clean-up on start", async () => {
    const tools = await tempDir('mnemo-agent-');
    const agent = await agentScript(tools, 'fix');
    const { workspace, memory, jobs, failing, check } = await setup({ agent: { command: agent.command }, patches: { maxWorktrees: 1 } });
    // another live process holds a worktree in the daemon's folder
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => undefined, 1000)'], { stdio: 'ignore' });
    others.push(holder);
    const pool = new WorktreePool({
      dir: patchPaths(memory.root).worktrees,
      workspace,
      maxWorktrees: 5,
      maxBytes: Number.MAX_SAFE_INTEGER,
      pid: holder.pid ?? 0,
    });
    const held = await pool.acquire('p-held0001');
    await jobs.consider(check, await failing(), undefined);
    await jobs.idle();
    expect(jobs.state().last?.outcome).toBe('failed');
    expect(jobs.state().last?.reason).toContain('daemon.patches.maxWorktrees is 1');
    expect(agent.calls()).toEqual([]);
    expect(liveWorktrees(workspace)).toEqual(['p-held0001', 'p-held0001.json']);
    // no agent ran: the refusal is not one of the day's attempts for this error
    const ledger = JSON.parse(readFileSync(patchPaths(memory.root).ledger, 'utf8')) as { attempts: Record<string, number> };
    expect(Object.values(ledger.attempts)).toEqual([0]);

    // its owner dies (a crash): the clean-up the daemon runs on start removes its worktree
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    const cleaned = await jobs.cleanup();
    expect(cleaned.removed).toEqual([held.id]);
    expect(liveWorktrees(workspace)).toEqual([]);
    expect(existsSync(held.path)).toBe(false);
    expect(git(workspace, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
  }, 120_000);

  it('the daily token cap (a scripted model): past daemon.patches.dailyTokens no job starts, one notification says so, the next day it starts again', async () => {
    // a wrong fix (nothing is offered, so the next failure is considered again), with a long answer: 1100+ tokens
    const wrong = { ...FIX, new: "'Hello ' + name" };
    const scripted = createScriptedAgentModel([
      { text: 'Let me think. '.repeat(320), toolCalls: [{ toolName: 'edit', input: wrong }] },
      { text: 'Greeting changed.' },
    ]);
    const { memory, jobs, clock, sent, failing, check } = await setup({ patches: { dailyTokens: 1000 } }, { model: scripted });
    const run = await failing();
    expect((await jobs.consider(check, run, undefined)).started).toBe(true);
    await jobs.idle();
    expect(jobs.state().last?.outcome).toBe('failed');
    const ledger = JSON.parse(readFileSync(patchPaths(memory.root).ledger, 'utf8')) as { day: string; tokens: number };
    expect(ledger.day).toBe('2026-06-01');
    expect(ledger.tokens).toBeGreaterThanOrEqual(1000);
    const requests = scripted.requests.length;
    const refused = await jobs.consider(check, run, undefined);
    expect(refused.started).toBe(false);
    expect(refused.note).toContain('daily token cap (1000) is used up');
    await jobs.consider(check, run, undefined);
    expect(scripted.requests).toHaveLength(requests);
    const capped = sent.filter((item) => item.kind === 'patch-gave-up');
    expect(capped).toHaveLength(1);
    expect(capped[0]?.message).toContain('the cap is daemon.patches.dailyTokens (1000)');
    clock.set('2026-06-02T08:00:00.000Z');
    expect((await jobs.consider(check, run, undefined)).started).toBe(true);
    await jobs.idle();
  }, 120_000);
});
