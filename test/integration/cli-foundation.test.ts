import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-root.js';

async function initRoot(): Promise<{ cwd: string; dir: string }> {
  const cwd = await tempDir();
  const dir = join(cwd, 'mem');
  const result = await cli(['init', '--dir', dir], { cwd });
  expect(result.code).toBe(0);
  return { cwd, dir };
}

async function remember(cwd: string, dir: string, name: string, body: string, extra: string[] = []) {
  return cli(
    ['remember', body, '--name', name, '--description', `about ${name.toLowerCase()}`, '--type', 'project', '--dir', dir, ...extra],
    { cwd },
  );
}

describe('mnemo init', () => {
  it('creates MEMORY.md, sessions/, .state/ and a .gitignore that keeps .state/ out', async () => {
    const { dir } = await initRoot();
    expect(await readFile(join(dir, 'MEMORY.md'), 'utf8')).toBe('');
    expect(existsSync(join(dir, 'sessions'))).toBe(true);
    expect(existsSync(join(dir, '.state'))).toBe(true);
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toMatch(/^\.state\/$/m);
  });

  it('defaults to .mnemo/ at the git root, found the same way from a subfolder', async () => {
    const repo = await tempDir();
    execFileSync('git', ['init', '-q'], { cwd: repo });
    const sub = join(repo, 'packages', 'app');
    mkdirSync(sub, { recursive: true });
    expect((await cli(['init'], { cwd: sub })).code).toBe(0);
    expect(existsSync(join(repo, '.mnemo', 'MEMORY.md'))).toBe(true);
    expect((await remember(sub, join(repo, '.mnemo'), 'Build tool', 'We build with tsc.')).code).toBe(0);
    const listed = await cli(['list', '--json'], { cwd: sub });
    expect(JSON.parse(listed.stdout).map((topic: { slug: string }) => topic.slug)).toEqual(['build-tool']);
  });

  it('uses MNEMO_DIR when no --dir is given, and is idempotent', async () => {
    const cwd = await tempDir();
    const dir = join(cwd, 'from-env');
    expect((await cli(['init'], { cwd, env: { MNEMO_DIR: dir } })).code).toBe(0);
    const again = await cli(['init', '--json'], { cwd, env: { MNEMO_DIR: dir } });
    expect(JSON.parse(again.stdout)).toEqual({ root: dir, created: [] });
  });

  it('a command on a folder without memory says how to create one (exit 2)', async () => {
    const cwd = await tempDir();
    const result = await cli(['list', '--dir', join(cwd, 'nothing')], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/No memory at .*nothing/);
    expect(result.stderr).toMatch(/mnemo init --dir/);
  });
});

