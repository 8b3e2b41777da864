import { semver } from './lazy-semver.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../shared/index.js';

/** npm package names (scoped or not); anything else could escape node_modules. */
const PACKAGE_NAME = /^(?:@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*$/i;

export const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

export interface PackageVersions {
  /** Version in node_modules/<name>/package.json, when installed. */
  installed?: string;
  /** The range package.json declares, when it does. */
  declared?: string;
  /** Which field of package.json declares it. */
  declaredIn?: (typeof DEPENDENCY_FIELDS)[number];
  /** Whether the workspace has a package.json. */
  hasManifest: boolean;
}

export function isPackageName(name: string): boolean {
  return PACKAGE_NAME.test(name) && !name.split('/').some((part) => part === '.' || part === '..');
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    const value: unknown = JSON.parse(await readFile(path, 'utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return undefined;
    if (error instanceof SyntaxError) throw new Error(`${path} is not valid JSON`, { cause: error });
    throw error;
  }
}

/** The installed version and declared range of an npm dependency of the workspace. */
export async function readPackageVersions(workspace: string, name: string): Promise<PackageVersions> {
  const manifest = await readJson(join(workspace, 'package.json'));
  const installedManifest = await readJson(join(workspace, 'node_modules', ...name.split('/'), 'package.json'));
  const result: PackageVersions = { hasManifest: manifest !== undefined };
  const version = installedManifest?.['version'];
  if (typeof version === 'string') result.installed = version;
  for (const field of DEPENDENCY_FIELDS) {
    const table = manifest?.[field];
    if (typeof table !== 'object' || table === null) continue;
    const declared = (table as Record<string, unknown>)[name];
    if (typeof declared === 'string') {
      result.declared = declared;
      result.declaredIn = field;
      break;
    }
  }
  return result;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A version a topic's body states beside a package's name: `zod ^4.2.0`, `react@18.2`, `React v18`. */
export interface StatedVersion {
  /** The mention as written (`zod ^4.2.0`). */
  text: string;
  /** `^`, `~`, `>=` or ''. */
  operator: string;
  /** The version as written, with its precision (`4.2`). */
  version: string;
}

/** `name ^1.2`, `name@1.2`, `` `name` v1.2 ``: the package's name, then a version (group 1: operator, 2: version). */
export function versionMention(name: string): RegExp {
  return new RegExp(
    `(?<![\\w@/.-])${escapeRegExp(name)}\`?(?:@|[ \\t]+v?)([\\^~]|>=)?(\\d+(?:\\.\\d+){0,2}(?:-[0-9A-Za-z.]+)?)(?!\\.?\\w)`,
    'gi',
  );
}

/** Every version the body states beside the package's name. */
export function statedVersions(name: string, body: string): StatedVersion[] {
  return [...body.matchAll(versionMention(name))].map((match) => ({ text: match[0], operator: match[1] ?? '', version: match[2] ?? '' }));
}

/** `19.1.3` written with the precision of `18.2` → `19.1` (a prerelease is kept whole). */
export function withPrecision(version: string, like: string): string {
  if (like.includes('-')) return version;
  const parsed = semver().parse(version);
  if (!parsed || parsed.prerelease.length > 0) return version;
  return [parsed.major, parsed.minor, parsed.patch].slice(0, like.split('.').length).join('.');
}

/**
 * The version a mention should state now: a range (`^4.2.0`) is compared with the lowest version
 * the declared range allows, a bare version with the installed one (else the declared range's).
 */
export function versionNow(stated: Pick<StatedVersion, 'operator'>, versions: PackageVersions): string | undefined {
  let declared: string | undefined;
  try {
    declared = versions.declared === undefined ? undefined : semver().minVersion(versions.declared)?.version;
  } catch {
    declared = undefined;
  }
  const installed = versions.installed !== undefined && semver().valid(versions.installed) ? versions.installed : undefined;
  return stated.operator !== '' ? (declared ?? installed) : (installed ?? declared);
}
