import { MnemoError, runGit } from '../shared/index.js';

export { runGit } from '../shared/index.js';
export type { GitOutcome } from '../shared/index.js';

/** Run git and return its stdout as text, or throw an error that quotes git's message. */
export async function gitText(cwd: string, args: readonly string[], what: string): Promise<string> {
  const outcome = await runGit(cwd, args);
  if (outcome.code !== 0) {
    const message = outcome.stderr.trim().split('\n')[0] ?? '';
    if (/not a git repository/i.test(message)) {
      throw new MnemoError('invalid-input', `${cwd} is not inside a git repository.`, {
        hint: 'Run this in the repository that holds (or will hold) the memory, or `git init` first.',
      });
    }
    throw new MnemoError('io', `Cannot ${what}: git says: ${message}`);
  }
  return outcome.stdout.toString('utf8');
}
