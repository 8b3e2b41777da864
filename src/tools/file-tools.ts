import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { MnemoError, errnoCode, writeFileAtomic } from '../shared/index.js';
import { defineTool, type ToolDefinition, lazy } from './define-tool.js';
import { toolDescription } from './tool-description.js';
import { confinedPath, type WorkspaceToolsOptions } from './workspace-tool-options.js';

const READ_LINE_LIMIT = 2000;
const LINE_CHARS = 2000;

async function readText(absolute: string, shown: string): Promise<string> {
  try {
    const info = await stat(absolute);
    if (info.isDirectory()) {
      throw new MnemoError('invalid-input', `${shown} is a folder.`, { hint: 'Use glob to list files, then read one of them.' });
    }
    return await readFile(absolute, 'utf8');
  } catch (error) {
    if (error instanceof MnemoError) throw error;
    if (errnoCode(error) === 'ENOENT') {
      throw new MnemoError('not-found', `${shown} does not exist.`, {
        hint: 'Check the path with glob (paths are relative to the workspace).',
      });
    }
    throw error;
  }
}

const readSchema = lazy(() =>
  z
    .object({
      path: z.string().min(1).describe('File path, relative to the workspace root.'),
      offset: z.number().int().min(1).optional().describe('First line to read (1-based; default 1).'),
      limit: z.number().int().min(1).max(READ_LINE_LIMIT).optional().describe(`Most lines to read (default ${READ_LINE_LIMIT}).`),
    })
    .strict(),
);

/** `read`: a file of the workspace, with line numbers. */
export function readTool(options: WorkspaceToolsOptions): ToolDefinition {
  return defineTool({
    name: 'read',
    title: 'Read a file',
    description: toolDescription('read'),
    inputSchema: readSchema(),
    hints: { readOnly: true, destructive: false, idempotent: true, openWorld: true },
    execute: async ({ path, offset = 1, limit = READ_LINE_LIMIT }) => {
      const file = await confinedPath(options.workspace, path);
      const lines = (await readText(file.absolute, file.relative)).split('\n');
      options.onPath?.(file.relative, 'read');
      const shown = lines.slice(offset - 1, offset - 1 + limit);
      const body = shown
        .map((line, index) => `${String(offset + index).padStart(6)}\t${line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS)}…` : line}`)
        .join('\n');
      const rest = lines.length - (offset - 1 + shown.length);
      return {
        text: `${body}${rest > 0 ? `\n[${rest} more line(s); read with offset ${offset + shown.length}]` : ''}`,
        data: { path: file.relative, lines: lines.length, from: offset, shown: shown.length },
      };
    },
  });
}

const writeSchema = lazy(() =>
  z
    .object({
      path: z.string().min(1).describe('File path, relative to the workspace root; folders are created.'),
      content: z.string().describe('The whole new content of the file.'),
    })
    .strict(),
);

/** `write`: create or replace a file of the workspace (atomically). */
export function writeTool(options: WorkspaceToolsOptions): ToolDefinition {
  return defineTool({
    name: 'write',
    title: 'Write a file',
    description: toolDescription('write'),
    inputSchema: writeSchema(),
    hints: { readOnly: false, destructive: true, idempotent: true, openWorld: true },
    execute: async ({ path, content }) => {
      const file = await confinedPath(options.workspace, path);
      const existed = await stat(file.absolute).then(
        (info) => info.isFile(),
        () => false,
      );
      await mkdir(dirname(file.absolute), { recursive: true });
      await writeFileAtomic(file.absolute, content);
      options.onPath?.(file.relative, 'write');
      return {
        text: `${existed ? 'Replaced' : 'Created'} ${file.relative} (${Buffer.byteLength(content)} bytes).`,
        data: { path: file.relative, created: !existed, bytes: Buffer.byteLength(content) },
      };
    },
  });
}

const editSchema = lazy(() =>
  z
    .object({
      path: z.string().min(1).describe('File path, relative to the workspace root.'),
      old: z.string().min(1).describe('The exact text to replace, whitespace included; it must occur exactly once unless `all` is true.'),
      new: z.string().describe('The replacement text.'),
      all: z.boolean().optional().describe('Replace every occurrence of `old`.'),
    })
    .strict(),
);

function occurrences(text: string, part: string): number {
  let count = 0;
  for (let at = text.indexOf(part); at !== -1; at = text.indexOf(part, at + part.length)) count += 1;
  return count;
}

/** `edit`: exact replacement of a text in a file; refuses an `old` that is missing or not unique. */
export function editTool(options: WorkspaceToolsOptions): ToolDefinition {
  return defineTool({
    name: 'edit',
    title: 'Edit a file',
    description: toolDescription('edit'),
    inputSchema: editSchema(),
    hints: { readOnly: false, destructive: true, idempotent: false, openWorld: true },
    execute: async ({ path, old, new: replacement, all }) => {
      const file = await confinedPath(options.workspace, path);
      const text = await readText(file.absolute, file.relative);
      const count = occurrences(text, old);
      if (count === 0) {
        throw new MnemoError('invalid-input', `The text to replace was not found in ${file.relative}; nothing was changed.`, {
          hint: 'Read the file again and copy `old` exactly (whitespace and indentation included).',
        });
      }
      if (count > 1 && !all) {
        throw new MnemoError('invalid-input', `The text to replace occurs ${count} times in ${file.relative}; nothing was changed.`, {
          hint: 'Add surrounding lines to `old` so that it is unique, or pass all: true to replace every occurrence.',
        });
      }
      const changed = all ? text.split(old).join(replacement) : text.replace(old, () => replacement);
      await writeFileAtomic(file.absolute, changed);
      options.onPath?.(file.relative, 'write');
      return {
        text: `Edited ${file.relative}: ${count} replacement(s).`,
        data: { path: file.relative, replacements: count },
      };
    },
  });
}
