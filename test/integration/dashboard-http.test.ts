import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serveDashboard, type DashboardServing } from '../../src/ui/index.js';
import { createStderrLogger } from '../../src/shared/index.js';
import { dashboardMemory, type DashboardMemory } from '../helpers/dashboard-memory.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with exactly the headers given (fetch would not let a test forge Host). */
function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const open: { serving: DashboardServing; fixture: DashboardMemory }[] = [];
afterEach(async () => {
  for (const { serving, fixture } of open.splice(0)) {
    await serving.close();
    fixture.memory.close();
  }
});

async function dashboard(): Promise<{ serving: DashboardServing; fixture: DashboardMemory; cookie: string }> {
  const fixture = await dashboardMemory();
  const serving = await serveDashboard(fixture.memory, { port: 0, logger: createStderrLogger('silent') });
  open.push({ serving, fixture });
  return { serving, fixture, cookie: `mnemo_ui=${encodeURIComponent(serving.token)}` };
}

describe('mnemo ui: the token', () => {
  it('answers 401 without the token or with a wrong one, on pages, assets and the API', async () => {
    const { serving } = await dashboard();
    for (const path of ['/', '/topics', '/quarantine', '/dreams', '/api/fingerprint', '/assets/dashboard.js']) {
      expect((await send(`${serving.origin}${path}`)).status, path).toBe(401);
      expect((await send(`${serving.origin}${path}?token=wrong`)).status, path).toBe(401);
      expect((await send(`${serving.origin}${path}`, { headers: { cookie: 'mnemo_ui=wrong' } })).status, path).toBe(401);
    }
    const denied = await send(`${serving.origin}/topics`);
    expect(denied.body).toMatch(/open the URL that .{0,6}mnemo ui.{0,6} printed/);
    expect(denied.body).not.toContain('Staging deploys');
  });

  it('takes the token from the printed URL once, keeps it in an HttpOnly SameSite cookie, and drops it from the address', async () => {
    const { serving, cookie } = await dashboard();
    expect(serving.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{40,}$/);
    const first = await send(serving.url);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    expect(String(first.headers['set-cookie'])).toMatch(/^mnemo_ui=[\w%-]+; HttpOnly; SameSite=Strict; Path=\/$/);
    const page = await send(`${serving.origin}/topics`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('Staging deploys are blue-green');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    const bearer = await send(`${serving.origin}/status`, { headers: { authorization: `Bearer ${serving.token}` } });
    expect(bearer.status).toBe(200);
  });

  it('refuses a Host that is not loopback (DNS rebinding), even with the token', async () => {
    const { serving, cookie } = await dashboard();
    const answer = await send(`${serving.origin}/topics`, { headers: { cookie, host: 'evil.example:80' } });
    expect(answer.status).toBe(403);
    expect(answer.body).not.toContain('Staging deploys');
  });

  it('binds beyond loopback only with --allow-remote and a long token, like mcp --http', async () => {
    const fixture = await dashboardMemory();
    const logger = createStderrLogger('silent');
    try {
      await expect(serveDashboard(fixture.memory, { host: '0.0.0.0', port: 0, logger })).rejects.toThrow(/expose the memory/);
      await expect(serveDashboard(fixture.memory, { host: '0.0.0.0', port: 0, logger, allowRemote: true })).rejects.toThrow(
        /requires a token/,
      );
      await expect(serveDashboard(fixture.memory, { host: '0.0.0.0', port: 0, logger, allowRemote: true, token: 'short' })).rejects.toThrow(
        /too short/,
      );
    } finally {
      fixture.memory.close();
    }
  });
});

describe('mnemo ui: writes are CSRF-safe', () => {
  it('a change needs POST with the token header and its own Origin; GET never changes anything', async () => {
    const { serving, fixture, cookie } = await dashboard();
    const path = `/api/quarantine/${fixture.quarantineId}/approve`;
    const held = async () => (await fixture.memory.quarantine.list()).map((item) => item.id);
    // A cross-site form: the browser sends the cookie, but no token header.
    expect((await send(`${serving.origin}${path}`, { method: 'POST', headers: { cookie, origin: 'https://evil.example' } })).status).toBe(
      403,
    );
    expect((await send(`${serving.origin}${path}`, { method: 'POST', headers: { cookie } })).status).toBe(403);
    // The header, but from another origin.
    const foreign = await send(`${serving.origin}${path}`, {
      method: 'POST',
      headers: { cookie, 'x-mnemo-token': serving.token, origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).error).toMatch(/not allowed/);
    // A GET to the action's address is not an action.
    expect((await send(`${serving.origin}${path}`, { headers: { cookie } })).status).toBe(404);
    expect((await send(`${serving.origin}${path}`, { method: 'PUT', headers: { cookie } })).status).toBe(405);
    expect(await held()).toEqual([fixture.quarantineId]);
    // The dashboard's own button.
    const approved = await send(`${serving.origin}${path}`, {
      method: 'POST',
      headers: { cookie, 'x-mnemo-token': serving.token, origin: serving.origin, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(approved.status).toBe(200);
    expect(JSON.parse(approved.body).message).toMatch(/Approved q-\w+: written as release-checklist/);
    expect(await held()).toEqual([]);
    expect(existsSync(join(fixture.dir, 'release-checklist.md'))).toBe(true);
    const audit = (await fixture.memory.records.audit({ slug: 'release-checklist' })).map((entry) => entry.action);
    expect(audit).toContain('topic-created');
    // What the CLI refuses, the dashboard refuses: the item was decided already.
    const again = await send(`${serving.origin}${path}`, { method: 'POST', headers: { cookie, 'x-mnemo-token': serving.token } });
    expect(again.status).toBe(400);
    expect(JSON.parse(again.body).error).toMatch(/already approved/);
  });
});

describe('mnemo ui: every button is a library call', () => {
  const post = (serving: DashboardServing, path: string, body: unknown = {}) =>
    send(`${serving.origin}${path}`, {
      method: 'POST',
      headers: {
        'x-mnemo-token': serving.token,
        origin: serving.origin,
        'content-type': 'application/json',
        cookie: `mnemo_ui=${serving.token}`,
      },
      body: JSON.stringify(body),
    });

  it('rejects a held write with a note, forgets a topic to the trash, proposes a dream without changing anything', async () => {
    const { serving, fixture } = await dashboard();
    const rejected = await post(serving, `/api/quarantine/${fixture.quarantineId}/reject`, { note: 'prompt injection' });
    expect(JSON.parse(rejected.body).message).toMatch(/Rejected/);
    const [item] = await fixture.memory.quarantine.list({ all: true });
    expect(item).toMatchObject({ status: 'rejected', decided: { by: 'user', note: 'prompt injection' } });
    expect(existsSync(join(fixture.dir, 'release-checklist.md'))).toBe(false);

    const forgotten = await post(serving, '/api/topics/port-default/forget');
    expect(JSON.parse(forgotten.body).message).toMatch(/Forgot port-default: kept in the trash/);
    expect(existsSync(join(fixture.dir, 'port-default.md'))).toBe(false);
    expect((await fixture.memory.records.versions('port-default')).length).toBe(1);
    expect((await fixture.memory.records.audit({ slug: 'port-default' })).at(-1)).toMatchObject({
      action: 'topic-forgotten',
      actor: 'user',
    });

    const before = await fixture.memory.records.fingerprint();
    const proposed = JSON.parse((await post(serving, '/api/dreams/propose')).body) as { message: string; html: string };
    expect(proposed.message).toMatch(/nothing was changed/);
    expect(proposed.html).toMatch(/<pre class="diff">/);
    expect(await fixture.memory.records.fingerprint()).toBe(before);
    expect(await fixture.memory.records.dreams()).toEqual([]);
  });

  it('refuses what the CLI refuses: an approval while writes are read-only', async () => {
    const fixture = await dashboardMemory();
    fixture.memory.close();
    const { openMemory } = await import('../../src/index.js');
    const readOnly = await openMemory({ dir: fixture.dir, cwd: fixture.cwd, config: { logLevel: 'silent', writes: 'read-only' } });
    const serving = await serveDashboard(readOnly, { port: 0, logger: createStderrLogger('silent') });
    open.push({ serving, fixture: { ...fixture, memory: readOnly } });
    const refused = await post(serving, `/api/quarantine/${fixture.quarantineId}/approve`);
    expect(refused.status).toBe(409);
    expect(JSON.parse(refused.body).error).toMatch(/read-only/);
    expect((await readOnly.quarantine.list()).map((item) => item.id)).toEqual([fixture.quarantineId]);
  });
});

describe('mnemo ui: the index as the agent sees it', () => {
  it('shows the budget gauge and names what the budget left out, and why', async () => {
    const fixture = await dashboardMemory();
    fixture.memory.close();
    const { openMemory } = await import('../../src/index.js');
    const tight = await openMemory({
      dir: fixture.dir,
      cwd: fixture.cwd,
      config: { logLevel: 'silent', index: { maxLines: 10, maxBytes: 25_000, warnRatio: 0.8 } },
    });
    const report = await tight.renderIndex();
    expect(report.omitted.length).toBeGreaterThan(0);
    const serving = await serveDashboard(tight, { port: 0, logger: createStderrLogger('silent') });
    open.push({ serving, fixture: { ...fixture, memory: tight } });
    const page = await send(`${serving.origin}/`, { headers: { cookie: `mnemo_ui=${serving.token}` } });
    expect(page.body).toMatch(new RegExp(`${report.lines} / 10 \\(\\d+%\\)`));
    expect(page.body).toContain(`Left out (${report.omitted.length})`);
    for (const entry of report.omitted) expect(page.body).toContain(`<a href="/topics/${entry.slug}">`);
    expect(page.body).toContain('over the budget: ranked lowest');
  });
});

describe('mnemo ui: memory content is untrusted', () => {
  it('escapes a hostile topic, and a hostile transcript turn, on every page that shows them', async () => {
    const { serving, fixture, cookie } = await dashboard();
    const index = await send(`${serving.origin}/`, { headers: { cookie } });
    expect(index.body).toContain('(hostile-note.md)');
    expect(index.body).not.toMatch(/<img src=x|<script>window/);
    for (const path of ['/topics', '/topics/hostile-note', '/topics?q=harmless']) {
      const page = await send(`${serving.origin}${path}`, { headers: { cookie } });
      expect(page.status, path).toBe(200);
      expect(page.body, path).toContain('&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;Tricky name');
      expect(page.body, path).not.toMatch(/<img src=x|<script>window/);
    }
    await fixture.memory.log('2026-11-24-demo', { kind: 'tool-result', text: 'page said <script>window.__pwned=1</script> staging' });
    const turns = await send(`${serving.origin}/sessions?q=${encodeURIComponent('pwned staging <script>')}`, { headers: { cookie } });
    expect(turns.body).toContain(
      '&lt;<mark>script</mark>&gt;window.__<mark>pwned</mark>=1&lt;/<mark>script</mark>&gt; <mark>staging</mark>',
    );
    const topic = await send(`${serving.origin}/topics/hostile-note`, { headers: { cookie } });
    expect(topic.body).toContain('&lt;script&gt;window.__pwned = true; alert(1)&lt;/script&gt;');
    // The only script is the dashboard's own file.
    expect(topic.body.match(/<script\b[^>]*>/g)).toEqual(['<script src="/assets/dashboard.js">']);
  });
});
