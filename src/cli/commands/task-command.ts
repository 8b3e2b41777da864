import type { Command } from 'commander';
import type { CompleteResult, TaskRecord } from '../../discipline/index.js';
import { readAllStdin } from '../cli-io.js';
import { collect, rootOptions, withMemory, type CommandContext, type RootOptions } from '../command-context.js';
import { parseEvidenceFlags } from '../evidence-flags.js';
import { EXIT, describeRedactions, formatTable, type Output } from '../output.js';
import { parseSource, reportIndex } from './remember-command.js';

interface JsonFlag extends RootOptions {
  json?: boolean;
}

function printTask(out: Output, task: TaskRecord): void {
  out.line(`task      ${task.id} (${task.status})`);
  out.line(`goal      ${task.goal}`);
  out.line(`verify    ${task.verify ?? 'none: a person confirms with --confirmed'}`);
  out.line(`session   ${task.session}`);
  out.line(`created   ${task.created}`);
  out.line(`notes     ${task.notes.length === 0 ? 'none' : ''}`);
  for (const note of task.notes)
    out.line(`  - ${note.name} [${note.type}, ${note.source.kind}, ${note.source.trust}]: ${note.description}`);
  if (task.errors.length > 0) {
    out.line('errors');
    for (const error of task.errors) out.line(`  - ${error.signature}`);
  }
  if (task.attempts.length > 0) {
    out.line('attempts');
    for (const attempt of task.attempts)
      out.line(
        `  - ${attempt.time} ${attempt.passed ? 'passed' : 'FAILED'}: ${attempt.check}${attempt.exitCode === undefined ? '' : ` (exit ${attempt.exitCode})`}`,
      );
  }
  if (task.promoted?.length) {
    out.line('promoted');
    for (const item of task.promoted)
      out.line(`  - ${item.slug} (${item.action}${item.supersedes ? `, supersedes ${item.supersedes}` : ''})`);
  }
  if (task.reason) out.line(`reason    ${task.reason}`);
}

function reportCompletion(context: CommandContext, result: CompleteResult, json: boolean | undefined): void {
  if (result.outcome === 'verification-failed') context.exitCode = EXIT.checkFailed;
  if (json) return context.out.json(result);
  const { out } = context;
  const { task, attempt } = result;
  if (result.outcome === 'verification-failed') {
    out.line(
      `Verification failed for ${task.id}: ${attempt?.check ?? ''}${attempt?.timedOut ? ' timed out' : ` exited ${attempt?.exitCode ?? '?'}`}. Nothing was promoted; the attempt is in the transcript.`,
    );
    if (attempt?.outputTail) out.note(attempt.outputTail.trimEnd().split('\n').slice(-15).join('\n'));
    out.note(`Fix it and run \`mnemo task complete ${task.id}\` again, or \`mnemo task fail ${task.id} --reason "…"\`.`);
    return;
  }
  if (result.outcome === 'awaiting-approval') {
    out.line(
      `Verification passed for ${task.id}; writes are in "confirm" mode, so ${task.notes.length} note(s) wait for \`mnemo task approve ${task.id}\`.`,
    );
    return;
  }
  out.line(
    `Task ${task.id} completed (${attempt?.check ?? 'approved'}). Promoted ${result.promoted.length === 0 ? 'nothing.' : `${result.promoted.length} topic(s):`}`,
  );
  for (const item of result.promoted)
    out.line(`  - ${item.slug} (${item.action}${item.supersedes ? `, supersedes ${item.supersedes}` : ''})`);
  if (result.index) reportIndex(out, result.index);
}

