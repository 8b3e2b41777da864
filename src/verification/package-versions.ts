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
