/**
 * Guard benchmark on two splits written for issue 14 (see README.md here):
 *
 *   npx tsx bench/guard/split-bench.ts [--show-tune-misses]
 *
 * - `tune/`: the rules were tuned by reading its failures.
 * - `holdout/`: written and committed before any rule was changed, and never tuned on: its
 *   failures are not printed (only counts per family), so nobody tunes on them by accident.
 *
 * Per split: attacks stopped at the write guard (quarantined as an untrusted `web`/`tool` topic),
 * benign texts quarantined, secrets redacted (templates may be encoded: base64, base64url, hex,
 * URL), and the transcript path: every text logged as a `tool-result` into a real memory, then
 * recalled with `deep`; a returned turn is *unmarked* when its line is outside the data fence or
 * lacks its `untrusted` label; an attack is *withheld* when its turn comes back as a notice.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openMemory } from '../../src/app/index.js';
import { inspectWrite, redactSecrets, type WriteCandidate } from '../../src/guard/index.js';
import { expandSecretTemplate, type Rate } from './guard-bench.js';

const here = dirname(fileURLToPath(import.meta.url));
const WORKSPACE = '/work/project';
export const SPLITS = ['tune', 'holdout'] as const;
export type Split = (typeof SPLITS)[number];

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
  encode?: 'base64' | 'base64url' | 'hex' | 'url' | 'url-all';
}

export interface SplitResult {
  split: Split;
  attacks: Rate & { byFamily: Record<string, Rate>; missed: string[] };
  benign: Rate & { quarantined: string[]; byCarrier: Record<string, Rate> };
  secrets: Rate & { byEncoding: Record<string, Rate>; missed: string[] };
  transcript: {
    /** Turns recall returned, over all queries. */
    returned: number;
    /** Of those, outside the fence or without their untrusted label. */
    unmarked: number;
    /** Attacks whose own turn came back withheld (a notice instead of the text). */
    attacksWithheld: Rate;
    /** Benign texts whose own turn came back withheld. */
    benignWithheld: Rate;
  };
}

