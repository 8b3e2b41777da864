/*
 * What the daemon's process-level tests share: polling for a state the daemon reaches, a loopback
 * webhook that records the notifications it is sent, and the small TypeScript project they break.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** Poll `probe` until it gives a value (the test's own timeout bounds the wait). */
export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    await delay(50);
  }
}

/** A webhook sink on loopback: every JSON body it is posted lands in `received`; the server goes into `servers` for the test to close. */
export async function webhook<T>(servers: Server[]): Promise<{ url: string; received: T[] }> {
  const received: T[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push(JSON.parse(body) as T);
      response.writeHead(204).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

/** A source file that compiles, and the same file with a type error. */
export const GOOD = 'export function total(prices: number[]): number {\n  return prices.reduce((sum, price) => sum + price, 0);\n}\n';
export const BROKEN = 'export function total(prices: number[]): number {\n  const sum: number = prices.join(",");\n  return sum;\n}\n';
