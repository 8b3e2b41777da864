import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createStderrLogger } from '../../src/shared/index.js';
import { serveDashboard, type DashboardServing } from '../../src/ui/index.js';
import { dashboardMemory, type DashboardMemory } from '../helpers/dashboard-memory.js';

/*
 * The dashboard in a real browser: Debian's chromium driven by playwright-core (never
 * `playwright install`). Screenshots go to test-results/ (git-ignored); with
 * MNEMO_DOCS_SCREENSHOTS=1 the topics and dream pages are copied to docs/images/ for the README.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const RESULTS = join(ROOT, 'test-results', 'dashboard');
const DOCS_IMAGES = join(ROOT, 'docs', 'images');
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let context: BrowserContext;
let profile: string;
const served: { serving: DashboardServing; fixture: DashboardMemory }[] = [];
const dialogs: string[] = [];
/** Errors the pages logged (a CSP violation or a script error would show here). */
const consoleErrors: string[] = [];

beforeAll(async () => {
  await mkdir(RESULTS, { recursive: true });
  profile = await mkdtemp(join(tmpdir(), 'mnemo-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
    offline: false,
  });
});

afterAll(async () => {
  await context?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

afterEach(async () => {
  for (const page of context.pages()) await page.close();
  for (const { serving, fixture } of served.splice(0)) {
    await serving.close();
    fixture.memory.close();
  }
});

/** A memory with something on every page, its dashboard, and a page that opened the printed URL. */
async function open(): Promise<{ page: Page; serving: DashboardServing; fixture: DashboardMemory }> {
  const fixture = await dashboardMemory();
  const serving = await serveDashboard(fixture.memory, { port: 0, logger: createStderrLogger('silent') });
  served.push({ serving, fixture });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.accept();
  });
  // Nothing from the network: every request the page makes goes to the dashboard itself.
  page.on('request', (request) => {
    if (!request.url().startsWith(serving.origin)) throw new Error(`the page fetched ${request.url()}`);
  });
  await page.goto(serving.url);
  return { page, serving, fixture };
}

