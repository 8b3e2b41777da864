/**
 * Guard benchmark: how many injection attacks the write guard holds back, how many ordinary
 * texts it holds back by mistake, and how many secrets it redacts.
 *
 *   npx tsx bench/guard/guard-bench.ts
 *
 * Corpus (written for this benchmark from public knowledge; see README.md here):
 * - attacks.jsonl: payloads in realistic carriers (README, tool output, web page, commit, …).
 *   Each is offered to inspectWrite as a `project` topic from an untrusted source (`tool` for tool
 *   output, `web` otherwise); it is stopped when the decision is `quarantine`.
 * - benign.jsonl: notes, commits, docs, tool output, web text of the same style, offered the same
 *   way (types `project` and `reference`); a false positive is a `quarantine`.
 * - secrets.jsonl: templates; «…» marks the secret and {class:n} is filled from a generator seeded
 *   by the line id, so no secret-shaped string is stored in the repository. A secret counts as
 *   redacted when every character of it lies inside a redaction.
 *
 * Every figure is also given for the two halves of each file split by line parity (even lines,
 * odd lines), so a rule tuned on one half can be checked on the other.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inspectWrite, redactSecrets, scanForInjection, type WriteCandidate } from '../../src/guard/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const WORKSPACE = '/work/project';

interface AttackLine {
  id: string;
  family: string;
  carrier: string;
  text: string;
}
interface BenignLine {
  id: string;
  carrier: string;
  text: string;
}
interface SecretLine {
  id: string;
  rule: string;
  carrier: string;
  template: string;
}

export interface Rate {
  total: number;
  hits: number;
  rate: number;
}

export interface GuardBenchResult {
  machine: string;
  attacks: Rate & { even: Rate; odd: Rate; byFamily: Record<string, Rate>; missed: string[] };
  benign: Rate & { even: Rate; odd: Rate; byCarrier: Record<string, Rate>; quarantined: string[] };
  secrets: Rate & { even: Rate; odd: Rate; missed: string[] };
  throughput: { megabytesPerSecond: number; microsecondsPerItem: number };
}

function readLines<T>(name: string): T[] {
  return readFileSync(join(here, name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

function rate(total: number, hits: number): Rate {
  return { total, hits, rate: total === 0 ? 0 : hits / total };
}

function tally<T>(items: readonly T[], hit: (item: T) => boolean): { all: Rate; even: Rate; odd: Rate; hits: boolean[] } {
  const hits = items.map(hit);
  const count = (keep: (index: number) => boolean): Rate => {
    const chosen = hits.filter((_, index) => keep(index));
    return rate(chosen.length, chosen.filter(Boolean).length);
  };
  return { all: count(() => true), even: count((index) => index % 2 === 0), odd: count((index) => index % 2 === 1), hits };
}

function candidateFor(text: string, carrier: string, type: 'project' | 'reference'): WriteCandidate {
  return {
    name: `Note from ${carrier}`,
    description: `captured from ${carrier}`,
    type,
    body: text,
    source: carrier === 'tool-output' ? { kind: 'tool', origin: 'bash' } : { kind: 'web', origin: `https://${carrier}.example.org/page` },
  };
}

const CLASSES: Record<string, string> = {
  A: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  a: 'abcdefghijklmnopqrstuvwxyz',
  '0': '0123456789',
  Aa: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  Aa0: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  A2: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
  hex: '0123456789abcdef',
  b64: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  url: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
};

/** A seeded generator (mulberry32). */
function generator(seedText: string): (alphabet: string, length: number) => string {
  let state = [...seedText].reduce((hash, char) => (Math.imul(hash, 31) + (char.codePointAt(0) ?? 0)) >>> 0, 2166136261);
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return (alphabet, length) => Array.from({ length }, () => alphabet[next() % alphabet.length]).join('');
}

/** Fill a template: the text, and the spans of its secrets. */
export function expandSecretTemplate(line: SecretLine): { text: string; secrets: Array<{ start: number; end: number; value: string }> } {
  const random = generator(line.id);
  const fill = (part: string): string =>
    part.replace(/\{(\w+):(\w+)\}/g, (_, kind: string, size: string) => {
      if (kind === 'basic') return Buffer.from(`${size}:${random(CLASSES.Aa0 ?? '', 14)}`).toString('base64');
      const alphabet = CLASSES[kind];
      if (alphabet === undefined) throw new Error(`${line.id}: unknown class ${kind}`);
      return random(alphabet, Number(size));
    });
  let text = '';
  const secrets: Array<{ start: number; end: number; value: string }> = [];
  for (const [index, part] of line.template.split(/[«»]/).entries()) {
    const filled = fill(part);
    if (index % 2 === 1) secrets.push({ start: text.length, end: text.length + filled.length, value: filled });
    text += filled;
  }
  return { text, secrets };
}

function fullyRedacted(text: string, secrets: ReadonlyArray<{ start: number; end: number; value: string }>): boolean {
  const { text: output, redactions } = redactSecrets(text);
  return secrets.every(
    (secret) =>
      !output.includes(secret.value) && redactions.some((redaction) => redaction.start <= secret.start && redaction.end >= secret.end),
  );
}

