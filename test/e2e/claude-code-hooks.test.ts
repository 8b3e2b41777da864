import { spawn } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
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

describe('the built `mnemo hook` as Claude Code runs it', () => {
  it('stop imports the turn and returns at once (the dream check runs detached), printing nothing on stdout', async () => {
    // No dream is due here, so none runs in the background after the test removed its folder.
    const { cwd, dir } = await memoryProject({ dream: { idleHours: 100_000, sessions: 100 } });
    const transcript = join(cwd, 'session.jsonl');
    await writeFile(transcript, await readFile(join(FIXTURES, 'transcript.jsonl'), 'utf8'));
    const payload = (await readFile(join(FIXTURES, 'stop.json'), 'utf8'))
      .replaceAll('TRANSCRIPT_PATH', transcript)
      .replaceAll('PROJECT_DIR', cwd);
    const result = await hook(cwd, 'stop', payload);
    expect(result).toEqual({ code: 0, stdout: '' });
    const [session] = await readdir(join(dir, 'sessions'));
    expect(session).toMatch(/5a0ddcd0-5487-4794-99ac-143f6bb9e248\.jsonl$/);
    const kinds = (await readFile(join(dir, 'sessions', session ?? ''), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { kind: string }).kind);
    expect(kinds).toEqual(['user', 'assistant', 'tool-use', 'tool-result', 'tool-use', 'tool-error', 'assistant']);
  });
});
