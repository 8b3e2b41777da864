import type { RawFinding, Severity } from './finding.js';
import { charge, type WorkMeter } from './work-meter.js';

/*
 * Text hidden by encoding: base64 (standard or URL-safe), hex, and runs of \xNN, %NN, \uNNNN or
 * &#NN; escapes. A run that decodes to readable text is scanned again (to a depth of two); if
 * that finds anything, the run is an `encoded-instructions` finding. A base64 run of 512 or more
 * characters is reported as `long-base64` (low): configs hold certificates and images, so length
 * alone stops nothing.
 */

const BASE64_RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{20,}={0,2}(?![A-Za-z0-9+/=_-])/g;
const HEX_RUN = /(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}){12,}(?![0-9A-Fa-f])/g;
const ESCAPE_RUN = /(?:\\x[0-9A-Fa-f]{2}){6,}|(?:%[0-9A-Fa-f]{2}){6,}|(?:\\u[0-9A-Fa-f]{4}){6,}|(?:&#(?:x[0-9A-Fa-f]{1,6}|\d{1,7});){6,}/g;
const LONG_BASE64 = 512;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Scans decoded text; returns its findings (offsets of the decoded text, unused here). */
export type DecodedScanner = (decoded: string) => Array<{ rule: string; severity: Severity }>;

export interface DecodeBudget {
  /** Characters of decoded text still allowed to be scanned in this scan. */
  left: number;
  /** Counts the work done: the runs decoded (each alignment tried) and the decoded text. */
  meter?: WorkMeter;
}

/** Readable text: valid UTF-8, almost all printable, with some whitespace (prose or a command). */
function asText(bytes: Uint8Array): string | undefined {
  if (bytes.length < 12) return undefined;
  let decoded: string;
  try {
    decoded = utf8.decode(bytes);
  } catch {
    return undefined;
  }
  const printable = decoded.match(/[\p{L}\p{N}\p{P}\p{S}\p{Zs}\t\r\n]/gu)?.length ?? 0;
  if (printable < decoded.length * 0.9) return undefined;
  // prose or a command has whitespace; an encoding inside an encoding is one long run
  if (!/\s/.test(decoded) && !/^[A-Za-z0-9+/_-]{20,}={0,2}$|^(?:[0-9A-Fa-f]{2}){12,}$/.test(decoded)) return undefined;
  return decoded;
}

function fromBase64(run: string): string | undefined {
  const standard = run.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (!/[0-9+/]/.test(standard) && !(/[A-Z]/.test(standard) && /[a-z]/.test(standard))) return undefined;
  // an attacker may shift the run by a character or two; try each alignment
  for (let shift = 0; shift < 4 && shift < standard.length - 16; shift++) {
    const text = asText(Buffer.from(standard.slice(shift), 'base64'));
    if (text !== undefined) return text;
  }
  return undefined;
}

function fromEscapes(run: string): string | undefined {
  let decoded: string;
  if (run.startsWith('\\x')) decoded = Buffer.from(run.replace(/\\x/g, ''), 'hex').toString('utf8');
  else if (run.startsWith('%')) decoded = Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8');
  else if (run.startsWith('\\u')) decoded = run.replace(/\\u([0-9A-Fa-f]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  else
    decoded = run.replace(/&#(x?)([0-9A-Fa-f]+);/g, (_, x: string, digits: string) =>
      String.fromCodePoint(Math.min(parseInt(digits, x ? 16 : 10), 0x10ffff)),
    );
  return asText(Buffer.from(decoded, 'utf8'));
}

function innerSeverity(inner: ReadonlyArray<{ severity: Severity }>): Severity {
  return inner.some((finding) => finding.severity !== 'low') ? 'high' : 'medium';
}

/** Findings for encoded runs in `text`. `scan` reads the decoded text; `budget` bounds the work. */
export function findEncodedPayloads(text: string, scan: DecodedScanner, budget: DecodeBudget): RawFinding[] {
  const findings: RawFinding[] = [];
  const examine = (start: number, run: string, decode: (run: string) => string | undefined, kind: string): boolean => {
    if (budget.left <= 0) return false;
    charge(budget.meter, 4 * run.length);
    const decoded = decode(run);
    if (decoded === undefined) return false;
    charge(budget.meter, decoded.length);
    budget.left -= decoded.length;
    // a long base64 run inside decoded text (a certificate in a kubeconfig) is not an instruction
    const inner = scan(decoded).filter((finding) => finding.rule !== 'long-base64');
    if (inner.length === 0) return false;
    const rules = [...new Set(inner.map((finding) => finding.rule))].join(', ');
    findings.push({
      rule: 'encoded-instructions',
      family: 'encoded-payload',
      severity: innerSeverity(inner),
      start,
      end: start + run.length,
      // never the decoded text itself: the message lands in quarantine lists and logs
      message: `${kind} text decodes to ${decoded.length} characters that trip the scan (${rules})`,
    });
    return true;
  };
  charge(budget.meter, 3 * text.length);
  for (const match of text.matchAll(BASE64_RUN)) {
    const flagged = examine(match.index, match[0], fromBase64, 'base64');
    if (!flagged && match[0].length >= LONG_BASE64 && !/^[0-9A-Fa-f]+$/.test(match[0])) {
      findings.push({
        rule: 'long-base64',
        family: 'encoded-payload',
        severity: 'low',
        start: match.index,
        end: match.index + match[0].length,
        message: `a ${match[0].length}-character base64 run`,
      });
    }
  }
  for (const match of text.matchAll(HEX_RUN)) examine(match.index, match[0], (run) => asText(Buffer.from(run, 'hex')), 'hex');
  for (const match of text.matchAll(ESCAPE_RUN)) examine(match.index, match[0], fromEscapes, 'escaped');
  return findings;
}
