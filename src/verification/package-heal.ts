import type { CheckContext, EvidenceVerdict, PackageEvidence } from './check-context.js';
import type { HealProposal } from './heal-replacements.js';
import { readPackageVersions, versionNow, withPrecision } from './package-versions.js';

const SIMPLE_RANGE = /^\s*([\^~]|>=|=)?\s*v?(\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.]+)?)\s*$/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
  const simple = SIMPLE_RANGE.exec(evidence.range);
  const operator = simple?.[1] ?? '';
  const oldText = simple?.[2];
  // The range follows the installed version (as the range check does); a mention in the body with
  // an operator (`zod ^4.2.0`) follows the declared range, a bare one the installed version.
  const now = versionNow({ operator: '' }, versions);
  if (!now) return undefined;
  const newRange = oldText === undefined ? `^${now}` : `${operator === '=' ? '' : operator}${withPrecision(now, oldText)}`;
  const replacements: { from: string; to: string }[] = [];
  if (oldText !== undefined) {
    // The body may state the version less precisely than the range ("zod 3.22" for ^3.22.0).
    const parts = oldText.split('.');
    const variants = [...new Set([oldText, parts.slice(0, 2).join('.')])].filter((variant) => variant.includes('.') || variant === oldText);
    for (const variant of variants) {
      const mention = new RegExp(
        `(?<![\\w@/.-])(${escapeRegExp(evidence.name)}\`?(?:@|[ \\t]+v?))([\\^~]|>=)?${escapeRegExp(variant)}(?!\\.?\\w)`,
        'gi',
      );
      for (const match of body.matchAll(mention)) {
        const mentionNow = versionNow({ operator: match[2] ?? '' }, versions) ?? now;
        const to = `${match[1] ?? ''}${match[2] ?? ''}${withPrecision(mentionNow, variant)}`;
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
