import { confirmed, contradicted, unverifiable, type CheckContext, type CheckOutcome, type SymbolEvidence } from './check-context.js';
import { findSymbolDefinitions, unsafeGlobReason } from './symbol-definitions.js';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `MemoryWriter.write` → `write`; `parseConfig()` → `parseConfig`; undefined when not an identifier. */
export function symbolIdentifier(name: string): string | undefined {
  const last =
    name
      .trim()
      .replace(/\(\)$/, '')
      .split(/\.|::|#/)
      .pop() ?? '';
  return IDENTIFIER.test(last) ? last : undefined;
}

/**
 * `symbol` evidence: the identifier is still defined (a declaration, not a use) in a file
 * matching the glob. Observed: the files and `file:line` locations of its definitions.
 */
export async function checkSymbol(evidence: SymbolEvidence, context: CheckContext): Promise<CheckOutcome> {
  const identifier = symbolIdentifier(evidence.name);
  if (!identifier) return unverifiable(`${JSON.stringify(evidence.name)} is not an identifier`);
  const pattern = evidence.glob || '**/*';
  const unsafe = unsafeGlobReason(pattern);
  if (unsafe) return unverifiable(unsafe);
  const scan = await findSymbolDefinitions(context.workspace, identifier, pattern, context.signal ? { signal: context.signal } : {});
  const observed = { files: scan.files, locations: scan.locations, scannedFiles: scan.scannedFiles };
  if (scan.files.length > 0)
    return confirmed(
      `${evidence.name} is defined in ${scan.files.slice(0, 3).join(', ')}${scan.files.length > 3 ? ` and ${scan.files.length - 3} more` : ''}`,
      observed,
    );
  if (scan.matchedFiles === 0)
    return contradicted(`no file matches ${pattern} any more, so ${evidence.name} is not defined there`, observed);
  if (scan.capped)
    return unverifiable(
      `${evidence.name} was not found in the first ${scan.scannedFiles} files of ${pattern} (scan limit reached)`,
      observed,
    );
  return contradicted(`${evidence.name} is no longer defined in ${pattern} (${scan.scannedFiles} files scanned)`, observed);
}
