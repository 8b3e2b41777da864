import { describe, expect, it } from 'vitest';
import { packRecall, renderRecallText, type RecallTopicCandidate } from './recall-packer.js';
import { countTextTokens, packTurns, type RecallTurnCandidate } from './turn-packer.js';
import { renderTurnSection } from './turn-render.js';

let rowid = 0;
function turn(session: string, line: number, speaker: string, text: string, time = '2023-06-09T13:56:00.000Z'): RecallTurnCandidate {
  rowid += 1;
  return {
    rowid,
    file: `${session}.jsonl`,
    line,
    session,
    time,
    kind: 'message',
    role: undefined,
    speaker,
    task: undefined,
    injected: false,
    text,
    data: undefined,
    score: 1,
  };
}

const topic: RecallTopicCandidate = {
  slug: 'staging-deploys',
  name: 'Staging deploys are blue-green',
  description: 'how staging is deployed',
  type: 'project',
  status: 'active',
  body: 'Deploy staging with `npm run deploy:staging`; it switches colours after the health check.',
  score: 3,
  caveats: [],
};

describe('packTurns and renderTurnSection', () => {
  it('groups turns under one dated line per session, in time order, with … where turns were left out', () => {
    const turns = [
      turn('s2', 5, 'Bruno', 'Pottery on Sundays.', '2023-06-09T13:56:00.000Z'),
      turn('s1', 1, 'Ada', 'I moved from Sweden.', '2023-05-08T10:00:00.000Z'),
      turn('s2', 2, 'Ada', 'Do you still paint?', '2023-06-09T13:56:00.000Z'),
      turn('s2', 3, 'Bruno', 'Yes, mostly sunsets.', '2023-06-09T13:56:00.000Z'),
    ];
    const packed = packTurns(turns, { bytes: 10_000, lineBytes: 4096 });
    const text = renderTurnSection(packed.turns);
    expect(text).toBe(
      [
        '## From transcripts',
        '[s1 · Mon 8 May 2023]',
        'Ada: I moved from Sweden.',
        '[s2 · Fri 9 Jun 2023]',
        'Ada: Do you still paint?',
        'Bruno: Yes, mostly sunsets.',
        '…',
        'Bruno: Pottery on Sundays.',
      ].join('\n'),
    );
    expect(packed.bytes).toBe(Buffer.byteLength(text));
    expect(packed.turns.map((packedTurn) => packedTurn.text)).toEqual(turns.map((candidate) => candidate.text));
  });

  it('keeps its byte count exact when an earlier turn of a session (another day) joins later', () => {
    const turns = [
      turn('s9', 8, 'Ada', 'After midnight now.', '2023-06-10T00:30:00.000Z'),
      turn('s9', 2, 'Ada', 'Evening, starting the migration.', '2023-06-09T22:00:00.000Z'),
      turn('s9', 3, 'Bruno', 'Good luck with it.', '2023-06-09T22:01:00.000Z'),
    ];
    const packed = packTurns(turns, { bytes: 10_000, lineBytes: 4096 });
    const text = renderTurnSection(packed.turns);
    expect(text).toContain('[s9 · Fri 9 Jun 2023]');
    expect(packed.bytes).toBe(Buffer.byteLength(text));
  });

  it('skips a turn with the same words as one already packed', () => {
    const packed = packTurns(
      [turn('s1', 1, 'Ada', 'Thanks, Bruno!'), turn('s1', 7, 'Ada', 'thanks bruno'), turn('s1', 9, 'Ada', 'See you.')],
      {
        bytes: 10_000,
        lineBytes: 4096,
      },
    );
    expect(packed.turns.map((packedTurn) => packedTurn.line)).toEqual([1, 9]);
    expect(packed.duplicates).toBe(1);
  });
});

describe('packRecall with a token budget', () => {
  const many = Array.from({ length: 60 }, (_, index) =>
    turn(
      `s${index % 7}`,
      index,
      index % 2 ? 'Ada' : 'Bruno',
      `Turn ${index} talks about the garden, the pottery class and a trip to Lisbon in spring.`,
    ),
  );

  it('never gives more tokens than asked, cut notes included, and fills most of the budget', () => {
    for (const tokens of [40, 120, 300, 700, 1500]) {
      const packed = packRecall([topic], many, { limit: 5, topicBytes: 4096, callBytes: 1 << 20, callTokens: tokens });
      const text = renderRecallText(packed);
      expect(countTextTokens(text)).toBeLessThanOrEqual(tokens);
      expect(packed.tokens).toBe(countTextTokens(text));
      if (tokens >= 300) expect(packed.tokens).toBeGreaterThan(tokens * 0.8);
    }
  });

  it('says how many matching turns the token budget left out', () => {
    const packed = packRecall([], many, { limit: 5, topicBytes: 4096, callBytes: 1 << 20, callTokens: 200 });
    expect(renderRecallText(packed)).toMatch(/\(cut: \d+ matching transcript turn\(s\) left out by the 200-token call budget\)$/);
    expect(packed.turns.length).toBeGreaterThan(0);
  });

  it('keeps byte budgets working as before when no token budget is given', () => {
    const packed = packRecall([topic], many, { limit: 5, topicBytes: 4096, callBytes: 600 });
    expect(packed.bytes).toBeLessThanOrEqual(600);
    expect(packed.topics).toHaveLength(1);
    expect(renderRecallText(packed)).toMatch(/left out by the 600-byte call budget/);
  });
});
