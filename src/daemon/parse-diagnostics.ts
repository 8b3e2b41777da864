import { isAbsolute, relative } from 'node:path';

/** One problem a check reported, located where the output says. */
export interface Diagnostic {
  /** Which parser read it. */
  source: 'typescript' | 'eslint' | 'test' | 'generic';
  /** Relative to the workspace when it lies inside it. */
  file: string | undefined;
  line: number | undefined;
  column: number | undefined;
  /** `TS2322`, an ESLint rule, a test's full name. */
  code: string | undefined;
  /** The message, one line. */
  message: string;
  /** The line of output it came from (or one built like it): what its error signature is taken from. */
  text: string;
}

/** Most diagnostics kept from one run. */
export const MAX_DIAGNOSTICS = 50;

const TSC_LINE = /^(.+?)\((\d+),(\d+)\): (?:error|warning) (TS\d+): (.+)$/;
const TSC_PRETTY_LINE = /^(.+?):(\d+):(\d+) - (?:error|warning) (TS\d+): (.+)$/;
// A frame or a location line: `at fn (file:1:2)`, `at file:1:2`, `❯ file:1:2`, `file:1:2`.
const LOCATION = /(?:\(|\s|^)((?:file:\/\/)?[^\s():]+\.[cm]?[jt]sx?|[^\s():]+\.\w+):(\d+):(\d+)\)?\s*$/;
const ERROR_HEAD = /^\s*(?:Uncaught\s+)?((?:[A-Z][A-Za-z]*)?(?:Error|Exception))(?:\s*\[[^\]]*\])?:\s*(.+)$/;
const VITEST_FAIL = /^\s*(?:FAIL|×|✗)\s+(\S+\.[cm]?[jt]sx?)\s+>\s+(.+?)(?:\s+\d+ms)?\s*$/;
const JEST_FAIL = /^\s*●\s+(.+?)\s*$/;
const STRIP_ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

function relativeTo(workspace: string | undefined, file: string): string {
  const path = file.startsWith('file://') ? decodeURIComponent(new URL(file).pathname) : file;
  if (workspace === undefined || !isAbsolute(path)) return path;
  const inside = relative(workspace, path);
  return inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}

function oneLine(text: string, max = 300): string {
  const line =
    text
      .replace(STRIP_ANSI, '')
      .split(/\r?\n/)
      .find((candidate) => candidate.trim() !== '') ?? '';
  const trimmed = line.trim();
  return trimmed.length <= max ? trimmed : `${trimmed.slice(0, max - 1)}…`;
}

function diagnostic(fields: Partial<Diagnostic> & Pick<Diagnostic, 'source' | 'message'>): Diagnostic {
  const file = fields.file;
  const position =
    file === undefined
      ? ''
      : `${file}${fields.line === undefined ? '' : `:${fields.line}${fields.column === undefined ? '' : `:${fields.column}`}`}: `;
  return {
    source: fields.source,
    file,
    line: fields.line,
    column: fields.column,
    code: fields.code,
    message: fields.message,
    text: fields.text ?? `${position}${fields.message}`,
  };
}

/** TypeScript: `file(line,col): error TSnnnn: message` (and the `--pretty` form `file:line:col - error TS…`). */
export function parseTypeScript(output: string, workspace?: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const raw of output.replace(STRIP_ANSI, '').split(/\r?\n/)) {
    const line = raw.trimEnd();
    const match = TSC_LINE.exec(line) ?? TSC_PRETTY_LINE.exec(line);
    if (!match) continue;
    const [, file = '', row = '0', column = '0', code = '', message = ''] = match;
    const shown = relativeTo(workspace, file.trim());
    found.push(
      diagnostic({
        source: 'typescript',
        file: shown,
        line: Number(row),
        column: Number(column),
        code,
        message: message.trim(),
        text: `${shown}(${row},${column}): error ${code}: ${message.trim()}`,
      }),
    );
  }
  return found;
}

interface EslintMessage {
  ruleId?: string | null;
  severity?: number;
  message?: string;
  line?: number;
  column?: number;
  fatal?: boolean;
}

