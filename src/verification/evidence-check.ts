import { describeError } from '../shared/index.js';
import { evidenceSchema, type Evidence } from '../store/index.js';
import { unverifiable, type CheckContext, type CheckOutcome, type EvidenceVerdict } from './check-context.js';
import { checkCommand } from './command-check.js';
import { raceDeadline } from './deadline.js';
import { checkEnv } from './env-check.js';
import { checkFile } from './file-check.js';
import { checkGit } from './git-check.js';
import { checkHttp } from './http-check.js';
import { checkPackage } from './package-check.js';
import { checkSymbol } from './symbol-check.js';

/** Time a check may take beyond the command timeout (a killed process needs a moment to go). */
const GRACE_MS = 2000;

async function runChecker(evidence: Evidence, context: CheckContext): Promise<CheckOutcome> {
  switch (evidence.kind) {
    case 'file':
      return checkFile(evidence, context);
    case 'symbol':
      return checkSymbol(evidence, context);
    case 'package':
      return checkPackage(evidence, context);
    case 'git':
      return checkGit(evidence, context);
    case 'command':
      return checkCommand(evidence, context);
    case 'http':
      return checkHttp(evidence, context);
    case 'env':
      return checkEnv(evidence, context);
  }
}

/**
 * Check one evidence item against the world as it is now. Never throws and never rejects: a
 * malformed item, a checker that fails, one that runs past the command timeout (plus a grace
 * period) or an aborted signal each yield `unverifiable` with the reason.
 */
export async function checkEvidence(evidence: Evidence, context: CheckContext): Promise<EvidenceVerdict> {
  const started = context.clock.now().getTime();
  const finish = (outcome: CheckOutcome): EvidenceVerdict => ({
    evidence,
    ...outcome,
    durationMs: Math.max(0, context.clock.now().getTime() - started),
  });
  const parsed = evidenceSchema.safeParse(evidence);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return finish(unverifiable(`the evidence is malformed: ${issue ? `${issue.path.join('.') || 'kind'}: ${issue.message}` : 'invalid'}`));
  }
  const limitMs = context.commandTimeoutMs + GRACE_MS;
  try {
    const work = runChecker(parsed.data, context);
    work.catch(() => undefined);
    const outcome = await raceDeadline(
      work,
      limitMs,
      context.signal,
      () => unverifiable(`the check did not finish within ${limitMs} ms`),
      () => unverifiable('the check was stopped before it finished'),
    );
    return finish(outcome);
  } catch (error) {
    return finish(unverifiable(`the check failed: ${describeError(error)}`));
  }
}