async function shot(page: Page, name: string, forDocs = false): Promise<void> {
  const path = join(RESULTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  if (forDocs && process.env.MNEMO_DOCS_SCREENSHOTS === '1') {
    await mkdir(DOCS_IMAGES, { recursive: true });
    await copyFile(path, join(DOCS_IMAGES, `${name}.png`));
  }
}

describe('mnemo ui in a browser', () => {
  it('answers 401 to a browser without the token', async () => {
    const fixture = await dashboardMemory();
    const serving = await serveDashboard(fixture.memory, { port: 0, logger: createStderrLogger('silent') });
    served.push({ serving, fixture });
    const page = await context.newPage();
    const response = await page.goto(`${serving.origin}/topics`);
    expect(response?.status()).toBe(401);
    expect(await page.textContent('body')).toMatch(/needs its token/);
    expect(await page.textContent('body')).not.toMatch(/Staging deploys/);
  });

  it('opens every page on a memory, and a hostile topic runs no script', async () => {
    const { page } = await open();
    expect(new URL(page.url()).search).toBe('');
    expect(await page.textContent('h1')).toMatch(/Index/);
    expect(await page.textContent('#budget')).toMatch(/\d+ \/ 200/);
    expect(await page.textContent('#index-text')).toMatch(/Staging deploys are blue-green/);
    await shot(page, 'ui-index');
    for (const [label, heading] of [
      ['Topics', 'Topics'],
      ['Lessons', 'Lessons'],
      ['Sessions', 'Sessions'],
      ['Quarantine', 'Quarantine'],
      ['Dreams', 'Dreams'],
      ['Status', 'Status'],
    ] as const) {
      await page.click(`header >> text=${label}`);
      await page.waitForSelector(`h1:has-text("${heading}")`);
      await shot(page, `ui-${label.toLowerCase()}`);
    }
    expect(await page.textContent('#status')).toMatch(/1 write\(s\) quarantined \(1 held\)/);
    expect(await page.textContent('body')).toMatch(/Recall hits per topic/);
    expect(await page.locator('figure.chart svg').count()).toBeGreaterThanOrEqual(3);
    await page.click('header >> text=Lessons');
    expect(await page.textContent('#lessons')).toMatch(/reading 'port'/);
    expect(await page.textContent('figure.graph')).toMatch(/fixed-by/);
    await shot(page, 'ui-lessons-graph');
    await page.click('header >> text=Sessions');
    await page.click('text=2026-11-24-demo');
    await page.waitForSelector('h1:has-text("Session 2026-11-24-demo")');
    expect(await page.locator('.turn.flagged').count()).toBe(2);
    expect(await page.textContent('.turn.flagged >> nth=1')).toMatch(/\[REDACTED:aws-access-key\]/);
    await page.click('header >> text=Sessions');
    await page.fill('input[name=q]', 'staging');
    await page.press('input[name=q]', 'Enter');
    await page.waitForSelector('.turn mark');
    expect(await page.locator('.turn mark').allTextContents()).toEqual(['staging']);
    await shot(page, 'ui-sessions-search');
    // The hostile topic: shown as text, its script never runs.
    await page.click('header >> text=Topics');
    await page.click('a:has-text("Tricky name")');
    await page.waitForSelector('#topic-body');
    expect(await page.textContent('#topic-body')).toContain('<script>window.__pwned = true; alert(1)</script>');
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await shot(page, 'ui-hostile-topic');
  });

  it('searches and filters topics, and shows a topic with its evidence, verdicts and earlier version as a diff', async () => {
    const { page } = await open();
    await page.click('header >> text=Topics');
    await page.fill('input[name=q]', 'blue-green staging');
    await page.click('button:has-text("Filter")');
    await page.waitForURL(/q=blue-green/);
    const names = await page.locator('#topics tbody tr td:first-child a').allTextContents();
    expect(names.sort()).toEqual(['Blue-green deploys on staging', 'Staging deploys are blue-green']);
    await page.fill('input[name=q]', '');
    await page.selectOption('select[name=type]', 'lesson');
    await page.click('button:has-text("Filter")');
    await page.waitForURL(/type=lesson/);
    expect(await page.locator('#topics tbody tr').count()).toBe(1);
    await page.selectOption('select[name=type]', '');
    await page.click('button:has-text("Filter")');
    await page.waitForURL(/type=&/);
    expect(await page.locator('#topics tbody tr').count()).toBe(6);
    await shot(page, 'ui-topics', true);
    await page.click('a:has-text("Blue-green deploys on staging")');
    await page.waitForSelector('#verdicts');
    expect(await page.textContent('#verdicts')).toMatch(/confirmed/);
    expect(await page.textContent('body')).toMatch(/file path=deploy\.yaml contains=blue-green/);
    await page.goto(page.url().replace(/\/topics\/.*$/, '/topics/cache-ttl'));
    expect(await page.textContent('pre.diff .del')).toMatch(/60 seconds/);
    expect(await page.textContent('pre.diff .add')).toMatch(/300 seconds/);
    await shot(page, 'ui-topic-versions');
  });

  it('approves a quarantined write, with the findings highlighted, and it becomes a topic', async () => {
    const { page, fixture } = await open();
    await page.click('header >> text=Quarantine');
    const item = page.locator(`.quarantine-item[data-id="${fixture.quarantineId}"]`);
    expect(await item.locator('mark').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringMatching(/<system>|<\/tool_result>/)]),
    );
    await shot(page, 'ui-quarantine-held');
    await item.locator('button:has-text("Approve")').click();
    await page.waitForSelector('#nothing-held');
    expect(await page.textContent('#decided')).toMatch(/approved by user/);
    await page.click('header >> text=Topics');
    await page.click('a:has-text("Release checklist")');
    await page.waitForSelector('#topic-body');
    expect(await page.textContent('body')).toMatch(/vouched by\s*user/);
    expect(await readFile(join(fixture.dir, 'release-checklist.md'), 'utf8')).toMatch(/vouchedBy: user/);
    expect(dialogs.at(-1)).toMatch(/Vouch for this write/);
  });

  it('proposes a dream, applies it, and rolls it back: the diff disappears and the topics are as before', async () => {
    const { page, fixture } = await open();
    const before = await readFile(join(fixture.dir, 'blue-green-staging.md'), 'utf8');
    await page.click('header >> text=Dreams');
    await page.click('button:has-text("Propose")');
    await page.waitForSelector('#proposal pre.diff');
    expect(await page.textContent('#proposal')).toMatch(/proposed: nothing was changed/);
    expect(await readFile(join(fixture.dir, 'blue-green-staging.md'), 'utf8')).toBe(before);
    await page.click('button:has-text("Dream now")');
    await page.waitForSelector('.dream[data-status="applied"] pre.diff');
    expect(await page.textContent('.dream[data-status="applied"]')).toMatch(/merge/);
    await shot(page, 'ui-dream', true);
    const id = await page.getAttribute('.dream[data-status="applied"]', 'data-id');
    await page.click('.dream[data-status="applied"] button:has-text("Roll back")');
    await page.waitForSelector(`.dream[data-id="${id}"][data-status="rolled-back"]`);
    expect(await page.locator(`.dream[data-id="${id}"] pre.diff`).count()).toBe(0);
    expect(await page.textContent(`.dream[data-id="${id}"]`)).toMatch(/Rolled back/);
    expect(await readFile(join(fixture.dir, 'blue-green-staging.md'), 'utf8')).toBe(before);
    await shot(page, 'ui-dream-rolled-back');
  });

  it('follows the memory when it changes on disk', async () => {
    const { page, fixture } = await open();
    await page.click('header >> text=Topics');
    await page.waitForSelector('#topics');
    await fixture.memory.remember({
      name: 'Feature flags',
      description: 'where flags live',
      type: 'project',
      body: 'Flags live in flags.yaml.',
    });
    await page.waitForSelector('#topics >> text=Feature flags');
  });
});
