import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-root.js';
import { createManualClock } from '../shared/index.js';
import { appendTranscript, type TranscriptEventInput } from '../store/index.js';
import { SearchIndex } from './search-index.js';
import { TURN_RANK_DEFAULTS, rankTurns } from './turn-recall.js';

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
});
