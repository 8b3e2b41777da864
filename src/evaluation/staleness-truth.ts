import semver from 'semver';
import { countMatches, capturedValue, type Claim } from './staleness-claims.js';
import { fileAt, grepAt, pathChanges, existsAt, type PathChange } from './staleness-git.js';

/**
 * The ground truth of the staleness benchmark, from git alone (never mnemo's checkers): renames
 * and deletions from `git diff --name-status --find-renames`, definitions from `git grep`, values
 * from the file's content at the commit, versions from the parsed package.json.
 */
export type Truth =
  | { state: 'true' }
  | { state: 'changed'; change: 'renamed' | 'moved' | 'value' | 'version'; now: Claim; ambiguous: boolean }
  | { state: 'gone'; ambiguous: boolean }
  /** The harness cannot tell (a package.json that does not parse): not scored. */
  | { state: 'unknown'; why: string };

/** Source files searched for definitions. */
export const SOURCE_PATHSPECS = [
  '*.ts',
  '*.tsx',
  '*.mts',
  '*.cts',
  '*.js',
  '*.jsx',
  '*.mjs',
  '*.cjs',
  '*.py',
  '*.go',
  '*.rs',
  '*.rb',
  '*.java',
  '*.kt',
  '*.swift',
  '*.php',
  '*.cs',
];

const MODIFIERS = '((export|default|declare|abstract|async|public|private|protected|static|final|pub|unsafe)[[:space:]]+)*';
const DEFINING = '(function\\*?|class|interface|enum|type|const|let|var|def|fn|func|struct|trait)';

/** A definition of `name` at the start of a line (POSIX ERE, for `git grep -E`). */
export function definitionRegex(name: string): string {
  return `^[[:space:]]*${MODIFIERS}${DEFINING}[[:space:]]+${name}([^[:alnum:]_$]|$)`;
}

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

/** A range the benchmark states as a version: `^4.2.0`, `~1.2`, `3.0.1`. */
export function isSimpleRange(range: string): boolean {
  return /^[\^~]?\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.]+)?$/.test(range.trim());
}

export function lowestVersion(range: string): string | undefined {
  try {
    return semver.minVersion(range)?.version;
  } catch {
    return undefined;
  }
}

/** Answers from git about one repository, cached per commit pair and per file. */
export class GitTruth {
  private readonly diffs = new Map<string, Promise<Map<string, PathChange>>>();
  private readonly files = new Map<string, Promise<string | undefined>>();
  private readonly definitions = new Map<string, Promise<string[]>>();

  constructor(private readonly repo: string) {}

  private changes(from: string, to: string): Promise<Map<string, PathChange>> {
    const key = `${from}..${to}`;
    let found = this.diffs.get(key);
    if (!found) {
      found = from === to ? Promise.resolve(new Map()) : pathChanges(this.repo, from, to);
      this.diffs.set(key, found);
    }
    return found;
  }

  file(commit: string, path: string): Promise<string | undefined> {
    const key = `${commit}:${path}`;
    let found = this.files.get(key);
    if (!found) {
      found = fileAt(this.repo, commit, path);
      this.files.set(key, found);
    }
    return found;
  }

  /** Files that define `name` at a commit, sorted. */
  definitionFiles(commit: string, name: string): Promise<string[]> {
    const key = `${commit}:${name}`;
    let found = this.definitions.get(key);
    if (!found) {
      found = grepAt(this.repo, commit, definitionRegex(name), SOURCE_PATHSPECS).then((hits) =>
        [...new Set(hits.map((hit) => hit.path))].sort(),
      );
      this.definitions.set(key, found);
    }
    return found;
  }

  /** Where a path known at `from` is at `to` (following a rename), or undefined when it is gone. */
  async follow(path: string, from: string, to: string): Promise<string | undefined> {
    const change = (await this.changes(from, to)).get(path);
    const now = change?.status === 'renamed' ? change.to : change?.status === 'deleted' ? undefined : path;
    if (now === undefined) return undefined;
    return (await existsAt(this.repo, to, now)) ? now : undefined;
  }

  async packageJson(commit: string): Promise<Record<string, unknown> | 'gone' | 'unparsable'> {
    const text = await this.file(commit, 'package.json');
    if (text === undefined) return 'gone';
    try {
      const value: unknown = JSON.parse(text);
      return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : 'unparsable';
    } catch {
      return 'unparsable';
    }
  }

