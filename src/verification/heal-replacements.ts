import type { Evidence } from '../store/index.js';

/** A mechanical repair of a topic: new evidence and text replacements in its body. */
export interface HealProposal {
  /** The evidence item as it should now read (it may equal the old one). */
  evidence: Evidence;
  /** Exact text replacements in the body, each applied to every occurrence. */
  replacements: { from: string; to: string }[];
  /** What changed in the world, for the audit line and the superseding topic. */
  reason: string;
}

/** The body with every replacement of a proposal applied, in order. */
export function applyHeal(body: string, proposal: Pick<HealProposal, 'replacements'>): string {
  return proposal.replacements.reduce((text, { from, to }) => (from === '' ? text : text.split(from).join(to)), body);
}
