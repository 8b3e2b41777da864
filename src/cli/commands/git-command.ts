import { realpathSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { MnemoError } from '../../shared/index.js';
import { loadConfigFor, rootOptions, withMemory, type CommandContext, type RootOptions } from '../command-context.js';
import { EXIT } from '../output.js';

/** How hooks start this very mnemo: `'<node>' '<…/dist/cli/main.js>'`, else `mnemo` from PATH. */
async function defaultCommand(): Promise<string> {
  const { shellQuote } = await import('../../git/index.js');
  const script = process.argv[1];
  if (script === undefined) return 'mnemo';
  let path: string;
  try {
    path = realpathSync(script);
  } catch {
    return 'mnemo';
  }
  return /\.(?:c|m)?js$/.test(path) ? `${shellQuote(process.execPath)} ${shellQuote(path)}` : 'mnemo';
}

async function memoryRoot(context: CommandContext, options: RootOptions): Promise<{ root: string; via: string }> {
  const loaded = await loadConfigFor(context, options);
  return { root: loaded.root, via: loaded.rootVia };
}

function registerSetupCommand(git: Command, context: CommandContext): void {
  rootOptions(git.command('setup'))
    .description(
      'share the memory through this repository: hooks that re-sync after merge, checkout and rebase, a pre-commit check that blocks secrets in staged memory files, a merge driver for MEMORY.md, .state/ ignored (idempotent; existing hooks are kept)',
    )
    .option('--uninstall', 'remove what setup added (only mnemo’s block in each hook; the rest stays)')
    .option('--command <command>', 'how hooks start mnemo (default: this node and this mnemo, by absolute path; or e.g. "mnemo" from PATH)')
    .option('--json', 'print what was changed as JSON')
    .action(async (options: RootOptions & { uninstall?: boolean; command?: string; json?: boolean }) => {
      if (options.memory === 'claude') {
        throw new MnemoError(
          'usage',
          "Claude Code's memory folder lives outside the repository; git setup shares a project memory (.mnemo/).",
        );
      }
      const { setupGit, committedAtHead } = await import('../../git/index.js');
      const { root, via } = await memoryRoot(context, options);
      const report = await setupGit({
        root,
        command: options.command ?? (await defaultCommand()),
        pinRoot: via === 'flag',
        uninstall: options.uninstall === true,
      });
      // A fresh clone's topics came through git: recorded when the guard finds them clean, as `git sync` does after a pull.
      const { isMemoryRoot } = await import('../../store/index.js');
      const arrivals =
        !options.uninstall && isMemoryRoot(root) ? await withMemory(context, options, (memory) => memory.recordGitArrivals(committedAtHead(root))) : undefined;
      if (options.json) return context.out.json(report);
      if (arrivals && arrivals.flagged.length > 0) {
        context.out.note(
          `mnemo: the guard flagged ${arrivals.flagged.map((entry) => entry.file).join(', ')}: recall screens it until a person vouches; review with \`mnemo doctor\`.`,
        );
      }
      const cwd = context.io.cwd;
      for (const change of report.changes) {
        if (change.action === 'unchanged') continue;
        context.out.line(`${change.action} ${change.path}${change.note ? `: ${change.note}` : ''}`);
      }
      if (report.changes.every((change) => change.action === 'unchanged')) {
        context.out.line(report.uninstalled ? 'Nothing of mnemo’s to remove.' : 'Already set up; nothing changed.');
      } else if (!report.uninstalled) {
        context.out.note(
          `Commit ${relative(cwd, root) || root}/ (topics, MEMORY.md, tombstones/, .gitignore, .gitattributes) to share the memory; each clone runs \`mnemo git setup\` once.`,
        );
      }
    });
}

function registerSyncCommand(git: Command, context: CommandContext): void {
  rootOptions(git.command('sync'))
    .description(
      'after git changed the memory files (merge, checkout, rebase): re-read them, retire topics a pulled tombstone retires, re-render MEMORY.md, record pulled topics the guard finds clean (flagged ones are named); silent when nothing changed',
    )
    .option('--hook', 'as run by the hooks: no memory here is not an error, and a summary goes to stderr only when something changed')
    .option('--json', 'print the result as JSON')
    .action(async (options: RootOptions & { hook?: boolean; json?: boolean }) => {
      const [{ syncAfterGit }, { isMemoryRoot }] = await Promise.all([import('../../git/index.js'), import('../../store/index.js')]);
      const { root } = await memoryRoot(context, options);
      if (!isMemoryRoot(root)) {
        if (options.hook) return;
        throw new MnemoError('not-initialized', `No memory at ${root}.`, { hint: 'Run `mnemo init` (or `mnemo git setup`) first.' });
      }
      await withMemory(context, options, async (memory) => {
        const report = await syncAfterGit(memory);
        if (options.json) return context.out.json(report);
        const parts: string[] = [];
        if (report.retired.length > 0) parts.push(`retired ${report.retired.join(', ')} (tombstones from another clone)`);
        if (report.indexWritten) parts.push('MEMORY.md rendered again from the topics');
        if (report.arrived.length > 0 && !options.hook) parts.push(`${report.arrived.length} topic(s) from git scanned clean and recorded`);
        if (parts.length > 0) context.out.note(`mnemo: ${parts.join('; ')}.`);
        if (report.flagged.length > 0) {
          const files = report.flagged.map(
            (entry) => `${entry.file} (${[...new Set(entry.findings.map((finding) => finding.rule))].join(', ')})`,
          );
          context.out.note(
            `mnemo: the guard flagged ${files.join(', ')}, which came through git: recall screens it until a person vouches; review with \`mnemo doctor\`.`,
          );
        }
        if (report.conflicts.length > 0) {
          context.out.note(
            `mnemo: git conflict markers in ${report.conflicts.join(', ')}: run \`mnemo doctor\` to see both sides and how to resolve them.`,
          );
        }
      });
    });
}

function registerPreCommitCommand(git: Command, context: CommandContext): void {
  rootOptions(git.command('pre-commit'))
    .description(
      'run the guard’s secret rules on the staged memory files; exit 1 (blocking the commit) when one holds a secret, naming file, line and kind, never the value',
    )
    .option('--json', 'print the findings as JSON')
    .action(async (options: RootOptions & { json?: boolean }) => {
      const [{ checkStagedMemory, gitText, isInside }, { mainWorktreeOf }] = await Promise.all([
        import('../../git/index.js'),
        import('../../config/index.js'),
      ]);
      const { root } = await memoryRoot(context, options);
      const top = realpathSync((await gitText(context.io.cwd, ['rev-parse', '--show-toplevel'], 'find the worktree')).trim());
      let realRoot = root;
      try {
        realRoot = realpathSync(root);
      } catch {
        // not created yet: its staged files (if any) are still checked by path
      }
      const main = mainWorktreeOf(top);
      const base = isInside(top, realRoot) ? top : main !== undefined && isInside(main, realRoot) ? main : undefined;
      const check =
        base === undefined ? { checked: [], findings: [] } : await checkStagedMemory(top, relative(base, realRoot).split('\\').join('/'));
      if (options.json) context.out.json(check);
      if (check.findings.length === 0) return;
      context.exitCode = EXIT.checkFailed;
      if (options.json) return;
      const { out } = context;
      out.note('mnemo: commit blocked: staged memory files must not carry these (the values are not shown):');
      for (const finding of check.findings) {
        out.note(
          finding.kind === 'state'
            ? `  ${finding.file}: internal state (.state/ is derived and machine-specific); unstage it: git rm -r --cached ${finding.file}`
            : `  ${finding.file} line ${finding.line}: a secret (${finding.rule})`,
        );
      }
      out.note(
        'Remove the secret from the file (or `mnemo forget <topic>`), `git add` it again and commit. mnemo never writes secrets itself: a file edited by hand or by another tool brought it.',
      );
    });
}

function registerMergeIndexCommand(git: Command, context: CommandContext): void {
  git
    .command('merge-index')
    .description(
      'the merge driver for MEMORY.md (git runs it as `mnemo git merge-index %O %A %B`): a deterministic merge written to %A, never a conflict',
    )
    .argument('<base>', 'the common ancestor’s version (%O)')
    .argument('<ours>', 'our version, replaced by the result (%A)')
    .argument('<theirs>', 'their version (%B)')
    .action(async (base: string, ours: string, theirs: string) => {
      const { mergeIndexFiles } = await import('../../git/index.js');
      const cwd = context.io.cwd;
      await mergeIndexFiles(resolve(cwd, base), resolve(cwd, ours), resolve(cwd, theirs));
    });
}

export function registerGit(program: Command, context: CommandContext): void {
  const git = program
    .command('git')
    .description('team memory through git: setup, sync after merge/checkout, the pre-commit secret check, the MEMORY.md merge driver');
  registerSetupCommand(git, context);
  registerSyncCommand(git, context);
  registerPreCommitCommand(git, context);
  registerMergeIndexCommand(git, context);
}
