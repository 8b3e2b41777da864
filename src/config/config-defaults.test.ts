import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { plainDefaults } from './config-defaults.js';
import { configSchema } from './config-schema.js';
import { loadConfig } from './load-config.js';

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
});

async function root(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mnemo-config-'));
  roots.push(dir);
  return dir;
}

describe('the defaults a start without a config file gets (no schema built)', () => {
  it('are exactly what the schema makes of an empty file', () => {
    expect(plainDefaults()).toStrictEqual(configSchema().parse({}));
  });

  it('are the same config, with the plain MNEMO_WRITES and MNEMO_LOG_LEVEL applied, as the schema gives', async () => {
    const dir = await root();
    const env = { MNEMO_WRITES: 'read-only', MNEMO_LOG_LEVEL: 'silent' };
    const noFile = loadConfig({ dir, env });
    expect(noFile.config).toStrictEqual(configSchema().parse({ writes: 'read-only', logLevel: 'silent' }));
    expect(noFile.configFile).toBeUndefined();
    // An empty file goes through the schema: the same config.
    await writeFile(join(dir, 'mnemo.config.json'), '{}');
    expect(loadConfig({ dir, env }).config).toStrictEqual(noFile.config);
    expect(loadConfig({ dir, env }).configFile).toBe(join(dir, 'mnemo.config.json'));
  });

  it('keeps every error message: a bad MNEMO_WRITES, a bad log level, a bad file', async () => {
    const dir = await root();
    expect(() => loadConfig({ dir, env: { MNEMO_WRITES: 'sometimes' } })).toThrow('MNEMO_WRITES=sometimes is not a writes mode.');
    expect(() => loadConfig({ dir, env: { MNEMO_LOG_LEVEL: 'loud' } })).toThrow(
      `Invalid configuration in ${join(dir, 'mnemo.config.json')}: logLevel:`,
    );
    await writeFile(join(dir, 'mnemo.config.json'), JSON.stringify({ recall: { limit: 0 } }));
    expect(() => loadConfig({ dir, env: {} })).toThrow(/Invalid configuration in .*: recall\.limit:/);
  });

  it('hands out a fresh copy each time, so one caller changing its config changes no other', async () => {
    const dir = await root();
    const first = loadConfig({ dir, env: {} }).config;
    first.recall.limit = 99;
    expect(loadConfig({ dir, env: {} }).config.recall.limit).toBe(5);
  });
});
