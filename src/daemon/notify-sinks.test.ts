import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../shared/index.js';
import { tempDir } from '../../test/helpers/temp-root.js';
import { sendNotification, type DaemonNotification } from './notify-sinks.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A loopback server that answers each request with the next status of `statuses` (then 200). */
async function server(statuses: number[]): Promise<{ url: string; requests: { headers: IncomingHttpHeaders; body: string }[] }> {
  const requests: { headers: IncomingHttpHeaders; body: string }[] = [];
  const http = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      requests.push({ headers: request.headers, body });
      response.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => http.close(() => resolve())));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/topic`, requests };
}

const notification = (workspace: string): DaemonNotification => ({
  kind: 'failed',
  title: 'typecheck failed (1 problem): src/a.ts:2:9',
  message: "src/a.ts:2:9: Type 'string' is not assignable to type 'number'.",
  workspace,
  check: 'typecheck',
  time: '2026-01-02T03:04:05.000Z',
  diagnostic: { file: 'src/a.ts', line: 2, column: 9, message: "Type 'string' is not assignable to type 'number'.", signature: 'x' },
  diagnostics: 1,
  lesson: undefined,
  patch: null,
});

describe('notification sinks', () => {
  it('a webhook gets the JSON, retried after a 503; a 404 is not retried; the log always gets it', async () => {
    const flaky = await server([503]);
    const missing = await server([404, 404]);
    const logger = createMemoryLogger();
    const workspace = await tempDir();
    const results = await sendNotification(
      notification(workspace),
      [
        { type: 'webhook', url: flaky.url, headers: { authorization: 'Bearer t' }, retries: 3 },
        { type: 'webhook', url: missing.url, headers: {}, retries: 3 },
      ],
      { logger, path: undefined, retryDelayMs: () => 1 },
    );
    expect(results.map((result) => [result.ok, result.detail])).toEqual([
      [true, 'written'],
      [true, 'HTTP 200 after 1 retry'],
      [false, 'HTTP 404'],
    ]);
    expect(flaky.requests).toHaveLength(2);
    expect(JSON.parse(flaky.requests[1]?.body ?? '{}')).toMatchObject({
      kind: 'failed',
      check: 'typecheck',
      diagnostic: { file: 'src/a.ts', line: 2 },
    });
    expect(flaky.requests[1]?.headers.authorization).toBe('Bearer t');
    // the retry is the same notification: same id in the body and the Idempotency-Key header
    const ids = flaky.requests.map((request) => (JSON.parse(request.body) as { id: string }).id);
    expect(ids[0]).toMatch(/^ntf-[0-9a-f]{20}$/);
    expect(ids[1]).toBe(ids[0]);
    expect(flaky.requests.map((request) => request.headers['idempotency-key'])).toEqual([ids[0], ids[0]]);
    expect(logger.records[0]?.fields).toMatchObject({ id: ids[0] });
    // another notification has another id
    const other = await server([]);
    await sendNotification(
      { ...notification(workspace), kind: 'recovered', title: 'typecheck recovered' },
      [{ type: 'webhook', url: other.url, headers: {}, retries: 0 }],
      { logger: createMemoryLogger(), path: undefined },
    );
    expect((JSON.parse(other.requests[0]?.body ?? '{}') as { id: string }).id).not.toBe(ids[0]);
    expect(missing.requests).toHaveLength(1);
    expect(logger.records.map((record) => record.message)).toEqual(['notification', 'notification-failed']);
  });

  it('ntfy gets the message as the body and the title as a header; a command gets the JSON on stdin; desktop without notify-send is skipped', async () => {
    const ntfy = await server([]);
    const workspace = await tempDir();
    const out = join(workspace, 'received.json');
    const results = await sendNotification(
      notification(workspace),
      [
        { type: 'ntfy', url: ntfy.url, priority: 4 },
        { type: 'command', command: `cat > "${out}"`, timeout: 10_000 },
        { type: 'command', command: 'exit 7', timeout: 10_000 },
        { type: 'desktop' },
      ],
      { logger: createMemoryLogger(), path: '/nonexistent-bin' },
    );
    expect(results.map((result) => [result.sink, result.ok])).toEqual([
      ['log', true],
      [expect.stringMatching(/^ntfy 127\.0\.0\.1:\d+$/), true],
      ['command cat', true],
      ['command exit', false],
      ['desktop', true],
    ]);
    expect(results[4]?.detail).toBe('skipped: notify-send is not on PATH');
    expect(ntfy.requests[0]?.body).toBe("src/a.ts:2:9: Type 'string' is not assignable to type 'number'.");
    expect(ntfy.requests[0]?.headers).toMatchObject({
      title: 'typecheck failed (1 problem): src/a.ts:2:9',
      priority: '4',
      tags: 'warning',
    });
    expect(JSON.parse(await readFile(out, 'utf8'))).toMatchObject({ kind: 'failed', title: 'typecheck failed (1 problem): src/a.ts:2:9' });
  });
});
