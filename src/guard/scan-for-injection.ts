import { COMMAND_RULES } from './command-rules.js';
import { findEncodedPayloads, type DecodeBudget } from './encoded-payloads.js';
import { findExfiltrationLinks } from './exfiltration-links.js';
import { lowerSeverity, raiseSeverity, severityRank, type Finding, type RawFinding, type ScanPurpose, type Severity } from './finding.js';
import { findHiddenContent } from './hidden-content.js';
import { INJECTION_RULES, type InjectionRule } from './injection-rules.js';
import { findInvisibleCharacters } from './invisible-characters.js';
import { INSTRUCTION_RULES } from './instruction-rules.js';
import { normalizeForScan, originalSpan } from './normalize-text.js';
import { CONTEXT_WINDOW, charge, type WorkMeter } from './work-meter.js';
import { excerptOf } from '../shared/index.js';
import { STRUCTURE_RULES, findStructuralSignals } from './structural-signals.js';

export interface ScanOptions {
  /**
   * What the text will become. `topic` (default): topic text. `evidence-command`: a command that
   * verification would run, so every dangerous-command finding is `high`. `transcript`: a raw
   * session record, where the agent's own commands are expected, so command findings are one
   * level lower.
   */
  purpose?: ScanPurpose;
  /** Counts the work done (for tests of growth); see WorkMeter. */
  meter?: WorkMeter;
}

/**
 * Where the guard's code lives (its folder holds every rule and detector), so that a cache of
 * scan results can be keyed by the code that produced them: see `guardCodeFingerprint` in recall.
 */
export const GUARD_CODE_URL: string = import.meta.url;

const RULES: readonly InjectionRule[] = [...INJECTION_RULES, ...INSTRUCTION_RULES, ...STRUCTURE_RULES, ...COMMAND_RULES];
/** Decoded text is scanned again, but not decoded text inside decoded text inside decoded text. */
const MAX_DEPTH = 2;

function ruleSeverity(
  rule: InjectionRule,
  match: RegExpExecArray,
  text: string,
  purpose: ScanPurpose,
  meter?: WorkMeter,
): Severity | undefined {
  if (typeof rule.severity === 'function') charge(meter, match[0].length + (rule.severity.length > 1 ? CONTEXT_WINDOW : 0));
  const base = typeof rule.severity === 'function' ? rule.severity(match, text) : rule.severity;
  if (base === undefined || !rule.command) return base;
  if (purpose === 'evidence-command') return 'high';
  if (purpose === 'transcript') return lowerSeverity(base);
  return base;
}

const QUOTES: Record<string, string> = { '"': '"', "'": "'", '`': '`', '“': '”', '‘': '’', '«': '»' };

/**
 * Whether a match is quoted: `phrases like "ignore previous instructions"` or `` `<|endoftext|>` ``
 * talk about an attack rather than make one. The opening quote sits right before the match and
 * its closing quote follows on the same line.
 */
function isQuotedMention(text: string, start: number, end: number, meter?: WorkMeter): boolean {
  const close = QUOTES[text.charAt(start - 1)];
  if (close === undefined) return false;
  const rest = text.slice(end, end + 80);
  charge(meter, rest.length);
  const lineEnd = rest.indexOf('\n');
  const closeAt = rest.indexOf(close);
  return closeAt >= 0 && (lineEnd < 0 || closeAt < lineEnd);
}

function runRules(text: string, purpose: ScanPurpose, meter?: WorkMeter): RawFinding[] {
  const findings: RawFinding[] = [];
  for (const rule of RULES) {
    charge(meter, text.length);
    for (const match of text.matchAll(rule.pattern)) {
      charge(meter, match[0].length);
      if (match[0].length === 0) continue;
      let severity = ruleSeverity(rule, match, text, purpose, meter);
      if (severity === undefined) continue;
      if (
        (rule.family === 'instruction-override' || rule.family === 'role-spoofing') &&
        isQuotedMention(text, match.index, match.index + match[0].length, meter)
      )
        severity = 'low';
      findings.push({
        rule: rule.id,
        family: rule.family,
        severity,
        start: match.index,
        end: match.index + match[0].length,
        message: rule.message,
        ...(rule.boostWhenAddressed ? { boostWhenAddressed: true } : {}),
        ...(rule.addressesAgent ? { addressesAgent: true } : {}),
      });
    }
  }
  return findings;
}

