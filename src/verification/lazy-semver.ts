import { createRequire } from 'node:module';
import type SemverModule from 'semver';

const require = createRequire(import.meta.url);
let loaded: typeof SemverModule | undefined;

/**
 * The semver package, loaded on first use: only package evidence needs it, and its 48 modules
 * would otherwise load with every command that opens the memory (`mnemo recall`, the hooks).
 * semver is CommonJS, so `require` gives the same module a static import would.
 */
export function semver(): typeof SemverModule {
  loaded ??= require('semver') as typeof SemverModule;
  return loaded;
}
