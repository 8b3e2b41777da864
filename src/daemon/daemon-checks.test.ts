import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/index.js';
import { tempDir } from '../../test/helpers/temp-root.js';
import { resolveChecks, runCheck } from './daemon-checks.js';

describe('the daemon checks', () => {
  it('without daemon.checks: tsc when there is a tsconfig.json, the lint and test scripts (not npm init’s placeholder)', async () => {
    const workspace = await tempDir();
    expect(resolveChecks({ checks: undefined }, workspace)).toEqual([]);
    await writeFile(join(workspace, 'tsconfig.json'), '{}');
    await writeFile(join(workspace, 'package.json'), JSON.stringify({ scripts: { lint: 'eslint .', test: 'vitest run', build: 'tsc' } }));
    expect(resolveChecks({ checks: undefined }, workspace).map((check) => [check.name, check.command, check.on, check.detected])).toEqual([
      ['typecheck', 'npx --no-install tsc --noEmit', ['change'], true],
      ['lint', 'npm run --silent lint', ['change'], true],
      ['test', 'npm run --silent test', ['change'], true],
    ]);
    await writeFile(join(workspace, 'package.json'), JSON.stringify({ scripts: { test: 'echo "Error: no test specified" && exit 1' } }));
    expect(resolveChecks({ checks: undefined }, workspace).map((check) => check.name)).toEqual(['typecheck']);
    // a config list wins, even an empty one
    expect(resolveChecks({ checks: [] }, workspace)).toEqual([]);
  });

  it('the config refuses a scheduled check without cron and a timeout given in seconds, with what to fix; the documented example parses', async () => {
    const scheduled = configSchema().safeParse({ daemon: { checks: [{ name: 'nightly', command: 'npm test', on: ['schedule'] }] } });
    expect(scheduled.success).toBe(false);
    expect(scheduled.error?.issues[0]?.message).toMatch(/needs a "cron" expression/);
    const seconds = configSchema().safeParse({ daemon: { checks: [{ name: 'x', command: 'true', timeout: 30 }] } });
    expect(seconds.error?.issues[0]?.message).toMatch(/milliseconds/);
    // the example of docs/daemon.md is a valid config
    const docs = await readFile(join(import.meta.dirname, '..', '..', 'docs', 'daemon.md'), 'utf8');
    const example = [...docs.matchAll(/```json\n([\s\S]*?)```/g)]
      .map((match) => match[1] ?? '')
      .find((block) => block.includes('"checks"'));
    expect(configSchema().parse(JSON.parse(example ?? '{}')).daemon.checks?.map((check) => check.name)).toEqual([
      'typecheck',
      'lint',
      'nightly',
    ]);
    const parsed = configSchema().parse({ daemon: { checks: [{ name: 'x', command: 'true' }] } });
    expect(parsed.daemon).toMatchObject({ debounceMs: 1500, notify: [], checks: [{ name: 'x', on: ['change'], timeout: 300_000 }] });
  });

  it('a run passes only on exit 0; a failure carries its diagnostics; a command that is missing fails, it does not pass', async () => {
    const workspace = await tempDir();
    const now = () => new Date('2026-01-02T03:04:05Z');
    const check = { name: 'c', on: ['change' as const], cron: undefined, timeout: 60_000, detected: false };
    expect((await runCheck({ ...check, command: 'true' }, { workspace, now })).outcome).toBe('passed');
    const failed = await runCheck(
      { ...check, command: `echo "src/a.ts(3,5): error TS2304: Cannot find name 'x'."; exit 2` },
      { workspace, now },
    );
    expect(failed).toMatchObject({ outcome: 'failed', exitCode: 2, startedAt: '2026-01-02T03:04:05.000Z' });
    expect(failed.diagnostics[0]).toMatchObject({ file: 'src/a.ts', line: 3, code: 'TS2304' });
    const missing = await runCheck({ ...check, command: 'definitely-not-a-program-mnemo' }, { workspace, now });
    expect(missing.outcome).toBe('failed');
    expect(missing.exitCode).toBe(127);
  });
});
