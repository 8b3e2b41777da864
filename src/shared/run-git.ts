import { MnemoError } from './errors.js';

export interface GitOutcome {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Run git with argv (never a shell) in `cwd`; the whole output is kept (staged blobs come through it). */
export async function runGit(cwd: string, args: readonly string[], input?: string): Promise<GitOutcome> {
  // child_process is loaded on the first call: shared/ is on every command's start path
  const { spawn } = await import('node:child_process');
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

/** Split `git cat-file --batch` output into the contents, in request order (undefined for a missing object). */
export function batchContents(output: Buffer, count: number): (Buffer | undefined)[] {
  const contents: (Buffer | undefined)[] = [];
  let offset = 0;
  while (contents.length < count && offset < output.length) {
    const newline = output.indexOf(0x0a, offset);
    if (newline < 0) break;
    const header = output.subarray(offset, newline).toString('utf8');
    offset = newline + 1;
    const size = /^\S+ \S+ (\d+)$/.exec(header)?.[1];
    if (size === undefined) {
      contents.push(undefined); // "<name> missing"
      continue;
    }
    const length = Number(size);
    contents.push(output.subarray(offset, offset + length));
    offset += length + 1;
  }
  return contents;
}
