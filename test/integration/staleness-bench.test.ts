import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runStalenessBenchmark, summarizeStalenessRun, type StalenessFact } from '../../src/evaluation/index.js';
import { git, gitRepo, writeFiles } from '../helpers/git-repo.js';
import { cli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-root.js';

const SCRIPT = (name: string) => `"${name}"\\s*:\\s*("(?:[^"\\\\\\n]|\\\\.)*")`;
const JSON_VALUE = (key: string) => `"${key}"\\s*:\\s*("[^"\\n]*"|'[^'\\n]*'|[\\w.+/-]+)`;

function manifest(zod: string, test: string): string {
  return `${JSON.stringify({ name: 'app', scripts: { build: 'tsc -p .', test }, dependencies: { zod, chalk: '^5.3.0' } }, null, 2)}\n`;
}

function commit(root: string, message: string): void {
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', message);
}

/**
 * A history with one of each change: a file renamed (with the symbol it defines), a symbol moved
 * to another file, a dependency bumped inside its range, a setting's value and a script's command
 * changed, a path deleted; and facts that stay true throughout.
 */
async function knownHistory(): Promise<string> {
  const root = await tempDir();
  await gitRepo(root, {
    'package.json': manifest('^4.2.0', 'vitest run'),
    'README.md': '# app\n',
    'src/config.ts': 'export function parseConfig() {\n  return {};\n}\n',
    'src/loader.ts': 'export const LOADER_VERSION = 1;\n\nexport class TopicLoader {\n  load() {}\n}\n',
    'src/old-name.ts': 'export function renderWidget() {\n  return "<div/>";\n}\n',
    'config/app.json': '{\n  "port": 8080,\n  "mode": "fast"\n}\n',
    'docs/notes.md': '# notes\n',
  });
  git(root, 'mv', 'src/old-name.ts', 'src/widget.ts');
  commit(root, 'rename old-name to widget');
  await writeFiles(root, {
    'src/loader.ts': 'export const LOADER_VERSION = 1;\n',
    'src/store/topic-loader.ts': 'export class TopicLoader {\n  load() {}\n}\n',
  });
  commit(root, 'move TopicLoader into the store');
  await writeFiles(root, {
    'package.json': manifest('^4.3.0', 'vitest run --coverage'),
    'config/app.json': '{\n  "port": 9090,\n  "mode": "fast"\n}\n',
  });
  commit(root, 'bump zod, new port, coverage');
  git(root, 'rm', '-q', 'docs/notes.md');
  commit(root, 'drop the notes');
  return root;
}

const FACTS: StalenessFact[] = [
  { id: 'renamed-file', kind: 'path', mode: 'explicit', claim: { kind: 'path', path: 'src/old-name.ts' } },
  { id: 'deleted-file', kind: 'path', mode: 'derived', claim: { kind: 'path', path: 'docs/notes.md' } },
  { id: 'readme', kind: 'path', mode: 'explicit', claim: { kind: 'path', path: 'README.md' } },
  { id: 'moved-symbol', kind: 'symbol', mode: 'explicit', claim: { kind: 'symbol', name: 'TopicLoader', file: 'src/loader.ts' } },
  { id: 'same-symbol', kind: 'symbol', mode: 'derived', claim: { kind: 'symbol', name: 'parseConfig', file: 'src/config.ts' } },
  { id: 'renamed-symbol-file', kind: 'symbol', mode: 'derived', claim: { kind: 'symbol', name: 'renderWidget', file: 'src/old-name.ts' } },
  {
    id: 'port',
    kind: 'setting',
    mode: 'explicit',
    claim: { kind: 'setting', path: 'config/app.json', key: 'port', pattern: JSON_VALUE('port'), value: '8080' },
  },
  {
    id: 'mode',
    kind: 'setting',
    mode: 'explicit',
    claim: { kind: 'setting', path: 'config/app.json', key: 'mode', pattern: JSON_VALUE('mode'), value: '"fast"' },
  },
  {
    id: 'test-script',
    kind: 'script',
    mode: 'explicit',
    claim: { kind: 'script', name: 'test', pattern: SCRIPT('test'), command: 'vitest run' },
  },
  {
    id: 'build-script',
    kind: 'script',
    mode: 'explicit',
    claim: { kind: 'script', name: 'build', pattern: SCRIPT('build'), command: 'tsc -p .' },
  },
  { id: 'zod', kind: 'package', mode: 'explicit', claim: { kind: 'package', name: 'zod', range: '^4.2.0' } },
  { id: 'chalk', kind: 'package', mode: 'derived', claim: { kind: 'package', name: 'chalk', range: '^5.3.0' } },
];

describe('the staleness benchmark on a known history', () => {
  it('classifies every change from git and scores what mnemo caught and healed', async () => {
    const repo = await knownHistory();
    const run = await runStalenessBenchmark({ repo, from: 'HEAD~4', factList: FACTS });
    expect(run.commits).toHaveLength(4);
    const stale = run.observations
      .filter((item) => item.truth !== 'true')
      .map((item) => [item.step, item.fact, item.truth, item.change ?? '', item.now ?? '', item.result, item.healed ?? '']);
    expect(stale).toEqual([
      [1, 'renamed-file', 'changed', 'renamed', 'src/widget.ts', 'caught', 'right'],
      [1, 'renamed-symbol-file', 'changed', 'renamed', 'renderWidget in src/widget.ts', 'caught', 'right'],
      [2, 'moved-symbol', 'changed', 'moved', 'TopicLoader in src/store/topic-loader.ts', 'caught', 'right'],
      [3, 'port', 'changed', 'value', 'port=9090 in config/app.json', 'caught', 'right'],
      [3, 'test-script', 'changed', 'value', 'test: vitest run --coverage', 'caught', 'right'],
      [3, 'zod', 'changed', 'version', 'zod ^4.3.0', 'caught', 'right'],
      [4, 'deleted-file', 'gone', '', '', 'caught', ''],
    ]);
    // Healed facts go on with their new claim; nothing true was flagged.
    expect(run.observations).toHaveLength(FACTS.length * 4);
    expect(run.observations.filter((item) => item.result === 'false-alarm')).toEqual([]);

    const report = summarizeStalenessRun(run);
    expect(report.overall).toMatchObject({
      observations: 48,
      true: 41,
      stale: 7,
      changed: 6,
      gone: 1,
      caught: 7,
      missed: 0,
      falseAlarms: 0,
      healable: 6,
      healedRight: 6,
      healedWrong: 0,
      caughtRate: 1,
      healedRightRate: 1,
      falseAlarmRate: 0,
    });
    expect(report.baselines['no checks']).toMatchObject({ stale: 7, caught: 0, missed: 7, falseAlarms: 0, healedRight: 0 });
    expect(report.baselines['age caveat after one day']).toMatchObject({ stale: 7, caught: 7, missed: 0, falseAlarms: 41, healedRight: 0 });
    expect(report.byKind['symbol/derived']).toMatchObject({ observations: 8, stale: 1, caught: 1, healedRight: 1 });
    expect(report.byKind['package/explicit']).toMatchObject({ observations: 4, stale: 1, healedRight: 1 });
    expect(report.byChange).toEqual({
      renamed: { stale: 2, caught: 2, healedRight: 2, healedWrong: 0 },
      moved: { stale: 1, caught: 1, healedRight: 1, healedWrong: 0 },
      value: { stale: 2, caught: 2, healedRight: 2, healedWrong: 0 },
      version: { stale: 1, caught: 1, healedRight: 1, healedWrong: 0 },
      gone: { stale: 1, caught: 1, healedRight: 0, healedWrong: 0 },
    });
    expect(report.series.at(-1)).toMatchObject({ step: 4, caught: 7, missed: 0, falseAlarms: 0, healedRight: 6 });
    // The temporary worktree is gone again.
    expect(git(repo, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
  });

  it('chooses facts with a seeded random: the same seed, the same facts', async () => {
    const repo = await knownHistory();
    const first = await runStalenessBenchmark({ repo, from: 'HEAD~1', facts: 6, seed: 7 });
    const again = await runStalenessBenchmark({ repo, from: 'HEAD~1', facts: 6, seed: 7 });
    expect(first.facts).toHaveLength(6);
    expect(again.facts).toEqual(first.facts);
    expect(new Set(first.facts.map((fact) => fact.kind)).size).toBeGreaterThanOrEqual(4);
  });
});

describe('mnemo bench staleness', () => {
  it('prints the report as JSON, the table, and writes the chart', async () => {
    const repo = await knownHistory();
    const cwd = await tempDir();
    const json = await cli(['bench', 'staleness', '--repo', repo, '--from', 'HEAD~2', '--facts', '8', '--json'], { cwd });
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.steps).toBe(2);
    expect(report.facts).toHaveLength(8);
    expect(report.overall).toMatchObject({ observations: expect.any(Number), caught: expect.any(Number), falseAlarms: expect.any(Number) });
    expect(Object.keys(report.baselines)).toEqual(['no checks', 'age caveat after one day']);
    const table = await cli(['bench', 'staleness', '--repo', repo, '--from', 'HEAD~2', '--facts', '8', '--svg', 'chart.svg'], { cwd });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/checks\s+stale\s+caught\s+missed\s+healed right/);
    expect(table.stdout).toMatch(/^baseline: no checks/m);
    expect(table.stderr).toMatch(/step 2\/2/);
    expect(await readFile(join(cwd, 'chart.svg'), 'utf8')).toMatch(/^<svg[\s\S]*stale facts caught/);
  });

  it('answers bad input with exit code 2 and says what is wrong', async () => {
    const repo = await knownHistory();
    const cwd = await tempDir();
    for (const [flags, message] of [
      [['--step', '0'], /--step must be a whole number of at least 1/],
      [['--facts', 'abc'], /--facts must be a whole number/],
      [['--seed', '-1'], /--seed must be a whole number of at least 0/],
      [['--from', 'no-such-ref'], /--from "no-such-ref" names no commit/],
      [['--from', 'HEAD'], /no commits after --from/],
    ] as const) {
      const result = await cli(['bench', 'staleness', '--repo', repo, ...flags], { cwd });
      expect(result.code, flags.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    const notRepo = await cli(['bench', 'staleness', '--repo', cwd], { cwd });
    expect(notRepo.code).toBe(2);
    expect(notRepo.stderr).toMatch(/is not a git repository/);
    await rm(join(cwd, 'nowhere'), { force: true });
    expect((await cli(['bench', 'staleness', '--repo', join(cwd, 'nowhere')], { cwd })).code).toBe(2);
    expect((await cli(['bench', 'staleness'], { cwd })).code).toBe(2);
    const help = await cli(['bench', 'staleness', '--help'], { cwd });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--repo <path>[\s\S]*--step <k>[\s\S]*--svg <file>/);
  });
});
