import semver from 'semver';
import { confirmed, contradicted, unverifiable, type CheckContext, type CheckOutcome, type PackageEvidence } from './check-context.js';
import { isPackageName, readPackageVersions } from './package-versions.js';

/**
 * `package` evidence: the installed version (node_modules/<name>/package.json) satisfies the
 * range; when not installed, the range package.json declares must overlap it. Observed: the
 * installed version and the declared range.
 */
export async function checkPackage(evidence: PackageEvidence, context: CheckContext): Promise<CheckOutcome> {
  const { name } = evidence;
  const range = evidence.range || '*';
  if (!isPackageName(name)) return unverifiable(`${JSON.stringify(name)} is not an npm package name`);
  if (semver.validRange(range) === null) return unverifiable(`${JSON.stringify(range)} is not a semver range`);
  const versions = await readPackageVersions(context.workspace, name);
  const observed: Record<string, unknown> = {};
  if (versions.installed !== undefined) observed['installed'] = versions.installed;
  if (versions.declared !== undefined) observed['declared'] = versions.declared;
  if (versions.installed !== undefined && semver.valid(versions.installed)) {
    return semver.satisfies(versions.installed, range, { includePrerelease: true })
      ? confirmed(`${name} ${versions.installed} is installed (satisfies ${range})`, observed)
      : contradicted(`${name} is now ${versions.installed}, which does not satisfy ${range}`, observed);
  }
  if (versions.declared !== undefined) {
    if (semver.validRange(versions.declared) === null) {
      return unverifiable(
        `${name} is declared as ${JSON.stringify(versions.declared)}, not a version range, and is not installed`,
        observed,
      );
    }
    return semver.intersects(versions.declared, range, { includePrerelease: true })
      ? confirmed(`package.json declares ${name} ${versions.declared} (compatible with ${range}); not installed`, observed)
      : contradicted(`package.json now declares ${name} ${versions.declared}, which does not overlap ${range}`, observed);
  }
  if (!versions.hasManifest) return unverifiable(`the workspace has no package.json and ${name} is not installed`, observed);
  return contradicted(`${name} is no longer a dependency (not in package.json, not installed)`, observed);
}
