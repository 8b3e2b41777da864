import { describe, expect, it } from 'vitest';
import { errorSignature, exampleLine, matchesSignature, specificSignature } from './error-signature.js';

describe('error signatures', () => {
  it('strip paths, line numbers, addresses, ids and timestamps, and drop the stack', () => {
    const one = errorSignature(
      "2026-11-20T10:00:01Z TypeError: Cannot read properties of undefined (reading 'port')\n    at loadConfig (/home/ana/app/src/config.ts:42:13)\n    at main (/home/ana/app/src/index.ts:7:3)",
    );
    const two = errorSignature(
      "TypeError: Cannot read properties of undefined (reading 'port')\n    at loadConfig (C:\\work\\app\\src\\config.ts:57:9)",
    );
    expect(one).toBe("TypeError: Cannot read properties of undefined (reading 'port')");
    expect(two).toBe("TypeError: Cannot read properties of undefined (reading 'port')");
    expect(matchesSignature(one ?? '', two ?? '')).toBe(true);
    expect(errorSignature('Error: connect ECONNREFUSED 127.0.0.1:5432 at 0x7ffd5e8c')).toBe('Error: connect ECONNREFUSED <host>');
    expect(errorSignature('error[E0425]: cannot find value `conn_id_9f8e7d6c5b4a` in this scope --> src/db.rs:14:5')).toBe(
      'error[E0425]: cannot find value `<id>` in this scope --> <path>',
    );
  });

  it('finds the error line in a test run output tail', () => {
    const output = [
      '> vitest run',
      '',
      ' ✓ src/a.test.ts (3 tests)',
      ' FAIL src/db.test.ts > saves a user',
      'Error: relation "users" does not exist',
      '   at Object.<anonymous> (src/db.test.ts:12:5)',
    ].join('\n');
    expect(errorSignature(output)).toBe('FAIL <path> > saves a user');
    expect(errorSignature('all good\nnothing to see')).toBeUndefined();
  });

  it("recognizes a compiler's coded error line (tsc `error TS2322:`) and the same error in another file", () => {
    const output = "src/total.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.";
    const signature = errorSignature(output) as string;
    expect(signature).toBe("<path>(<n>,<n>): error TS2322: Type 'string' is not assignable to type 'number'.");
    expect(matchesSignature("lib/other.ts(40,1): error TS2322: Type 'string' is not assignable to type 'number'.", signature)).toBe(true);
  });

  it('matches a later wording that contains the signature', () => {
    const signature = errorSignature("TypeError: Cannot read properties of undefined (reading 'port')") as string;
    expect(
      matchesSignature("why do I get TypeError: Cannot read properties of undefined (reading 'port') in src/server.ts:88?", signature),
    ).toBe(true);
    expect(matchesSignature('TypeError: x is not a function', signature)).toBe(false);
  });
});

describe('specificSignature and exampleLine (what a lesson shows)', () => {
  it('keeps a port, a status code or a version that every occurrence shares; a number that varies stays a placeholder', () => {
    const port = 'Error: listen EADDRINUSE: address already in use :::8080';
    const signature = errorSignature(port) ?? '';
    expect(signature).toBe('Error: listen EADDRINUSE: address already in use :::<id>');
    expect(specificSignature(signature, [port, `12:00:01 ${port}`])).toBe('Error: listen EADDRINUSE: address already in use :::8080');
    expect(specificSignature(signature, [port, port.replace('8080', '9090')])).toBe(signature);
    const status = (ms: number) => `FAIL: upstream answered HTTP 503 after ${ms} ms`;
    const generic = errorSignature(status(1200)) ?? '';
    expect(specificSignature(generic, [status(1200), status(87)])).toBe('FAIL: upstream answered HTTP 503 after <id> ms');
    const id = 'Error: request req_9f8e7d6c5b4a3 failed';
    expect(specificSignature(errorSignature(id) ?? '', [id, id])).toBe('Error: request <id> failed');
  });

  it('never gives an empty example', () => {
    expect(exampleLine(['\n\n   \n'], 'Error: x')).toBeUndefined();
    expect(exampleLine(['Error: x'], 'Error: x')).toBeUndefined();
    expect(exampleLine(['\nError: x at 12:00'], 'Error: x')).toBe('Error: x at 12:00');
  });
});
