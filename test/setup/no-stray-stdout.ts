import { afterEach, beforeEach, expect } from 'vitest';

/*
 * Stdout is sacred (the MCP stdio transport owns it): any test that lets library code write to
 * process.stdout or console.log/info fails. CLI tests pass their own streams to runCli.
 */
let stray: string[] = [];
const originalWrite = process.stdout.write.bind(process.stdout);
const originalLog = console.log;
const originalInfo = console.info;

beforeEach(() => {
  stray = [];
  process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    stray.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const callback = rest.find((value) => typeof value === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  };
  console.log = (...values: unknown[]) => {
    stray.push(values.map(String).join(' '));
  };
  console.info = console.log;
});

afterEach(() => {
  process.stdout.write = originalWrite;
  console.log = originalLog;
  console.info = originalInfo;
  expect(stray, `test wrote to stdout: ${JSON.stringify(stray.join('').slice(0, 300))}`).toEqual([]);
});
