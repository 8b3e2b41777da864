import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/run-cli.js';
import { CLI, assertBuilt, memoryProject } from './mcp-harness.js';

beforeAll(assertBuilt);

/** `mnemo ui --port 0` as a child process; resolves with the URL it prints once it listens. */
function startDashboard(cwd: string): Promise<{ url: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, 'ui', '--port', '0'], { cwd, env: { ...process.env, MNEMO_LOG_LEVEL: 'warn' } });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^(http:\/\/\S+)\n/.exec(stdout);
      if (match?.[1]) {
        resolve({
          url: match[1],
          stop: async () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    void exited.then((code) => reject(new Error(`mnemo ui exited (${code}) before listening: ${stderr}`)));
  });
}

describe('mnemo ui (the built CLI)', () => {
  it('prints a loopback URL with a fresh token, answers 401 without it, and stops cleanly on SIGTERM', async () => {
    const { cwd } = await memoryProject();
    await cli(['remember', 'Staging deploys are blue-green.', '--name', 'Staging deploys', '--description', 'how', '--type', 'project'], {
      cwd,
    });
    const first = await startDashboard(cwd);
    const second = await startDashboard(cwd);
    try {
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{40,}$/);
      expect(new URL(first.url).searchParams.get('token')).not.toBe(new URL(second.url).searchParams.get('token'));
      const origin = new URL(first.url).origin;
      expect((await fetch(`${origin}/topics`)).status).toBe(401);
      const page = await fetch(first.url, { redirect: 'manual' });
      expect(page.status).toBe(303);
      const cookie = String(page.headers.get('set-cookie')).split(';')[0] ?? '';
      const topics = await fetch(`${origin}/topics`, { headers: { cookie } });
      expect(topics.status).toBe(200);
      expect(await topics.text()).toContain('Staging deploys');
    } finally {
      expect(await first.stop()).toBe(0);
      expect(await second.stop()).toBe(0);
    }
  });

  it('refuses another host without --allow-remote and a token (exit 2), like mcp --http', async () => {
    const { cwd } = await memoryProject();
    const refused = await cli(['ui', '--host', '0.0.0.0'], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/would expose the memory beyond this machine/);
    const noToken = await cli(['ui', '--host', '0.0.0.0', '--allow-remote'], { cwd });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/requires a token/);
  });
});
