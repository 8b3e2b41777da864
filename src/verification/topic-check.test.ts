import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-root.js';
import { createManualClock } from '../shared/index.js';
import type { Evidence } from '../store/index.js';
import { checkEvidence } from './evidence-check.js';
import { CHEAP_EVIDENCE_KINDS, EXPENSIVE_EVIDENCE_KINDS, checkTopic } from './topic-check.js';
import { describeTopicVerdict, describeVerdict } from './verdict-text.js';
import { checkContext as contextFor } from '../../test/helpers/check-context.js';

async function workspace(): Promise<string> {
  const root = await tempDir();
  await mkdir(join(root, 'deploy'));
  await writeFile(join(root, 'deploy/staging.yaml'), 'strategy: blue-green\n');
  return root;
}

describe('topic checks', () => {
  it('is confirmed when every checked item is, contradicted when any is, unverifiable otherwise', async () => {
    const root = await workspace();
    const file: Evidence = { kind: 'file', path: 'deploy/staging.yaml', contains: 'blue-green' };
    const env: Evidence = { kind: 'env', name: 'DEPLOY_TOKEN' };
    const context = contextFor(root, { env: { DEPLOY_TOKEN: 'secret-value' } });

    const allGood = await checkTopic([file, env], context, { budgetMs: 2000 });
    expect(allGood).toMatchObject({ status: 'confirmed', counts: { confirmed: 2, contradicted: 0, unverifiable: 0 } });
    expect(JSON.stringify(allGood)).not.toContain('secret-value');

    const withGone = await checkTopic([file, { kind: 'file', path: 'deploy/prod.yaml' }], context, { budgetMs: 2000 });
    expect(withGone.status).toBe('contradicted');
    expect(describeTopicVerdict(withGone)).toBe('checked now: contradicted: deploy/prod.yaml is gone');

    const withUnknown = await checkTopic([file, { kind: 'command', run: 'npm test' }], context, { budgetMs: 2000 });
    expect(withUnknown.status).toBe('unverifiable');
    expect(describeVerdict(withUnknown.verdicts[1] ?? { status: 'confirmed', detail: '' })).toMatch(
      /^unverifiable: commands are not allowed/,
    );

    expect((await checkTopic([], context, { budgetMs: 100 })).status).toBe('unverifiable');
  });

  it('checks only the kinds asked for; the others are skipped and do not count', async () => {
    const root = await workspace();
    const command: Evidence = { kind: 'command', run: 'npm run deploy:check' };
    const verdict = await checkTopic([{ kind: 'file', path: 'deploy/staging.yaml' }, command], contextFor(root), {
      budgetMs: 2000,
      kinds: CHEAP_EVIDENCE_KINDS,
    });
    expect(verdict).toMatchObject({ status: 'confirmed', skipped: [command] });
    expect(verdict.verdicts).toHaveLength(1);
    expect(describeTopicVerdict(verdict)).toBe('checked now: confirmed (1 item)');
    expect([...CHEAP_EVIDENCE_KINDS, ...EXPENSIVE_EVIDENCE_KINDS].sort()).toEqual([
      'command',
      'env',
      'file',
      'git',
      'http',
      'package',
      'symbol',
    ]);
  });

  it('keeps the order of the evidence and stamps the time from the clock', async () => {
    const root = await workspace();
    const clock = createManualClock('2026-11-22T17:40:00.000Z');
    const items: Evidence[] = [
      { kind: 'file', path: 'missing.txt' },
      { kind: 'file', path: 'deploy/staging.yaml' },
      { kind: 'env', name: 'HOME' },
    ];
    const verdict = await checkTopic(items, contextFor(root, { clock }), { budgetMs: 2000, concurrency: 2 });
    expect(verdict.verdicts.map((item) => item.evidence)).toEqual(items);
    expect(verdict.verdicts.map((item) => item.status)).toEqual(['contradicted', 'confirmed', 'unverifiable']);
    expect(verdict.verdicts[2]?.detail).toBe('no environment was given to check against');
    expect(verdict.checkedAt).toBe('2026-11-22T17:40:00Z');
    expect(verdict.durationMs).toBe(0);
  });

  it('a checker that throws yields unverifiable with the reason', async () => {
    const throwing = (async () => {
      throw new Error('socket hang up');
    }) as typeof fetch;
    const verdict = await checkEvidence(
      { kind: 'http', url: 'http://127.0.0.1:1/x' },
      contextFor('.', { allowHttp: true, allowedHosts: ['127.0.0.1'], fetch: throwing }),
    );
    expect(verdict).toMatchObject({ status: 'unverifiable', detail: 'GET http://127.0.0.1:1/x failed: socket hang up' });

    const brokenRunnerContext = contextFor('.', { runner: () => Promise.reject(new Error('runner exploded')) });
    const git = await checkEvidence({ kind: 'git', ref: 'main' }, brokenRunnerContext);
    expect(git).toMatchObject({ status: 'unverifiable', detail: 'the check failed: runner exploded' });
  });

  it('stops when the caller aborts', async () => {
    const root = await workspace();
    const controller = new AbortController();
    const hanging = () => new Promise<never>(() => undefined);
    const pending = checkTopic([{ kind: 'git', ref: 'main' }], contextFor(root, { runner: hanging, signal: controller.signal }), {
      budgetMs: 10_000,
    });
    controller.abort();
    const verdict = await pending;
    expect(verdict.verdicts[0]).toMatchObject({ status: 'unverifiable', detail: 'the check was stopped before it finished' });
  });
});

describe('env evidence', () => {
  it('is set or not set in the environment the app passed, never its value', async () => {
    const context = contextFor('.', { env: { API_KEY: 'abc', EMPTY: '' } });
    expect(await checkEvidence({ kind: 'env', name: 'API_KEY' }, context)).toMatchObject({
      status: 'confirmed',
      detail: 'API_KEY is set',
      observed: { set: true },
    });
    expect(await checkEvidence({ kind: 'env', name: 'MISSING' }, context)).toMatchObject({
      status: 'contradicted',
      detail: 'MISSING is not set',
    });
    expect((await checkEvidence({ kind: 'env', name: 'EMPTY' }, context)).status).toBe('contradicted');
    expect((await checkEvidence({ kind: 'env', name: 'toString' }, context)).status).toBe('contradicted');
  });
});
