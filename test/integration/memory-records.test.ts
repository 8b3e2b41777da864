import { describe, expect, it } from 'vitest';
import { dashboardMemory } from '../helpers/dashboard-memory.js';

describe('memory.records: what the dashboard shows, read through the library', () => {
  it('topics, search of every status, trash versions as diffs, verdicts, audit, usage', async () => {
    const { memory } = await dashboardMemory();
    try {
      const topics = await memory.records.topics();
      expect(topics.map((topic) => topic.slug).sort()).toEqual([
        'blue-green-staging',
        'cache-ttl',
        'hostile-note',
        'lesson-port-undefined',
        'port-default',
        'staging-blue-green',
      ]);
      expect(topics.find((topic) => topic.slug === 'lesson-port-undefined')?.meta.links).toEqual([{ rel: 'fixed-by', id: 'port-default' }]);
      const hits = (await memory.records.searchTopics('blue-green staging')).map((hit) => hit.slug).sort();
      expect(hits).toEqual(['blue-green-staging', 'staging-blue-green']);

      const versions = await memory.records.versions('cache-ttl');
      expect(versions).toHaveLength(1);
      expect(versions[0]?.text).toContain('60 seconds');
      expect(versions[0]?.diff).toEqual(
        expect.arrayContaining([expect.stringMatching(/^-.*60 seconds/), expect.stringMatching(/^\+.*300 seconds/)]),
      );
      expect(await memory.records.versions('../../etc/passwd')).toEqual([]);

      const verdicts = await memory.records.verdicts();
      expect(verdicts['blue-green-staging']?.map((verdict) => verdict.status)).toEqual(['confirmed']);
      const audit = await memory.records.audit({ slug: 'cache-ttl' });
      expect(audit.map((entry) => entry.action)).toEqual(['topic-created', 'topic-updated']);
      expect(Object.keys(await memory.records.usage()).sort()).toEqual(expect.arrayContaining(['cache-ttl', 'port-default']));
    } finally {
      memory.close();
    }
  });

  it('sessions with their events and turn search; guard events; dreams with their reports, before and after a rollback', async () => {
    const { memory } = await dashboardMemory();
    try {
      expect((await memory.records.sessions()).map((session) => session.session)).toContain('2026-11-24-demo');
      const events = await memory.records.session('2026-11-24-demo');
      expect(events?.map((event) => event.kind)).toEqual(['user', 'error', 'tool-result']);
      expect(events?.[2]?.text).toMatch(/\[REDACTED:aws-access-key\]/);
      expect(await memory.records.session('no-such-session')).toBeUndefined();
      expect((await memory.records.searchTurns('deploy staging')).map((turn) => turn.session)).toContain('2026-11-24-demo');
      expect(new Set((await memory.records.guardEvents()).map((event) => event.action))).toEqual(new Set(['redacted', 'quarantined']));

      expect(await memory.records.dreams()).toEqual([]);
      const before = await memory.records.fingerprint();
      expect(await memory.records.fingerprint()).toBe(before);
      const outcome = await memory.dream();
      expect(outcome.status).toBe('applied');
      const afterDream = await memory.records.fingerprint();
      expect(afterDream).not.toBe(before);
      const [dream] = await memory.records.dreams();
      expect(dream?.status).toBe('applied');
      expect(dream?.reportText).toMatch(/```diff/);
      await memory.rollbackDream(dream?.id);
      const [rolledBack] = await memory.records.dreams();
      expect(rolledBack?.status).toBe('rolled-back');
      expect(rolledBack?.rolledBack?.restored.length).toBeGreaterThan(0);
      expect(await memory.records.fingerprint()).not.toBe(afterDream);
    } finally {
      memory.close();
    }
  });
});
