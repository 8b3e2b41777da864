import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmbeddingsStub, type EmbeddingsStub } from '../helpers/embeddings-stub.js';
import { cli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-root.js';

/*
 * The per-prompt Claude Code hook with hybrid recall, against a local stub of the OpenAI
 * embeddings API (its synonym table puts "martial arts" near "kickboxing"): a topic that shares
 * no word with the prompt reaches the prompt's context; an unrelated prompt still gets nothing;
 * with the embedder down the hook runs lexical without error.
 */

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'claude-code-hooks');
let stub: EmbeddingsStub;

beforeEach(async () => {
  stub = await startEmbeddingsStub();
});
afterEach(async () => {
  await stub.close();
});

async function promptPayload(cwd: string, prompt: string, session = '7c1e0a55-2f4b-4d8e-9a61-0b3c5d7e9f12'): Promise<string> {
  return (await readFile(join(FIXTURES, 'user-prompt-submit.json'), 'utf8'))
    .replaceAll('TRANSCRIPT_PATH', join(cwd, 'transcript.jsonl'))
    .replaceAll('PROJECT_DIR', cwd)
    .replace('7c1e0a55-2f4b-4d8e-9a61-0b3c5d7e9f12', session)
    .replace('"PROMPT"', JSON.stringify(prompt));
}

/** A git project whose memory (hybrid recall through the stub) holds a hobby, a deploy note and a preference. */
async function hybridProject(): Promise<{ cwd: string; hook: (prompt: string, session?: string) => ReturnType<typeof cli> }> {
  const cwd = await tempDir();
  const home = await tempDir('mnemo-home-');
  await mkdir(join(cwd, '.git'));
  const run = (args: string[], stdin?: string) => cli(args, { cwd, env: { HOME: home }, ...(stdin === undefined ? {} : { stdin }) });
  expect((await run(['init'])).code).toBe(0);
  const config = join(cwd, '.mnemo', 'mnemo.config.json');
  const existing = await readFile(config, 'utf8').then(
    (text) => JSON.parse(text) as Record<string, unknown>,
    () => ({}),
  );
  await writeFile(
    config,
    JSON.stringify({
      ...existing,
      embeddings: { provider: 'openai-compatible', model: 'stub-embed', baseURL: stub.baseURL, mode: 'hybrid', timeoutMs: 30_000 },
    }),
  );
  const remember = async (body: string, name: string, description: string, type: string) =>
    expect((await run(['remember', body, '--name', name, '--description', description, '--type', type])).code).toBe(0);
  await remember('Ana goes to kickboxing class at the Northside gym.', 'Kickboxing on Tuesdays', 'when Ana trains', 'user');
  await remember(
    'Staging deploys are blue-green: switch traffic with `make flip`.',
    'Staging deploys are blue-green',
    'how staging deploys switch traffic',
    'project',
  );
  await remember('The user wants pnpm, never npm, for installs.', 'Use pnpm', 'package manager for installs', 'feedback');
  return { cwd, hook: async (prompt, session) => run(['hook', 'user-prompt-submit'], await promptPayload(cwd, prompt, session)) };
}

function contextOf(stdout: string): string {
  return (JSON.parse(stdout) as { hookSpecificOutput: { additionalContext: string } }).hookSpecificOutput.additionalContext;
}

describe('mnemo hook user-prompt-submit with hybrid recall', () => {
  it('adds a topic that shares no word with the prompt (found by the vectors), once per session, and nothing for an unrelated prompt', async () => {
    const { hook } = await hybridProject();
    const first = await hook('Any martial arts tips for a beginner?');
    expect(first.code).toBe(0);
    const context = contextOf(first.stdout);
    expect(context).toContain('## Kickboxing on Tuesdays [user] (kickboxing-on-tuesdays.md)');
    expect(context).toContain('Northside gym');
    expect(context).toMatch(/> provenance: user, trusted/);
    expect(context).not.toContain('pnpm');
    expect(context).not.toContain('make flip');
    expect(Buffer.byteLength(context)).toBeLessThanOrEqual(2048);
    // The query went to the embedder: the vector side ran.
    expect(stub.requests.flat()).toContain('Any martial arts tips for a beginner?');

    // Not repeated in the same session; a new session gets it again.
    expect(await hook('martial arts, once more?')).toMatchObject({ code: 0, stdout: '' });
    expect(contextOf((await hook('martial arts, once more?', 'b2d7e6c1-0000-4000-8000-000000000002')).stdout)).toContain(
      'kickboxing-on-tuesdays.md',
    );

    // A prompt the memory knows nothing about (near to nothing) still costs no tokens.
    expect(await hook('Write a haiku about autumn leaves.', 'b2d7e6c1-0000-4000-8000-000000000003')).toMatchObject({ code: 0, stdout: '' });
    // Lexical matches still come in as before.
    expect(contextOf((await hook('How do staging deploys switch traffic?', 'b2d7e6c1-0000-4000-8000-000000000003')).stdout)).toContain(
      'make flip',
    );
  });

  it('falls back to lexical relevance without error when the embedder is down', async () => {
    const { hook } = await hybridProject();
    stub.down = true;
    const semantic = await hook('Any martial arts tips for a beginner?');
    expect(semantic).toMatchObject({ code: 0, stdout: '' });
    const lexical = await hook('How do staging deploys switch traffic?');
    expect(lexical.code).toBe(0);
    const context = contextOf(lexical.stdout);
    expect(context).toContain('## Staging deploys are blue-green [project] (staging-deploys-are-blue-green.md)');
    expect(context).not.toContain('kickboxing');
  });
});
