import { describe, expect, it } from 'vitest';
import { errorSignature, matchesSignature } from './error-signature.js';

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

  it('matches a later wording that contains the signature', () => {
    const signature = errorSignature("TypeError: Cannot read properties of undefined (reading 'port')") as string;
    expect(
      matchesSignature("why do I get TypeError: Cannot read properties of undefined (reading 'port') in src/server.ts:88?", signature),
    ).toBe(true);
    expect(matchesSignature('TypeError: x is not a function', signature)).toBe(false);
  });
});
