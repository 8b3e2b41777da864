/**
 * What a staleness-benchmark fact claims about the repository, and how the claim is read back
 * from a topic's text (after mnemo healed it). The harness's own parsing: no mnemo checker.
 */

export const FACT_KINDS = ['path', 'symbol', 'setting', 'script', 'package'] as const;
export type FactKind = (typeof FACT_KINDS)[number];

/** Explicit: the fact carries `--evidence`; derived: mnemo derives it from the body's backticks. */
export type EvidenceMode = 'explicit' | 'derived';

export type Claim =
  | { kind: 'path'; path: string }
  | { kind: 'symbol'; name: string; file: string }
  /** `value` is the text the pattern's capture group takes (a setting's value as written). */
  | { kind: 'setting'; path: string; key: string; pattern: string; value: string }
  | { kind: 'script'; name: string; pattern: string; command: string }
  /** `version`: the lowest version the declared range allows (`^4.2.0` → 4.2.0). */
  | { kind: 'package'; name: string; range: string };

/** The evidence kind a fact kind is checked with, for the report. */
export const EVIDENCE_OF: Record<FactKind, string> = {
  path: 'file',
  symbol: 'symbol',
  setting: 'file + pattern',
  script: 'file + pattern',
  package: 'package',
};

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Backticked spans of a body. */
export function spans(body: string): string[] {
  return [...body.matchAll(/`([^`\n]+)`/g)].map((match) => match[1] ?? '');
}

/** The first backticked span that looks like a path (has a slash or a file extension). */
export function pathInBody(body: string): string | undefined {
  return spans(body).find((span) => /^[\w.@/-]+$/.test(span) && (span.includes('/') || /\.\w+$/.test(span)));
}

/** The value a pattern's first capture group takes in a text, or undefined. */
export function capturedValue(pattern: string, text: string): string | undefined {
  try {
    const match = new RegExp(pattern, 'm').exec(text);
    return match?.[1];
  } catch {
    return undefined;
  }
}

/** The number of places a pattern matches in a text. */
export function countMatches(pattern: string, text: string): number {
  try {
    return [...text.matchAll(new RegExp(pattern, 'gm'))].length;
  } catch {
    return 0;
  }
}

/** The version a body states beside a package's name (`zod ^4.2.0`, `zod@4.2`). */
export function statedVersion(name: string, body: string): string | undefined {
  const plain = body.replace(/`/g, ' ');
  const match = new RegExp(
    `(?<![\\w@/.-])${escapeRegExp(name)}(?:@|[ \\t]+v?)((?:[\\^~]|>=)?\\d+(?:\\.\\d+){0,2}(?:-[0-9A-Za-z.]+)?)`,
    'i',
  ).exec(plain);
  return match?.[1];
}

/** The topic a fact becomes: its name, description, body and the explicit evidence it carries. */
export interface FactTopic {
  name: string;
  description: string;
  body: string;
  evidence: Record<string, unknown>[];
  /** What an agent would ask recall when it needs the fact. */
  query: string;
}

function baseName(path: string): string {
  return path.split('/').pop() ?? path;
}

