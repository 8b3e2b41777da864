/**
 * doctor: checks a memory root end to end (index, topics, manifest, locks, journals, transcript
 * findings) and repairs what it safely can.
 */
export { runDoctor } from './doctor.js';
export type { DoctorReport, DoctorOptions, HandEdit } from './doctor.js';
export { findGitConflicts } from './git-conflicts.js';
export type { GitConflict, ConflictSide } from './git-conflicts.js';
