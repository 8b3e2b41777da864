/**
 * Redactor cost on a megabyte: CPU milliseconds (best of 5) for `redactSecrets` on 1 MB of each shape, against a
 * baseline in the same process (one plain regex pass over the same text: every token-like run,
 * as the cheapest scanner would find candidates), and the growth from 256 KB to 1 MB (linear is
 * 4×). The mixed shape is the benign and secret corpus of bench/guard with a share of its
 * secrets encoded (base64, hex, URL), as transcripts and tool output carry them.
 *
 *   npx tsx bench/guard/redact-bench.ts
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { redactSecrets } from '../../src/guard/index.js';
import { machineLine, markdownTable, seededRandom } from '../bench-utils.js';
import { expandSecretTemplate } from './guard-bench.js';

const here = dirname(fileURLToPath(import.meta.url));

function jsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

function repeatTo(unit: string, size: number): string {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

/** The corpus texts, secrets filled in; every third secret text also base64, hex or URL-encoded whole. */
function mixedUnit(): string {
  const benign = [
    ...jsonl<{ text: string }>(join(here, 'benign.jsonl')),
    ...jsonl<{ text: string }>(join(here, 'tune', 'benign.jsonl')),
  ].map((line) => line.text);
  const secrets = jsonl<{ id: string; rule: string; carrier: string; template: string }>(join(here, 'secrets.jsonl')).map(
    (line) => expandSecretTemplate(line).text,
  );
  const encoders: Array<(text: string) => string> = [
    (text) => Buffer.from(text).toString('base64'),
    (text) => Buffer.from(text).toString('hex'),
    (text) => encodeURIComponent(text),
  ];
  const parts: string[] = [...benign];
  secrets.forEach((text, index) => {
    parts.push(text);
    const encode = encoders[(index / 3) % 3];
    if (index % 3 === 0 && encode) parts.push(`payload=${encode(text)}`);
  });
  const random = seededRandom(14);
  for (let index = parts.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [parts[index], parts[other]] = [parts[other] ?? '', parts[index] ?? ''];
  }
  return `${parts.join('\n\n')}\n\n`;
}

/** Short printable runs in an encoding: what made the redactor slow (each run decodes to text that is matched again). */
function encodedWords(encode: (word: string) => string): (size: number) => string {
  const words = ['deploy staging now', 'the build is green', 'cache warmed up ok', 'rotate the logs daily', 'ship it on friday'];
  const unit = words.map((word) => encode(word)).join(' ');
  return (size) => repeatTo(`${unit} `, size);
}

export const REDACT_SHAPES: Record<string, (size: number) => string> = {
  'mixed corpus (benign, secrets, encoded secrets)': (() => {
    const unit = mixedUnit();
    return (size: number) => repeatTo(unit, size);
  })(),
  prose: (size) => repeatTo('The deploy uses blue-green on staging; run npm test. See https://example.com/docs?x=1 <b>ok</b>.\n', size),
  'short base64 runs of text': encodedWords((word) => Buffer.from(word).toString('base64')),
  'short hex runs of text': encodedWords((word) => Buffer.from(word).toString('hex')),
  'short URL-encoded runs': encodedWords((word) => encodeURIComponent(`${word}/${word}`)),
  'key = "…" assignments': (size) => repeatTo('api_key = "deploy-staging-now-please"\n', size),
};

/** The baseline: one pass of a plain regex for token-like runs over the same text. */
const TOKEN_LIKE = /[A-Za-z0-9+/=_%-]{16,}/g;
function baselineScan(text: string): number {
  let count = 0;
  for (const _ of text.matchAll(TOKEN_LIKE)) count += 1;
  return count;
}

/**
 * The least CPU time (user + system, ms) of `runs` runs: on a shared machine the wall clock
 * mostly measures the other processes; CPU time is what this work costs.
 */
function best(work: () => void, runs = 5): number {
  let fastest = Number.POSITIVE_INFINITY;
  for (let run = 0; run < runs; run++) {
    const started = process.cpuUsage();
    work();
    const used = process.cpuUsage(started);
    fastest = Math.min(fastest, (used.user + used.system) / 1000);
  }
  return fastest;
}

export interface RedactRow {
  shape: string;
  redactMs: number;
  baselineMs: number;
  growth: number;
  redactions: number;
}

export function runRedactBench(): RedactRow[] {
  const small = 1 << 18;
  const large = 1 << 20;
  return Object.entries(REDACT_SHAPES).map(([shape, make]) => {
    const smallText = make(small);
    const largeText = make(large);
    redactSecrets(smallText); // warm up
    const smallMs = best(() => redactSecrets(smallText));
    const redactMs = best(() => redactSecrets(largeText));
    const baselineMs = best(() => baselineScan(largeText));
    return { shape, redactMs, baselineMs, growth: redactMs / smallMs, redactions: redactSecrets(largeText).redactions.length };
  });
}

export function formatRedactBench(rows: readonly RedactRow[]): string {
  const table = markdownTable(
    ['shape (1 MB)', 'redactSecrets (CPU ms)', 'plain regex scan, baseline (CPU ms)', 'ratio', 'growth 256 KB → 1 MB', 'redactions'],
    rows.map((row) => [
      row.shape,
      `${row.redactMs.toFixed(0)} ms`,
      `${row.baselineMs.toFixed(1)} ms`,
      `${(row.redactMs / row.baselineMs).toFixed(0)}×`,
      `${row.growth.toFixed(1)}×`,
      String(row.redactions),
    ]),
  );
  return `${machineLine()}\n\n${table}`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${formatRedactBench(runRedactBench())}\n`);
}
