import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A small conversation in LoCoMo's file format, written for mnemo's tests (no LoCoMo data in it).
 * Questions, by position: 0 single-hop (dog's name), 1 temporal (recital), 2 multi-hop whose two
 * evidence turns both match, 3 multi-hop whose second evidence turn shares no word with the
 * question ("any" but never "all"), 4 open-domain, 5 adversarial (not scored), 6 evidence that
 * names no turn (left out), 7 temporal with evidence written as one "D2:1; D2:2" entry.
 */
export function demoConversation(): Record<string, unknown> {
  return {
    speaker_a: 'Ada',
    speaker_b: 'Bruno',
    session_1_date_time: '1:56 pm on 8 May, 2023',
    session_1: [
      { speaker: 'Ada', dia_id: 'D1:1', text: 'Hi Bruno! I finally adopted a greyhound called Pepper yesterday.' },
      { speaker: 'Bruno', dia_id: 'D1:2', text: 'Congrats! How is Pepper settling in?' },
      { speaker: 'Ada', dia_id: 'D1:3', text: 'She sleeps all day on the sofa.' },
      {
        speaker: 'Bruno',
        dia_id: 'D1:4',
        text: 'I have been learning the cello for a month.',
        img_url: ['https://example.invalid/cello.jpg'],
        blip_caption: 'a photo of a cello on a stand',
      },
      { speaker: 'Ada', dia_id: 'D1:5', text: 'That sounds lovely.' },
    ],
    session_2_date_time: '10:00 am on 20 June, 2023',
    session_2: [
      { speaker: 'Bruno', dia_id: 'D2:1', text: 'I played my first cello recital last Saturday.' },
      { speaker: 'Ada', dia_id: 'D2:2', text: 'Amazing! Pepper and I went hiking in the Alps.' },
      { speaker: 'Bruno', dia_id: 'D2:3', text: 'Which trail did you take?' },
      { speaker: 'Ada', dia_id: 'D2:4', text: 'The lake trail near Grindelwald.' },
    ],
    session_3_date_time: '8:00 pm on 2 August, 2023',
    session_3: [
      { speaker: 'Ada', dia_id: 'D3:1', text: 'Pepper learned to fetch the newspaper.' },
      { speaker: 'Bruno', dia_id: 'D3:2', text: 'Ha, smart dog!' },
    ],
    session_4_date_time: '9:00 am on 1 September, 2023',
    session_1_summary: 'NOT PART OF THE CONVERSATION: must never be read',
    events_session_1: { note: 'NOT PART OF THE CONVERSATION' },
    qa: [
      { question: "What is the name of Ada's greyhound?", answer: 'Pepper', evidence: ['D1:1'], category: 4 },
      { question: 'When did Bruno play his first cello recital?', answer: 'June 2023', evidence: ['D2:1'], category: 2 },
      {
        question: 'What instrument is Bruno learning and where did Ada go hiking?',
        answer: 'cello; the Alps',
        evidence: ['D1:4', 'D2:2'],
        category: 1,
      },
      { question: 'Which greyhound was adopted?', answer: 'Pepper', evidence: ['D1:1', 'D1:5'], category: 1 },
      { question: 'Would Ada enjoy a lake trail?', answer: 'yes', evidence: ['D2:4'], category: 3 },
      { question: "What is Bruno's cat called?", adversarial_answer: 'Pepper', evidence: ['D1:2'], category: 5 },
      { question: 'What did Ada say about the weather?', answer: '-', evidence: ['D9:99'], category: 4 },
      { question: 'When did Ada go hiking in the Alps?', answer: 'June 2023', evidence: ['D2:1; D2:2'], category: 2 },
    ],
  };
}

/** Write conversations into a folder, one `<name>.json` each; returns the folder. */
export async function writeConversations(dir: string, conversations: Record<string, unknown>): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const [name, value] of Object.entries(conversations)) {
    await writeFile(join(dir, `${name}.json`), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  }
  return dir;
}
