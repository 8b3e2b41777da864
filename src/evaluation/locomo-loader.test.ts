import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoConversation, writeConversations } from '../../test/helpers/locomo-conversation.js';
import { tempDir } from '../../test/helpers/temp-root.js';
import { loadLocomoDirectory, normalizeEvidence, parseLocomoConversation, parseLocomoDateTime } from './locomo-loader.js';

describe('parseLocomoDateTime', () => {
  it('reads LoCoMo session times as UTC', () => {
    expect(parseLocomoDateTime('1:56 pm on 8 May, 2023')).toBe('2023-05-08T13:56:00.000Z');
    expect(parseLocomoDateTime('12:05 am on 1 January, 2024')).toBe('2024-01-01T00:05:00.000Z');
    expect(parseLocomoDateTime('12:30 pm on 29 February, 2024')).toBe('2024-02-29T12:30:00.000Z');
    expect(parseLocomoDateTime('9:00 am on 31 June, 2023')).toBeUndefined();
    expect(parseLocomoDateTime('yesterday')).toBeUndefined();
  });
});

describe('normalizeEvidence', () => {
  it('splits joined ids and repairs a stray colon', () => {
    expect(normalizeEvidence('D8:6; D9:17')).toEqual(['D8:6', 'D9:17']);
    expect(normalizeEvidence('D:11:26')).toEqual(['D11:26']);
    expect(normalizeEvidence('D')).toEqual(['D']);
  });
});

describe('parseLocomoConversation', () => {
  it('keeps turns, captions, dates and questions, and never the answers', () => {
    const conversation = parseLocomoConversation(demoConversation(), '/data/conv-demo.json');
    expect(conversation.id).toBe('conv-demo');
    expect(conversation.speakers).toEqual(['Ada', 'Bruno']);
    expect(conversation.sessions.map((session) => session.number)).toEqual([1, 2, 3]);
    expect(conversation.sessions[0]?.turns[3]).toMatchObject({ diaId: 'D1:4', caption: 'a photo of a cello on a stand' });
    expect(conversation.questions[6]).toMatchObject({ evidence: [], unusableEvidence: ['D9:99'] });
    expect(conversation.questions[7]?.evidence).toEqual(['D2:1', 'D2:2']);
    expect(JSON.stringify(conversation)).not.toMatch(/June 2023|NOT PART OF THE CONVERSATION|adversarial/);
  });

  it('names the file and the field when something is wrong', () => {
    const { session_2_date_time: _, ...noDate } = demoConversation();
    expect(() => parseLocomoConversation(noDate, 'conv-x.json')).toThrow(/conv-x\.json: session_2_date_time is missing/);
    expect(() => parseLocomoConversation({ ...demoConversation(), session_1: [{ dia_id: 'D1:1', text: 'hi' }] }, 'conv-y.json')).toThrow(
      /conv-y\.json: session_1\[0\.speaker\]/,
    );
    expect(() => parseLocomoConversation([], 'conv-z.json')).toThrow(/conv-z\.json: not a JSON object/);
    expect(() => parseLocomoConversation({ speaker_a: 'A', speaker_b: 'B' }, 'conv-w.json')).toThrow(/no session_<n> turn lists/);
  });
});

describe('loadLocomoDirectory', () => {
  it('reads every .json file of a folder in name order', async () => {
    const dir = await writeConversations(join(await tempDir(), 'data'), { 'conv-b': demoConversation(), 'conv-a': demoConversation() });
    expect((await loadLocomoDirectory(dir)).map((conversation) => conversation.id)).toEqual(['conv-a', 'conv-b']);
  });

  it('says what is wrong with the folder or which file is bad', async () => {
    const root = await tempDir();
    await expect(loadLocomoDirectory(join(root, 'missing'))).rejects.toThrow(/missing does not exist/);
    await expect(loadLocomoDirectory(await writeConversations(join(root, 'empty'), {}))).rejects.toThrow(/holds no \.json files/);
    const bad = await writeConversations(join(root, 'bad'), { 'conv-1': demoConversation(), 'conv-2': '{ not json' });
    await expect(loadLocomoDirectory(bad)).rejects.toThrow(/conv-2\.json: not readable JSON/);
  });
});
