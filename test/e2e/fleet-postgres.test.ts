import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/index.js';
import { describeWithPostgres } from '../helpers/postgres-describe.js';
import { cli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-root.js';
import { REPO, assertBuilt, httpClient, resultData, resultText, startHttpServer, type HttpServer } from './mcp-harness.js';

/*
 * One memory for a fleet: several `mnemo mcp --http` servers pointed at one PostgreSQL database
 * (each with its own working copy, as on different machines) serve one memory.
 */

beforeAll(assertBuilt);

/** A project folder (a git root with `.mnemo/`) and a cache of its own: one machine. */
async function machine(url: string): Promise<{ cwd: string; env: Record<string, string> }> {
  const cwd = await tempDir('mnemo-fleet-');
  await mkdir(join(cwd, '.git'));
  await mkdir(join(cwd, '.mnemo'));
  return { cwd, env: { MNEMO_DATABASE_URL: url, XDG_CACHE_HOME: join(cwd, 'cache') } };
}

async function fleetDatabase(url: string): Promise<void> {
  const migrated = await cli(['migrate', '--url', url, '--json'], { cwd: await tempDir() });
  expect(migrated.code, migrated.stderr).toBe(0);
}

async function serverOn(url: string): Promise<HttpServer & { env: Record<string, string>; cwd: string }> {
  const { cwd, env } = await machine(url);
  return { ...(await startHttpServer(cwd, [], env)), env, cwd };
}

async function liveSlugs(url: string): Promise<string[]> {
  const store = await openPostgresStore({ url });
  try {
    return (await store.topics.list()).map((topic) => topic.slug);
  } finally {
    await store.close();
  }
}

type McpClient = Awaited<ReturnType<typeof httpClient>>;

/** `remember` through an agent stages the note in a task; the user's confirmation (on `confirmer`) makes it memory. */
async function rememberConfirmed(client: McpClient, confirmer: McpClient, note: Record<string, string>): Promise<void> {
  const staged = await client.callTool({ name: 'remember', arguments: { type: 'project', ...note } });
  expect(resultData(staged), resultText(staged)).toMatchObject({ status: 'staged' });
  const done = await confirmer.callTool({ name: 'task_complete', arguments: { task: String(resultData(staged).task), confirmed: true } });
  expect(resultData(done), resultText(done)).toMatchObject({ outcome: 'promoted' });
}

describeWithPostgres('one memory for a fleet: mnemo mcp --http servers on one PostgreSQL database', (cluster) => {
  it('a write through one server is recalled through the other at once, and a forget propagates back', async () => {
    const url = await cluster().createDatabase('fleet_recall');
    await fleetDatabase(url);
    const [a, b] = await Promise.all([serverOn(url), serverOn(url)]);
    try {
      const [alice, bob] = await Promise.all([httpClient(a.url), httpClient(b.url)]);
      // Staged through A, confirmed through B: the task and its notes are shared too.
      await rememberConfirmed(alice, bob, {
        name: 'Deploy path',
        description: 'how releases reach production',
        body: 'Releases go through the staging cluster before production.',
      });
      const onA = await alice.callTool({ name: 'recall', arguments: { query: 'staging cluster releases' } });
      expect(resultText(onA)).toContain('Releases go through the staging cluster before production.');

      // No restart, no wait: the other server's next call sees it.
      const recalled = await bob.callTool({ name: 'recall', arguments: { query: 'staging cluster releases' } });
      expect(resultText(recalled)).toContain('Releases go through the staging cluster before production.');
      expect(await liveSlugs(url)).toEqual(['deploy-path']);

      const forgot = await bob.callTool({
        name: 'forget',
        arguments: { topic: 'deploy-path', reason: 'we deploy straight to production now' },
      });
      expect(forgot.isError, resultText(forgot)).toBeFalsy();
      const after = await alice.callTool({ name: 'recall', arguments: { query: 'staging cluster releases' } });
      expect(resultText(after)).not.toContain('staging cluster before production');
      const listed = await alice.callTool({ name: 'list', arguments: {} });
      expect(resultData(listed).topics).toEqual([]);
      expect(await liveSlugs(url)).toEqual([]);
      await Promise.all([alice.close(), bob.close()]);
    } finally {
      expect(await a.stop()).toBe(0);
      expect(await b.stop()).toBe(0);
    }
  });

  it('many writers at once through two servers: nothing lost, nothing duplicated, one index', async () => {
    const url = await cluster().createDatabase('fleet_writers');
    await fleetDatabase(url);
    const [a, b] = await Promise.all([serverOn(url), serverOn(url)]);
    try {
      const clients = await Promise.all([httpClient(a.url), httpClient(a.url), httpClient(b.url), httpClient(b.url)]);
      // Unrelated notes, so that the discipline never takes one for a near-duplicate of another.
      const notes = [
        ['Billing retries', 'invoices are retried nightly by cron'],
        ['Search engine', 'full-text search runs on OpenSearch 2'],
        ['Upload limit', 'attachments above 25 MB are rejected'],
        ['Payments sandbox', 'Stripe test keys live in vault'],
        ['Profile avatars', 'pictures get resized to 256 px'],
        ['Checkout flags', 'feature toggles come from LaunchDarkly'],
        ['Inventory sync', 'warehouse counts import hourly over SFTP'],
        ['Shipping zones', 'EU parcels ship through DHL Express'],
      ] as const;
      await Promise.all(
        notes.map(([name, description], index) =>
          rememberConfirmed(clients[index % clients.length]!, clients[(index + 1) % clients.length]!, {
            name,
            description,
            body: `${description}.`,
          }),
        ),
      );
      const expected = notes.map(([name]) => name.toLowerCase().replace(' ', '-')).sort();
      expect((await liveSlugs(url)).sort()).toEqual(expected);
      for (const client of clients) {
        const listed = await client.callTool({ name: 'list', arguments: {} });
        expect((resultData(listed).topics as { slug: string }[]).map((topic) => topic.slug).sort()).toEqual(expected);
      }
      // The index both servers render is the same, and names every topic once.
      const store = await openPostgresStore({ url });
      try {
        const index = (await store.readIndex())?.toString('utf8') ?? '';
        for (const slug of expected) expect(index.split(`(${slug}.md)`).length - 1).toBe(1);
        // Each topic was written once: version 1, no lost update rewrote it.
        for (const slug of expected) expect((await store.topics.read(slug))?.revision).toBe('v1');
      } finally {
        await store.close();
      }
      await Promise.all(clients.map((client) => client.close()));
    } finally {
      expect(await a.stop()).toBe(0);
      expect(await b.stop()).toBe(0);
    }
  });

  it('a writer killed in the middle of a change leaves no partial topic anywhere', async () => {
    const url = await cluster().createDatabase('fleet_killed');
    await fleetDatabase(url);
    const writer = await machine(url);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO, 'test/helpers/fleet-child.ts'), 'hang-at', writer.cwd, 'topic-written', 'Half written'],
      {
        cwd: REPO,
        env: { ...process.env, ...writer.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('at topic-written')) resolve();
      });
      void exited.then(() => reject(new Error(`the writer exited before the change: ${stderr}`)));
    });
    // The topic file is in the writer's copy, its transaction is open: kill it there.
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    expect(await liveSlugs(url)).toEqual([]);
    const b = await serverOn(url);
    try {
      const bob = await httpClient(b.url);
      const recalled = await bob.callTool({ name: 'recall', arguments: { query: 'half written' } });
      expect(resultText(recalled)).not.toContain('unfinished');
      // Its lock died with its connection: the same topic can be written now.
      await rememberConfirmed(bob, bob, { name: 'Half written', description: 'written whole this time', body: 'Half written: now whole.' });
      await bob.close();
    } finally {
      expect(await b.stop()).toBe(0);
    }
    // The killed writer's machine, opened again: its copy was rebuilt from the database, not kept half-written.
    const shown = await cli(['show', 'half-written', '--json'], { cwd: writer.cwd, env: writer.env });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('now whole');
    expect(shown.stdout).not.toContain('unfinished');
  });
});
