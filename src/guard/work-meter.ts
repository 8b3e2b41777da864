/**
 * A counter of the work a scan or a redaction does, for tests of growth (4× the input must not
 * cost 16× the work) where a stopwatch would depend on the machine's load. It counts what the
 * guard's own code controls: characters handed to each regular-expression pass, characters
 * decoded and rescanned, and the follow-up work per match (a look-ahead, a severity or accept
 * function given the text, charged the window it may read). It does not see inside a regular
 * expression: the rules' patterns are kept linear by their shape (see secret-rules.ts), and the
 * milliseconds are in `bench/guard/`.
 */
export interface WorkMeter {
  steps: number;
}

/** The most a rule's severity or accept function reads around its match (the rules look back ≤ 2,000 characters). */
export const CONTEXT_WINDOW = 2_000;

/** Add `amount` steps to the meter, if there is one. */
export function charge(meter: WorkMeter | undefined, amount: number): void {
  if (meter) meter.steps += amount;
}
