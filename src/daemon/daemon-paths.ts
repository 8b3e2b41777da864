import { join } from 'node:path';
import { stateDirFor } from '../config/index.js';

/** Where one memory root's daemon keeps its lock, pid, log, state and notifications. */
export interface DaemonPaths {
  dir: string;
  /** Held for the daemon's whole life: one daemon per memory root. */
  lock: string;
  pid: string;
  log: string;
  state: string;
}

/** The daemon's files, under `.state/daemon/` of the memory root. */
export function daemonPaths(root: string): DaemonPaths {
  const dir = join(stateDirFor(root), 'daemon');
  return {
    dir,
    lock: join(dir, 'daemon.lock'),
    pid: join(dir, 'daemon.pid'),
    log: join(dir, 'daemon.log'),
    state: join(dir, 'state.json'),
  };
}