describe('mnemo remember / show / list / forget', () => {
  it('writes a trusted topic and its index line, and shows it by slug or id', async () => {
    const { cwd, dir } = await initRoot();
    const written = await remember(cwd, dir, 'Staging deploys', 'Staging uses blue-green deploys.', ['--tag', 'deploy', '--json']);
    expect(written.code).toBe(0);
    const result = JSON.parse(written.stdout);
    expect(result).toMatchObject({ slug: 'staging-deploys', created: true });
    const file = await readFile(join(dir, 'staging-deploys.md'), 'utf8');
    expect(file).toMatch(/^---\nname: Staging deploys\ndescription: about staging deploys\ntype: project\nid: /);
    expect(file).toContain('source: {kind: user, trust: trusted}');
    expect(await readFile(join(dir, 'MEMORY.md'), 'utf8')).toContain('- [Staging deploys](staging-deploys.md) — about staging deploys');
    const byId = await cli(['show', result.id, '--dir', dir], { cwd });
    expect(byId.stdout).toContain('Staging uses blue-green deploys.');
  });

  it('remembering the same name again updates the topic and keeps the old version in the trash', async () => {
    const { cwd, dir } = await initRoot();
    await remember(cwd, dir, 'Port', 'The API listens on 8080.');
    const second = JSON.parse((await remember(cwd, dir, 'Port', 'The API listens on 9090.', ['--json'])).stdout);
    expect(second.created).toBe(false);
    expect(await readFile(second.previousVersion, 'utf8')).toContain('8080');
    expect(await readFile(join(dir, 'port.md'), 'utf8')).toContain('9090');
    const index = await readFile(join(dir, 'MEMORY.md'), 'utf8');
    expect(index.match(/port\.md/g)).toHaveLength(1);
  });

  it('rejects bad input with exit 2 and writes nothing', async () => {
    const { cwd, dir } = await initRoot();
    const badType = await cli(['remember', 'x', '--name', 'N', '--description', 'd', '--type', 'opinion', '--dir', dir], { cwd });
    expect(badType.code).toBe(2);
    expect(badType.stderr).toMatch(/type must be one of user, feedback, project, reference, lesson/);
    const emptyBody = await cli(['remember', '  ', '--name', 'N', '--description', 'd', '--type', 'user', '--dir', dir], { cwd });
    expect(emptyBody.code).toBe(2);
    expect(emptyBody.stderr).toMatch(/body is empty/);
    const missing = await cli(['remember', 'x', '--dir', dir], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option/);
    expect((await readdir(dir)).filter((name) => name.endsWith('.md'))).toEqual(['MEMORY.md']);
  });

  it('lists with filters and JSON, and refuses unknown filters', async () => {
    const { cwd, dir } = await initRoot();
    await remember(cwd, dir, 'One', 'first');
    await cli(['remember', 'prefers tabs', '--name', 'Tabs', '--description', 'indentation', '--type', 'user', '--dir', dir], { cwd });
    const users = JSON.parse((await cli(['list', '--type', 'user', '--json', '--dir', dir], { cwd })).stdout);
    expect(users.map((topic: { slug: string }) => topic.slug)).toEqual(['tabs']);
    const table = await cli(['list', '--dir', dir], { cwd });
    expect(table.stdout.split('\n')[0]).toMatch(/^SLUG\s+TYPE\s+STATUS\s+DESCRIPTION$/);
    expect((await cli(['list', '--status', 'zombie', '--dir', dir], { cwd })).code).toBe(2);
  });

  it('forget moves the topic to .state/trash/, drops its line and writes an audit line', async () => {
    const { cwd, dir } = await initRoot();
    await remember(cwd, dir, 'Old fact', 'no longer true');
    const forgot = JSON.parse((await cli(['forget', 'old-fact', '--reason', 'obsolete', '--json', '--dir', dir], { cwd })).stdout);
    expect(existsSync(join(dir, 'old-fact.md'))).toBe(false);
    expect(await readFile(forgot.trashPath, 'utf8')).toContain('no longer true');
    expect(await readFile(join(dir, 'MEMORY.md'), 'utf8')).not.toContain('old-fact');
    const audit = (await readFile(join(dir, '.state', 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(audit.at(-1)).toMatchObject({ action: 'topic-forgotten', slug: 'old-fact', reason: 'obsolete' });
    const again = await cli(['forget', 'old-fact', '--dir', dir], { cwd });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/No topic old-fact/);
  });

  it('refuses topic names that escape the root', async () => {
    const { cwd, dir } = await initRoot();
    await writeFile(join(cwd, 'secret.md'), '---\nname: outside\n---\nnot memory\n');
    for (const command of [
      ['show', '../secret'],
      ['forget', '../secret'],
    ]) {
      const result = await cli([...command, '--dir', dir], { cwd });
      expect(result.code).toBe(2);
      expect(result.stdout).not.toContain('not memory');
    }
    expect(existsSync(join(cwd, 'secret.md'))).toBe(true);
  });
});

describe('mnemo recall', () => {
  it('ranks by name and description over body, within the byte budgets, and says what was cut', async () => {
    const { cwd, dir } = await initRoot();
    await remember(cwd, dir, 'Deploy pipeline', 'Production deploys go through the release train.');
    await remember(cwd, dir, 'Coffee machine', 'The office coffee machine is on floor two; deploy of beans on Monday.');
    await remember(cwd, dir, 'Long notes', `${'The deploy checklist has many steps. '.repeat(300)}`);
    const result = JSON.parse((await cli(['recall', 'deploy pipeline', '--json', '--dir', dir], { cwd })).stdout);
    expect(result.topics[0].slug).toBe('deploy-pipeline');
    const long = result.topics.find((topic: { slug: string }) => topic.slug === 'long-notes');
    expect(long.bytes).toBeLessThanOrEqual(4096);
    expect(long.truncatedFrom).toBeGreaterThan(4096);
    expect(result.cut.map((note: { message: string }) => note.message).join()).toMatch(/long-notes: body cut/);
    const small = JSON.parse((await cli(['recall', 'deploy', '--budget', '300', '--json', '--dir', dir], { cwd })).stdout);
    expect(small.bytes).toBeLessThanOrEqual(300);
    expect(small.cut.some((note: { reason: string }) => note.reason === 'call-budget')).toBe(true);
    const limited = JSON.parse((await cli(['recall', 'deploy', '--limit', '1', '--json', '--dir', dir], { cwd })).stdout);
    expect(limited.topics).toHaveLength(1);
    const text = await cli(['recall', 'deploy', '--budget', '300', '--dir', dir], { cwd });
    expect(text.stdout).toMatch(/\(cut: .*left out by the 300-byte call budget/);
  });

  it('--deep also returns transcript turns with their session and time', async () => {
    const { cwd, dir } = await initRoot();
    await cli(
      [
        'log',
        'TypeError: cannot read properties of undefined (reading "port") in loadConfig',
        '--session',
        '2026-11-20-ab12',
        '--kind',
        'error',
        '--dir',
        dir,
      ],
      { cwd },
    );
    const shallow = await cli(['recall', 'loadConfig port error', '--dir', dir], { cwd });
    expect(shallow.stdout).toBe('');
    expect(shallow.stderr).toMatch(/Try --deep/);
    const deep = JSON.parse((await cli(['recall', 'loadConfig port error', '--deep', '--json', '--dir', dir], { cwd })).stdout);
    expect(deep.turns[0]).toMatchObject({ session: '2026-11-20-ab12', kind: 'error' });
    expect(deep.turns[0].time).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(deep.text).toContain('[2026-11-20-ab12 · ');
  });

  it('an empty query or one without content words is bad input (exit 2)', async () => {
    const { cwd, dir } = await initRoot();
    expect((await cli(['recall', '', '--dir', dir], { cwd })).stderr).toMatch(/query is empty/);
    const stop = await cli(['recall', 'the of and', '--dir', dir], { cwd });
    expect(stop.code).toBe(2);
    expect(stop.stderr).toMatch(/no searchable words/);
    expect((await cli(['recall', 'x', '--limit', 'many', '--dir', dir], { cwd })).code).toBe(2);
  });

  it('picks up topics edited or deleted by hand, and survives deleting .state/', async () => {
    const { cwd, dir } = await initRoot();
    await remember(cwd, dir, 'Cache', 'Redis is the cache.');
    const path = join(dir, 'cache.md');
    await writeFile(path, (await readFile(path, 'utf8')).replace('Redis is the cache.', 'Memcached is the cache.'));
    // An edit in place is seen when the topic is next a candidate (one stat per candidate);
    // its new words become searchable with the next full scan (doctor, reindex, list, the timer).
    expect((await cli(['recall', 'cache', '--dir', dir], { cwd })).stdout).toContain('Memcached is the cache.');
    expect((await cli(['recall', 'memcached', '--dir', dir], { cwd })).stdout).toContain('Memcached is the cache.');
    await rm(join(dir, '.state'), { recursive: true, force: true });
    expect((await cli(['recall', 'memcached', '--dir', dir], { cwd })).stdout).toContain('Memcached is the cache.');
    const reindex = JSON.parse((await cli(['reindex', '--json', '--dir', dir], { cwd })).stdout);
    expect(reindex.topicsAdded).toBe(1);
    await rm(path);
    expect((await cli(['recall', 'memcached', '--dir', dir], { cwd })).stdout).toBe('');
  });
});

describe('mnemo log and session import', () => {
  it('appends events to sessions/<date>-<id>.jsonl', async () => {
    const { cwd, dir } = await initRoot();
    expect((await cli(['log', 'ran the tests', '--session', 'abc', '--kind', 'note', '--dir', dir], { cwd })).code).toBe(0);
    const [file] = await readdir(join(dir, 'sessions'));
    expect(file).toMatch(/^\d{4}-\d{2}-\d{2}-abc\.jsonl$/);
    const event = JSON.parse((await readFile(join(dir, 'sessions', file as string), 'utf8')).trim());
    expect(event).toMatchObject({ v: 1, session: 'abc', kind: 'note', text: 'ran the tests' });
    expect((await cli(['log', 'x', '--session', '../evil', '--kind', 'note', '--dir', dir], { cwd })).code).toBe(2);
    expect((await cli(['log', 'x', '--session', 's', '--kind', 'Not A Kind', '--dir', dir], { cwd })).code).toBe(2);
  });

  it('imports a JSONL file, skipping bad lines by number and keeping the good ones (partial success: exit 0)', async () => {
    const { cwd, dir } = await initRoot();
    const file = join(cwd, 'events.jsonl');
    await writeFile(
      file,
      [
        JSON.stringify({ kind: 'user', text: 'please add retries to the fetcher', session: 's1' }),
        '{not json',
        JSON.stringify({ kind: 'assistant' }),
        JSON.stringify({ kind: 'assistant', text: 'added exponential backoff', session: 's1' }),
        JSON.stringify({ kind: 'note', text: 'no session here' }),
      ].join('\n'),
    );
    const result = await cli(['session', 'import', file, '--session', 'fallback', '--json', '--dir', dir], { cwd });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ imported: 3, sessions: ['s1', 'fallback'] });
    expect(report.skipped.map((line: { line: number }) => line.line)).toEqual([2, 3]);
    const deep = JSON.parse((await cli(['recall', 'exponential backoff', '--deep', '--json', '--dir', dir], { cwd })).stdout);
    expect(deep.turns[0].text).toContain('exponential backoff');
    const missing = await cli(['session', 'import', join(cwd, 'nope.jsonl'), '--dir', dir], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/does not exist/);
  });

  it('a transcript line half-written by a crash is skipped and later lines stay readable', async () => {
    const { cwd, dir } = await initRoot();
    await cli(['log', 'first event', '--session', 's', '--kind', 'note', '--dir', dir], { cwd });
    const [file] = await readdir(join(dir, 'sessions'));
    const path = join(dir, 'sessions', file as string);
    await writeFile(path, `${await readFile(path, 'utf8')}{"v":1,"kind":"note","text":"half wri`);
    await cli(['log', 'after the crash', '--session', 's', '--kind', 'note', '--dir', dir], { cwd });
    const deep = JSON.parse((await cli(['recall', 'after crash', '--deep', '--json', '--dir', dir], { cwd })).stdout);
    expect(
      deep.turns.map((turn: { text: string }) => turn.text),
      JSON.stringify(deep.turns),
    ).toContain('after the crash');
    const status = JSON.parse((await cli(['status', '--json', '--dir', dir], { cwd })).stdout);
    expect(status.transcripts.turns).toBe(2);
  });
});

describe('mnemo status and --help', () => {
  it('reports counts per type and status, index size against budget, sessions, last dream and open tasks', async () => {
    const { cwd, dir } = await initRoot();
    await remember(cwd, dir, 'A', 'alpha');
    await cli(['log', 'hello', '--session', 's1', '--kind', 'user', '--dir', dir], { cwd });
    const status = JSON.parse((await cli(['status', '--json', '--dir', dir], { cwd })).stdout);
    expect(status.topics).toMatchObject({ total: 1, byType: { project: 1 }, byStatus: { active: 1 } });
    expect(status.index).toMatchObject({ maxLines: 200, maxBytes: 25000, inSync: true, entries: 1 });
    expect(status.transcripts).toEqual({ sessions: 1, turns: 1 });
    expect(status.lastDream).toBeNull();
    expect(status.openTasks).toEqual([]);
    const text = await cli(['status', '--dir', dir], { cwd });
    expect(text.stdout).toMatch(/index\s+\d+\/200 lines/);
  });

  it('every command has --help (exit 0) and an unknown command is a usage error (exit 2)', async () => {
    const cwd = await tempDir();
    for (const command of ['init', 'remember', 'recall', 'show', 'list', 'forget', 'log', 'session', 'index', 'reindex', 'status']) {
      const help = await cli([command, '--help'], { cwd });
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(/^Usage: mnemo /);
    }
    expect((await cli(['session', 'import', '--help'], { cwd })).code).toBe(0);
    const unknown = await cli(['remembr'], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command/);
  });
});
