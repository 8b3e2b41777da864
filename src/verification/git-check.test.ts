import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-root.js';
import { runProcess, type ProcessRunner } from '../shared/index.js';
import type { CheckContext } from './check-context.js';
import { checkEvidence } from './evidence-check.js';
import { checkContext } from '../../test/helpers/check-context.js';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=mnemo', '-c', 'user.email=mnemo@example.invalid', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: 'pipe',
  });
}

function contextFor(workspace: string, runner?: ProcessRunner): CheckContext {
  return checkContext(workspace, runner ? { runner } : {});
}

async function repository(): Promise<string> {
  const root = await tempDir();
  git(root, 'init', '-q', '-b', 'main');
  await writeFile(join(root, 'a.txt'), 'a\n');
  git(root, 'add', '.');
  git(root, 'commit', '-q', '-m', 'first');
  return root;
}

describe('git evidence', () => {
  it('confirms a branch, tag and commit; contradicts a branch that was deleted', async () => {
    const root = await repository();
    git(root, 'branch', 'feature/login');
    git(root, 'tag', 'v1.2.0');
    const head = git(root, 'rev-parse', 'HEAD').trim();
    for (const ref of ['main', 'feature/login', 'v1.2.0', head, head.slice(0, 8), 'HEAD']) {
      const verdict = await checkEvidence({ kind: 'git', ref }, contextFor(root));
      expect(verdict.status, ref).toBe('confirmed');
      expect(verdict.observed, ref).toEqual({ commit: head });
    }
    git(root, 'branch', '-D', 'feature/login');
    const deleted = await checkEvidence({ kind: 'git', ref: 'feature/login' }, contextFor(root));
    expect(deleted).toMatchObject({ status: 'contradicted', detail: 'feature/login no longer exists in the repository' });
  });

  it('is unverifiable outside a git repository', async () => {
    const root = await tempDir();
    const verdict = await checkEvidence({ kind: 'git', ref: 'main' }, contextFor(root));
    expect(verdict).toMatchObject({ status: 'unverifiable', detail: 'the workspace is not a git repository' });
  });

  it('runs git with argv and never passes an option-like ref', async () => {
    const root = await repository();
    const calls: { command: string; args: readonly string[] }[] = [];
    const recording: ProcessRunner = async (command, args, options) => {
      calls.push({ command, args });
      return runProcess(command, args, options);
    };
    const refused = await checkEvidence({ kind: 'git', ref: '--output=/tmp/x' }, contextFor(root, recording));
    expect(refused.status).toBe('unverifiable');
    expect((await checkEvidence({ kind: 'git', ref: 'main; rm -rf /' }, contextFor(root, recording))).status).toBe('unverifiable');
    expect(calls).toEqual([]);
    await checkEvidence({ kind: 'git', ref: 'main' }, contextFor(root, recording));
    expect(calls).toEqual([{ command: 'git', args: ['rev-parse', '--verify', '--quiet', 'main^{commit}'] }]);
  });
});
