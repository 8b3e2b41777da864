import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openMemory, type Memory } from '../../src/index.js';
import { serveMcpStdio } from '../../src/mcp/index.js';
import { silentLogger } from '../../src/shared/index.js';
import { tempDir } from '../helpers/temp-root.js';

/*
 * `mnemo mcp` answers `initialize` before it loads the MCP SDK, the tools and the memory: the
 * answer must be the SDK's own, and the server must work on after it.
 */

const EARLY_VERSIONS = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'];

interface Served {
  replies: Record<string, unknown>[];
  /** What happened, in order: 'reply' for each line written to stdout, 'open' when the memory was asked for. */
  events: string[];
  opened: () => number;
  send(message: Record<string, unknown>): void;
  next(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

async function serve(early: boolean): Promise<Served> {
  const cwd = await tempDir();
  let opens = 0;
  let memory: Memory | undefined;
  const stdin = new PassThrough();
  const events: string[] = [];
  const replies: Record<string, unknown>[] = [];
  const waiting: ((reply: Record<string, unknown>) => void)[] = [];
  let buffer = '';
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      events.push('reply');
      take(chunk);
      callback();
    },
  });
  const take = (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const reply = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
      buffer = buffer.slice(newline + 1);
      const wake = waiting.shift();
      if (wake) wake(reply);
      else replies.push(reply);
      newline = buffer.indexOf('\n');
    }
  };
  const serving = serveMcpStdio(
    async () => {
      opens += 1;
      events.push('open');
      memory = await openMemory({ dir: join(cwd, 'm'), cwd, create: true, config: { logLevel: 'silent' } });
      return memory;
    },
    { logger: silentLogger, version: '9.9.9', stdin, stdout, answerInitializeEarly: early },
  );
  return {
    replies,
    events,
    opened: () => opens,
    send: (message) => stdin.write(`${JSON.stringify(message)}\n`),
    next: () => {
      const ready = replies.shift();
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
    stop: async () => {
      stdin.end();
      await serving.done;
      memory?.close();
    },
  };
}

const initialize = (protocolVersion: string) => ({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion, capabilities: {}, clientInfo: { name: 'test', version: '1' } },
});

describe('mnemo mcp on stdio answers initialize early', () => {
  it.each(EARLY_VERSIONS)('with the answer the MCP SDK gives (protocol %s)', async (version) => {
    const sdk = await serve(false);
    sdk.send(initialize(version));
    const fromSdk = await sdk.next();
    await sdk.stop();
    const early = await serve(true);
    early.send(initialize(version));
    const answer = await early.next();
    await early.stop();
    // Answered before the memory was even asked for.
    expect(early.events.slice(0, 2)).toEqual(['reply', 'open']);
    expect(answer).toEqual(fromSdk);
    expect(answer.id).toBe(1);
  });

  it('then serves tools as usual, and never repeats the initialize answer', async () => {
    const early = await serve(true);
    early.send(initialize('2025-06-18'));
    expect(((await early.next()).result as { serverInfo: unknown }).serverInfo).toEqual({ name: 'mnemo', version: '9.9.9' });
    early.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    early.send({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: {
        name: 'remember',
        arguments: { name: 'Port', description: 'the API port', type: 'project', body: 'The API listens on 8080.' },
      },
    });
    const remembered = await early.next();
    expect(remembered.id).toBe(2);
    expect(JSON.stringify(remembered.result)).not.toContain('"isError":true');
    expect((remembered.result as { structuredContent: { status: string } }).structuredContent.status).toBe('staged');
    early.send({ jsonrpc: '2.0', id: 3, method: 'tools/list' });
    const listed = await early.next();
    expect(listed.id).toBe(3);
    expect((listed.result as { tools: { name: string }[] }).tools.map((tool) => tool.name)).toContain('recall');
    expect(early.opened()).toBe(1);
    await early.stop();
    // Only the three answers: the SDK's own answer to the initialize it was handed was dropped.
    expect(early.replies).toEqual([]);
  });

  it('leaves an unknown protocol version to the SDK', async () => {
    const sdk = await serve(false);
    sdk.send(initialize('1999-01-01'));
    const fromSdk = await sdk.next();
    await sdk.stop();
    const early = await serve(true);
    early.send(initialize('1999-01-01'));
    expect(await early.next()).toEqual(fromSdk);
    expect(early.opened()).toBe(1);
    await early.stop();
  });
});
