import { confirmed, contradicted, unverifiable, type CheckContext, type CheckOutcome, type GitEvidence } from './check-context.js';
import { gitFailure, isNotARepository, runGit } from './git-runner.js';

/** Ref names, commit ids and revision expressions (`v1.2.0`, `origin/main`, `HEAD~2`, `a1b2c3d`). */
const REF = /^[\w./@{}~^:+-]+$/;

/** `git` evidence: the ref or commit still exists in the workspace's repository. */
export async function checkGit(evidence: GitEvidence, context: CheckContext): Promise<CheckOutcome> {
  const { ref } = evidence;
  if (ref.startsWith('-') || !REF.test(ref) || ref.includes('..')) return unverifiable(`${JSON.stringify(ref)} is not a ref or commit id`);
  const outcome = await runGit(context, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  const failure = gitFailure(outcome);
  if (failure) return unverifiable(failure);
  if (outcome.exitCode === 0) {
    const commit = outcome.stdoutTail.trim();
    return confirmed(`${ref} exists (${commit.slice(0, 12)})`, { commit });
  }
  if (isNotARepository(outcome)) return unverifiable('the workspace is not a git repository');
  if (outcome.exitCode === 1) return contradicted(`${ref} no longer exists in the repository`);
  return unverifiable(`git rev-parse failed (exit ${outcome.exitCode}): ${outcome.stderrTail.trim().slice(0, 200)}`);
}
