import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openMemory } from '../../src/index.js';
import { cli } from '../helpers/run-cli.js';
import { CLI, assertBuilt, memoryProject, resultText, stdioClient } from './mcp-harness.js';

beforeAll(assertBuilt);

// Fake secrets, assembled so that no secret-shaped literal sits in the repository.
const GITHUB_TOKEN = ['ghp_', 'Qw7Er9Ty2Ui4Op6As8Df1Gh3Jk5Lz0Xc2Vb4'].join('');
const AWS_KEY = ['AKIA', 'Q3ZT7W2XK5MN4RPL'].join('');
const JWT = ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiJkZXBsb3kiLCJyb2xlIjoiYWRtaW4ifQ', 'Xk2Pq9Lm4Nz7Rt1Vw3Ys5Ab8Cd0Ef6Gh2Jk4Mn6Pq8Rs'].join(
  '.',
);
const ATLAS = ['Zx8Cv6Bn4Mq2Wa', 'atlasv1', 'Rt5Yu7Io9Pa1Sd3Fg5Hj7Kl9Zx1Cv3Bn5Mq7Wa9Es1Rd3Tf5Gy7Hu9Ij1Ok3Pl5Qa7Ws9Ed1Rf3Tg5Yh'].join('.');
const RANDOM_KEY = ['Hq4', 'Zr8Wm2Xt6Kp9Ln3Vb7Cs1Df5Gj0Ty'].join('');

const urlAll = (value: string) => [...Buffer.from(value)].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

/** Each encoded form and what it hides. */
const ENCODED = {
  base64: Buffer.from(GITHUB_TOKEN).toString('base64'),
  hex: Buffer.from(AWS_KEY).toString('hex'),
  base64url: Buffer.from(JWT).toString('base64url'),
  url: urlAll(`password=${RANDOM_KEY}`),
};
const TEXT = `deploy notes: blob ${ENCODED.base64}, dump ${ENCODED.hex}, state=${ENCODED.base64url}, q=${ENCODED.url}; TFE_TOKEN=${ATLAS}; key = "${RANDOM_KEY}"`;
/** What must never be found in any file: the encoded runs and what they decode to. */
const NEVER = [...Object.values(ENCODED), GITHUB_TOKEN, AWS_KEY, JWT, ATLAS, RANDOM_KEY];

async function everyFile(dir: string): Promise<string> {
  let all = '';
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if ((await stat(path)).isDirectory()) all += await everyFile(path);
    else all += (await readFile(path)).toString('latin1');
  }
  return all;
}

async function assertNothingOnDisk(dir: string): Promise<void> {
  const disk = await everyFile(dir);
  expect(disk).toContain('[REDACTED:');
  for (const secret of NEVER) expect(disk, `found on disk: ${secret.slice(0, 12)}…`).not.toContain(secret);
  expect(await readdir(join(dir, '.state'))).toContain('search.db');
}

const topic = { name: 'Deploy notes', description: 'how the deploy authenticates', type: 'project' as const, body: TEXT };

describe('encoded secrets never touch disk (every file under the root, .state/ and search.db included)', () => {
  it('through the CLI: remember, log, task begin/observe/note, then recall --deep', async () => {
    const { cwd, dir } = await memoryProject();
    const run = (args: string[]) => cli(args, { cwd });
    expect(
      (await run(['remember', TEXT, '--name', 'Deploy notes', '--description', 'how the deploy authenticates', '--type', 'project'])).code,
    ).toBe(0);
    expect((await run(['log', TEXT, '--session', 's1', '--kind', 'tool-result'])).code).toBe(0);
    const id = (await run(['task', 'begin', `rotate ${ENCODED.base64}`])).stdout.trim();
    await run(['task', 'observe', id, '--kind', 'error', TEXT]);
    await run(['task', 'note', id, TEXT, '--name', 'Rotation', '--description', 'rotated keys', '--type', 'project']);
    await run(['recall', 'deploy notes blob', '--deep']);
    await assertNothingOnDisk(dir);
  });

  it('through the library API', async () => {
    const { dir } = await memoryProject();
    const memory = await openMemory({ dir });
    try {
      await memory.remember(topic);
      await memory.log('s-api', { kind: 'tool-result', text: TEXT, data: { raw: TEXT } });
      const task = await memory.beginTask({ goal: `rotate ${ENCODED.hex}` });
      await task.observe('error', TEXT);
      await task.note({ ...topic, name: 'Rotation' });
      await memory.recall('deploy notes blob', { deep: true });
    } finally {
      memory.close();
    }
    await assertNothingOnDisk(dir);
  });

  it('through MCP (the official client over stdio): remember, task_begin, task_observe, task_note, recall', async () => {
    const { cwd, dir } = await memoryProject();
    const { client } = await stdioClient(cwd, [CLI, 'mcp']);
    try {
      await client.callTool({ name: 'remember', arguments: topic });
      const begun = await client.callTool({ name: 'task_begin', arguments: { goal: `rotate ${ENCODED.url}` } });
      const task = /t-[a-z0-9]+/.exec(resultText(begun))?.[0] ?? '';
      await client.callTool({ name: 'task_observe', arguments: { task, kind: 'tool-result', text: TEXT } });
      await client.callTool({ name: 'task_note', arguments: { task, ...topic, name: 'Rotation' } });
      await client.callTool({ name: 'recall', arguments: { query: 'deploy notes blob', deep: true } });
    } finally {
      await client.close();
    }
    await assertNothingOnDisk(dir);
  });
});
