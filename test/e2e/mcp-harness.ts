import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
import { cli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-root.js';

export const REPO = join(import.meta.dirname, '..', '..');
/** The built CLI (`npm test` builds first). */
export const CLI = join(REPO, 'dist', 'cli', 'main.js');

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does).`);
}

/** A git project with an initialized memory root at `.mnemo/`. */
export async function memoryProject(config?: Record<string, unknown>): Promise<{ cwd: string; dir: string }> {
  const cwd = await tempDir('mnemo-e2e-');
  await mkdir(join(cwd, '.git'));
  await cli(['init'], { cwd });
  if (config) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(cwd, '.mnemo', 'mnemo.config.json'), JSON.stringify(config));
  }
  return { cwd, dir: join(cwd, '.mnemo') };
}

/** The official MCP client connected to `node dist/cli/main.js <args>` over stdio. */
export async function stdioClient(
  cwd: string,
  args: readonly string[] = ['mcp'],
  command = process.execPath,
): Promise<{ client: Client; transport: StdioClientTransport; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command,
    args: [...args],
    cwd,
    stderr: 'pipe',
    env: { ...getDefaultEnvironment(), MNEMO_LOG_LEVEL: 'warn' },
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'mnemo-e2e', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport, stderr: () => stderr };
}

export interface HttpServer {
  url: string;
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM, then the exit code. */
  stop: () => Promise<number | null>;
}

/** `mnemo mcp --http --port 0 …` as a child process; resolves with its URL once it listens. */
export function startHttpServer(cwd: string, args: readonly string[] = [], env: Record<string, string> = {}): Promise<HttpServer> {
  const child = spawn(process.execPath, [CLI, 'mcp', '--http', '--port', '0', ...args], {
    cwd,
    env: { ...process.env, MNEMO_LOG_LEVEL: 'warn', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match?.[1]) {
        resolve({
          url: match[1],
          child,
          stdout: () => stdout,
          stderr: () => stderr,
          stop: async () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    void exited.then((code) => reject(new Error(`the server exited (${code}) before listening: ${stderr}`)));
  });
}

/** The official MCP client over streamable HTTP. */
export async function httpClient(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'mnemo-e2e-http', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

/** The text of a tool result. */
export function resultText(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((part) => part.text ?? '').join('\n');
}

/** The structured content of a tool result. */
export function resultData(result: unknown): Record<string, unknown> {
  return (result as { structuredContent?: Record<string, unknown> }).structuredContent ?? {};
}
