import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { semver } from './lazy-semver.js';
import type { Evidence } from '../store/index.js';
import type { CheckContext } from './check-context.js';
import { DEPENDENCY_FIELDS, isPackageName } from './package-versions.js';
import { definitionPattern } from './symbol-definitions.js';
import { CHEAP_EVIDENCE_KINDS, checkTopic } from './topic-check.js';

export interface DeriveEvidenceOptions {
  /** The project folder: a derived path must exist in it, a derived package must be its dependency. */
  workspace: string;
  /** Evidence the topic already carries; the same claim is not derived again. */
  existing?: readonly Evidence[];
  /** Most items derived. Default 10. */
  limit?: number;
}

const FILE_EXTENSIONS =
  /\.(?:[cm]?[jt]sx?|json|jsonc|ya?ml|toml|ini|cfg|conf|md|mdx|txt|py|rb|go|rs|java|kt|swift|c|h|cc|cpp|hpp|cs|php|sh|bash|zsh|sql|prisma|proto|graphql|html|css|scss|vue|svelte|lock|env|xml|gradle|tf|dockerfile)$/i;

/** Code-looking words that belong to platforms and libraries, not to the workspace. */
// prettier-ignore
const NOT_WORKSPACE_SYMBOLS = new Set(
  [
    'javascript', 'typescript', 'github', 'gitlab', 'bitbucket', 'postgresql', 'mysql', 'mongodb', 'nodejs', 'macos', 'ios', 'ipados', 'iphone',
    'ipad', 'icloud', 'openai', 'chatgpt', 'youtube', 'linkedin', 'powershell', 'graphql', 'devops', 'gitops', 'websocket', 'jetbrains', 'intellij',
    'pycharm', 'dynamodb', 'mariadb', 'nextjs', 'nuxtjs', 'webassembly', 'fastapi', 'pypi', 'pytorch', 'tensorflow', 'huggingface', 'wordpress',
    'paypal', 'devtools', 'tailwindcss', 'rxjs', 'angularjs', 'vuejs', 'reactjs', 'ebay', 'freebsd', 'openbsd', 'netbsd', 'latex', 'cloudflare',
    'settimeout', 'setinterval', 'cleartimeout', 'clearinterval', 'setimmediate', 'usestate', 'useeffect', 'usememo', 'usecallback', 'useref',
    'usecontext', 'usereducer', 'uselayouteffect', 'readfile', 'readfilesync', 'writefile', 'writefilesync', 'existssync', 'mkdirsync',
    'addeventlistener', 'removeeventlistener', 'getelementbyid', 'queryselector', 'queryselectorall', 'innerhtml', 'textcontent', 'tostring',
    'valueof', 'hasownproperty', 'foreach', 'indexof', 'tolowercase', 'touppercase', 'localstorage', 'sessionstorage', 'structuredclone',
    'requestanimationframe', 'parseint', 'parsefloat', 'encodeuricomponent', 'decodeuricomponent', 'isnan', 'instanceof', 'typeof',
    'execsync', 'spawnsync', 'execfile', 'createserver', 'promise_all', 'json_parse', 'nan', 'undefined',
  ],
);

