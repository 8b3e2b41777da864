import { semver } from './lazy-semver.js';
import { confirmed, contradicted, unverifiable, type CheckContext, type CheckOutcome, type PackageEvidence } from './check-context.js';
import { isPackageName, readPackageVersions, statedVersions, versionNow, withPrecision, type PackageVersions } from './package-versions.js';

/**
 * With the topic's body: the versions it states beside the package's name must include the one
 * in use now (at the precision written: "zod 4.2" holds for 4.2.5), so a bump inside the range
 * ("zod ^4.2.0" when package.json now declares ^4.3.0) is caught. Undefined when the body states
 * no version, or one of its mentions still holds.
 */
function checkStatedVersion(
  name: string,
  versions: PackageVersions,
  body: string | undefined,
  observed: Record<string, unknown>,
): CheckOutcome | undefined {
  if (body === undefined) return undefined;
  const mentions = statedVersions(name, body);
  if (mentions.length === 0) return undefined;
  const differing = mentions.filter((mention) => {
    const now = versionNow(mention, versions);
    return now !== undefined && withPrecision(now, mention.version) !== mention.version;
  });
  if (differing.length < mentions.length) return undefined;
  const [first] = differing as [(typeof differing)[number]];
  const now = versionNow(first, versions) ?? '';
  const where =
    first.operator !== '' && versions.declared !== undefined ? `package.json now declares ${versions.declared}` : `${now} is in use now`;
  return contradicted(`the topic says ${first.text.trim()}; ${where}`, { ...observed, stated: first.text.trim(), now });
}

/**
 * `package` evidence: the installed version (node_modules/<name>/package.json) satisfies the
 * range; when not installed, the range package.json declares must overlap it. Observed: the
 * installed version and the declared range. With the topic's body, a version it states must be
 * the one in use (see checkStatedVersion).
 */
export async function checkPackage(evidence: PackageEvidence, context: CheckContext): Promise<CheckOutcome> {
  const { name } = evidence;
  const range = evidence.range || '*';
  if (!isPackageName(name)) return unverifiable(`${JSON.stringify(name)} is not an npm package name`);
  if (semver().validRange(range) === null) return unverifiable(`${JSON.stringify(range)} is not a semver range`);
  const versions = await readPackageVersions(context.workspace, name);
  const observed: Record<string, unknown> = {};
  if (versions.installed !== undefined) observed['installed'] = versions.installed;
  if (versions.declared !== undefined) observed['declared'] = versions.declared;
  if (versions.installed !== undefined && semver().valid(versions.installed)) {
    return semver().satisfies(versions.installed, range, { includePrerelease: true })
      ? (checkStatedVersion(name, versions, context.body, observed) ??
          confirmed(`${name} ${versions.installed} is installed (satisfies ${range})`, observed))
      : contradicted(`${name} is now ${versions.installed}, which does not satisfy ${range}`, observed);
  }
  if (versions.declared !== undefined) {
    if (semver().validRange(versions.declared) === null) {
      return unverifiable(
        `${name} is declared as ${JSON.stringify(versions.declared)}, not a version range, and is not installed`,
        observed,
      );
    }
    return semver().intersects(versions.declared, range, { includePrerelease: true })
      ? (checkStatedVersion(name, versions, context.body, observed) ??
          confirmed(`package.json declares ${name} ${versions.declared} (compatible with ${range}); not installed`, observed))
      : contradicted(`package.json now declares ${name} ${versions.declared}, which does not overlap ${range}`, observed);
  }
  if (!versions.hasManifest) return unverifiable(`the workspace has no package.json and ${name} is not installed`, observed);
  return contradicted(`${name} is no longer a dependency (not in package.json, not installed)`, observed);
}
