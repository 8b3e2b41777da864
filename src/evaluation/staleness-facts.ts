import { FACT_KINDS, countMatches, escapeRegExp, capturedValue, type Claim, type EvidenceMode, type FactKind } from './staleness-claims.js';
import { grepAt, pathChanges, trackedFiles } from './staleness-git.js';
import { GitTruth, SOURCE_PATHSPECS, isSimpleRange } from './staleness-truth.js';
import { seededRandom } from '../shared/index.js';

/** A fact the benchmark writes at the starting commit. */
export interface StalenessFact {
  id: string;
  kind: FactKind;
  mode: EvidenceMode;
  claim: Claim;
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}

/** Candidates that git says change between the commits first (half the picks), the rest at random. */
function pick<T>(candidates: readonly T[], touched: (item: T) => boolean, count: number, random: () => number): T[] {
  const shuffled = shuffle(candidates, random);
  const hot = shuffled.filter(touched);
  const cold = shuffled.filter((item) => !touched(item));
  const result: T[] = [];
  const wantHot = Math.ceil(count / 2);
  result.push(...hot.slice(0, wantHot));
  result.push(...cold.slice(0, count - result.length));
  if (result.length < count) result.push(...hot.slice(wantHot, wantHot + count - result.length));
  return result;
}

const PLAIN_PATH = /^[\w.@/-]+$/;
const SKIPPED_FOLDERS = /(^|\/)(node_modules|dist|vendor)\//;
const NOT_SYMBOLS = new Set(['constructor', 'main', 'init', 'setup', 'test', 'render', 'default', 'index', 'handler', 'run', 'start']);
const CANDIDATE_DEFINITION =
  '^[[:space:]]*((export|default|declare|abstract|async|public|private|protected|static|final|pub)[[:space:]]+)*(function|class|def|fn|func)[[:space:]]+[A-Za-z_][A-Za-z0-9_]*';
const CANDIDATE_NAME =
  /^\s*(?:(?:export|default|declare|abstract|async|public|private|protected|static|final|pub)\s+)*(?:function|class|def|fn|func)\s+([A-Za-z_]\w*)/;
const VALUE = `("[^"\\n]*"|'[^'\\n]*'|[\\w.+/-]+)`;
const SETTING_FILE = /\.(json|ya?ml|toml|ini|cfg|conf|properties)$/i;
const SETTING_LINES: { file: RegExp; line: RegExp; pattern: (key: string) => string }[] = [
  {
    file: /\.json$/i,
    line: /^\s*"([\w.-]+)"\s*:\s*("[^"\n\\]*"|-?\d+(?:\.\d+)*|true|false)\s*,?\s*$/gm,
    pattern: (key) => `"${escapeRegExp(key)}"\\s*:\\s*${VALUE}`,
  },
  {
    file: /\.ya?ml$/i,
    line: /^\s*([\w.-]+):[ \t]+("[^"\n]*"|'[^'\n]*'|[\w.+/-]+)\s*$/gm,
    pattern: (key) => `(?<![\\w.-])${escapeRegExp(key)}:[ \\t]+${VALUE}`,
  },
  {
    file: /\.(toml|ini|cfg|conf|properties)$/i,
    line: /^\s*([\w.-]+)[ \t]*=[ \t]*("[^"\n]*"|'[^'\n]*'|[\w.+/-]+)\s*$/gm,
    pattern: (key) => `(?<![\\w.-])${escapeRegExp(key)}[ \\t]*=[ \\t]*${VALUE}`,
  },
];

/** Identifiers mnemo derives as symbols from backticks: camelCase, PascalCase with two humps, snake_case. */
function looksLikeCode(name: string): boolean {
  return /[a-z]/.test(name) && (/[a-z0-9][A-Z]/.test(name) || /[A-Za-z0-9]_[A-Za-z0-9]/.test(name));
}

interface Gathered {
  path: Claim[];
  symbol: Claim[];
  setting: Claim[];
  script: Claim[];
  package: Claim[];
}

