import { MnemoError } from '../shared/index.js';
import type { Evidence } from '../store/index.js';

/**
 * Parse `--evidence` flags: `file:PATH[#REGEX]`, `symbol:NAME@GLOB`, `package:NAME@RANGE`,
 * `git:REF`, `env:NAME`, `command:CMD`, `http:URL`, or a JSON object.
 */
export function parseEvidenceFlag(spec: string): Evidence {
  const trimmed = spec.trim();
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(trimmed) as Evidence;
    } catch {
      throw new MnemoError('usage', `--evidence ${JSON.stringify(spec)} is not valid JSON.`);
    }
  }
  const colon = trimmed.indexOf(':');
  const kind = colon === -1 ? '' : trimmed.slice(0, colon);
  const rest = colon === -1 ? '' : trimmed.slice(colon + 1);
  const fail = (): never => {
    throw new MnemoError('usage', `--evidence ${JSON.stringify(spec)} is not understood.`, {
      hint: "Use file:PATH, file:PATH#REGEX, 'symbol:NAME@GLOB', package:NAME@RANGE, git:REF, env:NAME, command:CMD or http:URL.",
    });
  };
  if (rest === '') return fail();
  switch (kind) {
    case 'file': {
      const hash = rest.indexOf('#');
      return hash === -1 ? { kind: 'file', path: rest } : { kind: 'file', path: rest.slice(0, hash), contains: rest.slice(hash + 1) };
    }
    case 'symbol': {
      const at = rest.indexOf('@');
      return at === -1
        ? { kind: 'symbol', name: rest, glob: '**/*' }
        : { kind: 'symbol', name: rest.slice(0, at), glob: rest.slice(at + 1) };
    }
    case 'package': {
      const at = rest.lastIndexOf('@');
      return at <= 0
        ? { kind: 'package', name: rest, range: '*' }
        : { kind: 'package', name: rest.slice(0, at), range: rest.slice(at + 1) };
    }
    case 'git':
      return { kind: 'git', ref: rest };
    case 'env':
      return { kind: 'env', name: rest };
    case 'command':
      return { kind: 'command', run: rest, expect: { exit: 0 } };
    case 'http':
      return { kind: 'http', url: rest, expect: { status: 200 } };
    default:
      return fail();
  }
}

export function parseEvidenceFlags(specs: readonly string[]): Evidence[] {
  return specs.map(parseEvidenceFlag);
}
