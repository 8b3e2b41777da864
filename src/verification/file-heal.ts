import { readFile } from 'node:fs/promises';
import type { CheckContext, EvidenceVerdict, FileEvidence } from './check-context.js';
import { findStatedValue } from './file-check.js';
import { findRenamedPath } from './git-renames.js';
import type { HealProposal } from './heal-replacements.js';
import { captureGroupCount, findPattern } from './text-pattern.js';
import { resolveWorkspacePath } from './workspace-path.js';

/** The captured values of the file now: from the verdict, or read again. */
async function capturedNow(evidence: FileEvidence, verdict: EvidenceVerdict, context: CheckContext): Promise<string[] | undefined> {
  const observed = verdict.observed?.['captured'];
  if (Array.isArray(observed) && observed.every((value): value is string => typeof value === 'string')) return observed;
  if (evidence.contains === undefined) return undefined;
  const resolved = await resolveWorkspacePath(context.workspace, evidence.path);
  if (!resolved.ok) return undefined;
  const text = await readFile(resolved.absolute, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const match = findPattern(evidence.contains, text);
  return match.matched && match.captures.length > 0 ? match.captures : undefined;
}

/** `contains: "port: (\d+)"`, body "port 8080", file now `port: 9090` → replace in the body. */
export async function healCapturedValue(
  evidence: FileEvidence,
  verdict: EvidenceVerdict,
  body: string,
  context: CheckContext,
): Promise<HealProposal | undefined> {
  if (evidence.contains === undefined || captureGroupCount(evidence.contains) === 0) return undefined;
  const current = await capturedNow(evidence, verdict, context);
  const stated = findStatedValue(evidence.contains, body);
  if (!current || !stated?.text) return undefined;
  let healed = stated.text;
  const changes: string[] = [];
  stated.captures.forEach((old, index) => {
    const now = current[index];
    if (now === undefined || old === '' || now === old) return;
    healed = healed.split(old).join(now);
    changes.push(`${old} → ${now}`);
  });
  if (changes.length === 0 || healed === stated.text) return undefined;
  return {
    evidence,
    replacements: [{ from: stated.text, to: healed }],
    reason: `${evidence.path} now says ${changes.join(', ')} (it matches ${evidence.contains})`,
  };
}

/** A file that is gone but that git shows as renamed: new path in the evidence and the body. */
export async function healRenamedFile(
  evidence: FileEvidence,
  verdict: EvidenceVerdict,
  body: string,
  context: CheckContext,
): Promise<HealProposal | undefined> {
  if (verdict.observed?.['exists'] !== false) return undefined;
  const renamed = await findRenamedPath(context, evidence.path);
  if (!renamed) return undefined;
  const old = evidence.path.replace(/^\.\//, '');
  const replacements = [evidence.path, old]
    .filter((path, index, all) => body.includes(path) && all.indexOf(path) === index)
    .map((from) => ({ from, to: renamed.path }));
  const via = renamed.via.map((commit) => (commit === 'staged' ? 'a staged rename' : commit.slice(0, 7))).join(', ');
  return { evidence: { ...evidence, path: renamed.path }, replacements, reason: `${old} was renamed to ${renamed.path} (git: ${via})` };
}
