import { describe, expect, it } from 'vitest';
import { runKillTrials } from '../helpers/dream-kill-trials.js';

/* Fifty and more trials run in `npx tsx bench/dream-kill.ts`; a smaller sample runs with the tests. */
describe('a dreaming process killed at random points', () => {
  it('always leaves a consistent memory, all before or all after the dream, and the next dream runs', { timeout: 240_000 }, async () => {
    const { trials } = await runKillTrials({ trials: 8, topics: 80, sessions: 8, seed: 11 });
    expect(trials.filter((trial) => trial.killed).length).toBeGreaterThan(4);
    for (const trial of trials) {
      expect(trial.violations, `trial ${trial.trial} (${trial.killedAt})`).toEqual([]);
      expect(trial.nextDreamOk, `trial ${trial.trial} (${trial.killedAt})`).toBe(true);
    }
  });
});
