import semver from 'semver';
import type { CheckContext, EvidenceVerdict, PackageEvidence } from './check-context.js';
import type { HealProposal } from './heal-replacements.js';
import { readPackageVersions } from './package-versions.js';

const SIMPLE_RANGE = /^\s*([\^~]|>=|=)?\s*v?(\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.]+)?)\s*$/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `19.1.3` written with the precision of `18.2` → `19.1`. */
function withPrecision(version: string, like: string): string {
  if (like.includes('-')) return version;
  const parts = like.split('.').length;
  const parsed = semver.parse(version);
  if (!parsed || parsed.prerelease.length > 0) return version;
  return [parsed.major, parsed.minor, parsed.patch].slice(0, parts).join('.');
}

/**
 * A package whose installed (or declared) version left the range: a range of the same shape
 * around the new version, and the version written beside the package's name in the body.
 */
export async function healPackageVersion(
  evidence: PackageEvidence,
  _verdict: EvidenceVerdict,
  body: string,
  context: CheckContext,
): Promise<HealProposal | undefined> {
  const versions = await readPackageVersions(context.workspace, evidence.name);
  const now =
    versions.installed && semver.valid(versions.installed)
      ? versions.installed
      : versions.declared
        ? semver.minVersion(versions.declared)?.version
        : undefined;
  if (!now) return undefined;
  const simple = SIMPLE_RANGE.exec(evidence.range);
  const operator = simple?.[1] ?? '';
  const oldText = simple?.[2];
  const newRange = oldText === undefined ? `^${now}` : `${operator === '=' ? '' : operator}${withPrecision(now, oldText)}`;
  const replacements: { from: string; to: string }[] = [];
  if (oldText !== undefined) {
    // The body may state the version less precisely than the range ("zod 3.22" for ^3.22.0).
    const parts = oldText.split('.');
    const variants = [...new Set([oldText, parts.slice(0, 2).join('.')])].filter((variant) => variant.includes('.') || variant === oldText);
    for (const variant of variants) {
      const mention = new RegExp(
        `(?<![\\w@/.-])(${escapeRegExp(evidence.name)}(?:@|[ \\t]+v?))([\\^~]|>=)?${escapeRegExp(variant)}(?!\\.?\\w)`,
        'gi',
      );
      for (const match of body.matchAll(mention)) {
        const to = `${match[1] ?? ''}${match[2] ?? ''}${withPrecision(now, variant)}`;
        if (!replacements.some((item) => item.from === match[0]) && to !== match[0]) replacements.push({ from: match[0], to });
      }
    }
  }
  const source = versions.installed ? `installed ${versions.installed}` : `declared ${versions.declared ?? ''}`;
  return {
    evidence: { ...evidence, range: newRange },
    replacements,
    reason: `${evidence.name} is now ${source}; the topic had ${evidence.range}`,
  };
}
