import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { extname } from 'node:path';
import type { CheckContext, EvidenceVerdict, SymbolEvidence } from './check-context.js';
import { lastKnownContent } from './git-renames.js';
import type { HealProposal } from './heal-replacements.js';
import { symbolIdentifier } from './symbol-check.js';
import { declarationPattern, definitionPattern, findSymbolDefinitions } from './symbol-definitions.js';
import { resolveWorkspacePath } from './workspace-path.js';

/** Paths the body names (in backticks or not) that no longer exist in the workspace. */
async function gonePathsInBody(body: string, extension: string, context: CheckContext): Promise<string[]> {
  const names = new Set<string>();
  for (const match of body.matchAll(/(?<![\w./-])((?:\.\/)?[\w.@-]+(?:\/[\w.@-]+)+)(?![\w/-])/g)) {
    const path = (match[1] ?? '').replace(/[.,;:]+$/, '');
    if (extname(path) === extension) names.add(path);
  }
  const gone: string[] = [];
  for (const path of names) {
    const resolved = await resolveWorkspacePath(context.workspace, path);
    if (resolved.ok && !existsSync(resolved.absolute)) gone.push(path);
  }
  return gone;
}

/**
 * A symbol found in a file other than the one the topic knew: its narrow glob no longer has it
 * (contradicted), or the body names a file that is gone and whose last version in git defined it.
 * Only a declaration counts as the new home (not an assignment or a re-export of the name).
 */
export async function healMovedSymbol(
  evidence: SymbolEvidence,
  verdict: EvidenceVerdict,
  body: string,
  context: CheckContext,
): Promise<HealProposal | undefined> {
  const identifier = symbolIdentifier(evidence.name);
  if (!identifier) return undefined;
  const glob = evidence.glob || '**/*';
  const broad = glob === '**/*' || glob === '**';
  if (verdict.status === 'contradicted' && broad) return undefined;
  const scan = await findSymbolDefinitions(context.workspace, identifier, '**/*', context.signal ? { signal: context.signal } : {});
  if (scan.files.length !== 1) return undefined;
  const [file] = scan.files as [string];
  // Moved means declared there: `exports.name = other` or `export { x as name }` is another thing.
  const there = await readFile(join(context.workspace, file), 'utf8').catch(() => '');
  if (!declarationPattern(identifier).test(there)) return undefined;
  // tinyglobby (with picomatch and fdir) loads with the first symbol check, not with every command.
  const { isDynamicPattern } = await import('tinyglobby');
  const literalGlob = !isDynamicPattern(glob);
  let oldPaths: string[] = [];
  if (verdict.status === 'contradicted') {
    oldPaths = literalGlob && body.includes(glob) ? [glob] : [];
  } else {
    const definedThere = definitionPattern(identifier);
    for (const path of await gonePathsInBody(body, extname(file), context)) {
      const before = await lastKnownContent(context, path.replace(/^\.\//, ''));
      if (before !== undefined && definedThere.test(before)) oldPaths.push(path);
    }
    if (oldPaths.length !== 1) return undefined;
  }
  const newGlob = verdict.status === 'contradicted' ? file : glob;
  const was = oldPaths[0] ?? glob;
  return {
    evidence: { ...evidence, glob: newGlob },
    replacements: oldPaths.map((from) => ({ from, to: file })),
    reason: `${evidence.name} is now defined in ${file}, not in ${was}`,
  };
}
