import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startChatCompletionsStub, requestText, type ChatCompletionsStub } from '../helpers/chat-completions-stub.js';
import { failingCheckRepo } from '../helpers/failing-check-repo.js';
import { cli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-root.js';

const REPO = join(import.meta.dirname, '..', '..');
let stub: ChatCompletionsStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

function chat(cwd: string, input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', pathToFileURL(join(REPO, 'node_modules/tsx/dist/loader.mjs')).href, join(REPO, 'src/cli/main.ts'), 'chat', '--yes'], {
      cwd,
      env: { ...process.env, MNEMO_LOG_LEVEL: 'silent' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('mnemo chat, driven through stdin', () => {
  it('talks over several turns with multi-line input, and answers /memory, /tasks, /compact and /exit', async () => {
    const workspace = await tempDir();
    await failingCheckRepo(workspace);
    expect((await cli(['init'], { cwd: workspace })).code).toBe(0);
    expect((await cli(['remember', 'Run `node check.js` to test greet.js.', '--name', 'How to test', '--description', 'the check command', '--type', 'project'], { cwd: workspace })).code).toBe(0);
    stub = await startChatCompletionsStub([
      { toolCalls: [{ name: 'read', arguments: { path: 'greet.js' } }] },
      { text: 'greet.js returns "Hi NAME".' },
      { text: 'Second answer.' },
      { text: 'Summary: greet.js returns "Hi NAME"; the user asked a second question.' },
    ]);
    await writeFile(join(workspace, '.mnemo', 'mnemo.config.json'), JSON.stringify({ model: { provider: 'openai-compatible', model: 'stub-model', baseURL: stub.baseURL } }));
    const session = await chat(workspace, ['/memory', 'What does greet.js return?', '/tasks', 'And now a question \\', 'on two lines.', '/compact', '/nope', '/exit', 'never sent', ''].join('\n'));
    expect(session.code, session.stderr).toBe(0);
    expect(session.stdout).toContain('[How to test](how-to-test.md)');
    expect(session.stdout).toContain('greet.js returns "Hi NAME".');
    expect(session.stdout).toContain('Second answer.');
    expect(session.stdout).toMatch(/t-[a-z0-9]+ open, 0 note\(s\): What does greet.js return\?/);
    expect(session.stdout).toMatch(/Compacted: \d+ → \d+ tokens\./);
    expect(session.stdout).toContain('Unknown command /nope.');
    expect(session.stderr).toContain('• read(greet.js)');
    expect(stub.requests).toHaveLength(4);
    expect(requestText(stub.requests[3]!)).toContain('greet.js returns');
    const third = requestText(stub.requests[2]!);
    expect(third).toContain('What does greet.js return?');
    expect(third).toContain('And now a question \non two lines.');
    expect(stub.requests.some((request) => requestText(request).includes('never sent'))).toBe(false);
  });
});
