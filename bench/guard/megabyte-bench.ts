/**
 * Guard on a megabyte: milliseconds to scan and to redact 1 MB of each hostile shape, the growth
 * from 256 KB to 1 MB (linear is 4×), and the same growth in counted steps (what the unit tests
 * assert, `{ meter }`). The tests count work; the stopwatch lives here.
 *
 *   npx tsx bench/guard/megabyte-bench.ts
 */
import { pathToFileURL } from 'node:url';
import { redactSecrets, scanForInjection } from '../../src/guard/index.js';
import { machineLine, markdownTable } from '../bench-utils.js';

function repeatTo(unit: string, size: number): string {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

/** The hostile shapes of the unit tests, plus ordinary prose as the baseline. */
export const MEGABYTE_SHAPES: Record<string, (size: number) => string> = {
  'prose (baseline)': (size) =>
    repeatTo('The deploy uses blue-green on staging; run npm test. See https://example.com/docs?x=1 <b>ok</b>.\n', size),
  'one letter': (size) => 'a'.repeat(size),
  'open comments': (size) => repeatTo('<!-- ', size),
  'turn markers': (size) => repeatTo('Human: x\n', size),
  'override prefixes': (size) => repeatTo('ignore all the the the ', size),
  base64: (size) => Buffer.from('x'.repeat(Math.floor((size * 3) / 4))).toString('base64'),
  newlines: (size) => '\n'.repeat(size),
  'quoted overrides': (size) => repeatTo('"ignore previous instructions" ', size),
  'hidden elements': (size) => repeatTo('<div hidden>', size),
  'password=': (size) => repeatTo('password=', size),
  'key headers': (size) => repeatTo('-----BEGIN PRIVATE KEY-----\n', size),
};

function timed(work: () => void): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

export interface MegabyteRow {
  shape: string;
  scanMs: number;
  scanGrowth: number;
  redactMs: number;
  redactGrowth: number;
  stepGrowth: number;
}

export function runMegabyteBench(): MegabyteRow[] {
  const small = 1 << 18;
  const large = 1 << 20;
  return Object.entries(MEGABYTE_SHAPES).map(([shape, make]) => {
    const smallText = make(small);
    const largeText = make(large);
    const scanSmall = timed(() => scanForInjection(smallText));
    const scanMs = timed(() => scanForInjection(largeText));
    const redactSmall = timed(() => redactSecrets(smallText));
    const redactMs = timed(() => redactSecrets(largeText));
    const smallMeter = { steps: 0 };
    const largeMeter = { steps: 0 };
    scanForInjection(smallText, { meter: smallMeter });
    redactSecrets(smallText, { meter: smallMeter });
    scanForInjection(largeText, { meter: largeMeter });
    redactSecrets(largeText, { meter: largeMeter });
    return {
      shape,
      scanMs,
      scanGrowth: scanMs / scanSmall,
      redactMs,
      redactGrowth: redactMs / redactSmall,
      stepGrowth: largeMeter.steps / smallMeter.steps,
    };
  });
}

export function formatMegabyteBench(rows: readonly MegabyteRow[]): string {
  const baseline = rows[0];
  const times = (value: number) => `${value.toFixed(1)}×`;
  const table = markdownTable(
    ['shape (1 MB)', 'scan', 'vs prose', 'growth 256 KB → 1 MB', 'redact', 'vs prose', 'growth', 'counted steps growth'],
    rows.map((row) => [
      row.shape,
      `${row.scanMs.toFixed(0)} ms`,
      baseline ? times(row.scanMs / baseline.scanMs) : '',
      times(row.scanGrowth),
      `${row.redactMs.toFixed(0)} ms`,
      baseline ? times(row.redactMs / baseline.redactMs) : '',
      times(row.redactGrowth),
      times(row.stepGrowth),
    ]),
  );
  return `${table}\n\nLinear is 4× growth. Machine: ${machineLine()}.`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${formatMegabyteBench(runMegabyteBench())}\n`);
}
