import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { MnemoError } from '../../shared/index.js';
import type { CommandContext } from '../command-context.js';

interface SetupFlags {
  project?: boolean;
  user?: boolean;
  dryRun?: boolean;
  command: string;
  dir?: string;
  memory?: 'mnemo' | 'claude';
  json?: boolean;
}

export function registerSetup(program: Command, context: CommandContext): void {
  const setup = program.command('setup').description('connect an agent to mnemo');
  setup
    .command('claude-code')
    .description(
      "register the MCP server and install hooks in Claude Code's settings (merged with what is there; the old file is kept as a backup)",
    )
    .option('--project', 'this project (default): .claude/settings.json and .mcp.json at the git root')
    .option('--user', 'every project: ~/.claude/settings.json (prints the `claude mcp add` line for the server)')
    .option('--dry-run', 'print what would be written; write nothing')
    .option('--command <command>', 'how Claude Code launches mnemo', 'mnemo')
    .option('--dir <dir>', "pin this memory root (default: found from each session's folder)")
    .addOption(
      new Option(
        '--memory <kind>',
        "claude: use the project's Claude Code auto-memory folder (~/.claude/projects/<project>/memory/) as the memory root",
      ).choices(['mnemo', 'claude']),
    )
    .option('--json', 'print the plan as JSON')
    .action(async (options: SetupFlags) => {
      const [{ initMemory }, { applyClaudeCodeSetup, planClaudeCodeSetup }, { environmentSettings, findGitRoot, loadConfig }] =
        await Promise.all([import('../../app/index.js'), import('../../claude-code/index.js'), import('../../config/index.js')]);
      if (options.project && options.user) throw new MnemoError('usage', 'Pass --project or --user, not both.');
      const scope = options.user ? 'user' : 'project';
      const cwd = context.io.cwd;
      const projectDir = findGitRoot(cwd) ?? resolve(cwd);
      const dir = options.dir === undefined ? undefined : resolve(cwd, options.dir);
      const plan = await planClaudeCodeSetup({
        scope,
        projectDir,
        homeDir: environmentSettings(context.io.env).homeDir,
        command: options.command,
        dir,
        memory: options.memory,
        now: new Date(),
      });
      const { root } = loadConfig({ dir, cwd: projectDir, env: context.io.env, memory: options.memory });
      const createRoot = scope === 'project' && !existsSync(root);
      if (options.json) {
        context.out.json({ scope, dryRun: options.dryRun === true, createRoot: createRoot ? root : null, ...plan });
      }
      if (options.dryRun) {
        if (options.json) return;
        for (const file of plan.files) {
          if (!file.changed) context.out.line(`${file.path}: already set up, unchanged`);
          else context.out.line(`would write ${file.path}${file.backup ? ` (backup: ${file.backup})` : ''}:\n${file.after}`);
        }
        if (createRoot) context.out.line(`would create the memory root ${root}`);
        for (const step of plan.manualSteps) context.out.line(step);
        context.out.note('dry run: nothing was written.');
        return;
      }
      await applyClaudeCodeSetup(plan);
      if (createRoot) await initMemory({ dir: root, cwd: projectDir, env: context.io.env });
      if (options.json) return;
      for (const file of plan.files) {
        const shown = relative(cwd, file.path) || file.path;
        context.out.line(
          file.changed
            ? `wrote ${shown}${file.backup ? ` (previous version: ${relative(cwd, file.backup)})` : ''}`
            : `${shown}: already set up, unchanged`,
        );
      }
      if (createRoot) context.out.line(`created the memory root ${relative(cwd, root) || root}`);
      for (const step of plan.manualSteps) context.out.line(step);
      if (scope === 'project') {
        context.out.note(
          'Next: start Claude Code in this project and approve the "mnemo" server from .mcp.json when it asks; /mcp shows its tools.',
        );
      }
    });
}
