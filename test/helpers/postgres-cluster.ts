import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/*
 * A throwaway PostgreSQL cluster on loopback for tests and benches: initdb into a temp folder,
 * pg_ctl start on a free port with the socket in that folder, pg_ctl stop and remove at the end.
 * As root (CI containers) the server runs as the `postgres` user, since initdb refuses root.
 */

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, command))) return dir;
  }
  return undefined;
}

function findBinDir(): string | undefined {
  const fromPath = onPath('initdb');
  if (fromPath !== undefined && existsSync(join(fromPath, 'pg_ctl'))) return fromPath;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const dir = join(base, version, 'bin');
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  return undefined;
}

/** The folder of initdb and pg_ctl, or undefined when PostgreSQL is not installed. */
export const postgresBinDir = findBinDir();
export const hasPostgres = postgresBinDir !== undefined;
export const noPostgresReason = 'PostgreSQL server binaries (initdb, pg_ctl) are not installed; .ci/run installs them';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function postgresUserIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface PostgresCluster {
  /** `postgres://mnemo@127.0.0.1:PORT/mnemo` (trust authentication on loopback). */
  url: string;
  port: number;
  /** A URL of another, fresh database in this cluster. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Run a PostgreSQL binary, as the postgres user when this process is root. */
async function runPg(binary: string, args: string[]): Promise<void> {
  const path = join(postgresBinDir ?? '', binary);
  if (isRoot) await execa('runuser', ['-u', 'postgres', '--', path, ...args], { cwd: '/' });
  else await execa(path, args);
}

/** Start a fresh cluster; call `stop()` when done. `durable`: keep fsync on (benchmarks; tests run without it). */
export async function startPostgresCluster(options: { durable?: boolean } = {}): Promise<PostgresCluster> {
  if (postgresBinDir === undefined) throw new Error(noPostgresReason);
  const dir = await mkdtemp(join(tmpdir(), 'mnemo-pg-'));
  if (isRoot) {
    const { uid, gid } = postgresUserIds();
    await chown(dir, uid, gid);
  }
  const data = join(dir, 'data');
  await runPg('initdb', ['-D', data, '-U', 'mnemo', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir}${options.durable ? '' : ' -c fsync=off'} -c max_connections=200`;
  await runPg('pg_ctl', ['-D', data, '-o', serverOptions, '-l', join(dir, 'server.log'), '-w', '-t', '120', 'start']);
  const base = `postgres://mnemo@127.0.0.1:${port}`;
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  await admin.query('CREATE DATABASE mnemo');
  await admin.end();
  let stopped = false;
  return {
    url: `${base}/mnemo`,
    port,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: `${base}/postgres` });
      await client.connect();
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      await client.end();
      return `${base}/${name}`;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await runPg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