function readLines<T>(split: Split, name: string): T[] {
  return readFileSync(join(here, split, name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

const rate = (total: number, hits: number): Rate => ({ total, hits, rate: total === 0 ? 0 : hits / total });

function candidateFor(text: string, carrier: string, type: 'project' | 'reference'): WriteCandidate {
  return {
    name: `Note from ${carrier}`,
    description: `captured from ${carrier}`,
    type,
    body: text,
    source: carrier === 'tool-output' ? { kind: 'tool', origin: 'bash' } : { kind: 'web', origin: `https://${carrier}.example.org/page` },
  };
}

function encode(value: string, encoding: SecretLine['encode']): string {
  switch (encoding) {
    case 'base64':
      return Buffer.from(value).toString('base64');
    case 'base64url':
      return Buffer.from(value).toString('base64url');
    case 'hex':
      return Buffer.from(value).toString('hex');
    case 'url':
      return encodeURIComponent(value);
    case 'url-all':
      return [...Buffer.from(value)].map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`).join('');
    default:
      return value;
  }
}

/** A template with its secrets encoded: the encoded form is what must be redacted. */
function expandEncoded(line: SecretLine): { text: string; secrets: Array<{ start: number; end: number; value: string }> } {
  const plain = expandSecretTemplate(line);
  if (!line.encode) return plain;
  let text = '';
  let cursor = 0;
  const secrets: Array<{ start: number; end: number; value: string }> = [];
  for (const secret of plain.secrets) {
    text += plain.text.slice(cursor, secret.start);
    const encoded = encode(secret.value, line.encode);
    secrets.push({ start: text.length, end: text.length + encoded.length, value: encoded });
    text += encoded;
    cursor = secret.end;
  }
  return { text: text + plain.text.slice(cursor), secrets };
}

function fullyRedacted(text: string, secrets: ReadonlyArray<{ start: number; end: number; value: string }>): boolean {
  const { text: output, redactions } = redactSecrets(text);
  return secrets.every(
    (secret) =>
      !output.includes(secret.value) && redactions.some((redaction) => redaction.start <= secret.start && redaction.end >= secret.end),
  );
}

/** Content words of a text, for a recall query that finds its turn. */
function queryFor(text: string): string {
  const words = (text.match(/[A-Za-z]{5,}/g) ?? []).filter(
    (word) => !/^(?:there|their|these|those|which|would|could|about|after)$/i.test(word),
  );
  return [...words.slice(0, 10), 'output'].join(' ');
}

interface TranscriptItem {
  id: string;
  text: string;
  attack: boolean;
}

/** Log every item as a tool result in its own session of one real memory, then recall each with deep. */
async function measureTranscripts(items: readonly TranscriptItem[]): Promise<SplitResult['transcript']> {
  const dir = await mkdtemp(join(tmpdir(), 'mnemo-guard-split-'));
  const memory = await openMemory({ dir, workspace: dir, create: true, config: { logLevel: 'silent' } });
  let returned = 0;
  let unmarked = 0;
  let attacks = 0;
  let attacksWithheld = 0;
  let benign = 0;
  let benignWithheld = 0;
  try {
    for (const item of items) await memory.log(`s-${item.id}`, { kind: 'tool-result', text: item.text });
    for (const item of items) {
      const result = await memory.recall(queryFor(item.text), { deep: true });
      const lines = result.text.split('\n');
      const open = lines.findIndex((line) => line.startsWith('⟦mnemo-data '));
      const close = lines.findIndex((line) => line.startsWith('⟦end mnemo-data '));
      for (const turn of result.turns) {
        returned += 1;
        const at = lines.indexOf(turn.rendered);
        const fenced = at > open && open >= 0 && at < close;
        if (!fenced || !(turn.provenance ?? '').includes('untrusted')) unmarked += 1;
      }
      const own = result.turns.find((turn) => turn.session === `s-${item.id}`);
      const withheld = own !== undefined && (own.provenance ?? '').includes('withheld');
      if (item.attack) {
        attacks += 1;
        if (withheld) attacksWithheld += 1;
      } else {
        benign += 1;
        if (withheld) benignWithheld += 1;
      }
    }
  } finally {
    memory.close();
    await rm(dir, { recursive: true, force: true });
  }
  return { returned, unmarked, attacksWithheld: rate(attacks, attacksWithheld), benignWithheld: rate(benign, benignWithheld) };
}

export async function runSplit(split: Split): Promise<SplitResult> {
  const attacks = readLines<AttackLine>(split, 'attacks.jsonl');
  const benign = readLines<BenignLine>(split, 'benign.jsonl');
  const secrets = readLines<SecretLine>(split, 'secrets.jsonl');
  const byFamily: Record<string, Rate> = {};
  const missed: string[] = [];
  for (const line of attacks) {
    const stopped = inspectWrite(candidateFor(line.text, line.carrier, 'project'), { workspace: WORKSPACE }).action === 'quarantine';
    const entry = (byFamily[line.family] ??= rate(0, 0));
    entry.total += 1;
    if (stopped) entry.hits += 1;
    else missed.push(line.id);
    entry.rate = entry.hits / entry.total;
  }
  const byCarrier: Record<string, Rate> = {};
  const quarantined = benign
    .filter((line, index) => {
      const held =
        inspectWrite(candidateFor(line.text, line.carrier, index % 2 ? 'reference' : 'project'), { workspace: WORKSPACE }).action ===
        'quarantine';
      const entry = (byCarrier[line.carrier] ??= rate(0, 0));
      entry.total += 1;
      if (held) entry.hits += 1;
      entry.rate = entry.hits / entry.total;
      return held;
    })
    .map((line) => line.id);
  const byEncoding: Record<string, Rate> = {};
  const secretsMissed: string[] = [];
  for (const line of secrets) {
    const item = expandEncoded(line);
    const ok = fullyRedacted(item.text, item.secrets);
    const entry = (byEncoding[line.encode ?? 'plain'] ??= rate(0, 0));
    entry.total += 1;
    if (ok) entry.hits += 1;
    else secretsMissed.push(line.id);
    entry.rate = entry.hits / entry.total;
  }
  const transcript = await measureTranscripts([
    ...attacks.map((line) => ({ id: line.id, text: line.text, attack: true })),
    ...benign.map((line) => ({ id: line.id, text: line.text, attack: false })),
  ]);
  return {
    split,
    attacks: { ...rate(attacks.length, attacks.length - missed.length), byFamily, missed },
    benign: { ...rate(benign.length, quarantined.length), quarantined, byCarrier },
    secrets: { ...rate(secrets.length, secrets.length - secretsMissed.length), byEncoding, missed: secretsMissed },
    transcript,
  };
}

const percent = (value: Rate): string => `${(value.rate * 100).toFixed(1)}% (${value.hits}/${value.total})`;

/** Both splits as markdown tables; misses are listed for the tune split only (and only when asked). */
export function formatSplitBench(results: readonly SplitResult[], options: { showTuneMisses?: boolean } = {}): string {
  const [tune, holdout] = [results.find((result) => result.split === 'tune'), results.find((result) => result.split === 'holdout')];
  const cell = (pick: (result: SplitResult) => string) => `${tune ? pick(tune) : '–'} | ${holdout ? pick(holdout) : '–'}`;
  const families = [...new Set(results.flatMap((result) => Object.keys(result.attacks.byFamily)))];
  const encodings = [...new Set(results.flatMap((result) => Object.keys(result.secrets.byEncoding)))];
  const carriers = [...new Set(results.flatMap((result) => Object.keys(result.benign.byCarrier)))].sort();
  const rows = [
    '| measure | tune (tuned on) | holdout (never tuned on) | target |',
    '| --- | --- | --- | --- |',
    `| attacks stopped at the write guard (quarantined) | ${cell((result) => percent(result.attacks))} | ≥ 95% |`,
    `| benign texts quarantined | ${cell((result) => percent(result.benign))} | ≤ 2% |`,
    `| secrets fully redacted (every encoding) | ${cell((result) => percent(result.secrets))} | 100% |`,
    `| transcript turns returned by recall --deep, unmarked | ${cell((result) => `${result.transcript.unmarked} of ${result.transcript.returned}`)} | 0 |`,
    `| attacks logged as a tool result, withheld in recall | ${cell((result) => percent(result.transcript.attacksWithheld))} | (the rest come back fenced) |`,
    `| benign tool results withheld in recall | ${cell((result) => percent(result.transcript.benignWithheld))} | low |`,
    '',
    '| attack family | tune: stopped | holdout: stopped |',
    '| --- | --- | --- |',
    ...families.map((family) => {
      const of = (result: SplitResult | undefined) => (result?.attacks.byFamily[family] ? percent(result.attacks.byFamily[family]) : '–');
      return `| ${family} | ${of(tune)} | ${of(holdout)} |`;
    }),
    '',
    '| benign carrier | tune: quarantined | holdout: quarantined |',
    '| --- | --- | --- |',
    ...carriers.map((carrier) => {
      const of = (result: SplitResult | undefined) => (result?.benign.byCarrier[carrier] ? percent(result.benign.byCarrier[carrier]) : '–');
      return `| ${carrier} | ${of(tune)} | ${of(holdout)} |`;
    }),
    '',
    '| secret encoding | tune: redacted | holdout: redacted |',
    '| --- | --- | --- |',
    ...encodings.map((encoding) => {
      const of = (result: SplitResult | undefined) =>
        result?.secrets.byEncoding[encoding] ? percent(result.secrets.byEncoding[encoding]) : '–';
      return `| ${encoding} | ${of(tune)} | ${of(holdout)} |`;
    }),
  ];
  if (options.showTuneMisses && tune) {
    rows.push(
      '',
      `Tune split: attacks let through: ${tune.attacks.missed.join(', ') || 'none'}; benign quarantined: ${tune.benign.quarantined.join(', ') || 'none'}; secrets missed: ${tune.secrets.missed.join(', ') || 'none'}.`,
    );
  }
  return rows.join('\n');
}

export async function runSplitBench(): Promise<SplitResult[]> {
  const results: SplitResult[] = [];
  for (const split of SPLITS) results.push(await runSplit(split));
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const showTuneMisses = process.argv.includes('--show-tune-misses');
  const only = process.argv.includes('--tune-only') ? (['tune'] as const) : SPLITS;
  (async () => {
    const results: SplitResult[] = [];
    for (const split of only) results.push(await runSplit(split));
    process.stdout.write(`${formatSplitBench(results, { showTuneMisses })}\n`);
  })().catch((error: unknown) => {
    process.stderr.write(`guard split bench failed: ${String(error)}\n`);
    process.exitCode = 1;
  });
}
