import { errorSignature, matchesSignature, normalizeErrorText } from '../discipline/index.js';
import type { CheckRun } from './daemon-checks.js';
import type { DaemonNotification } from './notify-sinks.js';
import { diagnosticLocation, type Diagnostic } from './parse-diagnostics.js';

/** An active lesson with its error signature, as the daemon matches it. */
export interface KnownLesson {
  slug: string;
  name: string;
  signature: string;
  body: string;
}

/** The signature of one diagnostic: the normaliser's, from the line it came from. */
export function diagnosticSignature(item: Diagnostic): string {
  return errorSignature(item.text) ?? errorSignature(`Error: ${item.message}`) ?? normalizeErrorText(item.message).slice(0, 200);
}

/** The signatures of a run, in order, without repeats; a failure nothing could parse is known by its exit. */
export function runSignatures(run: CheckRun): string[] {
  if (run.outcome === 'passed') return [];
  const signatures = [...new Set(run.diagnostics.map(diagnosticSignature))];
  if (signatures.length > 0) return signatures;
  return [
    run.outcome === 'timed-out'
      ? `${run.check} timed out`
      : run.outcome === 'not-started'
        ? `${run.check} did not start`
        : `${run.check} exit ${String(run.exitCode)}`,
  ];
}

/** The first lesson whose signature one of the diagnostics carries (in diagnostic order). */
export function matchLesson(run: CheckRun, lessons: readonly KnownLesson[]): { lesson: KnownLesson; diagnostic: Diagnostic } | undefined {
  for (const item of run.diagnostics.slice(0, 20)) {
    const lesson = lessons.find(
      (candidate) => matchesSignature(item.text, candidate.signature) || matchesSignature(item.message, candidate.signature),
    );
    if (lesson) return { lesson, diagnostic: item };
  }
  return undefined;
}

/** The fix a lesson records: its lines after "Fix, verified …", short. */
function lessonFix(body: string): string {
  const lines = body.split('\n');
  const start = lines.findIndex((line) => /^Fix\b/.test(line));
  const fix = (start < 0 ? lines : lines.slice(start + 1)).filter((line) => line.startsWith('- ')).slice(0, 3);
  return (fix.length > 0 ? fix.join('\n') : (lines.find((line) => line.trim() !== '') ?? '')).slice(0, 500);
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * What to tell about a failing run: the check, the first diagnostic with its file:line, how many
 * more, and the lesson whose signature it carries. Says nothing is fixed: only a passing rerun does.
 */
export function failureNotification(
  run: CheckRun,
  options: { workspace: string; lessons: readonly KnownLesson[]; now: string; patchNote?: string },
): DaemonNotification {
  const [first] = run.diagnostics;
  const matched = matchLesson(run, options.lessons);
  const where = first ? diagnosticLocation(first) : undefined;
  const what =
    run.outcome === 'timed-out'
      ? `timed out after ${Math.round(run.durationMs / 1000)} s`
      : run.outcome === 'not-started'
        ? 'could not start'
        : `failed${run.diagnostics.length > 0 ? ` (${plural(run.diagnostics.length, 'problem')})` : ` (exit ${String(run.exitCode)})`}`;
  const title = `${run.check} ${what}${where ? `: ${where}` : ''}`;
  const lines = [
    first ? `${where ? `${where}: ` : ''}${first.message}` : (run.outputTail.split('\n').at(-1) ?? ''),
    ...(run.diagnostics.length > 1 ? [`and ${plural(run.diagnostics.length - 1, 'more problem')}`] : []),
    matched
      ? `Lesson ${matched.lesson.slug} matches: ${matched.lesson.name}\n${lessonFix(matched.lesson.body)}`
      : 'No lesson matches this error yet.',
    options.patchNote ?? 'No patch is offered: no model or daemon.agent is configured.',
  ];
  return {
    kind: run.outcome === 'timed-out' ? 'timed-out' : 'failed',
    title,
    message: lines.join('\n'),
    workspace: options.workspace,
    check: run.check,
    time: options.now,
    diagnostic: first
      ? { file: first.file, line: first.line, column: first.column, message: first.message, signature: diagnosticSignature(first) }
      : undefined,
    diagnostics: run.diagnostics.length,
    lesson: matched ? { slug: matched.lesson.slug, name: matched.lesson.name, fix: lessonFix(matched.lesson.body) } : undefined,
    patch: null,
  };
}

/** A check that failed passed on its rerun: the only time the daemon says a problem is gone. */
export function recoveryNotification(
  run: CheckRun,
  options: { workspace: string; failingSince: string | undefined; now: string },
): DaemonNotification {
  return {
    kind: 'recovered',
    title: `${run.check} recovered: it passes again`,
    message: `${run.command} passed (${Math.round(run.durationMs)} ms)${options.failingSince ? `; it had failed since ${options.failingSince}` : ''}.`,
    workspace: options.workspace,
    check: run.check,
    time: options.now,
    diagnostic: undefined,
    diagnostics: 0,
    lesson: undefined,
    patch: null,
  };
}
