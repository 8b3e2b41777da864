import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openMemory } from '../../src/index.js';
import { cli } from '../helpers/run-cli.js';
import { runTsChild } from '../helpers/spawn-child.js';
import { tempDir } from '../helpers/temp-root.js';

async function project(
  config?: Record<string, unknown>,
): Promise<{ cwd: string; dir: string; run: (args: string[]) => ReturnType<typeof cli> }> {
  const cwd = await tempDir();
  const dir = join(cwd, '.mnemo');
  await cli(['init', '--dir', dir], { cwd });
  if (config) await writeFile(join(dir, 'mnemo.config.json'), JSON.stringify(config));
  return { cwd, dir, run: (args) => cli([...args, '--dir', dir], { cwd }) };
}

async function transcriptEvents(dir: string): Promise<{ kind: string; text: string; task?: string; data?: Record<string, unknown> }[]> {
  const events = [];
  for (const name of await readdir(join(dir, 'sessions'))) {
    for (const line of (await readFile(join(dir, 'sessions', name), 'utf8')).trim().split('\n')) events.push(JSON.parse(line));
  }
  return events;
}

const topicFiles = async (dir: string) => (await readdir(dir)).filter((name) => name.endsWith('.md') && name !== 'MEMORY.md').sort();

describe('a task that fails, then passes', () => {
  it('promotes nothing on failure, then the notes and a lesson once its check passes', async () => {
    const { cwd, dir, run } = await project();
    await writeFile(join(cwd, 'check.sh'), 'echo "FAIL src/config.test.ts > loads config without port"; exit 1\n');
    const id = (await run(['task', 'begin', 'tolerate a missing port', '--verify', 'sh check.sh'])).stdout.trim();
    expect(id).toMatch(/^t-[a-z0-9]{6}$/);
    await run([
      'task',
      'observe',
      id,
      '--kind',
      'error',
      "TypeError: Cannot read properties of undefined (reading 'port')\n    at loadConfig (src/config.ts:42:13)",
    ]);
    const staged = await run([
      'task',
      'note',
      id,
      'loadConfig falls back to port 8080.',
      '--name',
      'Port default',
      '--description',
      'the API port defaults to 8080',
      '--type',
      'project',
    ]);
    expect(staged.stdout).toMatch(/Staged n-\w+ in t-\w+ \(trusted\)/);

    const failed = await run(['task', 'complete', id]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/Verification failed .* Nothing was promoted/);
    expect(await topicFiles(dir)).toEqual([]);
    expect(await readFile(join(dir, 'MEMORY.md'), 'utf8')).toBe('');
    // Staged notes are invisible to other sessions, visible to the task itself as unverified.
    expect((await run(['recall', 'port default'])).stdout).toBe('');
    expect((await run(['recall', 'port default', '--task', id])).stdout).toMatch(/unverified: staged in task/);
    const attempt = (await transcriptEvents(dir)).find((event) => event.kind === 'attempt-failed');
    expect(attempt?.text).toContain('FAIL src/config.test.ts');
    expect(attempt?.data?.notes).toEqual([expect.objectContaining({ name: 'Port default' })]);

    await writeFile(join(cwd, 'check.sh'), 'exit 0\n');
    const passed = await run(['task', 'complete', id, '--summary', 'default the port in loadConfig', '--json']);
    expect(passed.code).toBe(0);
    const result = JSON.parse(passed.stdout);
    expect(result.outcome).toBe('promoted');
    expect(result.promoted.map((item: { action: string }) => item.action).sort()).toEqual(['created', 'lesson', 'lesson']);
    const topic = await readFile(join(dir, 'port-default.md'), 'utf8');
    expect(topic).toMatch(new RegExp(`source: \\{kind: agent, session: [\\w-]+, task: ${id}, trust: trusted\\}`));
    const index = await readFile(join(dir, 'MEMORY.md'), 'utf8');
    expect(index).toContain('(port-default.md)');
    expect(index).toMatch(/## Lessons/);
    const audit = (await readFile(join(dir, '.state', 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(audit.map((entry) => entry.action).sort()).toEqual(['lesson-created', 'lesson-created', 'task-completed', 'topic-promoted']);
    expect((await run(['task', 'list', '--json'])).stdout.trim()).toBe('[]');
    expect(existsSync(join(dir, '.state', 'tasks', `${id}.json`))).toBe(true);

    // The same error in other words (another file, another line) brings the lesson first.
    const recall = JSON.parse(
      (
        await run([
          'recall',
          "got TypeError: Cannot read properties of undefined (reading 'port') at startServer (src/server.ts:88:2)",
          '--json',
        ])
      ).stdout,
    );
    expect(recall.topics[0].type).toBe('lesson');
    expect(recall.topics[0].body).toContain('default the port in loadConfig');
    expect(recall.topics[0].caveats[0]).toMatch(/carries its error signature/);
  });

  it('a check that hangs is stopped by the timeout and counts as a failure', async () => {
    const { run } = await project({ tasks: { verifyTimeoutMs: 300 } });
    const id = (await run(['task', 'begin', 'slow', '--verify', 'sleep 30'])).stdout.trim();
    const started = Date.now();
    const result = JSON.parse((await run(['task', 'complete', id, '--json'])).stdout);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result).toMatchObject({ outcome: 'verification-failed', attempt: { timedOut: true, passed: false } });
  });

  it('runs the check in the workspace', async () => {
    const { cwd, run } = await project();
    await writeFile(join(cwd, 'marker.txt'), 'here');
    const id = (await run(['task', 'begin', 'cwd', '--verify', 'test -f marker.txt'])).stdout.trim();
    expect((await run(['task', 'complete', id])).code).toBe(0);
  });
});

describe('write discipline', () => {
  it('a task without a check needs a person: --confirmed', async () => {
    const { run, dir } = await project();
    const id = (await run(['task', 'begin', 'document the deploy'])).stdout.trim();
    await run([
      'task',
      'note',
      id,
      'Deploys run from CI only.',
      '--name',
      'Deploys',
      '--description',
      'where deploys run',
      '--type',
      'project',
    ]);
    const refused = await run(['task', 'complete', id]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/only a person can confirm it/);
    expect(refused.stderr).toMatch(/--confirmed/);
    expect((await run(['task', 'complete', id, '--confirmed'])).code).toBe(0);
    expect(await topicFiles(dir)).toEqual(['deploys.md']);
  });

  it('an update of an existing topic supersedes it instead of adding a near-duplicate', async () => {
    const { run, dir } = await project();
    await run([
      'remember',
      'Staging deploys are blue-green.',
      '--name',
      'Staging deploy strategy',
      '--description',
      'how staging deploys work',
      '--type',
      'project',
    ]);
    await run([
      'remember',
      'The API listens on 8080.',
      '--name',
      'API port',
      '--description',
      'which port the API uses',
      '--type',
      'project',
    ]);
    const id = (await run(['task', 'begin', 'move to canary'])).stdout.trim();
    await run([
      'task',
      'note',
      id,
      'Staging deploys are canary now.',
      '--name',
      'Staging deploy strategy details',
      '--description',
      'how staging deploys work now',
      '--type',
      'project',
    ]);
    await run([
      'task',
      'note',
      id,
      'The API listens on 9090.',
      '--name',
      'API port',
      '--description',
      'which port the API uses',
      '--type',
      'project',
    ]);
    const result = JSON.parse((await run(['task', 'complete', id, '--confirmed', '--json'])).stdout);
    expect(result.promoted).toEqual([
      expect.objectContaining({ slug: 'staging-deploy-strategy-details', action: 'superseded', supersedes: 'staging-deploy-strategy' }),
      expect.objectContaining({ slug: 'api-port', action: 'updated' }),
    ]);
    const old = await readFile(join(dir, 'staging-deploy-strategy.md'), 'utf8');
    expect(old).toMatch(/status: superseded/);
    expect(old).toMatch(/supersededBy: \w+/);
    const index = await readFile(join(dir, 'MEMORY.md'), 'utf8');
    expect(index).not.toContain('(staging-deploy-strategy.md)');
    expect(index).toContain('(staging-deploy-strategy-details.md)');
    expect(index.match(/api-port\.md/g)).toHaveLength(1);
    expect(await readFile(join(dir, 'api-port.md'), 'utf8')).toContain('9090');
    const trash = await readdir(join(dir, '.state', 'trash'));
    const copies = await Promise.all(trash.map((name) => readFile(join(dir, '.state', 'trash', name), 'utf8')));
    expect(copies.some((copy) => copy.includes('8080'))).toBe(true);
    const recall = JSON.parse((await run(['recall', 'staging deploy strategy', '--json'])).stdout);
    expect(recall.topics.map((topic: { slug: string }) => topic.slug)).not.toContain('staging-deploy-strategy');
  });

  it('fail and abandon promote nothing; open tasks are listed by status until then', async () => {
    const { run, dir } = await project();
    const one = (await run(['task', 'begin', 'try a thing'])).stdout.trim();
    const two = (await run(['task', 'begin', 'left open by a crash'])).stdout.trim();
    await run(['task', 'note', one, 'maybe true', '--name', 'Guess', '--description', 'an unverified guess', '--type', 'project']);
    const status = JSON.parse((await run(['status', '--json'])).stdout);
    expect(status.openTasks.map((task: { id: string }) => task.id).sort()).toEqual([one, two].sort());
    expect((await run(['task', 'fail', one, '--reason', 'did not work'])).code).toBe(0);
    expect((await run(['task', 'abandon', two])).code).toBe(0);
    expect(await topicFiles(dir)).toEqual([]);
    expect(JSON.parse((await run(['status', '--json'])).stdout).openTasks).toEqual([]);
    expect((await transcriptEvents(dir)).find((event) => event.kind === 'task-failed')?.data?.notes).toHaveLength(1);
    const again = await run(['task', 'complete', one, '--confirmed']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/is failed/);
    expect(JSON.parse((await run(['task', 'list', '--all', '--json'])).stdout)).toHaveLength(2);
  });

  it('a remember from an agent goes through a task; from a person it is written at once', async () => {
    const { run, dir } = await project();
    const staged = await run([
      'remember',
      'Use pnpm.',
      '--name',
      'Package manager',
      '--description',
      'which package manager',
      '--type',
      'project',
      '--source',
      'agent',
    ]);
    expect(staged.stdout).toMatch(/Staged in task (t-\w+)/);
    expect(await topicFiles(dir)).toEqual([]);
    const id = /task (t-\w+)/.exec(staged.stdout)?.[1] as string;
    await run(['task', 'complete', id, '--confirmed']);
    expect(await topicFiles(dir)).toEqual(['package-manager.md']);
    expect(await readFile(join(dir, 'package-manager.md'), 'utf8')).toMatch(/source: \{kind: agent/);
    expect((await run(['remember', 'x', '--name', 'X', '--description', 'x', '--type', 'project', '--source', 'martian'])).code).toBe(2);
  });

  it('confirm mode holds promotions until a person approves', async () => {
    const { run, dir } = await project({ writes: 'confirm' });
    const id = (await run(['task', 'begin', 'held'])).stdout.trim();
    await run(['task', 'note', id, 'Held fact.', '--name', 'Held', '--description', 'a held fact', '--type', 'project']);
    const held = await run(['task', 'complete', id, '--confirmed']);
    expect(held.stdout).toMatch(/wait for `mnemo task approve/);
    expect(await topicFiles(dir)).toEqual([]);
    expect((await run(['status'])).stdout).toMatch(/writes\s+confirm/);
    expect((await run(['task', 'approve', id])).code).toBe(0);
    expect(await topicFiles(dir)).toEqual(['held.md']);
  });

  it('read-only and off refuse writes with a clear message', async () => {
    const readOnly = await project({ writes: 'read-only' });
    const id = (await readOnly.run(['task', 'begin', 'look around'])).stdout.trim();
    const refused = await readOnly.run(['task', 'complete', id, '--confirmed']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/memory writes are set to "read-only"/);
    expect((await readOnly.run(['remember', 'x', '--name', 'X', '--description', 'x', '--type', 'project'])).stderr).toMatch(/"read-only"/);
    expect((await readOnly.run(['log', 'still logged', '--session', 's', '--kind', 'note'])).code).toBe(0);
    const off = await project({ writes: 'off' });
    const offLog = await off.run(['log', 'x', '--session', 's', '--kind', 'note']);
    expect(offLog.code).toBe(2);
    expect(offLog.stderr).toMatch(/"off"/);
    expect((await off.run(['task', 'begin', 'x'])).code).toBe(2);
  });
});

describe('the task API', () => {
  it('memory.beginTask({ goal, verify }) returns note, observe, complete and fail', async () => {
    const cwd = await tempDir();
    const memory = await openMemory({ dir: join(cwd, '.mnemo'), create: true, cwd, config: { logLevel: 'silent' } });
    try {
      const task = await memory.beginTask({ goal: 'make lint pass', verify: 'exit 0' });
      await task.observe('error', 'error  Unexpected any. Specify a different type  @typescript-eslint/no-explicit-any (src/a.ts:3:9)');
      await task.note({ name: 'No explicit any', description: 'lint forbids any', type: 'feedback', body: 'Use unknown instead of any.' });
      const result = await task.complete();
      expect(result.outcome).toBe('promoted');
      expect((await memory.list()).map((topic) => topic.slug).sort()).toEqual([expect.stringMatching(/^lesson-/), 'no-explicit-any']);
      const failing = await memory.beginTask({ goal: 'impossible', verify: 'exit 3' });
      expect((await failing.complete()).outcome).toBe('verification-failed');
      expect((await failing.fail('gave up')).status).toBe('failed');
    } finally {
      memory.close();
    }
  });
});

describe('tasks across processes', () => {
  it('two processes completing tasks while a third remembers lose nothing', async () => {
    const { run, dir } = await project();
    const results = await Promise.all([
      runTsChild('test/helpers/child-writer.ts', ['task-cycle', dir, 'north', '5']),
      runTsChild('test/helpers/child-writer.ts', ['task-cycle', dir, 'south', '5']),
      runTsChild('test/helpers/child-writer.ts', ['remember-many', dir, 'east', '5']),
    ]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(await topicFiles(dir)).toHaveLength(15);
    expect((await run(['index', '--check'])).code).toBe(0);
    expect(JSON.parse((await run(['task', 'list', '--json'])).stdout)).toEqual([]);
  });

  for (const phase of ['journal-written', 'topic-written', 'removals-done', 'audit-written']) {
    it(`a kill at ${phase} during a promotion leaves all notes promoted or none, after mnemo index`, async () => {
      const { run, dir } = await project();
      const id = (await run(['task', 'begin', 'three notes'])).stdout.trim();
      for (const name of ['First', 'Second', 'Third'])
        await run(['task', 'note', id, `${name} fact.`, '--name', name, '--description', `the ${name} fact`, '--type', 'project']);
      const crashed = await runTsChild('test/helpers/child-writer.ts', ['complete-crash', dir, id, phase]);
      expect(crashed.signal).toBe('SIGKILL');
      expect((await run(['index'])).code).toBe(0);
      const files = await topicFiles(dir);
      expect([[], ['first.md', 'second.md', 'third.md']]).toContainEqual(files);
      expect((await run(['index', '--check'])).code).toBe(0);
      const task = JSON.parse((await run(['task', 'show', id, '--json'])).stdout);
      expect(task.status).toBe(files.length === 3 ? 'completed' : 'open');
    });
  }
});
