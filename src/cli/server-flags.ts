import { MnemoError } from '../shared/index.js';

/** `--port`: an integer 0-65535 (0 picks a free one); anything else is a usage error. */
export function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new MnemoError('usage', `--port must be a port number (0-65535; 0 picks a free one), not ${JSON.stringify(value)}.`);
  }
  return port;
}

/**
 * Resolves on the first SIGINT or SIGTERM: how a serving command (mcp --http, ui) knows to stop.
 * A second signal ends the process. The handlers go after the signal has been handled, not while:
 * an atomic write under way has signal-exit listening too, and signal-exit, finding itself the
 * only listener of the signal it is handling, ends the process (the work under way cut off).
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      setImmediate(() => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      });
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
