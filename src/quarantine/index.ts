/**
 * quarantine: the user's review of what the guard held back: approve (written through the
 * discipline with the user as the source) or reject (kept as a recoverable record).
 */
export { approveQuarantined, rejectQuarantined } from './quarantine-review.js';
export type { ApproveResult } from './quarantine-review.js';
