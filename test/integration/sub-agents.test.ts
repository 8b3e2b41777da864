import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { countTokens } from 'gpt-tokenizer';
import { describe, expect, it } from 'vitest';
import { createScriptedAgentModel, type ScriptedAgentModel, type ScriptedAgentStep, type ScriptedRequest } from '../../src/agent/index.js';
import { openMemory, type AgentEvent, type Memory } from '../../src/app/index.js';
import { FIX, failingCheckRepo, taskIdIn } from '../helpers/failing-check-repo.js';
import { git } from '../helpers/git-repo.js';
import { tempDir } from '../helpers/temp-root.js';
import { promoteWebTopic } from '../helpers/untrusted-topic.js';

const REPO = join(import.meta.dirname, '..', '..');

async function project(config: object = {}): Promise<{ workspace: string; memory: Memory; dir: string }> {
  const workspace = await tempDir();
  await failingCheckRepo(workspace);
  const dir = join(workspace, '.mnemo');
  await openMemory({ dir, workspace, create: true, env: { MNEMO_LOG_LEVEL: 'silent' } }).then((memory) => memory.close());
  await writeFile(join(dir, 'mnemo.config.json'), JSON.stringify(config));
  const memory = await openMemory({ dir, workspace, env: { MNEMO_LOG_LEVEL: 'silent' } });
  return { workspace, memory, dir };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((yes) => (resolve = yes));
  return { promise, resolve };
}

/** The text of a request's messages (the system prompt apart). */
function userText(request: ScriptedRequest): string {
  return request.options.prompt
    .filter((message) => message.role !== 'system')
    .map((message) =>
      typeof message.content === 'string'
        ? message.content
        : message.content.map((part) => ('text' in part ? part.text : JSON.stringify(part))).join('\n'),
    )
    .join('\n');
}

function systemText(request: ScriptedRequest): string {
  return request.options.prompt
    .filter((message) => message.role === 'system')
    .map((message) => message.content)
    .join('\n');
}

const note = (name: string, description: string) => ({
  toolName: 'task_note',
  // a sub-agent's note lands in the parent's task whatever id it writes
  input: {
    task: 't-whatever',
    name,
    description,
    type: 'project',
    body: `${description}. **Why:** found by a sub-agent. **How to apply:** keep it in mind.`,
  },
});

function modelsByDescription(scripts: Record<string, ScriptedAgentStep[]>): {
  models: Record<string, ScriptedAgentModel>;
  pick: (request: { description: string }) => ScriptedAgentModel['model'];
} {
  const models = Object.fromEntries(Object.entries(scripts).map(([name, script]) => [name, createScriptedAgentModel(script)]));
  return { models, pick: ({ description }) => models[description]!.model };
}

