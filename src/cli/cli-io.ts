/** Where a command reads and writes; the real process in `main.ts`, buffers in tests. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  stdin?: NodeJS.ReadableStream;
  cwd: string;
  /** Environment for config; undefined means the process environment (read by config/ only). */
  env?: NodeJS.ProcessEnv;
  /** Colors and spinners only on a terminal. */
  isTty: boolean;
}

/** Read all of stdin as text (for `-` arguments). */
export async function readAllStdin(io: CliIo): Promise<string> {
  if (!io.stdin) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
