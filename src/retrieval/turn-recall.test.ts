import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-root.js';
import { createManualClock } from '../shared/index.js';
import { appendTranscript, listSessionFiles, type TranscriptEventInput } from '../store/index.js';
import { SearchIndex } from './search-index.js';
import { TURN_RANK_DEFAULTS, rankTurns } from './turn-recall.js';
import { SESSION_PART_LINES, sessionPartKey } from './turn-table.js';

type Line = [speaker: string, text: string];

async function memoryWith(sessions: Record<string, { time: string; lines: (Line | TranscriptEventInput)[] }>): Promise<SearchIndex> {
  const root = await tempDir('mnemo-turns-');
  const clock = createManualClock();
  for (const [id, session] of Object.entries(sessions)) {
    clock.set(session.time);
    const events = session.lines.map((line) =>
      Array.isArray(line) ? { kind: 'message', speaker: line[0], text: line[1], time: session.time } : line,
    );
    await appendTranscript(root, id, events, clock);
  }
  const search = SearchIndex.open({ root, dbPath: join(root, '.state', 'search.db') });
  await search.sync();
  return search;
}

const texts = (search: SearchIndex, query: string, tuning = {}) => rankTurns(search.turnTable, query, { tuning }).map((turn) => turn.text);

describe('rankTurns', () => {
  it('ranks the answer after a matching question, which plain per-turn matching cannot', async () => {
    const search = await memoryWith({
      s1: {
        time: '2023-05-08T13:56:00.000Z',
        lines: [
          ['Ada', 'Which adoption agency did you pick in the end?'],
          ['Bruno', 'The one downtown, they were very kind to us.'],
          ['Ada', 'Lovely weather today.'],
        ],
      },
    });
    expect(texts(search, 'adoption agency', { neighbours: [[0, 1]] })).not.toContain('The one downtown, they were very kind to us.');
    expect(texts(search, 'adoption agency').slice(0, 2)).toEqual([
      'Which adoption agency did you pick in the end?',
      'The one downtown, they were very kind to us.',
    ]);
    search.close();
  });

  it('raises the turns of a speaker the query names', async () => {
    const search = await memoryWith({
      s1: {
        time: '2023-05-08T13:56:00.000Z',
        lines: [
          ['Bruno', 'Ada, I took up pottery classes last week.'],
          ['Ada', 'Pottery sounds fun! I started pottery too.'],
        ],
      },
      s2: { time: '2023-06-08T13:56:00.000Z', lines: [['Bruno', 'Gardening is my thing now.']] },
    });
    const ranked = rankTurns(search.turnTable, 'What does Ada do with pottery?');
    expect(ranked[0]?.speaker).toBe('Ada');
    expect(
      rankTurns(search.turnTable, 'What does Ada do with pottery?', { tuning: { speakerBoost: 0, neighbours: [[0, 1]] } })[0]?.speaker,
    ).toBe('Bruno');
    search.close();
  });

  it('raises turns from a day or month the query names', async () => {
    const search = await memoryWith({
      s1: { time: '2023-03-02T10:00:00.000Z', lines: [['Ada', 'The garden party was great.']] },
      s2: { time: '2023-06-02T10:00:00.000Z', lines: [['Ada', 'The garden party was great.']] },
      s3: { time: '2023-08-02T10:00:00.000Z', lines: [['Ada', 'The garden party was great.']] },
    });
    expect(rankTurns(search.turnTable, 'the garden party in June')[0]?.session).toBe('s2');
    expect(rankTurns(search.turnTable, 'the garden party on 2 August 2023')[0]?.session).toBe('s3');
    expect(rankTurns(search.turnTable, 'the garden party in June', { tuning: { dateBoost: 0 } })[0]?.session).toBe('s1');
    search.close();
  });

  it('raises turns of the session that matches the whole query, even when its words are said turns apart', async () => {
    const filler: Line[] = [
      ['Bruno', 'How was the weekend?'],
      ['Ada', 'Quiet, mostly reading.'],
      ['Bruno', 'Same here, lots of rain.'],
      ['Ada', 'At least the garden liked it.'],
    ];
    const sessions = {
      s1: { time: '2023-04-08T10:00:00.000Z', lines: [['Ada', 'I signed up for a pottery course.'], ...filler] as Line[] },
      s2: {
        time: '2023-05-08T10:00:00.000Z',
        lines: [['Ada', 'I signed up for a pottery course.'], ...filler, ['Bruno', 'The kiln at the studio broke down.']] as Line[],
      },
    };
    const search = await memoryWith(sessions);
    const potteryTurns = (tuning = {}) =>
      rankTurns(search.turnTable, 'pottery kiln', { tuning })
        .filter((turn) => turn.text.includes('pottery'))
        .map((turn) => turn.session);
    expect(potteryTurns()).toEqual(['s2', 's1']);
    expect(potteryTurns({ sessionWeight: 0 })).toEqual(['s1', 's2']);
    search.close();
  });

  it('ranks a session by what it says now, after it grew', async () => {
    const root = await tempDir('mnemo-turns-');
    const clock = createManualClock('2023-05-08T10:00:00.000Z');
    const say = (speaker: string, text: string) => ({ kind: 'message', speaker, text, time: '2023-05-08T10:00:00.000Z' });
    await appendTranscript(root, 's1', [say('Ada', 'The kiln is fixed.')], clock);
    await appendTranscript(root, 's2', [say('Ada', 'The kiln is fixed.')], clock);
    const search = SearchIndex.open({ root, dbPath: join(root, '.state', 'search.db') });
    await search.sync();
    const first = () => rankTurns(search.turnTable, 'kiln glaze').find((turn) => turn.text.includes('kiln'))?.session;
    expect(first()).toBe('s1');
    await appendTranscript(
      root,
      's2',
      [say('Bruno', 'Nice.'), say('Ada', 'Thanks.'), say('Bruno', 'Sure.'), say('Ada', 'I bought a new glaze.')],
      clock,
    );
    await search.sync();
    expect(first()).toBe('s2');
    search.close();
  });

  it('never returns injected turns and returns nothing for words nobody said', async () => {
    const search = await memoryWith({
      s1: {
        time: '2023-05-08T13:56:00.000Z',
        lines: [
          { kind: 'note', text: 'recalled: the staging deploy is blue-green', injected: true },
          ['Ada', 'The staging deploy is blue-green now.'],
        ],
      },
    });
    expect(texts(search, 'staging deploy')).toEqual(['The staging deploy is blue-green now.']);
    expect(texts(search, 'kubernetes')).toEqual([]);
    expect(TURN_RANK_DEFAULTS.neighbours.some(([offset]) => offset === 1)).toBe(true);
    search.close();
  });

  describe('long sessions, in parts of 64 lines', () => {
    const time = '2023-05-08T10:00:00.000Z';
    const say = (text: string) => ({ kind: 'tool-result', text, time });
    const filler = (from: number, count: number) =>
      Array.from({ length: count }, (_, index) => say(`step ${from + index} finished without news`));

    async function longSession(): Promise<{ root: string; search: SearchIndex; file: string }> {
      const root = await tempDir('mnemo-parts-');
      const clock = createManualClock(time);
      // Lines 1-150: "kiln" on line 3, "glaze" on line 140.
      await appendTranscript(
        root,
        'long',
        [...filler(1, 2), say('the kiln is fixed'), ...filler(4, 136), say('the glaze arrived'), ...filler(141, 10)],
        clock,
      );
      const search = SearchIndex.open({ root, dbPath: join(root, '.state', 'search.db') });
      await search.sync();
      const [file] = await listSessionFiles(root);
      return { root, search, file: file?.name ?? '' };
    }
    const partsMatching = (search: SearchIndex, word: string) => [...search.turnTable.matchSessionParts([word]).keys()];
    const partOf = (file: string, line: number) => sessionPartKey({ file, session: 'long', line });

    it('scores each stretch of a long session on its own words, and keeps them as the session grows', async () => {
      const { root, search, file } = await longSession();
      expect(SESSION_PART_LINES).toBe(64);
      expect(partsMatching(search, 'kiln')).toEqual([partOf(file, 3)]);
      expect(partsMatching(search, 'glaze')).toEqual([partOf(file, 140)]);
      expect(partOf(file, 3)).not.toBe(partOf(file, 140));
      await appendTranscript(root, 'long', [...filler(151, 50), say('the zebra glaze sold out')], createManualClock(time));
      await search.sync();
      expect(partsMatching(search, 'zebra')).toEqual([partOf(file, 201)]);
      expect(partsMatching(search, 'kiln')).toEqual([partOf(file, 3)]);
      expect(new Set(partsMatching(search, 'glaze'))).toEqual(new Set([partOf(file, 140), partOf(file, 201)]));
      const ranked = rankTurns(search.turnTable, 'zebra glaze').map((turn) => turn.text);
      expect(ranked[0]).toBe('the zebra glaze sold out');
      search.close();
    });

    it('forgets what a rewritten transcript no longer says', async () => {
      const { root, search } = await longSession();
      const [file] = await listSessionFiles(root);
      const lines = (await readFile(file?.path ?? '', 'utf8')).split('\n').slice(0, 100);
      await writeFile(file?.path ?? '', `${lines.join('\n')}\n`);
      await search.sync();
      expect(partsMatching(search, 'glaze')).toEqual([]);
      expect(texts(search, 'glaze')).toEqual([]);
      expect(texts(search, 'kiln')[0]).toBe('the kiln is fixed');
      search.close();
    });

    it('drops the turns of a transcript that was deleted', async () => {
      const { root, search } = await longSession();
      const [file] = await listSessionFiles(root);
      await rm(file?.path ?? '');
      const report = await search.sync();
      expect(report.turnsRemoved).toBe(150);
      expect(texts(search, 'kiln')).toEqual([]);
      expect(partsMatching(search, 'kiln')).toEqual([]);
      expect((await search.sync()).turnsRemoved).toBe(0);
      search.close();
    });
  });
});