/** The topic an agent would write for a claim. */
export function topicFor(claim: Claim, mode: EvidenceMode, commit: string): FactTopic {
  const at = commit.slice(0, 7);
  const explicit = mode === 'explicit';
  switch (claim.kind) {
    case 'path':
      return {
        name: `File ${claim.path}`,
        description: `Where ${baseName(claim.path)} lives in the repository`,
        body: `\`${claim.path}\` is a file of the project (seen at ${at}).\n**How to apply:** open it there.`,
        evidence: explicit ? [{ kind: 'file', path: claim.path }] : [],
        query: `${baseName(claim.path)} file`,
      };
    case 'symbol':
      return {
        name: `${claim.name} definition`,
        description: `Where ${claim.name} is defined`,
        body: `\`${claim.name}\` is defined in \`${claim.file}\` (seen at ${at}).\n**How to apply:** change it there.`,
        evidence: explicit ? [{ kind: 'symbol', name: claim.name, glob: claim.file }] : [],
        query: `${claim.name} defined`,
      };
    case 'setting':
      return {
        name: `Setting ${claim.key} in ${claim.path}`,
        description: `The value of ${claim.key} in ${claim.path}`,
        body: `\`${claim.path}\` sets \`${settingText(claim)}\` (seen at ${at}).`,
        evidence: [{ kind: 'file', path: claim.path, contains: claim.pattern }],
        query: `${claim.key} setting ${baseName(claim.path)}`,
      };
    case 'script':
      return {
        name: `Script ${claim.name}`,
        description: `What npm run ${claim.name} runs`,
        body: `\`npm run ${claim.name}\` runs this command (from \`package.json\`): \`"${claim.name}": ${JSON.stringify(claim.command)}\` (seen at ${at}).`,
        evidence: [{ kind: 'file', path: 'package.json', contains: claim.pattern }],
        query: `npm run ${claim.name} script`,
      };
    case 'package':
      return {
        name: `Dependency ${claim.name}`,
        description: `Which version of ${claim.name} the project depends on`,
        body: `The project depends on \`${claim.name}\` ${claim.range} (declared in \`package.json\`, seen at ${at}).`,
        evidence: explicit ? [{ kind: 'package', name: claim.name, range: claim.range }] : [],
        query: `${claim.name} dependency version`,
      };
  }
}

/** How a setting reads in its file: `"key": value` (JSON), `key: value` (YAML), `key = value`. */
export function settingText(claim: Extract<Claim, { kind: 'setting' }>): string {
  if (claim.pattern.startsWith('"')) return `"${claim.key}": ${claim.value}`;
  if (claim.pattern.includes('[ \\t]*=')) return `${claim.key} = ${claim.value}`;
  return `${claim.key}: ${claim.value}`;
}

/**
 * The claim a topic makes now, read from its body (and evidence): the path, file, value or
 * version it states. Undefined when the body no longer states one the harness can read.
 */
export function claimFromTopic(previous: Claim, body: string, evidence: readonly Record<string, unknown>[]): Claim | undefined {
  switch (previous.kind) {
    case 'path': {
      const path = pathInBody(body);
      return path === undefined ? undefined : { kind: 'path', path };
    }
    case 'symbol': {
      const file = pathInBody(body);
      const glob = evidence.find((item) => item['kind'] === 'symbol' && item['derived'] !== true)?.['glob'];
      // Explicit evidence pins the file too: a heal must move both.
      if (file === undefined || (typeof glob === 'string' && glob !== file)) return undefined;
      return { ...previous, file };
    }
    case 'setting': {
      const path = pathInBody(body);
      const value = capturedValue(previous.pattern, body);
      const contains = evidence.find((item) => item['kind'] === 'file' && typeof item['contains'] === 'string');
      const evidencePath = contains?.['path'];
      if (path === undefined || value === undefined || (typeof evidencePath === 'string' && evidencePath !== path)) return undefined;
      return { ...previous, path, value };
    }
    case 'script': {
      const value = capturedValue(previous.pattern, body);
      if (value === undefined) return undefined;
      try {
        return { ...previous, command: JSON.parse(value) as string };
      } catch {
        return undefined;
      }
    }
    case 'package': {
      const range = statedVersion(previous.name, body);
      return range === undefined ? undefined : { ...previous, range };
    }
  }
}

/** A short text of what a claim says, for reports. */
export function describeClaim(claim: Claim): string {
  switch (claim.kind) {
    case 'path':
      return claim.path;
    case 'symbol':
      return `${claim.name} in ${claim.file}`;
    case 'setting':
      return `${claim.key}=${claim.value} in ${claim.path}`;
    case 'script':
      return `${claim.name}: ${claim.command}`;
    case 'package':
      return `${claim.name} ${claim.range}`;
  }
}
