import { spawn } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startChatCompletionsStub, requestText, type ChatCompletionsStub, type ChatRequest, type StubAnswer, type StubStep } from '../helpers/chat-completions-stub.js';
import { CHECK_ERROR, FIX, failingCheckRepo, taskIdIn } from '../helpers/failing-check-repo.js';
import { git } from '../helpers/git-repo.js';
import { cli } from '../helpers/run-cli.js';
import { runShellCommand } from '../../src/tools/index.js';
import { tempDir } from '../helpers/temp-root.js';

const REPO = join(import.meta.dirname, '..', '..');
let stub: ChatCompletionsStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

async function project(script: StubAnswer[], agent: object = {}): Promise<string> {
  const workspace = await tempDir();
  await failingCheckRepo(workspace);
  expect((await cli(['init'], { cwd: workspace })).code).toBe(0);
  stub = await startChatCompletionsStub(script);
  await writeFile(
    join(workspace, '.mnemo', 'mnemo.config.json'),
    JSON.stringify({ model: { provider: 'openai-compatible', model: 'stub-model', baseURL: stub.baseURL, timeoutMs: 10_000 }, agent }),
  );
  return workspace;
}

const fixing: StubAnswer[] = [
  { text: 'Let me run the check.', toolCalls: [{ name: 'bash', arguments: { command: 'node check.js' } }] },
  { toolCalls: [{ name: 'read', arguments: { path: 'greet.js' } }] },
  { toolCalls: [{ name: 'edit', arguments: FIX }] },
  { toolCalls: [{ name: 'bash', arguments: { command: 'node check.js' } }] },
  (body) => ({
    toolCalls: [
      {
        name: 'task_note',
        arguments: {
          task: taskIdIn(requestText(body)),
          name: 'Greeting format',
          description: 'greet() must return "Hello, NAME!" (check.js verifies it)',
          type: 'project',
          body: 'greet() in `greet.js` returns `Hello, ${name}!`. **Why:** check.js asserts it. **How to apply:** run `node check.js` after changing greet.js.',
        },
      },
    ],
  }),
  { text: 'Fixed greet.js; node check.js passes.' },
];

