import { runCli } from '../../src/cli/index.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in-process with captured streams (no stray stdout). */
export async function cli(argv: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; stdin?: string }): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const { Readable } = await import('node:stream');
  const code = await runCli(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    ...(options.stdin === undefined ? {} : { stdin: Readable.from([options.stdin]) }),
    cwd: options.cwd,
    env: { MNEMO_LOG_LEVEL: 'silent', ...(options.env ?? {}) },
    isTty: false,
  });
  return { code, stdout, stderr };
}
