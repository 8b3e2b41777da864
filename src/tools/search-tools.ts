import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { MnemoError } from '../shared/index.js';
import { defineTool, type ToolDefinition, lazy } from './define-tool.js';
import { toolDescription } from './tool-description.js';
import { confinedPath, type WorkspaceToolsOptions } from './workspace-tool-options.js';

const IGNORED = ['**/node_modules/**', '**/.git/**', '**/.mnemo/.state/**', '**/dist/**'];
const MAX_FILES = 500;
const MAX_MATCHES = 200;
const MAX_FILE_BYTES = 2 * 1024 * 1024;

function refuseEscape(pattern: string): void {
  if (pattern.startsWith('/') || pattern.split('/').includes('..')) {
    throw new MnemoError('invalid-input', `Refused: the pattern ${JSON.stringify(pattern)} reaches outside the workspace.`, {
      hint: 'Use a pattern relative to the workspace root, like src/**/*.ts.',
    });
  }
}

async function workspaceFiles(options: WorkspaceToolsOptions, pattern: string, under = '.'): Promise<{ files: string[]; more: boolean }> {
  refuseEscape(pattern);
  const base = await confinedPath(options.workspace, under);
  const { glob: findFiles } = await import('tinyglobby');
  const found = await findFiles(pattern, { cwd: base.absolute, ignore: IGNORED, onlyFiles: true, dot: false, followSymbolicLinks: false });
  const prefix = base.relative === '.' ? '' : `${base.relative}/`;
  const files = found.map((file) => `${prefix}${file}`).sort();
  return { files: files.slice(0, MAX_FILES), more: files.length > MAX_FILES };
}

const globSchema = lazy(() =>
  z.object({ pattern: z.string().min(1).describe('A glob relative to the workspace root, e.g. src/**/*.ts or **/*.test.js.') }).strict(),
);

/** `glob`: the workspace's files matching a pattern (node_modules and .git left out). */
export function globTool(options: WorkspaceToolsOptions): ToolDefinition {
  return defineTool({
    name: 'glob',
    title: 'Find files',
    description: toolDescription('glob'),
    inputSchema: globSchema(),
    hints: { readOnly: true, destructive: false, idempotent: true, openWorld: true },
    execute: async ({ pattern }) => {
      const { files, more } = await workspaceFiles(options, pattern);
      return {
        text:
          files.length === 0
            ? `No file matches ${pattern}.`
            : `${files.join('\n')}${more ? `\n[more than ${MAX_FILES} files; narrow the pattern]` : ''}`,
        data: { pattern, files, more },
      };
    },
  });
}

const grepSchema = lazy(() =>
  z
    .object({
      pattern: z.string().min(1).max(1000).describe('A JavaScript regular expression searched line by line.'),
      path: z.string().min(1).optional().describe('A folder or file to search in (default: the whole workspace).'),
      glob: z.string().min(1).optional().describe('Only files matching this glob, e.g. **/*.ts.'),
    })
    .strict(),
);

/** `grep`: lines matching a regular expression, as `path:line: text`. */
export function grepTool(options: WorkspaceToolsOptions): ToolDefinition {
  return defineTool({
    name: 'grep',
    title: 'Search file contents',
    description: toolDescription('grep'),
    inputSchema: grepSchema(),
    hints: { readOnly: true, destructive: false, idempotent: true, openWorld: true },
    execute: async ({ pattern, path, glob }) => {
      let expression: RegExp;
      try {
        expression = new RegExp(pattern);
      } catch (error) {
        throw new MnemoError('invalid-input', `The pattern is not a valid regular expression: ${(error as Error).message}.`, {
          hint: 'Escape special characters like ( [ . * with a backslash.',
        });
      }
      const target = await confinedPath(options.workspace, path ?? '.');
      const single = (await stat(target.absolute)).isFile();
      const files = single ? { files: [target.relative], more: false } : await workspaceFiles(options, glob ?? '**/*', target.relative);
      const matches: string[] = [];
      for (const file of files.files) {
        if (matches.length >= MAX_MATCHES) break;
        const content = await readFile(join(options.workspace, file)).catch(() => undefined);
        if (!content || content.length > MAX_FILE_BYTES || content.includes(0)) continue;
        const lines = content.toString('utf8').split('\n');
        lines.forEach((line, index) => {
          if (matches.length < MAX_MATCHES && expression.test(line)) matches.push(`${file}:${index + 1}: ${line.slice(0, 300)}`);
        });
      }
      return {
        text:
          matches.length === 0
            ? `No line matches /${pattern}/.`
            : `${matches.join('\n')}${matches.length >= MAX_MATCHES ? `\n[stopped at ${MAX_MATCHES} matches; narrow the search]` : ''}`,
        data: { pattern, matches: matches.length },
      };
    },
  });
}