  /** The truth at `commit` of a claim last known true at `asOf`. */
  async truth(claim: Claim, asOf: string, commit: string): Promise<Truth> {
    switch (claim.kind) {
      case 'path': {
        const now = await this.follow(claim.path, asOf, commit);
        if (now === undefined) return { state: 'gone', ambiguous: false };
        return now === claim.path
          ? { state: 'true' }
          : { state: 'changed', change: 'renamed', now: { ...claim, path: now }, ambiguous: false };
      }
      case 'symbol': {
        const files = await this.definitionFiles(commit, claim.name);
        const followed = await this.follow(claim.file, asOf, commit);
        if (followed !== undefined && files.includes(followed)) {
          return followed === claim.file
            ? { state: 'true' }
            : { state: 'changed', change: 'renamed', now: { ...claim, file: followed }, ambiguous: false };
        }
        if (files.length === 0) {
          // Re-exported under its name (`export { other as name }`): still importable, defined nowhere.
          const exported = await grepAt(
            this.repo,
            commit,
            `export[[:space:]]*(type[[:space:]]*)?\\{[^}]*([^[:alnum:]_$]|^)${claim.name}([^[:alnum:]_$]|$)`,
            SOURCE_PATHSPECS,
          );
          return { state: 'gone', ambiguous: exported.length > 0 };
        }
        return { state: 'changed', change: 'moved', now: { ...claim, file: files[0] as string }, ambiguous: files.length > 1 };
      }
      case 'setting': {
        const path = await this.follow(claim.path, asOf, commit);
        const text = path === undefined ? undefined : await this.file(commit, path);
        if (path === undefined || text === undefined) return { state: 'gone', ambiguous: false };
        const count = countMatches(claim.pattern, text);
        const value = capturedValue(claim.pattern, text);
        if (count === 0 || value === undefined) return { state: 'gone', ambiguous: false };
        if (path === claim.path && value === claim.value) return { state: 'true' };
        return {
          state: 'changed',
          change: path === claim.path ? 'value' : 'renamed',
          now: { ...claim, path, value },
          ambiguous: count > 1,
        };
      }
      case 'script': {
        const manifest = await this.packageJson(commit);
        if (manifest === 'gone') return { state: 'gone', ambiguous: false };
        if (manifest === 'unparsable') return { state: 'unknown', why: 'package.json does not parse' };
        const scripts = manifest['scripts'];
        const command = typeof scripts === 'object' && scripts !== null ? (scripts as Record<string, unknown>)[claim.name] : undefined;
        if (typeof command !== 'string') return { state: 'gone', ambiguous: false };
        return command === claim.command
          ? { state: 'true' }
          : { state: 'changed', change: 'value', now: { ...claim, command }, ambiguous: false };
      }
      case 'package': {
        const manifest = await this.packageJson(commit);
        if (manifest === 'gone') return { state: 'gone', ambiguous: false };
        if (manifest === 'unparsable') return { state: 'unknown', why: 'package.json does not parse' };
        let declared: string | undefined;
        for (const field of DEPENDENCY_FIELDS) {
          const table = manifest[field];
          const value = typeof table === 'object' && table !== null ? (table as Record<string, unknown>)[claim.name] : undefined;
          if (typeof value === 'string') {
            declared = value;
            break;
          }
        }
        if (declared === undefined) return { state: 'gone', ambiguous: false };
        const before = lowestVersion(claim.range);
        const now = lowestVersion(declared);
        if (now !== undefined && now === before) return { state: 'true' };
        return { state: 'changed', change: 'version', now: { ...claim, range: declared }, ambiguous: !isSimpleRange(declared) };
      }
    }
  }
}

/** Whether a claim read back from a healed topic says what the ground truth says now. */
export function sameClaim(healed: Claim | undefined, truth: Claim): boolean {
  if (!healed || healed.kind !== truth.kind) return false;
  switch (truth.kind) {
    case 'path':
      return healed.kind === 'path' && healed.path === truth.path;
    case 'symbol':
      return healed.kind === 'symbol' && healed.file === truth.file;
    case 'setting':
      return healed.kind === 'setting' && healed.path === truth.path && healed.value === truth.value;
    case 'script':
      return healed.kind === 'script' && healed.command === truth.command;
    case 'package':
      return healed.kind === 'package' && lowestVersion(healed.range) === lowestVersion(truth.range);
  }
}
