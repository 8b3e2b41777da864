import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../shared/index.js';
import type { CheckContext } from './check-context.js';
import { checkEvidence } from './evidence-check.js';
import { isHostAllowed } from './http-check.js';

let server: Server;
let base: string;
let host: string;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push(request.url ?? '');
    if (request.url === '/health') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"status":"ok","version":"2.4.1"}');
    } else if (request.url === '/moved') {
      response.writeHead(301, { location: 'http://example.com/' });
      response.end();
    } else if (request.url === '/slow') {
      setTimeout(() => response.end('late'), 3000);
    } else {
      response.writeHead(404);
      response.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  host = `127.0.0.1:${port}`;
  base = `http://${host}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function contextFor(overrides: Partial<CheckContext> = {}): CheckContext {
  return {
    workspace: '.',
    clock: systemClock,
    trust: 'trusted',
    allowCommands: false,
    allowHttp: true,
    allowedHosts: ['127.0.0.1'],
    commandTimeoutMs: 2000,
    ...overrides,
  };
}

describe('http evidence', () => {
  it('confirms the status and body of an allowed host', async () => {
    const verdict = await checkEvidence(
      { kind: 'http', url: `${base}/health`, expect: { status: 200, body: '"status":"ok"' } },
      contextFor(),
    );
    expect(verdict).toMatchObject({ status: 'confirmed', observed: { status: 200 } });
  });

  it('contradicts a different status or a body that no longer matches', async () => {
    const missing = await checkEvidence({ kind: 'http', url: `${base}/gone` }, contextFor());
    expect(missing).toMatchObject({ status: 'contradicted', detail: `GET ${base}/gone now answers 404, expected 200` });
    const body = await checkEvidence({ kind: 'http', url: `${base}/health`, expect: { body: '"version":"1\\.' } }, contextFor());
    expect(body.status).toBe('contradicted');
    expect(body.detail).toMatch(/no longer matches/);
  });

  it('does not follow redirects: a redirect is a status', async () => {
    const verdict = await checkEvidence({ kind: 'http', url: `${base}/moved`, expect: { status: 301 } }, contextFor());
    expect(verdict.status).toBe('confirmed');
  });

  it('refuses hosts that are not allowed, untrusted topics and a setting that is off, without a request', async () => {
    const before = requests.length;
    const disallowed = await checkEvidence({ kind: 'http', url: `${base}/health` }, contextFor({ allowedHosts: ['example.com'] }));
    expect(disallowed).toMatchObject({ status: 'unverifiable', detail: `${host} is not an allowed host (verification.allowedHosts)` });
    const untrusted = await checkEvidence({ kind: 'http', url: `${base}/health` }, contextFor({ trust: 'untrusted' }));
    expect(untrusted).toMatchObject({ status: 'unverifiable', detail: 'untrusted provenance never runs HTTP requests' });
    const off = await checkEvidence({ kind: 'http', url: `${base}/health` }, contextFor({ allowHttp: false }));
    expect(off.detail).toMatch(/^HTTP checks are not allowed/);
    const file = await checkEvidence({ kind: 'http', url: 'file:///etc/passwd' }, contextFor({ allowedHosts: [''] }));
    expect(file.status).toBe('unverifiable');
    expect(requests.length).toBe(before);
  });

  it('never calls an injected fetch for an untrusted topic', async () => {
    let called = 0;
    const fakeFetch = (async () => {
      called += 1;
      return new Response('ok');
    }) as typeof fetch;
    await checkEvidence({ kind: 'http', url: `${base}/health` }, contextFor({ trust: 'untrusted', fetch: fakeFetch }));
    expect(called).toBe(0);
    await checkEvidence({ kind: 'http', url: `${base}/health` }, contextFor({ fetch: fakeFetch }));
    expect(called).toBe(1);
  });

  it('is unverifiable when the server does not answer in time', async () => {
    const started = Date.now();
    const verdict = await checkEvidence({ kind: 'http', url: `${base}/slow` }, contextFor({ commandTimeoutMs: 300 }));
    expect(verdict.status).toBe('unverifiable');
    expect(verdict.detail).toMatch(/did not answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('matches allowed hosts by name, wildcard or host:port', () => {
    expect(isHostAllowed(new URL('https://api.example.com/x'), ['*.example.com'])).toBe(true);
    expect(isHostAllowed(new URL('https://example.com.evil.io/x'), ['example.com', '*.example.com'])).toBe(false);
    expect(isHostAllowed(new URL('http://127.0.0.1:8080/'), ['127.0.0.1:8080'])).toBe(true);
    expect(isHostAllowed(new URL('http://127.0.0.1:9090/'), ['127.0.0.1:8080'])).toBe(false);
  });
});
