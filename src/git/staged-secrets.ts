import { findSecrets } from '../guard/index.js';
import { batchContents } from '../shared/index.js';
import { gitText, runGit } from './git-process.js';

/** A staged memory file the commit must not take: a secret in it (never its value), or internal state. */
export interface StagedFinding {
  /** Path in the repository. */
  file: string;
  kind: 'secret' | 'state';
  /** The guard rule that found the secret (`github-token`, `aws-access-key`, …); `state` for `.state/` files. */
  rule: string;
  line: number;
}

export interface StagedCheck {
  /** The staged files under the memory root that were read. */
  checked: string[];
  findings: StagedFinding[];
}


function lineOf(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at >= 0 && at < index; at = text.indexOf('\n', at + 1)) line += 1;
  return line;
}

/**
 * The guard's secret rules (plain and encoded) over the staged content — what the commit would
 * take, not the working copy — of every file under `rootPath` (the memory root, relative to the
 * worktree top). Files under `.state/` are named too: internal state never belongs in a commit.
 * Reads every staged blob through one `git cat-file --batch`.
 */
export async function checkStagedMemory(worktree: string, rootPath: string): Promise<StagedCheck> {
  const prefix = rootPath === '' ? '' : `${rootPath}/`;
  const names = (
    await gitText(
      worktree,
      ['diff', '--cached', '--name-only', '-z', '--diff-filter=ACMR', '--', prefix === '' ? '.' : prefix],
      'list staged files',
    )
  )
    .split('\0')
    .filter((name) => name !== '');
  const findings: StagedFinding[] = [];
  const readable: string[] = [];
  for (const name of names) {
    if (name.startsWith(`${prefix}.state/`)) findings.push({ file: name, kind: 'state', rule: 'state', line: 1 });
    else readable.push(name);
  }
  if (readable.length === 0) return { checked: [], findings };
  const outcome = await runGit(worktree, ['cat-file', '--batch'], readable.map((name) => `:${name}`).join('\n') + '\n');
  const contents = batchContents(outcome.stdout, readable.length);
  readable.forEach((name, index) => {
    const bytes = contents[index];
    if (bytes === undefined) return;
    const text = bytes.toString('utf8');
    const seen = new Set<string>();
    for (const secret of findSecrets(text)) {
      const line = lineOf(text, secret.start);
      const key = `${secret.rule}:${line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({ file: name, kind: 'secret', rule: secret.rule, line });
    }
  });
  return { checked: readable, findings };
}
