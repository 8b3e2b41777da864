import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { acquireLock } from '../../src/shared/index.js';
import { cli } from '../helpers/run-cli.js';
import { CLI, REPO, assertBuilt, memoryProject } from './mcp-harness.js';

beforeAll(assertBuilt);

const FIXTURES = join(REPO, 'test', 'fixtures', 'claude-code-hooks');

function hook(cwd: string, event: string, payload: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'hook', event], { cwd, env: { ...process.env, MNEMO_LOG_LEVEL: 'warn' } });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout }));
    child.stdin.end(payload);
  });
}

async function sessionKinds(dir: string): Promise<string[]> {
  if (!existsSync(join(dir, 'sessions'))) return [];
  const kinds: string[] = [];
  for (const name of await readdir(join(dir, 'sessions'))) {
    const text = await readFile(join(dir, 'sessions', name), 'utf8');
    kinds.push(
      ...text
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { kind: string }).kind),
    );
  }
  return kinds;
}

describe('the built `mnemo hook` as Claude Code runs it', () => {
  it('stop returns at once, printing nothing, while its import waits in a detached child that then adds the turn', async () => {
    // No dream is due here, so none runs in the background after the test removed its folder.
    const { cwd, dir } = await memoryProject({ dream: { idleHours: 100_000, sessions: 100 } });
    const transcript = join(cwd, 'session.jsonl');
    await writeFile(transcript, await readFile(join(FIXTURES, 'transcript.jsonl'), 'utf8'));
    const payload = (await readFile(join(FIXTURES, 'stop.json'), 'utf8'))
      .replaceAll('TRANSCRIPT_PATH', transcript)
      .replaceAll('PROJECT_DIR', cwd);
    // Hold the import lock: a hook that did its work before exiting could not exit until it is released.
    const lock = await acquireLock(join(dir, '.state', 'locks', 'claude-code-import.lock'), { purpose: 'the test holds the import' });
    try {
      expect(await hook(cwd, 'stop', payload)).toEqual({ code: 0, stdout: '' });
      expect(await sessionKinds(dir)).toEqual([]);
    } finally {
      await lock.release();
    }
    await vi.waitFor(
      async () =>
        expect(await sessionKinds(dir)).toEqual(['user', 'assistant', 'tool-use', 'tool-result', 'tool-use', 'tool-error', 'assistant']),
      { timeout: 30_000, interval: 50 },
    );
    // The child has finished once it saved its read offset (so the test's cleanup does not race it).
    await vi.waitFor(() => expect(existsSync(join(dir, '.state', 'claude-code-imports.json'))).toBe(true), {
      timeout: 30_000,
      interval: 50,
    });
    const [session] = await readdir(join(dir, 'sessions'));
    expect(session).toMatch(/5a0ddcd0-5487-4794-99ac-143f6bb9e248\.jsonl$/);
  });

  it('user-prompt-submit answers in the documented JSON, and with nothing at all for a prompt no memory matches', async () => {
    const { cwd } = await memoryProject();
    await cli(
      [
        'remember',
        'Run `make flip` to switch staging traffic.',
        '--name',
        'Staging traffic switch',
        '--description',
        'how staging traffic is switched',
        '--type',
        'project',
      ],
      { cwd },
    );
    const payload = (prompt: string) =>
      JSON.stringify({
        session_id: 'e2e-session',
        transcript_path: join(cwd, 't.jsonl'),
        cwd,
        hook_event_name: 'UserPromptSubmit',
        prompt,
      });
    const matched = await hook(cwd, 'user-prompt-submit', payload('how do I switch staging traffic?'));
    expect(matched.code).toBe(0);
    expect(JSON.parse(matched.stdout).hookSpecificOutput).toMatchObject({
      hookEventName: 'UserPromptSubmit',
      additionalContext: expect.stringContaining('make flip'),
    });
    expect(await hook(cwd, 'user-prompt-submit', payload('rename the variable in utils.py'))).toEqual({ code: 0, stdout: '' });
  });
});