/** Inline code spans of a markdown body, outside fenced blocks. */
function codeSpans(body: string): string[] {
  const unfenced = body.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  return [...unfenced.matchAll(/(?<!`)`([^`\n]+)`(?!`)/g)].map((match) => (match[1] ?? '').trim()).filter((span) => span !== '');
}

/** A workspace-relative path the span names, when it looks like a path and exists. */
function pathFromSpan(span: string, workspace: string): string | undefined {
  if (/[\s*?[\]{}<>|"'$`]|:\/\//.test(span) || /^[@~-]/.test(span)) return undefined;
  const path = span.replace(/^\.\//, '').replace(/:\d+(?::\d+)?$/, '');
  if (isAbsolute(path) || path.split('/').includes('..') || path === '' || path === '.') return undefined;
  if (!path.includes('/') && !FILE_EXTENSIONS.test(path)) return undefined;
  if (!/^[\w.@/-]+$/.test(path)) return undefined;
  const root = resolve(workspace);
  const absolute = resolve(root, path);
  const rel = relative(root, absolute);
  if (rel === '' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return existsSync(absolute) ? normalize(path).split(sep).join('/').replace(/\/$/, '') : undefined;
}

/** An identifier that looks like code (camelCase, PascalCase with two humps, snake_case). */
function symbolFromSpan(span: string): string | undefined {
  const name = span.replace(/\(\)$/, '');
  if (!/^[A-Za-z_$][\w$]{2,79}$/.test(name) || !/[a-z]/.test(name)) return undefined;
  const looksLikeCode = /[a-z0-9][A-Z]/.test(name) || /[A-Za-z0-9]_[A-Za-z0-9]/.test(name);
  if (!looksLikeCode || NOT_WORKSPACE_SYMBOLS.has(name.toLowerCase())) return undefined;
  return name;
}

/** Files read to find which named file defines a symbol; larger ones are skipped. */
const MAX_DEFINING_FILE_BYTES = 1024 * 1024;

/**
 * The one file among those the body names that defines `name` now, or undefined when none or
 * several do: "`parseConfig` is defined in `src/config.ts`" pins the symbol to that file, so a
 * move to another file is noticed even while the old file stays.
 */
function definingFile(name: string, files: readonly string[], workspace: string): string | undefined {
  const pattern = definitionPattern(name);
  const defining = files.filter((path) => {
    try {
      const absolute = join(workspace, path);
      const stats = statSync(absolute);
      if (!stats.isFile() || stats.size > MAX_DEFINING_FILE_BYTES) return false;
      return pattern.test(readFileSync(absolute, 'utf8'));
    } catch {
      return false;
    }
  });
  return defining.length === 1 ? defining[0] : undefined;
}

interface Dependencies {
  declared: Map<string, string>;
  installed: (name: string) => string | undefined;
}

function readDependencies(workspace: string): Dependencies | undefined {
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(readFileSync(join(workspace, 'package.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const declared = new Map<string, string>();
  for (const field of DEPENDENCY_FIELDS) {
    const table = manifest[field];
    if (typeof table !== 'object' || table === null) continue;
    for (const [name, range] of Object.entries(table as Record<string, unknown>)) {
      if (typeof range === 'string' && !declared.has(name.toLowerCase())) declared.set(name.toLowerCase(), name);
    }
  }
  const installed = (name: string): string | undefined => {
    try {
      const version = (
        JSON.parse(readFileSync(join(workspace, 'node_modules', ...name.split('/'), 'package.json'), 'utf8')) as { version?: unknown }
      ).version;
      return typeof version === 'string' ? version : undefined;
    } catch {
      return undefined;
    }
  };
  return { declared, installed };
}

const NAME = '(@?[a-z0-9][\\w.-]*(?:\\/[a-z0-9][\\w.-]*)?)';
const VERSION = '([\\^~]|>=)?(\\d+(?:\\.\\d+){0,2}(?:-[0-9a-z.]+)?)(?!\\.?\\w)';
/** `react@18.2.0`, `@scope/pkg@^1.2`. */
const AT_VERSION = new RegExp(`(?<![\\w@/.-])${NAME}@${VERSION}`, 'gi');
/** "zod 4.2", "express ^4.18", "React v18". */
const SPACED_VERSION = new RegExp(`(?<![\\w@/.-])${NAME}[ \\t]+v?${VERSION}`, 'gi');

/**
 * Packages named with a version in the text. Only dependencies of the workspace are derived,
 * and only a mention whose range the installed (or declared) version satisfies today, so
 * "moved from react 17 to 18" yields `react ^18` when 18 is installed.
 */
function packagesFromText(text: string, dependencies: Dependencies): { name: string; range: string }[] {
  const found: { name: string; range: string }[] = [];
  for (const pattern of [AT_VERSION, SPACED_VERSION]) {
    for (const match of text.matchAll(pattern)) {
      const name = dependencies.declared.get((match[1] ?? '').toLowerCase()) ?? match[1] ?? '';
      const range = `${match[2] ?? '^'}${match[3] ?? ''}`;
      if (!isPackageName(name) || semver().validRange(range) === null) continue;
      const installed = dependencies.installed(name);
      if (installed === undefined && !dependencies.declared.has(name.toLowerCase())) continue;
      const holds =
        installed !== undefined && semver().valid(installed) ? semver().satisfies(installed, range, { includePrerelease: true }) : true;
      if (holds) found.push({ name, range });
    }
  }
  return found;
}

function claimKey(evidence: Evidence): string {
  switch (evidence.kind) {
    case 'file':
      return `file:${normalize(evidence.path).split(sep).join('/').replace(/^\.\//, '')}`;
    case 'symbol':
    case 'package':
    case 'env':
      return `${evidence.kind}:${evidence.name}`;
    case 'git':
      return `git:${evidence.ref}`;
    case 'command':
      return `command:${evidence.run}`;
    case 'http':
      return `http:${evidence.url}`;
  }
}

/**
 * Evidence a topic's body implies, each marked `derived: true`: paths in backticks that exist in
 * the workspace (file), code-looking identifiers in backticks (symbol, glob `**\/*`, or the one
 * file the body names that defines it now), and the
 * workspace's dependencies named with a version (package, with that range). Deduplicated
 * against itself and `existing`, files first, at most `limit`. Symbols are a guess: pass the
 * result through `keepConfirmedEvidence` at write time to drop the ones that do not hold.
 */
export function deriveEvidence(body: string, options: DeriveEvidenceOptions): Evidence[] {
  const spans = codeSpans(body);
  const files: Evidence[] = [];
  const symbols: Evidence[] = [];
  for (const span of spans) {
    const path = pathFromSpan(span, options.workspace);
    if (path !== undefined) {
      files.push({ kind: 'file', path, derived: true });
      continue;
    }
    const name = symbolFromSpan(span);
    if (name !== undefined) symbols.push({ kind: 'symbol', name, glob: '**/*', derived: true });
  }
  const named = files.map((item) => (item.kind === 'file' ? item.path : '')).filter((path) => path !== '');
  for (const symbol of symbols) {
    if (symbol.kind !== 'symbol') continue;
    const file = definingFile(symbol.name, named, options.workspace);
    if (file !== undefined) symbol.glob = file;
  }
  const dependencies = readDependencies(options.workspace);
  const prose = body.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`/g, ' ');
  const packages: Evidence[] = dependencies
    ? packagesFromText(prose, dependencies).map(({ name, range }) => ({ kind: 'package', name, range, derived: true }))
    : [];
  const seen = new Set((options.existing ?? []).map(claimKey));
  const result: Evidence[] = [];
  for (const evidence of [...files, ...packages, ...symbols]) {
    const key = claimKey(evidence);
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(evidence);
    if (result.length >= (options.limit ?? 10)) break;
  }
  return result;
}

/**
 * Keep explicit evidence as it is and derived evidence only where it is confirmed now: a topic
 * is written right after its task was verified, so a derived claim that does not hold at that
 * moment was a wrong guess, not a fact. Runs the cheap checks within `budgetMs`.
 */
export async function keepConfirmedEvidence(
  evidence: readonly Evidence[],
  context: CheckContext,
  options: { budgetMs: number },
): Promise<Evidence[]> {
  const derived = evidence.filter((item) => item.derived === true);
  if (derived.length === 0) return [...evidence];
  const verdict = await checkTopic(derived, context, { budgetMs: options.budgetMs, kinds: CHEAP_EVIDENCE_KINDS });
  const confirmedItems = new Set(verdict.verdicts.filter((item) => item.status === 'confirmed').map((item) => item.evidence));
  return evidence.filter((item) => item.derived !== true || confirmedItems.has(item));
}
