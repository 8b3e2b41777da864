import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../shared/index.js';
import { readFlatFrontmatter } from './flat-frontmatter.js';
import { parseTopicText, serializeTopic, splitFrontmatter } from './topic-format.js';
import type { Evidence, TopicMeta } from './topic-schema.js';

/** yaml's reading of a frontmatter, as parseTopicText did it before the flat reader (undefined on an error). */
function yamlReading(text: string): unknown {
  const document = parseDocument(text, { uniqueKeys: false });
  if (document.errors.length > 0) return undefined;
  try {
    return document.toJS({ maxAliasCount: 50 }) ?? {};
  } catch {
    return undefined;
  }
}

/** Every text the flat reader accepts, it reads as yaml does; returns whether it accepted. */
function agrees(text: string): boolean {
  const flat = readFlatFrontmatter(text);
  if (flat === undefined) return false;
  expect({ text, value: flat }).toEqual({ text, value: yamlReading(text) });
  return true;
}

const ORDINARY = 'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ 0123456789 .,;()/`_=+é✓—'.split('');
const NASTY = [...ORDINARY, ...':#-"\'{}[],\\&*!%@|>?~\t\n\r '.split(''), ': ', ' #', '\u0085', '\u2028', '\ufeff', '😀'];
const WORDS = [
  'true',
  'null',
  'yes',
  'No',
  '~',
  '1.5',
  '0x1f',
  '0o17',
  '-3',
  '.inf',
  '2026-12-03',
  '2026-12-03T13:26:49Z',
  '1e3',
  '+1',
  '007',
  '3.x',
  '<<',
];

function text(random: () => number, alphabet: readonly string[], max: number): string {
  if (random() < 0.15) return WORDS[Math.floor(random() * WORDS.length)] ?? '';
  const length = 1 + Math.floor(random() * max);
  let out = '';
  for (let index = 0; index < length; index += 1) out += alphabet[Math.floor(random() * alphabet.length)] ?? '';
  return out;
}

function randomMeta(random: () => number, alphabet: readonly string[]): TopicMeta {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const maybe = <T>(value: () => T): T | undefined => (random() < 0.5 ? value() : undefined);
  const evidence: Evidence[] = [];
  for (let index = Math.floor(random() * 3); index > 0; index -= 1) {
    evidence.push(
      pick<() => Evidence>([
        () => ({ kind: 'file', path: text(random, alphabet, 20), ...(random() < 0.3 ? { contains: text(random, alphabet, 20) } : {}) }),
        () => ({ kind: 'symbol', name: text(random, alphabet, 12), glob: 'src/**/*.ts' }),
        () => ({ kind: 'package', name: text(random, alphabet, 12), range: pick(['^1.2.0', '*', '>=2 <3']) }),
        () => ({ kind: 'command', run: text(random, alphabet, 20), expect: { exit: 0 } }),
        () => ({ kind: 'env', name: text(random, alphabet, 8), derived: true }),
      ])(),
    );
  }
  return {
    name: text(random, alphabet, 30),
    description: text(random, alphabet, 60),
    type: pick(['user', 'feedback', 'project', 'reference', 'lesson'] as const),
    id: maybe(() => '01M8Y1C57927TFKRKDCZ8B9H9C'),
    created: maybe(() => '2026-12-03T13:26:49Z'),
    updated: maybe(() => '2026-12-03T13:26:49.123Z'),
    verified: undefined,
    status: pick(['active', 'suspect', 'superseded', 'quarantined'] as const),
    source: maybe(() => ({
      kind: pick(['user', 'agent', 'tool'] as const),
      trust: pick(['trusted', 'untrusted'] as const),
      origin: text(random, alphabet, 15),
    })),
    evidence,
    supersedes: random() < 0.2 ? [text(random, alphabet, 10)] : [],
    supersededBy: maybe(() => text(random, alphabet, 10)),
    links: random() < 0.2 ? [{ rel: 'see-also', id: text(random, alphabet, 10) }] : [],
    tags: random() < 0.5 ? [text(random, alphabet, 8), text(random, alphabet, 8)] : [],
    errorSignature: maybe(() => text(random, alphabet, 40)),
  };
}

