/** How sure the guard is that a finding is an attack. The write policy acts on `medium` and up. */
export type Severity = 'low' | 'medium' | 'high';

export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high'];

/** The attack families the injection scan knows. */
export type InjectionFamily =
  | 'instruction-override'
  | 'role-spoofing'
  | 'invisible-characters'
  | 'hidden-content'
  | 'exfiltration'
  | 'encoded-payload'
  | 'dangerous-command';

/** What the scanned text is for; it changes how commands are judged. */
export type ScanPurpose = 'topic' | 'evidence-command' | 'transcript';

/** One suspicious span of a scanned text. `start`/`end` are UTF-16 offsets in that text. */
export interface Finding {
  rule: string;
  family: InjectionFamily;
  severity: Severity;
  start: number;
  end: number;
  /** The span as safe, short, visible text (invisible characters shown as ⟨U+XXXX⟩). */
  excerpt: string;
  /** One sentence a person can act on: what the text tries to do. */
  message: string;
}

/** A finding before its offsets are mapped back to the input and its severity is settled. */
export interface RawFinding {
  rule: string;
  family: InjectionFamily;
  severity: Severity;
  start: number;
  end: number;
  message: string;
  /** Raised one level when the text elsewhere addresses an AI agent. */
  boostWhenAddressed?: boolean;
  /** This finding is the text addressing an AI agent (it raises the others). */
  addressesAgent?: boolean;
  /** A region a reader does not see (comment, hidden element); findings inside it are raised. */
  hiddenRegion?: boolean;
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** One level up, at most `high`. */
export function raiseSeverity(severity: Severity): Severity {
  return severity === 'low' ? 'medium' : 'high';
}

/** One level down, at least `low`. */
export function lowerSeverity(severity: Severity): Severity {
  return severity === 'high' ? 'medium' : 'low';
}

export function atLeast(severity: Severity, floor: Severity): boolean {
  return severityRank(severity) >= severityRank(floor);
}