describe('mnemo run, through the OpenAI-compatible adapter against a local chat-completions server', () => {
  it('fixes a failing check in a temp repo and promotes the lesson only after --verify passes', async () => {
    const workspace = await project(fixing);
    const run = await cli(['run', 'Make `node check.js` pass.', '--verify', 'node check.js', '--allow', 'bash(node check.js)', '--allow', 'edit(*.js)', '--json'], { cwd: workspace });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { outcome: string; promoted: { slug: string }[]; verification: { passed: boolean }; steps: number; usage: { inputTokens: number } };
    expect(result.outcome).toBe('completed');
    expect(result.verification.passed).toBe(true);
    expect(result.steps).toBe(6);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.promoted.map((item) => item.slug)).toEqual(expect.arrayContaining(['greeting-format', expect.stringMatching(/^lesson-/)]));
    expect(await readFile(join(workspace, 'greet.js'), 'utf8')).toContain('Hello, ${name}!');
    // progress on stderr: streamed text and one line per tool call
    expect(run.stderr).toContain('Let me run the check.');
    expect(run.stderr).toContain('• bash(node check.js)');
    expect(run.stderr).toContain(`failed: ${CHECK_ERROR}`);
    // the goal was verbatim in every request, and the tools were offered
    expect(stub!.requests.every((request) => requestText(request).includes('Make `node check.js` pass.'))).toBe(true);
    expect(stub!.requests[0]!.tools!.map((tool) => tool.function.name)).toEqual(expect.arrayContaining(['read', 'write', 'edit', 'bash', 'grep', 'glob', 'recall', 'task_note']));
    const recall = await cli(['recall', CHECK_ERROR, '--json'], { cwd: workspace });
    expect((JSON.parse(recall.stdout) as { topics: { type: string }[] }).topics[0]?.type).toBe('lesson');
  });

  it('delegates to two parallel sub-agents, one in a worktree, merges the fix, and its --verify promotes what they noted', async () => {
    const stage = (body: ChatRequest, name: string, description: string) => ({
      name: 'task_note',
      arguments: { task: taskIdIn(requestText(body)), name, description, type: 'project', body: `${description}. **Why:** a sub-agent found it. **How to apply:** keep it in mind.` },
    });
    // one stub for the parent and both sub-agents: each request is answered by who sent it and how far it is
    const route = (body: ChatRequest): StubStep => {
      const text = (role: string) => JSON.stringify(body.messages.find((message) => message.role === role)?.content ?? '');
      const system = text('system');
      const first = text('user');
      const step = body.messages.filter((message) => message.role === 'tool').length;
      if (!system.includes('You are a sub-agent')) {
        if (step === 0) {
          return {
            text: 'Two independent parts: a scout and a fixer.',
            toolCalls: [
              { name: 'agent', arguments: { description: 'scout', prompt: 'Find where greet is defined and report the file.' } },
              { name: 'agent', arguments: { description: 'fixer', prompt: 'Make `node check.js` pass.', tools: ['read', 'edit', 'bash'], isolation: 'worktree' } },
            ],
          };
        }
        const branch = /git merge (mnemo\/agent-[a-z0-9-]+)/.exec(requestText(body))?.[1];
        if (step === 2 && branch) return { toolCalls: [{ name: 'bash', arguments: { command: `git merge --ff-only ${branch}` } }] };
        return { text: 'Merged the fixer\'s branch; the scout found greet in greet.js.' };
      }
      if (first.includes('Find where greet is defined')) {
        return [{ toolCalls: [{ name: 'grep', arguments: { pattern: 'exports.greet' } }] }, { toolCalls: [stage(body, 'Greet location', 'greet() is defined in greet.js')] }, { text: 'greet() is in greet.js.' }][step] ?? { text: 'done' };
      }
      return (
        [
          { toolCalls: [{ name: 'edit', arguments: FIX }] },
          { toolCalls: [{ name: 'bash', arguments: { command: 'node check.js' } }] },
          { toolCalls: [stage(body, 'Greeting format', 'greet() must return "Hello, NAME!" (check.js verifies it)')] },
          { text: 'Fixed greet.js; node check.js passes in the worktree.' },
        ][step] ?? { text: 'done' }
      );
    };
    const workspace = await project(Array.from({ length: 12 }, () => route));
    const run = await cli(
      ['run', 'Make `node check.js` pass, with sub-agents.', '--verify', 'node check.js', '--allow', 'edit(*.js)', '--allow', 'bash(node check.js)', '--allow', 'bash(git merge*)', '--json'],
      { cwd: workspace },
    );
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as {
      outcome: string;
      promoted: { slug: string }[];
      subAgents: { id: string; description: string; outcome: string; isolation: string; branch?: string; filesChanged: string[]; notes: unknown[]; usage: { totalTokens: number }; session: string }[];
    };
    expect(result.outcome).toBe('completed');
    expect(result.subAgents.map((agent) => [agent.id, agent.description, agent.outcome, agent.isolation])).toEqual([
      ['agent-1', 'scout', 'completed', 'none'],
      ['agent-2', 'fixer', 'completed', 'worktree'],
    ]);
    expect(result.subAgents[1]?.filesChanged).toEqual(['greet.js']);
    expect(result.subAgents.every((agent) => agent.notes.length === 1 && agent.usage.totalTokens > 0)).toBe(true);
    // the parent merged the branch; its verification alone promoted what the sub-agents staged
    expect(await readFile(join(workspace, 'greet.js'), 'utf8')).toContain('Hello, ${name}!');
    expect(result.promoted.map((item) => item.slug)).toEqual(expect.arrayContaining(['greet-location', 'greeting-format']));
    expect(await readdir(join(workspace, '.mnemo', '.state', 'worktrees'))).toEqual([]);
    expect(git(workspace, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    // one progress line per sub-agent start and end, with tokens
    expect(run.stderr).toMatch(/agent-1 running \(scout\)/);
    expect(run.stderr).toMatch(/agent-2 done \(fixer, 4 step\(s\), \d+ tokens\)/);
    // the sub-agent's transcript is a child session, searchable with recall --deep
    const deep = await cli(['recall', 'node check.js passes in the worktree', '--deep', '--json'], { cwd: workspace });
    expect(deep.stdout).toContain(result.subAgents[1]!.session);
  });

  it('exits 1 and promotes nothing when the verification fails', async () => {
    const workspace = await project([fixing[4]!, { text: 'Looks fine to me.' }]);
    const run = await cli(['run', 'Make `node check.js` pass.', '--verify', 'node check.js'], { cwd: workspace });
    expect(run.code).toBe(1);
    expect(run.stdout.trim()).toBe('Looks fine to me.');
    expect(run.stderr).toMatch(/Verification failed \(node check.js\): nothing was promoted/);
    expect((await cli(['list', '--json'], { cwd: workspace })).stdout.trim()).toBe('[]');
    const tasks = JSON.parse((await cli(['task', 'list', '--json'], { cwd: workspace })).stdout) as { notes: unknown[] }[];
    expect(tasks[0]?.notes).toHaveLength(1);
  });

  it('retries a 429 from the provider, then goes on', async () => {
    const workspace = await project([{ status: 429 }, { text: 'All good.' }]);
    const run = await cli(['run', 'Say whether anything is wrong.'], { cwd: workspace });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('All good.');
    expect(run.stderr).toMatch(/retry 1/);
    expect(stub!.requests).toHaveLength(2);
  });

  it('denies a command that needs permission when there is no terminal, and the model is told how to get it', async () => {
    const workspace = await project([{ toolCalls: [{ name: 'bash', arguments: { command: 'node check.js' } }] }, { text: 'I was not allowed to run it.' }]);
    const run = await cli(['run', 'Run the check.'], { cwd: workspace });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/denied: Permission denied: bash was not run/);
    expect(requestText(stub!.requests[1]!)).toContain("--allow 'bash(node check.js)'");
  });

  it('exits 3 when the model cannot be reached, and 2 for a bad --model', async () => {
    const workspace = await project([{ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }]);
    const run = await cli(['run', 'Anything.'], { cwd: workspace });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/did not answer after 4 attempts/);
    expect(run.stderr).toMatch(/left open/);
    const bad = await cli(['run', 'Anything.', '--model', 'nope'], { cwd: workspace });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--model takes provider:id/);
  });

  it('stops cleanly on Ctrl-C mid-tool: the command is killed, the task left open, the transcript kept', async () => {
    const workspace = await project([{ toolCalls: [{ name: 'bash', arguments: { command: 'sleep 43.9; echo finished > late.txt' } }] }]);
    const child = spawn(process.execPath, ['--import', pathToFileURL(join(REPO, 'node_modules/tsx/dist/loader.mjs')).href, join(REPO, 'src/cli/main.ts'), 'run', 'Wait for the slow command.', '--yes'], {
      cwd: workspace,
      env: { ...process.env, MNEMO_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const started = new Promise<void>((resolve) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('• bash(sleep 43.9')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await Promise.race([started, exited]);
    if (!stderr.includes('• bash(sleep 43.9')) throw new Error(`the run did not start the command: ${stderr}`);
    child.kill('SIGINT');
    expect(await exited).toBe(3);
    expect(stderr).toMatch(/Stopped: Stopped by the user; the task is left open/);
    const leftOver = await runShellCommand('pgrep -f "sleep 43[.]9" || true', workspace, 5000);
    expect(leftOver.output.trim()).toBe('');
    const tasks = JSON.parse((await cli(['task', 'list', '--json'], { cwd: workspace })).stdout) as { status: string; goal: string }[];
    expect(tasks.map((task) => [task.status, task.goal])).toEqual([['open', 'Wait for the slow command.']]);
    const turns = await cli(['recall', 'sleep 43.9', '--deep', '--json'], { cwd: workspace });
    expect(turns.stdout).toContain('sleep 43.9');
  });
});