function frontmatterOf(meta: TopicMeta): string {
  const split = splitFrontmatter(serializeTopic(meta, 'body\n'));
  if ('error' in split || split.frontmatter === undefined) throw new Error('serializeTopic wrote no frontmatter');
  return split.frontmatter;
}

describe('the flat frontmatter reader (topics read without the yaml package)', () => {
  it('reads every topic mnemo writes with ordinary text, exactly as yaml does', () => {
    const random = seededRandom(13);
    let accepted = 0;
    for (let round = 0; round < 400; round += 1) if (agrees(frontmatterOf(randomMeta(random, ORDINARY)))) accepted += 1;
    // The fast path is the common one: only values YAML reads as numbers or words like `null` fall back.
    expect(accepted).toBeGreaterThan(380);
  });

  it('never reads a topic differently from yaml, whatever characters its fields hold', () => {
    const random = seededRandom(15);
    let accepted = 0;
    for (let round = 0; round < 1500; round += 1) if (agrees(frontmatterOf(randomMeta(random, NASTY)))) accepted += 1;
    expect(accepted).toBeGreaterThan(0);
  });

  it('never reads hand-written text differently from yaml (random lines of keys, values and YAML syntax)', () => {
    const random = seededRandom(1515);
    const pieces = [
      'name',
      'description',
      'type',
      'tags',
      ':',
      ': ',
      ' ',
      '  - ',
      '- ',
      '\n',
      '{',
      '}',
      '[',
      ']',
      ', ',
      "'",
      '"',
      '#',
      'a',
      'b c',
      '1',
      '0',
      '01',
      '-1',
      '1.0',
      '1e3',
      'true',
      'False',
      'null',
      '~',
      '&x',
      '*x',
      '!!str',
      '|',
      '>',
    ];
    for (let round = 0; round < 4000; round += 1) {
      let sample = '';
      for (let index = Math.floor(random() * 14); index >= 0; index -= 1) sample += pieces[Math.floor(random() * pieces.length)] ?? '';
      agrees(sample);
    }
  });

  it("reads Claude Code's own topic shape and mnemo's flow values, and leaves anything else to yaml", () => {
    expect(
      readFlatFrontmatter(
        'name: Testing preferences\ndescription: how the user wants tests written\ntype: feedback\noriginSessionId: 3f2a9c1e',
      ),
    ).toEqual({
      name: 'Testing preferences',
      description: 'how the user wants tests written',
      type: 'feedback',
      originSessionId: '3f2a9c1e',
    });
    expect(
      readFlatFrontmatter(
        'source: {kind: user, trust: trusted}\nevidence:\n  - {kind: file, path: \'a b.md\'}\n  - {kind: command, run: make, expect: {exit: 0}, derived: true}\ntags: [x, "y z"]',
      ),
    ).toEqual({
      source: { kind: 'user', trust: 'trusted' },
      evidence: [
        { kind: 'file', path: 'a b.md' },
        { kind: 'command', run: 'make', expect: { exit: 0 }, derived: true },
      ],
      tags: ['x', 'y z'],
    });
    for (const other of [
      'type: feedback # kept',
      'count: 3.5',
      'count: 012',
      'when: null',
      'a: &x 1',
      'name: |\n  two\n  lines',
      'name: a\nname: b',
      'k: v\n  continued',
    ])
      expect(readFlatFrontmatter(other)).toBeUndefined();
  });

  it('parseTopicText gives the same topic on the fast path as through yaml (a comment sends the same text through yaml)', () => {
    const text =
      '---\nname: Deploy staging\ndescription: how to deploy\ntype: project\nsource: {kind: user, trust: trusted}\nevidence:\n  - {kind: file, path: Makefile}\ntags: [deploy]\n---\nbody\n';
    const fast = parseTopicText(text, 'deploy');
    const viaYaml = parseTopicText(text.replace('type: project', 'type: project # via yaml'), 'deploy');
    if (!fast.ok || !viaYaml.ok) throw new Error('unreadable');
    expect(fast.topic).toEqual(viaYaml.topic);
  });
});
