/**
 * doctor: checks a memory root end to end (index, topics, manifest, locks, journals, transcript
 * findings) and repairs what it safely can.
 */
export { runDoctor } from './doctor.js';
export type { DoctorReport, DoctorOptions, HandEdit } from './doctor.js';
