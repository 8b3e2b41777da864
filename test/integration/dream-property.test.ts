import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createManualClock, initMemory, isMnemoError, openMemory, type Memory } from '../../src/index.js';
import { dreamInvariantViolations, topicHashes } from '../helpers/dream-consistency.js';
import { fileHashes, writeTopic } from '../helpers/dream-fixtures.js';
import { tempDir } from '../helpers/temp-root.js';

/*
 * For random memories and random sequences of changes and dreams: no topic is ever lost (each is
 * active, superseded with a pointer to a topic that exists or was tombstoned, or tombstoned with
 * an intact copy), the index stays within its budget, and a rollback right after a dream restores
 * every file byte for byte.
 */

const THEMES = [
  ['API port', 'The API port is', 'the port the API listens on'],
  ['Staging deploys', 'Staging deploys use blue-green; the build number is', 'how staging is deployed'],
  ['Test runner', 'Tests run with vitest; the timeout in seconds is', 'which test runner we use'],
  ['Feature flags', 'Feature flags live in config/flags.yaml; their count is', 'where feature flags are'],
] as const;
const TYPES = ['project', 'reference', 'user', 'feedback'] as const;
const STATUSES = ['active', 'active', 'active', 'suspect', 'superseded'] as const;

const topicArbitrary = fc.record({
  theme: fc.integer({ min: 0, max: THEMES.length - 1 }),
  value: fc.integer({ min: 1, max: 3 }),
  type: fc.constantFrom(...TYPES),
  status: fc.constantFrom(...STATUSES),
  ageDays: fc.integer({ min: 0, max: 400 }),
  verified: fc.boolean(),
  extra: fc.constantFrom('', ' It broke yesterday.', ' Checked last week.', ' Also see the runbook.'),
});

const opArbitrary = fc.oneof(
  fc.record({
    kind: fc.constant('remember' as const),
    theme: fc.integer({ min: 0, max: THEMES.length - 1 }),
    value: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({ kind: fc.constant('advance' as const), days: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ kind: fc.constant('recall' as const), theme: fc.integer({ min: 0, max: THEMES.length - 1 }) }),
  fc.record({ kind: fc.constant('dream' as const), rollback: fc.boolean() }),
  fc.record({ kind: fc.constant('rollback' as const) }),
);

const CONFIG = {
  logLevel: 'silent' as const,
  index: { maxLines: 12, maxBytes: 1000, warnRatio: 0.8 },
  dream: {
    idleHours: 24,
    sessions: 5,
    lockStaleHours: 1,
    mergeThreshold: 0.3,
    retireSupersededAfterDays: 2,
    retireSuspectAfterDays: 5,
    retireUnusedAfterDays: 30,
    checkBudgetMs: 10_000,
    useModel: false,
  },
};

/**
 * `fresh`: the index was rendered since the clock last moved. Ranking decays with age, so once
 * time passes an index over its budget may rank differently until the next write renders it.
 */
async function assertInvariants(memory: Memory, dir: string, known: ReadonlySet<string>, fresh = true): Promise<void> {
  expect(await dreamInvariantViolations(dir, known)).toEqual([]);
  const check = await memory.checkIndex();
  if (fresh) expect(check.problems).toEqual([]);
  expect(check.report.lines).toBeLessThanOrEqual(CONFIG.index.maxLines);
  expect(check.report.bytes).toBeLessThanOrEqual(CONFIG.index.maxBytes);
}

describe('dream, property', () => {
  it('never loses a topic, keeps the index within budget, and rolls back byte for byte', { timeout: 300_000 }, async () => {
    const seen: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(
        fc.array(topicArbitrary, { minLength: 2, maxLength: 10 }),
        fc.array(opArbitrary, { maxLength: 6 }),
        async (topics, ops) => {
          const cwd = await tempDir();
          const dir = join(cwd, 'm');
          await initMemory({ dir, cwd });
          const clock = createManualClock('2026-11-25T10:00:00Z');
          const now = () => clock.now().getTime();
          for (const [index, topic] of topics.entries()) {
            const [name, statement, description] = THEMES[topic.theme] ?? THEMES[0];
            const time = new Date(now() - topic.ageDays * 86_400_000).toISOString();
            await writeTopic(
              dir,
              `t${index}`,
              {
                name: `${name} ${index % 2 === 0 ? '' : 'notes'}`.trim(),
                description,
                type: topic.type,
                id: `ID${index}`,
                created: time,
                updated: time,
                ...(topic.verified ? { verified: time } : {}),
                ...(topic.status === 'active' ? {} : { status: topic.status }),
                ...(topic.status === 'superseded' ? { supersededBy: `ID${(index + 1) % topics.length}` } : {}),
                source: { kind: 'agent', trust: 'trusted' },
              },
              `${statement} ${8000 + topic.value}.${topic.extra}`,
            );
          }
          const known = new Set((await topicHashes(dir)).keys());
          const memory = await openMemory({ dir, cwd, workspace: cwd, clock, config: CONFIG });
          try {
            await memory.renderIndex();
            await assertInvariants(memory, dir, known);
            let fresh = true;
            for (const op of ops) {
              if (op.kind === 'advance') {
                clock.advance(op.days * 86_400_000);
                fresh = false;
              } else if (op.kind === 'recall') await memory.recall(THEMES[op.theme]?.[0] ?? 'port');
              else if (op.kind === 'remember') {
                const [name, statement, description] = THEMES[op.theme] ?? THEMES[0];
                const written = await memory.remember({
                  name: `${name} update`,
                  description,
                  type: 'project',
                  body: `${statement} ${9000 + op.value}.`,
                });
                if (written.status === 'written') known.add(written.slug);
                fresh = true;
              } else if (op.kind === 'rollback') {
                const rolled = await memory.rollbackDream().catch((error: unknown) => {
                  if (!isMnemoError(error, 'check-failed') && !isMnemoError(error, 'not-found') && !isMnemoError(error, 'invalid-input'))
                    throw error;
                });
                if (rolled) fresh = true;
              } else {
                fresh = true;
                await memory.renderIndex();
                const before = await fileHashes(dir);
                const outcome = await memory.dream();
                expect(outcome.status).toBe('applied');
                if (outcome.status === 'applied') for (const action of outcome.actions) seen[action.kind] = (seen[action.kind] ?? 0) + 1;
                for (const slug of (await topicHashes(dir)).keys()) known.add(slug);
                await assertInvariants(memory, dir, known);
                if (op.rollback) {
                  const result = await memory.rollbackDream();
                  expect(result.indexIdentical).toBe(true);
                  expect(await fileHashes(dir)).toEqual(before);
                  seen.rollback = (seen.rollback ?? 0) + 1;
                }
              }
              await assertInvariants(memory, dir, known, fresh);
            }
          } finally {
            memory.close();
          }
        },
      ),
      { numRuns: 40, seed: 20261125 },
    );
    // The random sequences did exercise what dream does.
    for (const kind of ['merge', 'supersede', 'retire', 'dates', 'rollback']) expect(seen[kind], kind).toBeGreaterThan(0);
  });
});