/** The JSON array that `eslint --format json` prints: the errors (severity 2), not the warnings. */
export function parseEslintJson(output: string, workspace?: string): Diagnostic[] | undefined {
  const start = output.indexOf('[');
  if (start < 0) return undefined;
  let results: unknown;
  try {
    results = JSON.parse(output.slice(start, output.lastIndexOf(']') + 1));
  } catch {
    return undefined;
  }
  if (
    !Array.isArray(results) ||
    !results.every((item) => typeof item === 'object' && item !== null && 'filePath' in item && 'messages' in item)
  )
    return undefined;
  const found: Diagnostic[] = [];
  for (const result of results as { filePath: string; messages: EslintMessage[] }[]) {
    for (const message of result.messages) {
      if (message.severity !== 2 && message.fatal !== true) continue;
      const rule = message.ruleId ?? undefined;
      found.push(
        diagnostic({
          source: 'eslint',
          file: relativeTo(workspace, result.filePath),
          line: message.line,
          column: message.column,
          code: rule,
          message: `${oneLine(message.message ?? 'lint error')}${rule ? ` (${rule})` : ''}`,
        }),
      );
    }
  }
  return found;
}

interface TestAssertion {
  status?: string;
  fullName?: string;
  title?: string;
  failureMessages?: string[];
  location?: { line?: number; column?: number } | null;
}

/** The first frame of a stack that points into `file` (or any frame outside node_modules and node's own code). */
function locate(text: string, file: string | undefined, workspace?: string): { file: string; line: number; column: number } | undefined {
  let fallback: { file: string; line: number; column: number } | undefined;
  for (const raw of text.replace(STRIP_ANSI, '').split(/\r?\n/)) {
    const match = LOCATION.exec(raw.trim());
    if (!match) continue;
    const [, path = '', row = '0', column = '0'] = match;
    if (path.includes('node_modules') || path.startsWith('node:')) continue;
    const shown = relativeTo(workspace, path);
    const found = { file: shown, line: Number(row), column: Number(column) };
    if (file === undefined || shown === file || shown.endsWith(file) || file.endsWith(shown)) return found;
    fallback ??= found;
  }
  return fallback;
}

/** The JSON reporter of vitest (`--reporter=json`) or jest (`--json`): one diagnostic per failed test. */
export function parseTestJson(output: string, workspace?: string): Diagnostic[] | undefined {
  const start = output.indexOf('{');
  if (start < 0) return undefined;
  let report: unknown;
  try {
    report = JSON.parse(output.slice(start, output.lastIndexOf('}') + 1));
  } catch {
    return undefined;
  }
  if (typeof report !== 'object' || report === null || !('testResults' in report) || !Array.isArray(report.testResults)) return undefined;
  const found: Diagnostic[] = [];
  for (const suite of report.testResults as { name?: string; message?: string; status?: string; assertionResults?: TestAssertion[] }[]) {
    const file = suite.name === undefined ? undefined : relativeTo(workspace, suite.name);
    const failed = (suite.assertionResults ?? []).filter((test) => test.status === 'failed');
    for (const test of failed) {
      const failure = test.failureMessages?.join('\n') ?? '';
      const where =
        test.location?.line !== undefined
          ? { file, line: test.location.line, column: test.location.column }
          : locate(failure, file, workspace);
      const name = test.fullName ?? test.title ?? 'a test';
      found.push(
        diagnostic({
          source: 'test',
          file: where?.file ?? file,
          line: where?.line,
          column: where?.column ?? undefined,
          code: name,
          message: `${name}: ${oneLine(failure) || 'failed'}`,
          text: oneLine(failure) || `FAIL ${file ?? ''} > ${name}`,
        }),
      );
    }
    if (failed.length === 0 && suite.status === 'failed' && suite.message) {
      const where = locate(suite.message, file, workspace);
      found.push(
        diagnostic({
          source: 'test',
          file: where?.file ?? file,
          line: where?.line,
          column: where?.column,
          message: oneLine(suite.message),
          text: oneLine(suite.message),
        }),
      );
    }
  }
  return found;
}

