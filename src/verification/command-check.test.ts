import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-root.js';
import { runProcess, systemClock, type ProcessRunner } from '../shared/index.js';
import type { CheckContext } from './check-context.js';
import { parseCommandLine } from './command-line.js';
import { checkEvidence } from './evidence-check.js';
import { checkTopic } from './topic-check.js';

interface Recorded {
  runner: ProcessRunner;
  calls: { command: string; args: readonly string[]; cwd: string; timeoutMs: number }[];
}

/** The real runner, recording every call. */
function recordingRunner(): Recorded {
  const calls: Recorded['calls'] = [];
  const runner: ProcessRunner = async (command, args, options) => {
    calls.push({ command, args, cwd: options.cwd, timeoutMs: options.timeoutMs });
    return runProcess(command, args, options);
  };
  return { runner, calls };
}

function contextFor(workspace: string, runner: ProcessRunner, overrides: Partial<CheckContext> = {}): CheckContext {
  return {
    workspace,
    clock: systemClock,
    trust: 'trusted',
    allowCommands: true,
    allowHttp: false,
    allowedHosts: [],
    commandTimeoutMs: 5000,
    runner,
    ...overrides,
  };
}

const node = (script: string): string => `node -e ${JSON.stringify(script)}`;

describe('command line splitting', () => {
  it.each([
    ['npm run deploy:check', ['npm', 'run', 'deploy:check']],
    ['node -e "process.exit(3)"', ['node', '-e', 'process.exit(3)']],
    ["grep -q 'a b' file.txt", ['grep', '-q', 'a b', 'file.txt']],
    ["echo '$HOME'", ['echo', '$HOME']],
  ])('splits %j into argv', (run, argv) => {
    expect(parseCommandLine(run)).toEqual({ ok: true, argv });
  });

  it.each([
    'a | b',
    'a; b',
    'a && b',
    'a || b',
    'a > out.txt',
    'a < in.txt',
    'a 2>&1',
    'echo $(ls)',
    'echo `ls`',
    'echo $HOME',
    'rm *.ts',
    'FOO=1 npm test',
    'cat ~/x',
    'a & b',
    'a # c',
    'a\nb',
  ])('refuses %j: it needs a shell', (run) => {
    const parsed = parseCommandLine(run);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(/^needs a shell; not run/);
  });
});

describe('command evidence', () => {
  it('never runs for untrusted topics, even when commands are allowed', async () => {
    const root = await tempDir();
    const { runner, calls } = recordingRunner();
    const verdict = await checkEvidence({ kind: 'command', run: 'touch ran.txt' }, contextFor(root, runner, { trust: 'untrusted' }));
    expect(verdict).toMatchObject({ status: 'unverifiable', detail: 'untrusted provenance never runs commands' });
    expect(calls).toEqual([]);
  });

  it('never runs when commands are not allowed', async () => {
    const root = await tempDir();
    const { runner, calls } = recordingRunner();
    const verdict = await checkEvidence({ kind: 'command', run: 'touch ran.txt' }, contextFor(root, runner, { allowCommands: false }));
    expect(verdict.status).toBe('unverifiable');
    expect(verdict.detail).toMatch(/^commands are not allowed/);
    expect(calls).toEqual([]);
  });

  it('never runs a command that needs a shell', async () => {
    const root = await tempDir();
    const { runner, calls } = recordingRunner();
    const verdict = await checkEvidence({ kind: 'command', run: 'npm test && rm -rf dist' }, contextFor(root, runner));
    expect(verdict).toMatchObject({ status: 'unverifiable', detail: 'needs a shell; not run (the operator &&)' });
    expect(calls).toEqual([]);
  });

  it('runs without a shell in the workspace and compares the exit code and the output', async () => {
    const root = await tempDir();
    const { runner, calls } = recordingRunner();
    const ok = await checkEvidence(
      { kind: 'command', run: node('console.log("ready on " + process.cwd())'), expect: { stdout: 'ready on .+' } },
      contextFor(root, runner),
    );
    expect(ok.status).toBe('confirmed');
    expect(calls[0]).toMatchObject({ command: 'node', cwd: root, timeoutMs: 5000 });

    const failing = await checkEvidence({ kind: 'command', run: node('console.error("boom"); process.exit(3)') }, contextFor(root, runner));
    expect(failing).toMatchObject({ status: 'contradicted', observed: { exitCode: 3 } });
    expect(failing.detail).toMatch(/now exits 3, expected 0: boom$/);

    const expected3 = await checkEvidence({ kind: 'command', run: node('process.exit(3)'), expect: { exit: 3 } }, contextFor(root, runner));
    expect(expected3.status).toBe('confirmed');

    const output = await checkEvidence(
      { kind: 'command', run: node('console.log("v2")'), expect: { stdout: '^v1$' } },
      contextFor(root, runner),
    );
    expect(output.status).toBe('contradicted');
    expect(output.detail).toMatch(/no longer matches \/\^v1\$\//);
  });

  it('keeps at most 4 KB of output', async () => {
    const root = await tempDir();
    const { runner } = recordingRunner();
    const verdict = await checkEvidence(
      { kind: 'command', run: node('process.stdout.write("x".repeat(100000))') },
      contextFor(root, runner),
    );
    expect(verdict.status).toBe('confirmed');
    expect(Buffer.byteLength(String(verdict.observed?.['stdout']))).toBeLessThan(4200);
  });

  it('is unverifiable when the program does not exist', async () => {
    const root = await tempDir();
    const { runner } = recordingRunner();
    const verdict = await checkEvidence({ kind: 'command', run: 'mnemo-no-such-program --version' }, contextFor(root, runner));
    expect(verdict.status).toBe('unverifiable');
    expect(verdict.detail).toMatch(/could not start/);
  });

  it('a hanging command is unverifiable within the topic budget', async () => {
    const root = await tempDir();
    const { runner, calls } = recordingRunner();
    const started = Date.now();
    const verdict = await checkTopic(
      [
        { kind: 'command', run: 'sleep 30' },
        { kind: 'file', path: '.' },
      ],
      contextFor(root, runner, { commandTimeoutMs: 20_000 }),
      { budgetMs: 400 },
    );
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(2000);
    expect(verdict.status).toBe('unverifiable');
    expect(verdict.verdicts.map((item) => item.status)).toEqual(['unverifiable', 'confirmed']);
    // Either the budget ran out first or the command was killed at the budget, never later.
    expect(verdict.verdicts[0]?.detail).toMatch(/^not checked within the time budget$|did not finish within 400 ms/);
    expect(calls[0]?.timeoutMs).toBeLessThanOrEqual(400);
  });

  it('a runner that never answers still yields unverifiable within the budget', async () => {
    const root = await tempDir();
    const hanging: ProcessRunner = () => new Promise(() => undefined);
    const started = Date.now();
    const verdict = await checkTopic(
      [
        { kind: 'command', run: 'npm test' },
        { kind: 'git', ref: 'main' },
      ],
      contextFor(root, hanging),
      { budgetMs: 200 },
    );
    expect(Date.now() - started).toBeLessThan(1500);
    expect(verdict.verdicts.every((item) => item.detail === 'not checked within the time budget')).toBe(true);
  });
});
