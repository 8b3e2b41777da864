import type { Evidence } from '../store/index.js';
import type { CheckContext, EvidenceVerdict } from './check-context.js';
import { checkEvidence } from './evidence-check.js';
import { healCapturedValue, healRenamedFile } from './file-heal.js';
import { applyHeal, type HealProposal } from './heal-replacements.js';
import { healPackageVersion } from './package-heal.js';
import { healMovedSymbol } from './symbol-heal.js';

async function candidate(
  evidence: Evidence,
  verdict: EvidenceVerdict,
  body: string,
  context: CheckContext,
): Promise<HealProposal | undefined> {
  switch (evidence.kind) {
    case 'file':
      return (
        (await healCapturedValue(evidence, verdict, body, context)) ??
        (verdict.status === 'contradicted' ? await healRenamedFile(evidence, verdict, body, context) : undefined)
      );
    case 'symbol':
      return healMovedSymbol(evidence, verdict, body, context);
    case 'package':
      return verdict.status === 'contradicted' ? healPackageVersion(evidence, verdict, body, context) : undefined;
    default:
      return undefined;
  }
}

/**
 * A heal that needs no judgment, or undefined when none applies:
 * - a file git shows as renamed (committed, or staged with `git mv`): the new path, in the
 *   evidence and in the body;
 * - a `contains` capture group whose value changed (`port: (\d+)`, body says 8080, file 9090):
 *   the value in the body (also for a `confirmed` verdict checked without the body);
 * - a symbol now defined in another file than its narrow glob, or than the gone file the body
 *   names (git's last version of that file defined it): the glob and the path in the body;
 * - a package whose installed or declared version moved out of the range: the range, and the
 *   version next to the package's name in the body.
 * A proposal is returned only when its evidence is confirmed against the healed body now.
 * Never throws.
 */
export async function proposeHeal(
  evidence: Evidence,
  verdict: EvidenceVerdict,
  body: string,
  context: CheckContext,
): Promise<HealProposal | undefined> {
  if (verdict.status === 'unverifiable') return undefined;
  let proposal: HealProposal | undefined;
  try {
    proposal = await candidate(evidence, verdict, body, context);
  } catch {
    return undefined;
  }
  if (!proposal) return undefined;
  const healedBody = applyHeal(body, proposal);
  const recheck = await checkEvidence(proposal.evidence, { ...context, body: healedBody });
  return recheck.status === 'confirmed' ? proposal : undefined;
}