/** Whether [start, end) lies inside one of the sorted, disjoint `regions`. */
function insideAny(regions: ReadonlyArray<{ start: number; end: number }>, start: number, end: number): boolean {
  let low = 0;
  let high = regions.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const region = regions[middle];
    if (!region) break;
    if (region.end <= start) low = middle + 1;
    else if (region.start > start) high = middle - 1;
    else return end <= region.end;
  }
  return false;
}

function mergeRegions(regions: ReadonlyArray<{ start: number; end: number }>): Array<{ start: number; end: number }> {
  const merged: Array<{ start: number; end: number }> = [];
  for (const region of [...regions].sort((a, b) => a.start - b.start)) {
    const last = merged[merged.length - 1];
    if (last && region.start <= last.end) last.end = Math.max(last.end, region.end);
    else merged.push({ ...region });
  }
  return merged;
}

/** Raise findings inside hidden regions, and the ones that matter more when an agent is addressed. */
function settle(findings: RawFinding[], hiddenRegions: ReadonlyArray<{ start: number; end: number }>): RawFinding[] {
  const regions = mergeRegions(hiddenRegions);
  const addressed = findings.some((finding) => finding.addressesAgent);
  return findings.map((finding) => {
    let { severity, message } = finding;
    if (addressed && finding.boostWhenAddressed) {
      severity = raiseSeverity(severity);
      message = `${message}, in text that addresses an AI agent`;
    }
    if (!finding.hiddenRegion && insideAny(regions, finding.start, finding.end)) {
      severity = raiseSeverity(severity);
      message = `${message}, hidden from a reader`;
    }
    return { ...finding, severity, message };
  });
}

/** Findings of `text` in its own offsets, with severities settled. */
function scanText(text: string, purpose: ScanPurpose, depth: number, budget: DecodeBudget): RawFinding[] {
  const normalized = normalizeForScan(text);
  const view = normalized.text;
  // normalizing, hidden content, links, structural signals and invisible characters: one pass each
  charge(budget.meter, text.length + 4 * view.length);
  const hidden = findHiddenContent(view);
  const found: RawFinding[] = [
    ...hidden.findings,
    ...runRules(view, purpose, budget.meter),
    ...findExfiltrationLinks(view),
    ...findStructuralSignals(view),
  ];
  if (depth < MAX_DEPTH) {
    found.push(...findEncodedPayloads(view, (decoded) => scanText(decoded, 'topic', depth + 1, budget), budget));
  }
  const mapped = settle(found, hidden.regions).map((finding) => ({ ...finding, ...originalSpan(normalized, finding.start, finding.end) }));
  return [...findInvisibleCharacters(text), ...mapped];
}

/** One finding per rule and span: overlapping findings of one rule are merged, keeping the higher severity. */
function dedupe(findings: RawFinding[]): RawFinding[] {
  const sorted = [...findings].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: RawFinding[] = [];
  const lastByRule = new Map<string, RawFinding>();
  for (const finding of sorted) {
    const last = lastByRule.get(finding.rule);
    if (last && finding.start < last.end) {
      last.end = Math.max(last.end, finding.end);
      if (severityRank(finding.severity) > severityRank(last.severity)) {
        last.severity = finding.severity;
        last.message = finding.message;
      }
      continue;
    }
    const copy = { ...finding };
    kept.push(copy);
    lastByRule.set(finding.rule, copy);
  }
  return kept;
}

/**
 * Look for prompt-injection in `text`: instructions aimed at an agent, spoofed roles and turn
 * markers, invisible characters, hidden comments and elements, data-exfiltration links, encoded
 * payloads and dangerous commands. Returns findings sorted by position, each with a rule id,
 * family, severity, span (UTF-16 offsets of `text`), a visible excerpt and a message.
 *
 * Matching runs on a normalized view (invisible characters removed, NFKC, look-alike letters
 * read as Latin), so `ign\u200Bore previous instructions` is caught; spans point into `text`
 * as given. Pure, never throws, linear in the length of the text.
 */
export function scanForInjection(text: string, options: ScanOptions = {}): Finding[] {
  const purpose = options.purpose ?? 'topic';
  const budget: DecodeBudget = { left: 2 * text.length + 65_536, ...(options.meter ? { meter: options.meter } : {}) };
  return dedupe(scanText(text, purpose, 0, budget)).map((finding) => ({
    rule: finding.rule,
    family: finding.family,
    severity: finding.severity,
    start: finding.start,
    end: finding.end,
    excerpt: excerptOf(text, finding.start, finding.end),
    message: finding.message,
  }));
}
