import { spawn } from 'node:child_process';
import { MnemoError } from '../shared/index.js';

export interface GitOutcome {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Run git with argv (never a shell) in `cwd`; the whole output is kept (staged blobs come through it). */
export function runGit(cwd: string, args: readonly string[], input?: string): Promise<GitOutcome> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('git', args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) =>
      reject(new MnemoError('io', `git could not start: ${error.message}`, { hint: 'Install git and put it on PATH.', cause: error })),
    );
    child.on('close', (code) =>
      resolvePromise({ code: code ?? 1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

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