export function registerTask(program: Command, context: CommandContext): void {
  const task = program.command('task').description('tasks: stage notes, verify, and only then promote them to memory');

  rootOptions(task.command('begin'))
    .description('open a task and print its id')
    .argument('<goal>', 'what the task should achieve')
    .option('--verify <command>', 'shell command run in the workspace; exit 0 means success (none: a person confirms)')
    .option('--session <id>', 'the session it belongs to (default: a new one)')
    .option('--json', 'print the task as JSON')
    .action(async (goal: string, options: JsonFlag & { verify?: string; session?: string }) => {
      await withMemory(context, options, async (memory) => {
        const handle = await memory.beginTask({ goal, verify: options.verify, session: options.session });
        if (options.json) return context.out.json(await handle.show());
        context.out.line(handle.id);
      });
    });

  rootOptions(task.command('note'))
    .description('stage a note in the task\'s working set ("-" reads the body from stdin); it is promoted only when the task is verified')
    .argument('<task>', 'task id')
    .argument('<body>', 'the fact first, then **Why:** and **How to apply:**')
    .requiredOption('--name <name>', 'title of the topic')
    .requiredOption('--description <text>', 'one line that says when this topic matters')
    .requiredOption('--type <type>', 'user | feedback | project | reference | lesson')
    .option('--tag <tag>', 'a tag (repeatable)', collect)
    .option(
      '--evidence <spec>',
      "checkable claim (repeatable): file:PATH, 'symbol:NAME@GLOB', package:NAME@RANGE, git:REF, env:NAME",
      collect,
    )
    .option('--source <kind>', 'where the content came from: agent (default), user, tool, web, file, import')
    .option('--origin <origin>', 'tool name, URL or path it came from')
    .option('--json', 'print the staged note as JSON')
    .action(
      async (
        id: string,
        body: string,
        options: JsonFlag & {
          name: string;
          description: string;
          type: string;
          tag?: string[];
          evidence?: string[];
          source?: string;
          origin?: string;
        },
      ) => {
        const text = body === '-' ? await readAllStdin(context.io) : body;
        await withMemory(context, options, async (memory) => {
          const result = await (
            await memory.task(id)
          ).note({
            name: options.name,
            description: options.description,
            type: options.type as never,
            body: text,
            tags: options.tag ?? [],
            evidence: parseEvidenceFlags(options.evidence ?? []),
            source: parseSource({ source: options.source ?? 'agent', ...(options.origin === undefined ? {} : { origin: options.origin }) }),
          });
          if (result.status === 'quarantined') context.exitCode = EXIT.checkFailed;
          if (options.json) return context.out.json(result);
          if (result.status === 'quarantined') {
            context.out.line(`Held in quarantine as ${result.item.id}, not staged: ${result.item.reasons.join('; ')}.`);
            context.out.note(`A person can review it: mnemo quarantine show ${result.item.id}`);
            return;
          }
          for (const warning of result.warnings) context.out.warn(`guard: ${warning}`);
          const redacted = describeRedactions(result.redacted);
          if (redacted !== undefined) context.out.warn(`guard: ${redacted}`);
          context.out.line(`Staged ${result.note.id} in ${id} (${result.note.source.trust}); it reaches memory when the task is verified.`);
        });
      },
    );

  rootOptions(task.command('observe'))
    .description('record what happened (error, result, …) in the transcript; errors are remembered by signature for lessons')
    .argument('<task>', 'task id')
    .argument('<text>', 'what happened ("-" reads stdin)')
    .requiredOption('--kind <kind>', 'error | result | note | tool-result | …')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, text: string, options: JsonFlag & { kind: string }) => {
      const body = text === '-' ? await readAllStdin(context.io) : text;
      await withMemory(context, options, async (memory) => {
        const result = await (await memory.task(id)).observe(options.kind, body);
        if (options.json) return context.out.json(result);
        context.out.line(result.signature ? `Recorded ${options.kind}; signature: ${result.signature}` : `Recorded ${options.kind}.`);
      });
    });

  rootOptions(task.command('complete'))
    .description('run the verification; pass: promote the notes (exit 0), fail: promote nothing (exit 1)')
    .argument('<task>', 'task id')
    .option('--confirmed', 'a person confirms the outcome (for a task without a verification command)')
    .option('--summary <text>', 'what changed, for the lesson and the audit')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: JsonFlag & { confirmed?: boolean; summary?: string }) => {
      await withMemory(context, options, async (memory) => {
        const result = await (
          await memory.task(id)
        ).complete({ ...(options.confirmed ? { confirmed: true } : {}), ...(options.summary ? { summary: options.summary } : {}) });
        reportCompletion(context, result, options.json);
      });
    });

  rootOptions(task.command('approve'))
    .description('a person approves a verified task held by "confirm" mode: its notes are promoted')
    .argument('<task>', 'task id')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: JsonFlag) => {
      await withMemory(context, options, async (memory) => reportCompletion(context, await memory.tasks.approve(id), options.json));
    });

  for (const [name, status, description] of [
    ['fail', 'failed', 'close a task as failed: nothing is promoted; its notes stay in the transcript'],
    ['abandon', 'abandoned', 'close a task left open (by a crash, or no longer wanted): nothing is promoted'],
  ] as const) {
    rootOptions(task.command(name))
      .description(description)
      .argument('<task>', 'task id')
      .option('--reason <text>', 'why', name === 'fail' ? undefined : 'abandoned')
      .option('--json', 'print the task as JSON')
      .action(async (id: string, options: JsonFlag & { reason?: string }) => {
        await withMemory(context, options, async (memory) => {
          const handle = await memory.task(id);
          const closed = status === 'failed' ? await handle.fail(options.reason ?? 'failed') : await handle.abandon(options.reason);
          if (options.json) return context.out.json(closed);
          context.out.line(`Task ${id} ${status}; nothing was promoted.`);
        });
      });
  }

  rootOptions(task.command('list'))
    .description('open tasks (with --all, closed ones too)')
    .option('--all', 'include completed, failed and abandoned tasks')
    .option('--json', 'print the tasks as JSON')
    .action(async (options: JsonFlag & { all?: boolean }) => {
      await withMemory(context, options, async (memory) => {
        const tasks = await memory.tasks.list({ all: options.all === true });
        if (options.json) return context.out.json(tasks);
        if (tasks.length === 0) return context.out.note(options.all ? 'No tasks.' : 'No open tasks.');
        const rows = tasks.map((item) => [item.id, item.status, String(item.notes.length), item.updated.slice(0, 16), item.goal]);
        for (const line of formatTable([['TASK', 'STATUS', 'NOTES', 'UPDATED', 'GOAL'], ...rows])) context.out.line(line);
      });
    });

  rootOptions(task.command('show'))
    .description('a task: goal, verification, staged notes, errors, attempts, what it promoted')
    .argument('<task>', 'task id')
    .option('--json', 'print the task as JSON')
    .action(async (id: string, options: JsonFlag) => {
      await withMemory(context, options, async (memory) => {
        const record = await (await memory.task(id)).show();
        if (options.json) return context.out.json(record);
        printTask(context.out, record);
      });
    });
}