function throughput(texts: readonly string[]): GuardBenchResult['throughput'] {
  const sample = texts.join('\n\n');
  const copies = Math.max(1, Math.ceil((1 << 20) / sample.length));
  const big = Array.from({ length: copies }, () => sample).join('\n\n');
  const started = performance.now();
  scanForInjection(redactSecrets(big).text);
  const seconds = (performance.now() - started) / 1000;
  const itemStarted = performance.now();
  for (const text of texts) inspectWrite(candidateFor(text, 'web-page', 'project'), { workspace: WORKSPACE });
  const itemSeconds = (performance.now() - itemStarted) / 1000;
  return { megabytesPerSecond: Buffer.byteLength(big) / (1 << 20) / seconds, microsecondsPerItem: (itemSeconds / texts.length) * 1e6 };
}

/** Run the benchmark on the corpus beside this file. */
export async function runGuardBench(): Promise<GuardBenchResult> {
  const attacks = readLines<AttackLine>('attacks.jsonl');
  const benign = readLines<BenignLine>('benign.jsonl');
  const secretLines = readLines<SecretLine>('secrets.jsonl');

  const stopped = tally(
    attacks,
    (line) => inspectWrite(candidateFor(line.text, line.carrier, 'project'), { workspace: WORKSPACE }).action === 'quarantine',
  );
  const byFamily: Record<string, Rate> = {};
  attacks.forEach((line, index) => {
    const entry = (byFamily[line.family] ??= rate(0, 0));
    entry.total += 1;
    if (stopped.hits[index]) entry.hits += 1;
    entry.rate = entry.hits / entry.total;
  });

  const held = tally(benign, (line) => {
    const type = Number(line.id.slice(1)) % 2 === 0 ? 'reference' : 'project';
    return inspectWrite(candidateFor(line.text, line.carrier, type), { workspace: WORKSPACE }).action === 'quarantine';
  });
  const byCarrier: Record<string, Rate> = {};
  benign.forEach((line, index) => {
    const entry = (byCarrier[line.carrier] ??= rate(0, 0));
    entry.total += 1;
    if (held.hits[index]) entry.hits += 1;
    entry.rate = entry.hits / entry.total;
  });

  const expanded = secretLines.map(expandSecretTemplate);
  const redacted = tally(expanded, (item) => fullyRedacted(item.text, item.secrets));

  await Promise.resolve();
  return {
    machine: `${cpus().length} cores, Node ${process.version}`,
    attacks: {
      ...stopped.all,
      even: stopped.even,
      odd: stopped.odd,
      byFamily,
      missed: attacks.filter((_, index) => !stopped.hits[index]).map((line) => line.id),
    },
    benign: {
      ...held.all,
      even: held.even,
      odd: held.odd,
      byCarrier,
      quarantined: benign.filter((_, index) => held.hits[index]).map((line) => line.id),
    },
    secrets: {
      ...redacted.all,
      even: redacted.even,
      odd: redacted.odd,
      missed: secretLines.filter((_, index) => !redacted.hits[index]).map((line) => line.id),
    },
    throughput: throughput([...attacks.map((line) => line.text), ...benign.map((line) => line.text), ...expanded.map((item) => item.text)]),
  };
}

const percent = (value: Rate): string => `${(value.rate * 100).toFixed(1)}% (${value.hits}/${value.total})`;

/** The result as a markdown table (what docs/benchmarks.md shows). */
export function formatGuardBench(result: GuardBenchResult): string {
  const rows = [
    '| measure | all | even lines | odd lines | target |',
    '| --- | --- | --- | --- | --- |',
    `| attacks stopped (quarantined) | ${percent(result.attacks)} | ${percent(result.attacks.even)} | ${percent(result.attacks.odd)} | ≥ 95% |`,
    `| benign texts quarantined | ${percent(result.benign)} | ${percent(result.benign.even)} | ${percent(result.benign.odd)} | ≤ 2% |`,
    `| secrets fully redacted | ${percent(result.secrets)} | ${percent(result.secrets.even)} | ${percent(result.secrets.odd)} | 100% |`,
    '',
    '| attack family | stopped |',
    '| --- | --- |',
    ...Object.entries(result.attacks.byFamily).map(([family, value]) => `| ${family} | ${percent(value)} |`),
    '',
    `Throughput: ${result.throughput.megabytesPerSecond.toFixed(1)} MB/s (redact + scan of a 1 MB mix of the corpus); ${result.throughput.microsecondsPerItem.toFixed(0)} µs per inspectWrite of one corpus text. Machine: ${result.machine}.`,
    `Attacks let through: ${result.attacks.missed.join(', ') || 'none'}. Benign texts quarantined: ${result.benign.quarantined.join(', ') || 'none'}. Secrets missed: ${result.secrets.missed.join(', ') || 'none'}.`,
  ];
  return rows.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runGuardBench().then(
    (result) => process.stdout.write(`${formatGuardBench(result)}\n`),
    (error: unknown) => {
      process.stderr.write(`guard bench failed: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
