import { confirmed, contradicted, unverifiable, type CheckContext, type CheckOutcome, type EnvEvidence } from './check-context.js';

/**
 * `env` evidence: the variable is set (non-empty) in the environment the app passed. Its value
 * is never read into the verdict. Without an environment in the context, unverifiable.
 */
export async function checkEnv(evidence: EnvEvidence, context: CheckContext): Promise<CheckOutcome> {
  if (context.env === undefined) return unverifiable('no environment was given to check against');
  const value = Object.hasOwn(context.env, evidence.name) ? context.env[evidence.name] : undefined;
  if (value === undefined || value === '') return contradicted(`${evidence.name} is not set`, { set: false });
  return confirmed(`${evidence.name} is set`, { set: true });
}