async function gather(repo: string, from: string, truth: GitTruth, files: readonly string[]): Promise<Gathered> {
  const plain = files.filter((path) => PLAIN_PATH.test(path) && !SKIPPED_FOLDERS.test(path) && (path.includes('/') || /\.\w+$/.test(path)));
  const path: Claim[] = plain.map((file) => ({ kind: 'path', path: file }));

  const hits = await grepAt(repo, from, CANDIDATE_DEFINITION, SOURCE_PATHSPECS);
  const byName = new Map<string, Set<string>>();
  for (const hit of hits) {
    if (!PLAIN_PATH.test(hit.path) || SKIPPED_FOLDERS.test(hit.path) || hit.path.split('/').some((part) => part.startsWith('.'))) continue;
    const name = CANDIDATE_NAME.exec(hit.text)?.[1];
    if (name === undefined || name.length < 4 || NOT_SYMBOLS.has(name.toLowerCase())) continue;
    const set = byName.get(name) ?? new Set<string>();
    set.add(hit.path);
    byName.set(name, set);
  }
  const symbol: Claim[] = [...byName]
    .filter(([, where]) => where.size === 1)
    .map(([name, where]) => ({ kind: 'symbol', name, file: [...where][0] as string }));

  const setting: Claim[] = [];
  for (const file of plain) {
    if (!SETTING_FILE.test(file) || /(^|\/)(package(-lock)?\.json|[\w.-]*lock[\w.-]*)$/i.test(file)) continue;
    const form = SETTING_LINES.find((candidate) => candidate.file.test(file));
    if (!form) continue;
    const text = await truth.file(from, file);
    if (text === undefined || text.length > 64 * 1024) continue;
    const seen = new Set<string>();
    for (const match of text.matchAll(form.line)) {
      const key = match[1] ?? '';
      if (seen.has(key)) continue;
      seen.add(key);
      const pattern = form.pattern(key);
      const value = capturedValue(pattern, text);
      if (value === undefined || countMatches(pattern, text) !== 1 || value.includes('`')) continue;
      setting.push({ kind: 'setting', path: file, key, pattern, value });
    }
  }

  const script: Claim[] = [];
  const packages: Claim[] = [];
  const manifest = await truth.packageJson(from);
  const manifestText = await truth.file(from, 'package.json');
  if (typeof manifest === 'object' && manifestText !== undefined) {
    const scripts = manifest['scripts'];
    if (typeof scripts === 'object' && scripts !== null) {
      for (const [name, command] of Object.entries(scripts as Record<string, unknown>)) {
        if (typeof command !== 'string' || command.includes('`') || command.length > 160 || !/^[\w:.-]+$/.test(name)) continue;
        const pattern = `"${escapeRegExp(name)}"\\s*:\\s*("(?:[^"\\\\\\n]|\\\\.)*")`;
        if (countMatches(pattern, manifestText) !== 1) continue;
        script.push({ kind: 'script', name, pattern, command });
      }
    }
    const seen = new Set<string>();
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
      const table = manifest[field];
      if (typeof table !== 'object' || table === null) continue;
      for (const [name, range] of Object.entries(table as Record<string, unknown>)) {
        if (typeof range !== 'string' || seen.has(name) || !isSimpleRange(range)) continue;
        seen.add(name);
        packages.push({ kind: 'package', name, range });
      }
    }
  }
  return { path, symbol, setting, script, package: packages };
}

function subjectFile(claim: Claim): string {
  switch (claim.kind) {
    case 'path':
      return claim.path;
    case 'symbol':
      return claim.file;
    case 'setting':
      return claim.path;
    case 'script':
    case 'package':
      return 'package.json';
  }
}

/**
 * The facts of a run, picked with a seeded random from what the repository holds at `from`:
 * `count` spread over the kinds that have candidates; within a kind, half from subjects whose
 * file git changes between `from` and `to` (renamed or deleted, for a path), so that a short
 * history has stale facts to find, half from the rest. Paths, symbols that look like code and packages alternate explicit and
 * derived evidence; settings and scripts carry their pattern explicitly.
 */
export async function chooseFacts(repo: string, from: string, to: string, count: number, seed: number): Promise<StalenessFact[]> {
  const random = seededRandom(seed);
  const truth = new GitTruth(repo);
  const files = await trackedFiles(repo, from);
  const gathered = await gather(repo, from, truth, files);
  const changes = await pathChanges(repo, from, to);
  // A path fact goes stale only when its file is renamed or deleted; the others when it changes at all.
  const touched = (claim: Claim): boolean => {
    const change = changes.get(subjectFile(claim));
    return change !== undefined && (claim.kind !== 'path' || change.status !== 'modified');
  };
  const kinds = FACT_KINDS.filter((kind) => gathered[kind].length > 0);
  const quota = new Map<FactKind, number>(kinds.map((kind) => [kind, 0]));
  for (let index = 0; index < count && kinds.length > 0; index += 1) {
    const open = kinds.filter((kind) => (quota.get(kind) ?? 0) < gathered[kind].length);
    const kind = open[index % Math.max(1, open.length)];
    if (kind === undefined) break;
    quota.set(kind, (quota.get(kind) ?? 0) + 1);
  }
  const facts: StalenessFact[] = [];
  for (const kind of kinds) {
    const chosen = pick(gathered[kind], touched, quota.get(kind) ?? 0, random);
    chosen.forEach((claim, index) => {
      const derivable = kind === 'path' || kind === 'package' || (claim.kind === 'symbol' && looksLikeCode(claim.name));
      const mode: EvidenceMode = derivable && index % 2 === 1 ? 'derived' : 'explicit';
      facts.push({ id: `${kind}-${index + 1}`, kind, mode, claim });
    });
  }
  return facts;
}
