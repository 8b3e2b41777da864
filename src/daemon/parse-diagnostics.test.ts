import { describe, expect, it } from 'vitest';
import { errorSignature } from '../discipline/index.js';
import { diagnosticLocation, parseDiagnostics } from './parse-diagnostics.js';

const WORKSPACE = '/work/project';

describe('parseDiagnostics', () => {
  it("reads tsc's lines (plain and --pretty) with file, line, column, code, and a signature the normaliser recognizes", () => {
    const output = [
      "src/a.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'.",
      "src/a.ts(2,41): error TS2339: Property 'nope' does not exist on type 'string'.",
      "\u001b[96msrc/b.ts\u001b[0m:\u001b[93m7\u001b[0m:\u001b[93m3\u001b[0m - \u001b[91merror\u001b[0m\u001b[90m TS2304: \u001b[0mCannot find name 'missing'.",
      '',
      'Found 3 errors in 2 files.',
    ].join('\n');
    const found = parseDiagnostics(output, { workspace: WORKSPACE });
    expect(found.map((item) => [item.source, diagnosticLocation(item), item.code])).toEqual([
      ['typescript', 'src/a.ts:1:14', 'TS2322'],
      ['typescript', 'src/a.ts:2:41', 'TS2339'],
      ['typescript', 'src/b.ts:7:3', 'TS2304'],
    ]);
    expect(found[0]?.message).toBe("Type 'string' is not assignable to type 'number'.");
    expect(errorSignature(found[2]?.text ?? '')).toBe("<path>(<n>,<n>): error TS2304: Cannot find name 'missing'.");
  });

  it("reads ESLint's JSON formatter: errors only, paths relative to the workspace, the rule named", () => {
    const output = JSON.stringify([
      {
        filePath: '/work/project/src/app.js',
        messages: [
          { ruleId: 'no-undef', severity: 2, message: "'foo' is not defined.", line: 3, column: 1 },
          { ruleId: 'no-console', severity: 1, message: 'Unexpected console statement.', line: 4, column: 1 },
        ],
        errorCount: 1,
        warningCount: 1,
      },
      { filePath: '/work/project/src/clean.js', messages: [], errorCount: 0, warningCount: 0 },
    ]);
    const found = parseDiagnostics(output, { workspace: WORKSPACE });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ source: 'eslint', file: 'src/app.js', line: 3, column: 1, code: 'no-undef' });
    expect(found[0]?.message).toBe("'foo' is not defined. (no-undef)");
  });

  it("reads vitest's JSON reporter (jest's format): the failed test, located in its file, not in node_modules", () => {
    const output = `> test\n${JSON_REPORT}\n`;
    const found = parseDiagnostics(output, { workspace: WORKSPACE });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ source: 'test', file: 'math.test.ts', line: 4, column: 19, code: 'math adds' });
    expect(found[0]?.message).toBe('math adds: AssertionError: expected 4 to be 3 // Object.is equality');
  });

  it("reads vitest's text reporter (the details, not the summary) and jest's", () => {
    const vitest = [
      ' ❯ math.test.ts (2 tests | 1 failed) 16ms',
      '     × adds 13ms',
      '     ✓ ok 0ms',
      '',
      '⎯⎯⎯⎯⎯⎯⎯ Failed Tests 1 ⎯⎯⎯⎯⎯⎯⎯',
      '',
      ' FAIL  math.test.ts > math > adds',
      'AssertionError: expected 4 to be 3 // Object.is equality',
      '',
      '- Expected',
      '+ Received',
      '',
      ' ❯ math.test.ts:4:19',
      "      2| describe('math', () => {",
    ].join('\n');
    expect(parseDiagnostics(vitest, { workspace: WORKSPACE }).map((item) => [diagnosticLocation(item), item.message])).toEqual([
      ['math.test.ts:4:19', 'math > adds: AssertionError: expected 4 to be 3 // Object.is equality'],
    ]);
    const jest = [
      ' FAIL  src/math.test.js',
      '  ● math › adds numbers',
      '',
      '    expect(received).toBe(expected) // Object.is equality',
      '',
      '    Expected: 3',
      '    Received: 4',
      '',
      '      at Object.toBe (src/math.test.js:4:21)',
      '',
      'Tests:       1 failed, 1 passed, 2 total',
    ].join('\n');
    expect(parseDiagnostics(jest).map((item) => [diagnosticLocation(item), item.message])).toEqual([
      ['src/math.test.js:4:21', 'math › adds numbers: expect(received).toBe(expected) // Object.is equality'],
    ]);
  });

  it('falls back to error lines and the first stack frame outside node_modules and node itself', () => {
    const output = [
      'starting the server',
      "TypeError: Cannot read properties of undefined (reading 'port')",
      '    at loadConfig (file:///work/project/src/config.js:42:13)',
      '    at node:internal/modules/run_main:1:1',
      '',
      "Error [ERR_MODULE_NOT_FOUND]: Cannot find module './gone.js'",
      '    at /work/project/node_modules/some-lib/index.js:1:1',
    ].join('\n');
    const found = parseDiagnostics(output, { workspace: WORKSPACE });
    expect(found.map((item) => [item.code, diagnosticLocation(item)])).toEqual([
      ['TypeError', 'src/config.js:42:13'],
      ['Error', undefined],
    ]);
    expect(errorSignature(found[0]?.text ?? '')).toBe("TypeError: Cannot read properties of undefined (reading 'port')");
  });

  it('finds nothing in an output that reports no problem, and keeps at most 50', () => {
    expect(parseDiagnostics('All good.\n✓ 12 tests passed\n')).toEqual([]);
    const many = Array.from({ length: 80 }, (_, index) => `src/x.ts(${index + 1},1): error TS1005: ';' expected.`).join('\n');
    expect(parseDiagnostics(many)).toHaveLength(50);
  });
});

const JSON_REPORT = JSON.stringify({
  numFailedTests: 1,
  success: false,
  testResults: [
    {
      assertionResults: [
        {
          ancestorTitles: ['math'],
          fullName: 'math adds',
          status: 'failed',
          title: 'adds',
          duration: 7.698312999999985,
          failureMessages: [
            'AssertionError: expected 4 to be 3 // Object.is equality\n    at /work/project/math.test.ts:4:19\n    at file:///work/project/node_modules/@vitest/runner/dist/chunk-artifact.js:302:11',
          ],
          meta: {},
          tags: [],
        },
        {
          ancestorTitles: ['math'],
          fullName: 'math ok',
          status: 'passed',
          title: 'ok',
          duration: 0.41339199999998755,
          failureMessages: [],
          meta: {},
          tags: [],
        },
      ],
      startTime: 1796276350836,
      endTime: 1796276350843.6982,
      status: 'failed',
      message: '',
      name: '/work/project/math.test.ts',
    },
  ],
});
