import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createManualClock, openMemory } from '../../src/index.js';
import { cli } from '../helpers/run-cli.js';
import { git, gitRepo, writeFiles } from '../helpers/git-repo.js';
import { tempDir } from '../helpers/temp-root.js';

const REPO_FILES = {
  'deploy/staging.yaml': 'strategy: blue-green\nport: 8080\n',
  'src/config.ts': 'export function parseConfig(text: string) {\n  return JSON.parse(text);\n}\n',
  'package.json': JSON.stringify({ name: 'demo', dependencies: { zod: '^3.22.0' } }),
  'node_modules/zod/package.json': JSON.stringify({ name: 'zod', version: '3.22.4' }),
  '.gitignore': 'node_modules/\n',
};

async function repoWithMemory() {
  const repo = await tempDir();
  await gitRepo(repo, REPO_FILES);
  const run = (args: string[], env?: NodeJS.ProcessEnv) => cli(args, { cwd: repo, ...(env ? { env } : {}) });
  await run(['init']);
  return { repo, dir: join(repo, '.mnemo'), run };
}

describe('memory is a hint: remember → change the repo → recall → heal → clean', () => {
  it('shows the contradiction, marks the topic suspect, and a heal by hand makes recall clean again', async () => {
    const { repo, dir, run } = await repoWithMemory();
    await run([
      'remember',
      'Staging deploys are blue-green; `parseConfig` in `src/config.ts` reads the settings.',
      '--name',
      'Staging deploy strategy',
      '--description',
      'how staging is deployed',
      '--type',
      'project',
      '--evidence',
      'file:deploy/staging.yaml#strategy: blue-green',
    ]);
    const topic = await readFile(join(dir, 'staging-deploy-strategy.md'), 'utf8');
    // Paths and identifiers in backticks become derived evidence, marked as such.
    expect(topic).toMatch(/\{kind: file, path: src\/config\.ts, derived: true\}/);
    expect(topic).toMatch(/\{kind: symbol, name: parseConfig, glob: .*, derived: true\}/);

    const first = JSON.parse((await run(['recall', 'staging deploy', '--json'])).stdout);
    expect(first.topics[0].caveats).toEqual([
      expect.stringMatching(/^written (just now|\d+ seconds? ago), checked now$/),
      'checked now: confirmed (3 items)',
    ]);

    await writeFile(join(repo, 'deploy/staging.yaml'), 'strategy: canary\nport: 8080\n');
    const contradicted = await run(['verify', 'staging-deploy-strategy', '--json']);
    expect(contradicted.code).toBe(1);
    const recall = await run(['recall', 'staging deploy']);
    expect(recall.stdout).toMatch(/SUSPECT/);
    expect(recall.stdout).toMatch(/deploy\/staging\.yaml no longer contains \/strategy: blue-green\//);
    expect(await readFile(join(dir, 'MEMORY.md'), 'utf8')).toMatch(/\(staging-deploy-strategy\.md\) — suspect: how staging is deployed/);
    expect(await readFile(join(dir, 'staging-deploy-strategy.md'), 'utf8')).toMatch(/status: suspect/);

    const healed = await run([
      'heal',
      'staging-deploy-strategy',
      'Staging deploys are canary.',
      '--evidence',
      'file:deploy/staging.yaml#strategy: canary',
    ]);
    expect(healed.code).toBe(0);
    expect(healed.stdout).toMatch(/old version is kept at .*\.state\/trash/);
    expect(await readFile(join(dir, 'MEMORY.md'), 'utf8')).toMatch(/\(staging-deploy-strategy\.md\) — how staging is deployed/);
    const clean = JSON.parse((await run(['recall', 'staging deploy', '--json'])).stdout);
    expect(clean.topics[0]).toMatchObject({ status: 'active', body: expect.stringContaining('canary') });
    expect(clean.topics[0].caveats.join(' ')).not.toMatch(/suspect|contradicted/);
    const shown = await run(['show', 'staging-deploy-strategy']);
    expect(shown.stdout).toMatch(/Last checks:\n.*confirmed/);
    expect(shown.stdout).toMatch(/contradicted/);
  });

  it('heals mechanically: a renamed file, a moved value, a new package version', async () => {
    const { repo, dir, run } = await repoWithMemory();
    await run([
      'remember',
      'Settings are parsed by parseConfig in src/config.ts.',
      '--name',
      'Config parser',
      '--description',
      'where config is parsed',
      '--type',
      'reference',
      '--evidence',
      'file:src/config.ts',
    ]);
    await run([
      'remember',
      'Staging listens on port 8080.',
      '--name',
      'Staging port',
      '--description',
      'the staging port',
      '--type',
      'project',
      '--evidence',
      'file:deploy/staging.yaml#port: (\\d+)',
    ]);
    await run([
      'remember',
      'We validate with zod 3.22.',
      '--name',
      'Validation library',
      '--description',
      'which validation library',
      '--type',
      'project',
      '--evidence',
      'package:zod@^3.22.0',
    ]);
    git(repo, 'mv', 'src/config.ts', 'src/settings.ts');
    git(repo, 'commit', '-q', '-m', 'rename config');
    await writeFile(join(repo, 'deploy/staging.yaml'), 'strategy: blue-green\nport: 9090\n');
    await writeFiles(repo, {
      'node_modules/zod/package.json': JSON.stringify({ name: 'zod', version: '4.1.0' }),
      'package.json': JSON.stringify({ dependencies: { zod: '^4.1.0' } }),
    });
    const report = JSON.parse((await run(['verify', '--all', '--json'])).stdout);
    expect(
      report.topics
        .filter((outcome: { healed: unknown }) => outcome.healed)
        .map((outcome: { slug: string }) => outcome.slug)
        .sort(),
    ).toEqual(['config-parser', 'staging-port', 'validation-library']);
    expect(await readFile(join(dir, 'config-parser.md'), 'utf8')).toContain('src/settings.ts');
    expect(await readFile(join(dir, 'staging-port.md'), 'utf8')).toContain('Staging listens on port 9090.');
    expect(await readFile(join(dir, 'validation-library.md'), 'utf8')).toMatch(/zod 4\.1/);
    const audit = (await readFile(join(dir, '.state', 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(audit.filter((entry) => entry.action === 'topic-healed')).toHaveLength(3);
    expect((await run(['index', '--check'])).code).toBe(0);
  });
});

describe('check on use', () => {
  it('re-checks after the freshness window (injected clock), and at once when a file it names was edited', async () => {
    const repo = await tempDir();
    await gitRepo(repo, REPO_FILES);
    const clock = createManualClock('2026-11-01T09:00:00Z');
    const memory = await openMemory({ dir: join(repo, '.mnemo'), create: true, cwd: repo, clock, config: { logLevel: 'silent' } });
    try {
      await memory.remember({
        name: 'Deploy',
        description: 'staging deploys',
        type: 'project',
        body: 'blue-green',
        evidence: [{ kind: 'file', path: 'deploy/staging.yaml', contains: 'blue-green' }],
      });
      expect((await memory.recall('staging deploys')).topics[0]?.caveats).toContain('checked now: confirmed (1 item)');
      clock.advance(60 * 60 * 1000);
      const fresh = await memory.recall('staging deploys');
      expect(fresh.topics[0]?.status).toBe('active');
      expect(fresh.topics[0]?.caveats).toEqual(['written 1 hour ago, last checked 1 hour ago', 'last check: confirmed (1 item)']);
      clock.advance(24 * 60 * 60 * 1000);
      const due = await memory.recall('staging deploys');
      expect(due.topics[0]?.caveats[0]).toBe('written 1 day ago, checked now');
      // a file the evidence names, edited since its last check, is checked again at once, whatever the window
      clock.advance(60 * 1000);
      await writeFile(join(repo, 'deploy/staging.yaml'), 'strategy: canary\n');
      const edited = await memory.recall('staging deploys');
      expect(edited.topics[0]?.status).toBe('suspect');
      expect(edited.topics[0]?.caveats[0]).toBe('written 1 day ago, checked now');
      expect(edited.topics[0]?.caveats).not.toContain('last check: confirmed (1 item)');
    } finally {
      memory.close();
    }
  });

  it('never runs commands for untrusted topics, and a hanging check leaves recall within its budget', async () => {
    const repo = await tempDir();
    await gitRepo(repo, REPO_FILES);
    const dir = join(repo, '.mnemo');
    await cli(['init', '--dir', dir], { cwd: repo });
    await writeFile(join(dir, 'mnemo.config.json'), JSON.stringify({ verification: { allowCommands: true, budgetMs: 400 } }));
    const marker = join(repo, 'ran.txt');
    await writeFile(
      join(dir, 'from-a-web-page.md'),
      `---\nname: Build step\ndescription: how the build is checked\ntype: project\nsource: {kind: web, origin: "https://example.invalid", trust: untrusted}\nevidence:\n  - {kind: command, run: "touch ${marker}"}\n---\nThe build is checked by a command.\n`,
    );
    await writeFile(
      join(dir, 'slow-check.md'),
      `---\nname: Slow check\ndescription: a build check that hangs\ntype: project\nsource: {kind: user, trust: trusted}\nevidence:\n  - {kind: command, run: "sleep 30"}\n---\nThe build check is slow.\n`,
    );
    const started = Date.now();
    const result = JSON.parse((await cli(['recall', 'build check', '--json', '--dir', dir], { cwd: repo })).stdout);
    expect(Date.now() - started).toBeLessThan(5000);
    const byslug = Object.fromEntries(
      result.topics.map((topic: { slug: string; caveats: string[] }) => [topic.slug, topic.caveats.join(' ')]),
    );
    expect(byslug['from-a-web-page']).toMatch(/unverifiable: .*untrusted/);
    expect(byslug['slow-check']).toMatch(/unverifiable: .*(time budget|timed out)/);
    await expect(readFile(marker)).rejects.toThrow();
  });
});
