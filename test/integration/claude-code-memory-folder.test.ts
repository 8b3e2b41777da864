import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeProjectKey } from '../../src/config/index.js';
import { cli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-root.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'claude-code-memory');

/** MEMORY.md as a person and Claude Code keep it: hooks that are not the descriptions, their own order, a lower-case title, prose. */
const HAND_WRITTEN = `# Notes for this repo

Read these before touching the release branch.

- [Merge freeze](project_merge_freeze.md) — mobile release: only critical merges after Mar 5
- [User role](user_role.md) — data scientist; explain frontend via backend ideas
- [Testing: real database](feedback_testing.md) — no mocks in integration tests
- [pipeline bugs](reference_linear.md) — Linear INGEST
`;

async function hashTree(dir: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  const walk = async (folder: string): Promise<void> => {
    for (const name of await readdir(folder)) {
      const path = join(folder, name);
      if ((await stat(path)).isDirectory()) await walk(path);
      else
        hashes[relative(dir, path)] = createHash('sha256')
          .update(await readFile(path))
          .digest('hex');
    }
  };
  await walk(dir);
  return hashes;
}

/** A git project whose Claude Code auto-memory folder (under a temporary home) holds the fixture. */
async function claudeProject(): Promise<{ cwd: string; home: string; folder: string; run: (args: string[]) => ReturnType<typeof cli> }> {
  const cwd = await tempDir('mnemo-cc-project-');
  const home = await tempDir('mnemo-cc-home-');
  await mkdir(join(cwd, '.git'));
  const folder = join(home, '.claude', 'projects', claudeProjectKey(cwd), 'memory');
  await mkdir(folder, { recursive: true });
  await cp(FIXTURE, folder, { recursive: true });
  await writeFile(join(folder, 'MEMORY.md'), HAND_WRITTEN);
  return { cwd, home, folder, run: (args) => cli([...args, '--memory', 'claude'], { cwd, env: { HOME: home } }) };
}

describe("Claude Code's memory folder, used in place (--memory claude)", () => {
  it('is not changed by a single byte by list, recall, status, index --check and doctor without --fix', async () => {
    const { folder, home, run } = await claudeProject();
    const before = await hashTree(folder);

    const list = await run(['list', '--json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { slug: string }[]).map((topic) => topic.slug).sort()).toEqual([
      'feedback_testing',
      'project_merge_freeze',
      'reference_linear',
      'user_role',
    ]);
    const recall = await run(['recall', 'merge freeze mobile release']);
    expect(recall.code).toBe(0);
    expect(recall.stdout).toContain('project_merge_freeze.md');
    const status = await run(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(folder);
    const check = await run(['index', '--check']);
    expect(check).toMatchObject({ code: 0 });
    expect(check.stdout).not.toMatch(/stale/);
    const doctor = await run(['doctor']);
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).not.toMatch(/re-rendered|would/);

    expect(await hashTree(folder)).toEqual(before);
    expect(existsSync(join(folder, '.state'))).toBe(false);
    // mnemo's own state went to its cache, keyed by the folder's path.
    expect((await readdir(join(home, '.cache', 'mnemo'))).length).toBe(1);
  });

  it("adds a line in Claude Code's format for a new topic and drops the line of a forgotten one, keeping every other line as written", async () => {
    const { folder, run } = await claudeProject();
    const written = await run([
      'remember',
      'Releases are cut on Tuesdays.',
      '--name',
      'Release day',
      '--description',
      'releases are cut on Tuesdays',
      '--type',
      'project',
    ]);
    expect(written.code).toBe(0);
    expect(await readFile(join(folder, 'MEMORY.md'), 'utf8')).toBe(
      `${HAND_WRITTEN}- [Release day](release-day.md) — releases are cut on Tuesdays\n`,
    );
    expect((await run(['forget', 'reference_linear', '--reason', 'moved to GitHub issues'])).code).toBe(0);
    expect(await readFile(join(folder, 'MEMORY.md'), 'utf8')).toBe(
      `${HAND_WRITTEN.replace('- [pipeline bugs](reference_linear.md) — Linear INGEST\n', '')}- [Release day](release-day.md) — releases are cut on Tuesdays\n`,
    );
    expect((await run(['index', '--check'])).code).toBe(0);
    expect(existsSync(join(folder, '.gitignore'))).toBe(false);
    expect(existsSync(join(folder, '.state'))).toBe(false);
  });

  it('doctor says what it would change first and changes the index only with --fix, in place', async () => {
    const { folder, run } = await claudeProject();
    await writeFile(
      join(folder, 'MEMORY.md'),
      HAND_WRITTEN.replace('- [User role](user_role.md) — data scientist; explain frontend via backend ideas\n', ''),
    );
    const told = await run(['doctor']);
    expect(told.code).toBe(1);
    expect(told.stdout).toContain('user_role.md has no line in MEMORY.md');
    expect(told.stdout).toMatch(/would update MEMORY\.md in place/);
    expect(await readFile(join(folder, 'MEMORY.md'), 'utf8')).not.toContain('user_role.md');
    expect((await run(['doctor', '--fix'])).code).toBe(0);
    const fixed = await readFile(join(folder, 'MEMORY.md'), 'utf8');
    expect(fixed).toContain('- [Merge freeze](project_merge_freeze.md) — mobile release: only critical merges after Mar 5\n');
    expect(fixed.endsWith('- [User role](user_role.md) — data scientist, new to the frontend of this repo\n')).toBe(true);
  });
});
