import { open } from 'node:fs/promises';
import { extname, join } from 'node:path';

/** Folders never scanned for definitions. */
export const IGNORED_FOLDERS = ['**/node_modules/**', '**/.git/**', '**/dist/**'];

/** Extensions scanned when the glob does not name files itself (`**` / `*`). */
// prettier-ignore
const SOURCE_EXTENSIONS = new Set(
  [
    'ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs', 'vue', 'svelte', 'astro', 'py', 'pyi', 'rb', 'go', 'rs', 'java', 'kt', 'kts',
    'scala', 'groovy', 'swift', 'c', 'h', 'cc', 'cpp', 'cxx', 'hpp', 'hh', 'cs', 'fs', 'php', 'lua', 'ex', 'exs', 'erl', 'dart', 'm', 'mm',
    'sh', 'bash', 'zsh', 'pl', 'pm', 'r', 'jl', 'clj', 'hs', 'ml', 'zig', 'nim', 'sol', 'sql', 'proto', 'graphql',
  ].map((extension) => `.${extension}`),
);

export interface DefinitionScanLimits {
  /** Most files read. Default 4,000. */
  maxFiles?: number;
  /** Bytes read from one file. Default 1 MB (the rest is not scanned). */
  maxFileBytes?: number;
  /** Bytes read in all. Default 32 MB. */
  maxTotalBytes?: number;
  signal?: AbortSignal;
}

