import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { seededRandom } from './seeded-random.js';

/** A topic file written by hand, with the frontmatter fields given (a test's arrangement). */
export async function writeTopic(dir: string, slug: string, fields: Record<string, unknown>, body: string): Promise<void> {
  const yaml = Object.entries(fields)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value)}`)
    .join('\n');
  await writeFile(join(dir, `${slug}.md`), `---\n${yaml}\n---\n${body}\n`);
}

/** Transcript events for a session, written as mnemo writes them. */
/** Two near-duplicate topics about staging's blue-green deploys (one with file evidence on `deploy.yaml`, written too): a pair dream merges. */
export async function writeBlueGreenPair(dir: string, cwd: string): Promise<void> {
  await writeFile(join(cwd, 'deploy.yaml'), 'strategy: blue-green\n');
  await writeTopic(
    dir,
    'staging-blue-green',
    {
      name: 'Staging deploys are blue-green',
      description: 'how staging is deployed',
      type: 'project',
      tags: ['deploy'],
      created: '2026-11-01T00:00:00Z',
    },
    'Staging deploys use a blue-green strategy.\n**Why:** zero downtime for QA.',
  );
  await writeTopic(
    dir,
    'blue-green-staging',
    {
      name: 'Blue-green deploys on staging',
      description: 'staging deployment strategy',
      type: 'project',
      tags: ['staging'],
      created: '2026-11-02T00:00:00Z',
      evidence: [{ kind: 'file', path: 'deploy.yaml', contains: 'blue-green' }],
    },
    'We deploy staging blue-green: traffic switches to the new color after it is healthy.\n**Why:** QA must not see downtime.',
  );
}

export async function writeSession(
  dir: string,
  session: string,
  events: { kind: string; text: string; time: string; task?: string; data?: Record<string, unknown> }[],
): Promise<void> {
  await mkdir(join(dir, 'sessions'), { recursive: true });
  const lines = events.map((event) => JSON.stringify({ v: 1, session, ...event }));
  await writeFile(join(dir, 'sessions', `${session}.jsonl`), `${lines.join('\n')}\n`);
}

/** sha256 of every .md file in the root (topics and MEMORY.md). */
export async function fileHashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).filter((file) => file.endsWith('.md')).sort()) {
    out[name] = createHash('sha256')
      .update(await readFile(join(dir, name)))
      .digest('hex');
  }
  return out;
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'zi', 'pe', 'do', 'sa', 'fu', 'gi', 'ho', 'ja', 'qu', 'xe', 'ye', 'wa', 'bo'];

export interface PlantedMemory {
  topics: number;
  /** Slugs of each planted kind, for assertions. */
  planted: { duplicates: number; conflicts: number; retire: number; dates: number; evidence: number; lessons: number };
}

/**
 * A synthetic memory for dream benches and crash tests: `topics` topics of made-up words with
 * planted near-duplicates (5%), conflicting values (2%), long-superseded (3%), long-suspect (2%)
 * and unused unverified (5%) topics, relative dates (5%), file evidence (10%, a third of it
 * broken), and `sessions` transcripts of 20 events with three error signatures that recur across
 * sessions and were fixed by verified tasks. Deterministic for a seed.
 */
export async function plantDreamMemory(
  dir: string,
  workspace: string,
  options: { topics: number; sessions: number; now: string; seed?: number },
): Promise<PlantedMemory> {
  const random = seededRandom(options.seed ?? 7);
  const words = new Set<string>();
  while (words.size < 3000) {
    let word = '';
    for (let index = 0; index < 2 + Math.floor(random() * 3); index += 1) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    words.add(word);
  }
  const vocabulary = [...words];
  const pick = () => vocabulary[Math.floor(random() * vocabulary.length)] as string;
  const text = (count: number) => Array.from({ length: count }, pick).join(' ');
  const now = Date.parse(options.now);
  const daysAgo = (days: number) => new Date(now - days * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const planted = { duplicates: 0, conflicts: 0, retire: 0, dates: 0, evidence: 0, lessons: 0 };
  await mkdir(join(workspace, 'src'), { recursive: true });
  const types = ['project', 'project', 'project', 'reference', 'reference', 'user', 'feedback', 'project', 'reference', 'project'];
  let index = 0;
  const files: Promise<void>[] = [];
  const put = (slug: string, fields: Record<string, unknown>, body: string) => files.push(writeTopic(dir, slug, fields, body));
  while (index < options.topics) {
    const roll = random();
    const type = types[index % types.length] as string;
    const base = {
      type,
      id: `T${String(index).padStart(6, '0')}`,
      created: daysAgo(Math.floor(random() * 20)),
      source: { kind: 'agent', trust: 'trusted' },
    };
    const name = `${text(3)} ${index}`;
    const body = `${text(30)}.\n\n**Why:** ${text(10)}.\n**How to apply:** ${text(10)}.`;
    if (roll < 0.05 && index + 1 < options.topics) {
      const twinBody = body.replace(/^(\S+ \S+ \S+)/, `${pick()} ${pick()} ${pick()}`);
      put(`topic-${index}`, { ...base, name, description: `${text(8)} dup${index}` }, body);
      put(
        `topic-${index + 1}`,
        { ...base, id: `T${String(index + 1).padStart(6, '0')}`, name, description: `${text(8)} dup${index}` },
        twinBody,
      );
      planted.duplicates += 1;
      index += 2;
      continue;
    }
    if (roll < 0.07 && index + 1 < options.topics) {
      const subject = `${pick()} ${pick()} port`;
      const shared = text(20);
      put(
        `topic-${index}`,
        { ...base, type: 'project', name: `${subject} ${index}`, description: `the ${subject}`, verified: daysAgo(2) },
        `The ${subject} is ${8000 + index}. ${shared}`,
      );
      put(
        `topic-${index + 1}`,
        {
          ...base,
          type: 'project',
          id: `T${String(index + 1).padStart(6, '0')}`,
          name: `${subject} ${index}`,
          description: `the ${subject}`,
        },
        `The ${subject} is ${9000 + index}. ${shared}`,
      );
      planted.conflicts += 1;
      index += 2;
      continue;
    }
    let extra: Record<string, unknown> = {};
    if (roll < 0.1)
      extra = {
        status: 'superseded',
        supersededBy: `T${String(Math.max(0, index - 1)).padStart(6, '0')}`,
        updated: daysAgo(60),
        type: 'project',
      };
    else if (roll < 0.12) extra = { status: 'suspect', updated: daysAgo(90), type: 'project' };
    else if (roll < 0.17) extra = { created: daysAgo(400), type: 'reference' };
    if (roll < 0.17) planted.retire += 1;
    let finalBody = body;
    if (roll >= 0.17 && roll < 0.22) {
      finalBody = `${body}\nIt broke yesterday and was fixed last week.`;
      planted.dates += 1;
    }
    if (roll >= 0.22 && roll < 0.32) {
      const file = `src/file-${index}.ts`;
      if (random() < 0.66) files.push(writeFile(join(workspace, file), `export const value${index} = 1;\n`));
      extra = { ...extra, evidence: [{ kind: 'file', path: file }], verified: daysAgo(3) };
      planted.evidence += 1;
    }
    put(`topic-${index}`, { ...base, name, description: text(10), ...extra }, finalBody);
    index += 1;
  }
  await Promise.all(files);
  const signatures = [
    'Error: Cannot find module <path>',
    'TypeError: cannot read properties of undefined reading <id>',
    'ECONNREFUSED <host>',
  ];
  await mkdir(join(dir, '.state', 'tasks'), { recursive: true });
  for (let session = 0; session < options.sessions; session += 1) {
    const id = `${daysAgo(options.sessions - session).slice(0, 10)}-s${String(session).padStart(3, '0')}`;
    const start = now - (options.sessions - session) * 86_400_000;
    const events = Array.from({ length: 20 }, (_, step) => ({
      kind: step % 7 === 3 ? 'error' : step % 2 === 0 ? 'user' : 'assistant',
      text: step % 7 === 3 ? `${signatures[session % 3] ?? ''} at step ${step}` : text(25),
      time: new Date(start + step * 60_000).toISOString(),
    }));
    await writeSession(dir, id, events);
    if (session % 10 === 0) {
      const signature = signatures[session % 3] ?? '';
      const task = {
        v: 1,
        id: `t-s${String(session).padStart(4, '0')}`,
        goal: `fix ${signature}`,
        session: id,
        status: 'completed',
        created: new Date(start).toISOString(),
        updated: new Date(start + 3_600_000).toISOString(),
        notes: [],
        attempts: [{ time: new Date(start + 3_600_000).toISOString(), passed: true, check: 'npm test', outputTail: '' }],
        errors: [{ time: new Date(start).toISOString(), signature, text: signature }],
        summary: `the fix for ${signature.split(' ')[0] ?? ''}`,
      };
      await writeFile(join(dir, '.state', 'tasks', `${task.id}.json`), JSON.stringify(task));
      planted.lessons += 1;
    }
  }
  return { topics: options.topics, planted };
}