/** The text reporters: vitest's `FAIL file > name` and jest's `● suite › name`, each with the error and location under it. */
export function parseTestText(output: string, workspace?: string): Diagnostic[] {
  const lines = output.replace(STRIP_ANSI, '').split(/\r?\n/);
  const found = new Map<string, { item: Diagnostic; hasError: boolean }>();
  for (const [index, line] of lines.entries()) {
    const vitest = VITEST_FAIL.exec(line);
    const jest = vitest ? null : JEST_FAIL.exec(line);
    // jest's header stands alone: a blank line follows it
    if (!vitest && !(jest && lines[index + 1]?.trim() === '')) continue;
    const file = vitest ? relativeTo(workspace, vitest[1] ?? '') : undefined;
    const name = (vitest ? vitest[2] : jest?.[1]) ?? 'a test';
    const below = lines.slice(index + 1, index + 40);
    const end = below.findIndex((candidate) => VITEST_FAIL.test(candidate) || JEST_FAIL.test(candidate));
    const block = (end < 0 ? below : below.slice(0, end)).join('\n');
    const errorLine = block.split('\n').find((candidate) => ERROR_HEAD.test(candidate) || /^\s*expect\(/.test(candidate));
    const key = `${file ?? ''}\u0000${name}`;
    // vitest lists a failed test twice (the summary, then the details): the one with the error wins
    if (found.get(key)?.hasError === true || (found.has(key) && errorLine === undefined)) continue;
    const where = locate(block, file, workspace);
    const message = errorLine === undefined ? 'failed' : oneLine(errorLine);
    found.set(key, {
      hasError: errorLine !== undefined,
      item: diagnostic({
        source: 'test',
        file: where?.file ?? file,
        line: where?.line,
        column: where?.column,
        code: name,
        message: `${name}: ${message}`,
        text: errorLine === undefined ? `FAIL ${file ?? ''} > ${name}` : message,
      }),
    });
  }
  return [...found.values()].map((entry) => entry.item);
}

/** Anything else: `SomeError: message` lines, located by the first stack frame under them. */
export function parseGeneric(output: string, workspace?: string): Diagnostic[] {
  const lines = output.replace(STRIP_ANSI, '').split(/\r?\n/);
  const found: Diagnostic[] = [];
  for (const [index, line] of lines.entries()) {
    const match = ERROR_HEAD.exec(line);
    if (!match) continue;
    const frames = [];
    for (const next of lines.slice(index + 1, index + 30)) {
      if (!/^\s+at\s|^\s*❯\s/.test(next)) break;
      frames.push(next);
    }
    const where = locate(frames.join('\n'), undefined, workspace);
    found.push(
      diagnostic({
        source: 'generic',
        file: where?.file,
        line: where?.line,
        column: where?.column,
        code: match[1],
        message: oneLine(line),
        text: oneLine(line),
      }),
    );
  }
  return found;
}

/**
 * What a check's output says went wrong, most specific reading first: ESLint's or a test runner's
 * JSON, TypeScript's lines, a test runner's text, then generic error lines. At most
 * `MAX_DIAGNOSTICS`; an output none of them reads gives none (the check's exit code still counts).
 */
export function parseDiagnostics(output: string, options: { workspace?: string } = {}): Diagnostic[] {
  const { workspace } = options;
  const readers: (() => Diagnostic[] | undefined)[] = [
    () => parseEslintJson(output, workspace),
    () => parseTestJson(output, workspace),
    () => parseTypeScript(output, workspace),
    () => parseTestText(output, workspace),
    () => parseGeneric(output, workspace),
  ];
  for (const read of readers) {
    const found = read();
    if (found !== undefined && found.length > 0) return found.slice(0, MAX_DIAGNOSTICS);
  }
  return [];
}

/** `file:line:col` (or what there is of it) for a person. */
export function diagnosticLocation(item: Pick<Diagnostic, 'file' | 'line' | 'column'>): string | undefined {
  if (item.file === undefined) return undefined;
  return `${item.file}${item.line === undefined ? '' : `:${item.line}`}${item.line !== undefined && item.column !== undefined ? `:${item.column}` : ''}`;
}
