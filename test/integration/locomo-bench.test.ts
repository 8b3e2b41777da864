import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadLocomoDirectory,
  renderLocomoChart,
  runLocomoBenchmark,
  summarizeLocomoRun,
  type LocomoRun,
  type QuestionOutcome,
} from '../../src/evaluation/index.js';
import { countTextTokens } from '../../src/retrieval/index.js';
import { demoConversation, writeConversations } from '../helpers/locomo-conversation.js';
import { cli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-root.js';

async function dataDir(conversations: Record<string, unknown> = { 'conv-demo': demoConversation() }): Promise<string> {
  return writeConversations(join(await tempDir('mnemo-locomo-data-'), 'locomo'), conversations);
}

function outcome(run: LocomoRun, retriever: string, question: number, budget: number): QuestionOutcome | undefined {
  return run.retrievers
    .find((entry) => entry.name === retriever)
    ?.outcomes.find((entry) => entry.question === question && entry.budget === budget);
}

describe('LoCoMo harness', () => {
  it('scores all / any evidence per question and category, within each token budget, for both retrievers', async () => {
    const conversations = await loadLocomoDirectory(await dataDir());
    const run = await runLocomoBenchmark({
      conversations,
      budgets: [12, 60, 1000],
      retrievers: ['mnemo', 'bm25-baseline'],
      workDir: await tempDir(),
    });
    expect(run.skipped).toEqual([{ conversation: 'conv-demo', question: 6, evidence: ['D9:99'] }]);
    for (const retriever of ['mnemo', 'bm25-baseline']) {
      // Category 5 is not scored; the question without usable evidence is left out.
      expect(new Set(run.retrievers.find((entry) => entry.name === retriever)?.outcomes.map((entry) => entry.question))).toEqual(
        new Set([0, 1, 2, 3, 4, 7]),
      );
      expect(outcome(run, retriever, 0, 1000)).toMatchObject({ all: true, any: true });
      // One evidence turn shares no word with the question: found in part, never in full.
      expect(outcome(run, retriever, 3, 1000)).toMatchObject({ all: false, any: true });
      expect(outcome(run, retriever, 0, 12)).toMatchObject({ all: false, any: false });
      for (const entry of run.retrievers.find((item) => item.name === retriever)?.outcomes ?? []) {
        expect(entry.tokens).toBeLessThanOrEqual(entry.budget);
        expect(entry.error).toBeUndefined();
      }
    }
    // Both evidence turns of the multi-hop question are within 1,000 tokens for mnemo.
    expect(outcome(run, 'mnemo', 2, 1000)).toMatchObject({ all: true });
    const report = summarizeLocomoRun(run);
    expect(report.questions).toBe(6);
    expect(report.skipped).toBe(1);
    const mnemo = report.retrievers.mnemo?.budgets['1000'];
    expect(mnemo?.categories).toMatchObject({
      '1': { name: 'multi-hop', questions: 2 },
      '2': { name: 'temporal', questions: 2 },
      '3': { name: 'open-domain', questions: 1 },
      '4': { name: 'single-hop', questions: 1 },
    });
    expect(mnemo?.any).toBeGreaterThanOrEqual(mnemo?.all ?? 1);
    expect(mnemo?.overBudget).toBe(0);
    expect(report.retrievers['bm25-baseline']?.budgets['12']?.all).toBe(0);
    expect(renderLocomoChart(report)).toMatch(/^<svg[\s\S]*mnemo: all evidence[\s\S]*bm25-baseline: any evidence[\s\S]*<\/svg>\n$/);
  });

  it('never lets the logged text of a recall exceed its budget on a longer conversation', async () => {
    const long = demoConversation();
    long.session_3 = Array.from({ length: 80 }, (_, index) => ({
      speaker: index % 2 ? 'Ada' : 'Bruno',
      dia_id: `D3:${index + 1}`,
      text: `Turn ${index}: Pepper, the cello, the Alps and the lake trail came up again, as they do.`,
    }));
    const conversations = await loadLocomoDirectory(await dataDir({ 'conv-long': long }));
    const run = await runLocomoBenchmark({ conversations, budgets: [100, 250, 500], retrievers: ['mnemo', 'bm25-baseline'] });
    for (const retriever of run.retrievers) {
      for (const entry of retriever.outcomes) expect(entry.tokens).toBeLessThanOrEqual(entry.budget);
      expect(Math.max(...retriever.outcomes.filter((entry) => entry.budget === 500).map((entry) => entry.tokens))).toBeGreaterThan(400);
    }
    expect(countTextTokens('')).toBe(0);
  });
});

describe('mnemo bench locomo', () => {
  it('prints the report as JSON with retrievers.<name>.budgets.<budget>.all', async () => {
    const data = await dataDir();
    const cwd = await tempDir();
    const result = await cli(['bench', 'locomo', '--data', data, '--budgets', '1000,200', '--json'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(report.budgets).toEqual([200, 1000]);
    for (const name of ['mnemo', 'bm25-baseline']) {
      for (const budget of ['200', '1000']) {
        const summary = report.retrievers[name].budgets[budget];
        expect(typeof summary.all).toBe('number');
        expect(typeof summary.any).toBe('number');
        expect(typeof summary.categories['4'].all).toBe('number');
      }
      expect(report.retrievers[name].latencyMs).toMatchObject({ p50: expect.any(Number), p95: expect.any(Number) });
      expect(report.retrievers[name].ingestMs.perConversation).toHaveProperty('conv-demo');
    }
  });

  it('prints tables, shows progress on stderr, and writes the chart', async () => {
    const data = await dataDir();
    const cwd = await tempDir();
    const result = await cli(['bench', 'locomo', '--data', data, '--budgets', '500', '--retriever', 'mnemo', '--svg', 'chart.svg'], {
      cwd,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/budget\s+retriever\s+all\s+any\s+multi-hop/);
    expect(result.stdout).toMatch(/^500\s+mnemo\s+\d\.\d{3}/m);
    expect(result.stdout).not.toContain('bm25-baseline');
    expect(result.stdout).toMatch(/recall p50/);
    expect(result.stderr).toMatch(/conv-demo: mnemo/);
    expect(await readFile(join(cwd, 'chart.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('answers bad input with exit code 2 and says what is wrong', async () => {
    const cwd = await tempDir();
    const data = await dataDir();
    const missing = await cli(['bench', 'locomo', '--data', join(cwd, 'nowhere')], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nowhere does not exist/);
    const empty = await cli(['bench', 'locomo', '--data', cwd], { cwd });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/holds no \.json files/);
    const broken = await dataDir({ 'conv-bad': { speaker_a: 'A', speaker_b: 'B', session_1: [] } });
    const bad = await cli(['bench', 'locomo', '--data', broken], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/conv-bad\.json: session_1_date_time is missing/);
    for (const flags of [
      ['--budgets', '0'],
      ['--budgets', '500,abc'],
      ['--budgets', ''],
      ['--retriever', 'embeddings'],
      ['--conversations', 'conv-nope'],
    ]) {
      const result = await cli(['bench', 'locomo', '--data', data, ...flags], { cwd });
      expect(result.code, flags.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/--budgets|--retriever|--conversations/);
    }
    expect((await cli(['bench', 'locomo'], { cwd })).code).toBe(2);
    const help = await cli(['bench', 'locomo', '--help'], { cwd });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--budgets <tokens>/);
  });
});

describe('mnemo recall --tokens', () => {
  it('packs transcript turns by session within a token budget', async () => {
    const cwd = await tempDir();
    const dir = join(cwd, '.mnemo');
    expect((await cli(['init', '--dir', dir], { cwd })).code).toBe(0);
    // The turns are logged on a fixed day: the header shows the day a turn was logged, not today.
    const env = { MNEMO_NOW: '2026-11-21T10:00:00.000Z' };
    for (let index = 0; index < 30; index += 1) {
      const session = `2026-11-2${index % 3}-s${index % 3}`;
      const text = `Turn ${index}: the flaky login test timed out again on CI after the cache change.`;
      expect((await cli(['log', text, '--session', session, '--kind', 'user', '--speaker', 'Ada', '--dir', dir], { cwd, env })).code).toBe(0);
    }
    const result = await cli(['recall', 'flaky login test', '--deep', '--tokens', '160', '--json', '--dir', dir], { cwd, env });
    expect(result.code).toBe(0);
    const recall = JSON.parse(result.stdout);
    expect(recall.tokens).toBeLessThanOrEqual(160);
    expect(countTextTokens(recall.text)).toBe(recall.tokens);
    expect(recall.turns.length).toBeGreaterThan(1);
    // the turns are fenced as data (issue 14): the fence lines count against the budget too
    expect(recall.text).toMatch(/^## From transcripts\n⟦mnemo-data [a-z0-9]+ · [^\n]+⟧\n\[2026-11-2\d-s\d · \w{3} \d+ Nov 2026\]\nAda: Turn/);
    expect(recall.text).toMatch(/left out by the 160-token call budget/);
    const bad = await cli(['recall', 'flaky', '--deep', '--tokens', '0', '--dir', dir], { cwd });
    expect(bad.code).toBe(2);
  });
});
