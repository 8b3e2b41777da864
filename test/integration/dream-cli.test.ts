import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import { fileHashes, writeSession, writeTopic } from '../helpers/dream-fixtures.js';
import { cli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-root.js';

const env = { MNEMO_NOW: '2026-11-25T10:00:00Z' };

async function root(): Promise<{ cwd: string; dir: string }> {
  const cwd = await tempDir();
  const dir = join(cwd, 'm');
  await cli(['init', '--dir', dir], { cwd });
  await writeTopic(
    dir,
    'api-port',
    { name: 'API port', description: 'the port of the API', type: 'project', verified: '2026-11-20T00:00:00Z' },
    'The API port is 8080 everywhere.',
  );
  await writeTopic(
    dir,
    'api-port-setting',
    { name: 'API port setting', description: 'which port the API listens on', type: 'project', created: '2026-11-22T00:00:00Z' },
    'The API port is 9090 everywhere.',
  );
  await writeSession(dir, '2026-11-20-a1b2', [{ kind: 'user', text: 'set up the API', time: '2026-11-20T09:00:00Z' }]);
  await cli(['index', '--dir', dir], { cwd, env });
  return { cwd, dir };
}

/** The CLI on a pretend terminal: progress and hints on stderr. */
async function onTerminal(argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    cwd,
    env: { MNEMO_LOG_LEVEL: 'silent', ...env },
    isTty: true,
  });
  return { code, stdout, stderr };
}

describe('mnemo dream', () => {
  it('--propose prints the plan as a diff with reasons and changes nothing', async () => {
    const { cwd, dir } = await root();
    const before = await fileHashes(dir);
    const run = await cli(['dream', '--propose', '--dir', dir], { cwd, env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('(proposed: nothing was changed)');
    expect(run.stdout).toContain('## Settled conflicts');
    expect(run.stdout).toContain('api-port wins: api-port was verified on 2026-11-20, api-port-setting never');
    expect(run.stdout).toContain('+status: superseded');
    expect(await fileHashes(dir)).toEqual(before);
  });

  it('applies, reports, shows its status, and rolls back byte for byte', async () => {
    const { cwd, dir } = await root();
    const before = await fileHashes(dir);
    const run = await cli(['dream', '--dir', dir], { cwd, env });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Dream \S+ applied: supersede 1\./);
    const reportPath = /Report: (\S+)/.exec(run.stdout)?.[1] ?? '';
    expect(await readFile(reportPath, 'utf8')).toContain('conflict on "api port"');
    const status = await cli(['dream', 'status', '--dir', dir], { cwd, env });
    expect(status.stdout).toMatch(/last dream: \S+ at 2026-11-25T10:00:00Z \(applied\): supersede 1, 2 topic\(s\) changed/);
    expect(status.stdout).toContain('due: no: nothing happened since the last dream');
    const json = JSON.parse((await cli(['status', '--json', '--dir', dir], { cwd, env })).stdout) as {
      lastDream: string;
      dream: { due: boolean };
    };
    expect(json.lastDream).toBe('2026-11-25T10:00:00Z');
    expect(json.dream.due).toBe(false);
    const rollback = await cli(['dream', 'rollback', '--dir', dir], { cwd, env });
    expect(rollback.stdout).toContain('2 topic(s) restored byte for byte');
    expect(await fileHashes(dir)).toEqual(before);
    expect((await cli(['index', '--check', '--dir', dir], { cwd, env })).code).toBe(0);
    const again = await cli(['dream', 'rollback', '--dir', dir], { cwd, env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('No dream to roll back.');
  });

  it('--if-due dreams only when due and exits 0 quietly otherwise; --json is machine-readable', async () => {
    const { cwd, dir } = await root();
    const due = await cli(['dream', '--if-due', '--json', '--dir', dir], { cwd, env });
    expect(JSON.parse(due.stdout)).toMatchObject({ status: 'applied', trigger: [expect.stringMatching(/without activity \(≥ 24 h\)/)] });
    const quiet = await cli(['dream', '--if-due', '--dir', dir], { cwd, env });
    expect(quiet).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('shows progress and a due hint only on a terminal', async () => {
    const { cwd, dir } = await root();
    const list = await onTerminal(['list', '--dir', dir], cwd);
    expect(list.stderr).toContain('hint: a dream is due');
    expect((await cli(['list', '--dir', dir], { cwd, env })).stderr).toBe('');
    const dream = await onTerminal(['dream', '--dir', dir], cwd);
    expect(
      dream.stderr
        .split('\n')
        .filter((line) => line.startsWith('dream: '))
        .map((line) => line.split(' ')[1]),
    ).toEqual(['orient', 'gather', 'consolidate', 'prune', 're-index', 'applied', 'report']);
    expect((await onTerminal(['list', '--dir', dir], cwd)).stderr).toBe('');
  });
});