export interface DefinitionScan {
  /** Workspace-relative files where the symbol is defined, sorted. */
  files: string[];
  /** `file:line` of each definition found (at most 20). */
  locations: string[];
  /** Files the glob matched (before the caps). */
  matchedFiles: number;
  scannedFiles: number;
  /** True when a cap stopped the scan before every matched file was read. */
  capped: boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const MODIFIERS =
  '(?:(?:export|default|declare|abstract|async|public|private|protected|internal|static|final|readonly|override|virtual|pub(?:\\([^)]*\\))?|unsafe|extern|inline|open|sealed|data|const)[ \\t]+)*';
const KEYWORDS =
  '(?:function\\*?|class|interface|type|enum|const|let|var|def|defp|defmodule|defmacro|fn|fun|func|sub|struct|trait|union|module|namespace|object|record|val|typealias|macro_rules!)';
/** Words that start a statement, so `return parse(x)` is never read as a method of type `return`. */
const NOT_A_TYPE =
  '(?!(?:return|await|new|yield|throw|typeof|delete|void|else|case|in|of|not|and|or|raise|assert|print|puts|echo|go|defer|if|while|for|elif|when|is|as|from|import)\\b)';

/**
 * The definition forms recognized, each anchored at the start of a line: declarations with a
 * keyword (function, class, interface, type, enum, const/let/var, def, fn, func, struct, trait, …),
 * Go methods, class methods and arrow-function properties whose line opens a body, Java/C-style
 * methods, `export { name }`, top-level assignments (`NAME = …`, `exports.name =`) and `#define`.
 * A call at the start of a line (`name(x);`) is not a definition.
 */
export function definitionPattern(name: string): RegExp {
  return new RegExp(definitionForms(name).join('|'), 'm');
}

/**
 * Only the declaring forms of `definitionPattern` (a keyword, a Go method, a class method or an
 * arrow-function property, a Java/C-style method): not `export { name }`, `exports.name =`,
 * `NAME = …` or `#define`, which often give a name to something defined elsewhere.
 */
export function declarationPattern(name: string): RegExp {
  return new RegExp(definitionForms(name).slice(0, 5).join('|'), 'm');
}

function definitionForms(name: string): string[] {
  const n = escapeRegExp(name);
  return [
    `^[ \\t]*${MODIFIERS}${KEYWORDS}[ \\t]+${n}(?![\\w$])`,
    `^[ \\t]*func[ \\t]*\\([^)]*\\)[ \\t]*${n}(?![\\w$])`,
    `^[ \\t]*${MODIFIERS}(?:async[ \\t]+)?(?:get[ \\t]+|set[ \\t]+)?\\*?${n}[ \\t]*(?:<[^>\\n]*>)?[ \\t]*\\([^;\\n]*\\)[^;=\\n]*\\{[ \\t]*$`,
    `^[ \\t]*${MODIFIERS}${n}[ \\t]*[:=][ \\t]*(?:async[ \\t]+)?(?:function\\b|\\([^)\\n]*\\)[^=\\n]*=>|[\\w$]+[ \\t]*=>)`,
    `^[ \\t]*(?:(?:public|private|protected|static|final|abstract|synchronized|native|virtual|override)[ \\t]+)*${NOT_A_TYPE}[\\w$<>\\[\\],.?]+[ \\t]+\\*?${n}[ \\t]*\\([^;\\n]*\\)[ \\t]*(?:throws[^{\\n]*|const[ \\t]*)?\\{?[ \\t]*$`,
    `^[ \\t]*export[ \\t]+(?:type[ \\t]+)?\\{[^}]*(?<![\\w$])${n}(?![\\w$])[^}]*\\}`,
    `^(?:module\\.)?exports\\.${n}[ \\t]*=`,
    `^${n}[ \\t]*(?::[^=\\n]+)?=(?!=)`,
    `^[ \\t]*#[ \\t]*define[ \\t]+${n}\\b`,
  ];
}

/** True when a glob names files itself (`src/*.py`, `lib/config.ts`) rather than everything. */
function globNamesFiles(pattern: string): boolean {
  const last = pattern.split('/').pop() ?? '';
  return last !== '*' && last !== '**' && last !== '*.*';
}

/** Refuse globs that could read outside the workspace. */
export function unsafeGlobReason(pattern: string): string | undefined {
  if (pattern.startsWith('/') || /^[A-Za-z]:/.test(pattern)) return `the glob ${pattern} is absolute; globs are relative to the workspace`;
  if (pattern.split(/[\\/]/).includes('..')) return `the glob ${pattern} leaves the workspace`;
  return undefined;
}

async function readHead(path: string, bytes: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Find where `name` is defined among the workspace files matching `pattern`, skipping
 * node_modules, .git, dist and dot-folders, never following symlinks, within the limits.
 */
export async function findSymbolDefinitions(
  workspace: string,
  name: string,
  pattern: string,
  limits: DefinitionScanLimits = {},
): Promise<DefinitionScan> {
  const maxFiles = limits.maxFiles ?? 4000;
  const maxFileBytes = limits.maxFileBytes ?? 1024 * 1024;
  let budget = limits.maxTotalBytes ?? 32 * 1024 * 1024;
  // Loaded on the first scan, not with every command that opens the memory.
  const { glob, isDynamicPattern } = await import('tinyglobby');
  const matched = await glob(pattern, {
    cwd: workspace,
    ignore: IGNORED_FOLDERS,
    onlyFiles: true,
    followSymbolicLinks: false,
    dot: false,
    expandDirectories: false,
    ...(limits.signal ? { signal: limits.signal } : {}),
  });
  const scanAll = globNamesFiles(pattern) || !isDynamicPattern(pattern);
  const candidates = matched.filter((file) => scanAll || SOURCE_EXTENSIONS.has(extname(file).toLowerCase())).sort();
  const regex = definitionPattern(name);
  const global = new RegExp(regex.source, 'gm');
  const files: string[] = [];
  const locations: string[] = [];
  let scannedFiles = 0;
  let capped = false;
  for (const file of candidates) {
    if (limits.signal?.aborted) throw new Error('the scan was aborted');
    if (scannedFiles >= maxFiles || budget <= 0) {
      capped = true;
      break;
    }
    let text: string;
    try {
      text = await readHead(join(workspace, file), Math.min(maxFileBytes, budget));
    } catch {
      continue;
    }
    scannedFiles += 1;
    budget -= Buffer.byteLength(text);
    if (text.includes('\0') || !regex.test(text)) continue;
    files.push(file);
    for (const match of text.matchAll(global)) {
      if (locations.length >= 20) break;
      locations.push(`${file}:${text.slice(0, match.index).split('\n').length}`);
    }
  }
  return { files, locations, matchedFiles: matched.length, scannedFiles, capped };
}