describe('sub-agents (the agent tool)', () => {
  it('runs two sub-agents of one step at once (a barrier), stages their notes in the parent task, and only the parent verification promotes them', async () => {
    const { memory } = await project();
    try {
      // each sub-agent's first request waits for the other's: this finishes only if both run at once
      const arrived = { scout: deferred(), checker: deferred() };
      const { models, pick } = modelsByDescription({
        scout: [
          async () => {
            arrived.scout.resolve();
            await arrived.checker.promise;
            return { toolCalls: [{ toolName: 'grep', input: { pattern: 'greet' } }] };
          },
          { toolCalls: [note('Greet lives in greet.js', 'greet() is defined in greet.js')] },
          { text: 'greet() is defined in greet.js and used by check.js.' },
        ],
        checker: [
          async () => {
            arrived.checker.resolve();
            await arrived.scout.promise;
            return { toolCalls: [note('Check script', 'node check.js checks the greeting')] };
          },
          { text: 'check.js asserts greet("Ada") is "Hello, Ada!".' },
        ],
      });
      const parent = createScriptedAgentModel([
        {
          text: 'Splitting the work.',
          toolCalls: [
            { toolName: 'agent', input: { description: 'scout', prompt: 'Find where greet is defined. Report the file.' } },
            { toolName: 'agent', input: { description: 'checker', prompt: 'Read check.js and say what it asserts.' } },
          ],
        },
        { text: 'Both sub-agents reported.' },
      ]);
      const events: AgentEvent[] = [];
      const result = await memory
        .agent({ model: parent.model, subAgentModel: pick })
        .run('Find out how greet is checked.', { verify: 'node -e 0', onEvent: (event) => events.push(event) });
      expect(result.outcome).toBe('completed');
      expect(result.subAgents.map((agent) => [agent.id, agent.description, agent.outcome])).toEqual([
        ['agent-1', 'scout', 'completed'],
        ['agent-2', 'checker', 'completed'],
      ]);
      expect(result.subAgents.every((agent) => agent.usage.totalTokens > 0 && agent.notes.length === 1)).toBe(true);
      // the parent got each answer, notes and usage as a tool result
      const second = userText(parent.requests[1]!);
      expect(second).toContain('greet() is defined in greet.js and used by check.js.');
      expect(second).toContain('check.js asserts greet(\\"Ada\\") is \\"Hello, Ada!\\".');
      expect(second).toMatch(/Notes it staged in task t-[a-z0-9]+ \(unverified/);
      // the sub-agents' first requests carried their own prompt only, and no agent tool (depth 1)
      expect(userText(models.scout!.requests[0]!)).toContain('Find where greet is defined.');
      expect(userText(models.scout!.requests[0]!)).not.toContain('Read check.js');
      expect(Object.keys(models.scout!.requests[0]!.options.tools ?? []).length).toBeGreaterThan(0);
      expect((models.scout!.requests[0]!.options.tools ?? []).map((tool) => tool.name).sort()).toEqual([
        'glob',
        'grep',
        'read',
        'recall',
        'show',
        'task_note',
      ]);
      // the parent's verification promoted both notes
      expect(result.promoted.map((item) => item.slug)).toEqual(expect.arrayContaining(['greet-lives-in-greet-js', 'check-script']));
      // one progress event per sub-agent start and end
      expect(
        events
          .filter((event) => event.type === 'sub-agent')
          .map((event) => (event.type === 'sub-agent' ? `${event.id} ${event.status}` : '')),
      ).toEqual(expect.arrayContaining(['agent-1 running', 'agent-2 running', 'agent-1 done', 'agent-2 done']));
      // each transcript is a child session of the parent's, searchable in layer 3
      expect(result.subAgents.map((agent) => agent.session)).toEqual([`${result.session}.agent-1`, `${result.session}.agent-2`]);
      const deep = await memory.recall('greet is defined in greet.js used by check.js', { deep: true });
      expect(deep.turns.map((turn) => turn.session)).toContain(`${result.session}.agent-1`);
    } finally {
      memory.close();
    }
  });

  it('leaves sub-agent notes staged, never promoted, when the parent verification fails', async () => {
    const { memory } = await project();
    try {
      const child = createScriptedAgentModel([{ toolCalls: [note('Unproven idea', 'greet may be fine')] }, { text: 'Noted.' }]);
      const parent = createScriptedAgentModel([
        { toolCalls: [{ toolName: 'agent', input: { description: 'guess', prompt: 'Guess what is wrong.' } }] },
        { text: 'Done.' },
      ]);
      const result = await memory
        .agent({ model: parent.model, subAgentModel: () => child.model })
        .run('Make `node check.js` pass.', { verify: 'node check.js' });
      expect(result.outcome).toBe('verification-failed');
      expect(result.promoted).toEqual([]);
      expect(await memory.list()).toEqual([]);
      const status = await memory.status();
      expect(status.openTasks).toEqual([expect.objectContaining({ id: result.task, notes: 1 })]);
    } finally {
      memory.close();
    }
  });

  it('with concurrency 1 runs the sub-agents of a step one after the other', async () => {
    const { memory } = await project({ agent: { subAgents: { concurrency: 1 } } });
    try {
      const order: string[] = [];
      const script = (name: string): ScriptedAgentStep[] => [
        () => {
          order.push(`${name} asks`);
          return { text: `${name} done` };
        },
      ];
      const { pick } = modelsByDescription({ one: script('one'), two: script('two') });
      const parent = createScriptedAgentModel([
        { toolCalls: ['one', 'two'].map((description) => ({ toolName: 'agent', input: { description, prompt: `Task ${description}.` } })) },
        { text: 'ok' },
      ]);
      const events: string[] = [];
      const result = await memory.agent({ model: parent.model, subAgentModel: pick }).run('Two things.', {
        onEvent: (event) => {
          if (event.type === 'sub-agent') events.push(`${event.description} ${event.status}`);
        },
      });
      expect(result.subAgents.map((agent) => agent.outcome)).toEqual(['completed', 'completed']);
      expect(events).toEqual(['one running', 'one done', 'two running', 'two done']);
      expect(order).toEqual(['one asks', 'two asks']);
    } finally {
      memory.close();
    }
  });

  it('runs a sub-agent in a fresh worktree: the parent tree is untouched, the diff and branch come back, the worktree is gone', async () => {
    const { workspace, memory, dir } = await project();
    try {
      const statusBefore = git(workspace, 'status', '--porcelain');
      const child = createScriptedAgentModel([
        { toolCalls: [{ toolName: 'edit', input: FIX }] },
        { toolCalls: [{ toolName: 'bash', input: { command: 'node check.js' } }] },
        (request) => ({
          text: userText(request).includes('check passed')
            ? 'Fixed greet.js; node check.js passes in the worktree.'
            : 'The check still fails.',
        }),
      ]);
      const parent = createScriptedAgentModel([
        {
          toolCalls: [
            {
              toolName: 'agent',
              input: { description: 'fixer', prompt: 'Make `node check.js` pass.', tools: ['read', 'edit', 'bash'], isolation: 'worktree' },
            },
          ],
        },
        { text: 'The fix is on a branch.' },
      ]);
      const result = await memory
        .agent({ model: parent.model, subAgentModel: () => child.model, permissions: { allow: ['edit(*.js)', 'bash(node check.js)'] } })
        .run('Fix the greeting on a branch.');
      const [report] = result.subAgents;
      expect(report?.outcome).toBe('completed');
      expect(report?.answer).toBe('Fixed greet.js; node check.js passes in the worktree.');
      expect(report?.filesChanged).toEqual(['greet.js']);
      expect(report?.branch).toMatch(/^mnemo\/agent-agent-1-[a-z0-9]+$/);
      expect(report?.diff).toContain('+exports.greet = (name) => `Hello, ${name}!`;');
      // the parent's tree is as it was; the branch holds the fix; no worktree is left
      expect(git(workspace, 'status', '--porcelain')).toBe(statusBefore);
      expect(await readFile(join(workspace, 'greet.js'), 'utf8')).toContain("'Hi '");
      expect(git(workspace, 'show', `${report!.branch!}:greet.js`)).toContain('Hello, ${name}!');
      expect(git(workspace, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
      expect(await readdir(join(dir, '.state', 'worktrees'))).toEqual([]);
      expect(result.filesTouched).not.toContain('greet.js');
      // the parent model got the diff and the branch to apply or drop
      expect(userText(parent.requests[1]!)).toContain(`git merge ${report!.branch!}`);
    } finally {
      memory.close();
    }
  });

  it('refuses a worktree past agent.subAgents.maxWorktrees, clearly, while the first one runs', async () => {
    const { memory, dir } = await project({ agent: { subAgents: { maxWorktrees: 1 } } });
    try {
      const child = createScriptedAgentModel([{ text: 'Looked.' }, { text: 'Looked.' }]);
      const parent = createScriptedAgentModel([
        {
          toolCalls: ['first', 'second'].map((description) => ({
            toolName: 'agent',
            input: { description, prompt: 'Look around.', isolation: 'worktree' },
          })),
        },
        { text: 'ok' },
      ]);
      const result = await memory.agent({ model: parent.model, subAgentModel: () => child.model }).run('Look twice.');
      expect(result.subAgents.map((agent) => agent.outcome)).toEqual(['completed', 'refused']);
      expect(userText(parent.requests[1]!)).toContain('Refused: 1 worktree(s) are live and agent.subAgents.maxWorktrees is 1.');
      expect(userText(parent.requests[1]!)).toContain('run this one with isolation \\"none\\"');
      expect(await readdir(join(dir, '.state', 'worktrees'))).toEqual([]);
    } finally {
      memory.close();
    }
  });

  it('refuses a write tool the parent may not grant, as a tool result, and starts nothing', async () => {
    const { workspace, memory } = await project({
      agents: { reviewer: { system: 'You review changes and never edit.', tools: ['read', 'grep'] } },
    });
    try {
      const child = createScriptedAgentModel([{ text: 'Looks fine.' }]);
      const parent = createScriptedAgentModel([
        { toolCalls: [{ toolName: 'agent', input: { description: 'writer', prompt: 'Rewrite greet.js.', tools: ['read', 'write'] } }] },
        {
          toolCalls: [
            { toolName: 'agent', input: { description: 'review', prompt: 'Review greet.js.', agent: 'reviewer', tools: ['edit'] } },
          ],
        },
        { toolCalls: [{ toolName: 'agent', input: { description: 'review', prompt: 'Review greet.js.', agent: 'reviewer' } }] },
        { text: 'I could not get a writer; the review is done.' },
      ]);
      const result = await memory.agent({ model: parent.model, subAgentModel: () => child.model }).run('Improve greet.js.');
      expect(result.outcome).toBe('completed');
      expect(userText(parent.requests[1]!)).toContain(
        'Refused: a sub-agent cannot have write: your permissions do not allow it; the sub-agent was not started.',
      );
      expect(userText(parent.requests[1]!)).toContain("--allow 'write'");
      expect(userText(parent.requests[2]!)).toContain('Refused: the profile \\"reviewer\\" does not have edit');
      expect(result.subAgents.map((agent) => agent.outcome)).toEqual(['refused', 'refused', 'completed']);
      // only the reviewer ran: with its profile's system prompt and tools
      expect(child.requests).toHaveLength(1);
      expect(systemText(child.requests[0]!)).toContain('You review changes and never edit.');
      expect((child.requests[0]!.options.tools ?? []).map((tool) => tool.name).sort()).toEqual(['grep', 'read', 'task_note']);
      expect(await readFile(join(workspace, 'greet.js'), 'utf8')).toContain("'Hi '");
    } finally {
      memory.close();
    }
  });

  it('reports the files a sub-agent changed in the shared workspace, and a sub-agent whose model fails as failed, not a crash', async () => {
    const { workspace, memory } = await project();
    try {
      const writer = createScriptedAgentModel([
        { toolCalls: [{ toolName: 'write', input: { path: 'notes/summary.txt', content: 'greet says Hi\n' } }] },
        { text: 'Wrote notes/summary.txt.' },
      ]);
      const broken = createScriptedAgentModel([{ status: 400 }]);
      const pick = ({ description }: { description: string }) => (description === 'writer' ? writer.model : broken.model);
      const parent = createScriptedAgentModel([
        {
          toolCalls: [
            { toolName: 'agent', input: { description: 'writer', prompt: 'Write a summary to notes/summary.txt.', tools: ['write'] } },
            { toolName: 'agent', input: { description: 'broken', prompt: 'Anything.' } },
          ],
        },
        { text: 'One worked, one failed.' },
      ]);
      const result = await memory
        .agent({ model: parent.model, subAgentModel: pick, permissions: { allow: ['write(notes/**)'] } })
        .run('Summarize.');
      expect(result.outcome).toBe('completed');
      expect(result.subAgents.map((agent) => [agent.description, agent.outcome, agent.filesChanged])).toEqual([
        ['writer', 'completed', ['notes/summary.txt']],
        ['broken', 'failed', []],
      ]);
      expect(result.filesTouched).toContain('notes/summary.txt');
      expect(await readFile(join(workspace, 'notes', 'summary.txt'), 'utf8')).toBe('greet says Hi\n');
      expect(userText(parent.requests[1]!)).toContain('Sub-agent agent-2 (broken) did not complete (failed)');
    } finally {
      memory.close();
    }
  });

  it("keeps a sub-agent's first request within its memory budget (tokens counted with the project's tokenizer)", async () => {
    const { memory } = await project({ agent: { subAgents: { memoryBytes: 1024 } } });
    try {
      const topics: string[] = [];
      for (let index = 0; index < 30; index += 1) {
        const body = `The deploy pipeline step ${index} runs the greeting check before release; ${'it needs the staging credentials file and a warm cache. '.repeat(12)}`;
        topics.push(body);
        await memory.remember({
          name: `Deploy step ${index}`,
          description: `deploy pipeline step ${index} and the greeting check`,
          type: 'project',
          body,
        });
      }
      const child = createScriptedAgentModel([{ text: 'Reported.' }]);
      const parent = createScriptedAgentModel([
        {
          toolCalls: [
            { toolName: 'agent', input: { description: 'deploy', prompt: 'How does the deploy pipeline run the greeting check?' } },
          ],
        },
        { text: 'ok' },
      ]);
      const result = await memory
        .agent({ model: parent.model, subAgentModel: () => child.model })
        .run('Explain the deploy pipeline and its greeting check.');
      const first = userText(child.requests[0]!);
      const fence = /<memory source="mnemo recall"[\s\S]*?<\/memory>/.exec(first)?.[0];
      expect(fence).toBeDefined();
      expect(Buffer.byteLength(fence!)).toBeLessThanOrEqual(1024);
      expect(result.subAgents[0]?.memoryBytes).toBe(Buffer.byteLength(fence!));
      // the message is the prompt and that recall, nothing more of the memory
      expect(countTokens(first)).toBeLessThanOrEqual(
        countTokens('How does the deploy pipeline run the greeting check?') + countTokens(fence!) + 40,
      );
      const wholeMemory = countTokens(topics.join('\n\n'));
      const parentRecall = /<memory source="mnemo recall"[\s\S]*?<\/memory>/.exec(userText(parent.requests[0]!))?.[0] ?? '';
      expect(countTokens(fence!)).toBeLessThan(countTokens(parentRecall));
      expect(countTokens(fence!)).toBeLessThan(wholeMemory / 10);
    } finally {
      memory.close();
    }
  });

  it('cleans the worktree a SIGKILLed run left at the next run, keeping its unfinished change on the branch', async () => {
    const { workspace, memory, dir } = await project();
    memory.close();
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test/helpers/sub-agent-child.ts'), dir, workspace], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const running = new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('sub-agent waiting')) resolve();
      }),
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    await Promise.race([running, exited]);
    if (!stdout.includes('sub-agent waiting')) throw new Error(`the child did not start its sub-agent: ${stderr}`);
    const left = (await readdir(join(dir, '.state', 'worktrees'))).filter((name) => !name.endsWith('.json'));
    expect(left).toHaveLength(1);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(existsSync(join(dir, '.state', 'worktrees', left[0]!))).toBe(true);
    // the next run starts by removing what the dead one left
    const next = await openMemory({ dir, workspace, env: { MNEMO_LOG_LEVEL: 'silent' } });
    try {
      await next.agent({ model: createScriptedAgentModel([{ text: 'Nothing to do.' }]).model }).run('Say hello.');
    } finally {
      next.close();
    }
    expect(await readdir(join(dir, '.state', 'worktrees'))).toEqual([]);
    expect(git(workspace, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(git(workspace, 'show', `mnemo/agent-${left[0]!}:partial.txt`)).toBe('half of the work\n');
    expect(git(workspace, 'status', '--porcelain')).not.toContain('partial.txt');
  });

  it('is not offered, nor mentioned in the system prompt, when agent.subAgents.enabled is false', async () => {
    const { memory } = await project({ agent: { subAgents: { enabled: false } } });
    try {
      const parent = createScriptedAgentModel([(request) => ({ text: taskIdIn(request.text) })]);
      await memory.agent({ model: parent.model }).run('Anything.');
      expect((parent.requests[0]!.options.tools ?? []).map((tool) => tool.name)).not.toContain('agent');
      expect(systemText(parent.requests[0]!)).not.toMatch(/sub-agent/i);
    } finally {
      memory.close();
    }
  });

  it("gives the parent and its sub-agents MEMORY.md with an untrusted topic's line fenced as data", async () => {
    const { memory } = await project();
    try {
      await promoteWebTopic(memory, {
        name: 'Build mirror',
        description: 'where the builds are mirrored',
        body: 'The builds are mirrored at mirror.example.org.',
        origin: 'https://mirror.example.org/about',
      });
      const fencedLine = /⟦mnemo-data [a-z0-9]+ · untrusted topic from web: [^\n]*\n- \[Build mirror\]\(build-mirror\.md\)/;
      const child = createScriptedAgentModel([{ text: 'Mirrored at mirror.example.org.' }]);
      const parent = createScriptedAgentModel([
        { toolCalls: [{ toolName: 'agent', input: { description: 'scout', prompt: 'Where are the builds mirrored?' } }] },
        (request) => ({ text: taskIdIn(request.text) }),
      ]);
      await memory.agent({ model: parent.model, subAgentModel: () => child.model }).run('Find the build mirror.');
      expect(systemText(parent.requests[0]!)).toMatch(fencedLine);
      const first = child.requests[0]!;
      expect(`${systemText(first)}\n${userText(first)}`).toMatch(fencedLine);
    } finally {
      memory.close();
    }
  });
});
