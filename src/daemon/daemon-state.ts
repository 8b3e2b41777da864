import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../shared/index.js';
import type { CheckRun } from './daemon-checks.js';
import type { PatchJobsState } from './patch-job.js';

/** What `mnemo daemon status` reads: kept by the running daemon in `.state/daemon/state.json`. */
export interface DaemonState {
  v: 1;
  pid: number;
  root: string;
  workspace: string;
  startedAt: string;
  status: 'starting' | 'watching' | 'running' | 'stopping' | 'stopped';
  /** When the daemon last said it was alive. */
  heartbeatAt: string;
  /** The step under way (a check, a dream), with when it began. */
  current: { step: string; since: string } | undefined;
  checks: Record<string, CheckState>;
  /** Checks run since the start, all together. */
  runs: number;
  /**
   * File changes seen and batches they made (a batch is one run of the change checks; batches that
   * came while a check ran are merged into one); `lastBatchSize` counts all its paths, `lastBatch`
   * shows the first 50, `paths` counts the paths of every batch since the start.
   */
  changes: { events: number; batches: number; lastBatch: string[]; lastBatchSize: number; paths: number };
  notifications: number;
  nextDream: string | undefined;
  lastDream: { time: string; status: string } | undefined;
  stoppedAt: string | undefined;
  /** The patch jobs: who writes them, the one under way, how the last one ended. */
  patches?: PatchJobsState;
}

export interface CheckState {
  command: string;
  on: ('change' | 'schedule')[];
  cron: string | undefined;
  detected: boolean;
  runs: number;
  last:
    | (Omit<CheckRun, 'diagnostics'> & { diagnostics: CheckRun['diagnostics']; signatures: string[]; lesson: string | undefined })
    | undefined;
  /** Since when it fails (its first failing run after a pass); undefined while it passes. */
  failingSince: string | undefined;
  nextRun: string | undefined;
}

/** The state file, or undefined when there is none or it is unreadable. */
export async function readDaemonState(path: string): Promise<DaemonState | undefined> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as DaemonState;
    return value.v === 1 ? value : undefined;
  } catch {
    return undefined;
  }
}

export async function writeDaemonState(path: string, state: DaemonState): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`);
}
