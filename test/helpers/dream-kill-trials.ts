import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createManualClock, initMemory, openMemory } from '../../src/index.js';
import { dreamInvariantViolations, topicHashes } from './dream-consistency.js';
import { plantDreamMemory } from './dream-fixtures.js';
import { seededRandom } from './seeded-random.js';

const REPO = join(import.meta.dirname, '..', '..');
const NOW = '2026-11-25T10:00:00Z';

export interface KillTrial {
  trial: number;
  /** How it was killed: at a step of the dream or its change set, or after a delay. */
  killedAt: string;
  killed: boolean;
  /** Whether the dream's change had been applied (its record exists) when it died. */
  applied: boolean;
  violations: string[];
  /** Whether a new dream ran to the end afterwards (the dead dream's lock was taken over). */
  nextDreamOk: boolean;
}

function runChild(
  args: readonly string[],
  killAfterMs?: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test/helpers/dream-child.ts'), ...args], {
      cwd: REPO,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

/**
 * Kill a real dreaming process at random points, `trials` times, and check the memory after
 * each: recovered by the next writer, every invariant of dream holds, the topics are all as
 * before the dream or all as after it, and a new dream runs to the end. Four in five trials kill
 * at a random step (a dream phase or a phase of its change set), one in five after a random delay.
 */
export async function runKillTrials(options: {
  trials: number;
  topics?: number;
  sessions?: number;
  seed?: number;
  onTrial?: (trial: KillTrial) => void;
}): Promise<{ steps: number; trials: KillTrial[] }> {
  const base = await mkdtemp(join(tmpdir(), 'mnemo-dream-kill-'));
  try {
    const template = join(base, 'template');
    const workspace = join(template, 'workspace');
    const dir = join(template, 'm');
    await initMemory({ dir, cwd: template });
    await plantDreamMemory(dir, workspace, {
      topics: options.topics ?? 120,
      sessions: options.sessions ?? 12,
      now: NOW,
      seed: options.seed ?? 3,
    });
    const setup = await openMemory({ dir, workspace, clock: createManualClock(NOW), config: { logLevel: 'silent' } });
    await setup.renderIndex();
    setup.close();
    const before = await topicHashes(dir);
    const known = new Set(before.keys());
    const copy = async (name: string) => {
      const target = join(base, name);
      await cp(template, target, { recursive: true });
      return { dir: join(target, 'm'), workspace: join(target, 'workspace') };
    };
    const dry = await copy('dry');
    const started = Date.now();
    const full = await runChild([dry.dir, '0', NOW, dry.workspace]);
    const durationMs = Date.now() - started;
    const steps = Number(/steps=(\d+)/.exec(full.stderr)?.[1] ?? Number.NaN);
    if (full.code !== 0 || !Number.isFinite(steps)) throw new Error(`the dry run failed: ${full.stderr}`);
    const random = seededRandom(options.seed ?? 3);
    const trials: KillTrial[] = [];
    for (let trial = 1; trial <= options.trials; trial += 1) {
      const target = await copy(`trial-${trial}`);
      const byDelay = trial % 5 === 0;
      const killAt = 1 + Math.floor(random() * steps);
      const delay = Math.floor(random() * durationMs);
      const result = byDelay
        ? await runChild([target.dir, '0', NOW, target.workspace], delay)
        : await runChild([target.dir, String(killAt), NOW, target.workspace]);
      const memory = await openMemory({
        dir: target.dir,
        workspace: target.workspace,
        clock: createManualClock(NOW),
        config: { logLevel: 'silent' },
      });
      let outcome: KillTrial;
      try {
        await memory.renderIndex();
        const violations = await dreamInvariantViolations(target.dir, known, before);
        const check = await memory.checkIndex();
        if (!check.ok) violations.push(`index check: ${check.problems.map((problem) => problem.message).join('; ')}`);
        const applied = (await memory.dreamStatus()).last !== undefined;
        const next = await memory.dream().catch((error: unknown) => error);
        const nextDreamOk = typeof next === 'object' && next !== null && 'status' in next && next.status === 'applied';
        violations.push(...(await dreamInvariantViolations(target.dir, known)));
        outcome = {
          trial,
          killedAt: byDelay ? `after ${delay} ms` : `step ${killAt}/${steps}`,
          killed: result.signal === 'SIGKILL',
          applied,
          violations,
          nextDreamOk,
        };
      } finally {
        memory.close();
      }
      trials.push(outcome);
      options.onTrial?.(outcome);
      await rm(join(base, `trial-${trial}`), { recursive: true, force: true });
    }
    return { steps, trials };
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}
