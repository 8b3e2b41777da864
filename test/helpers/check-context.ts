import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { systemClock } from '../../src/shared/index.js';
import type { CheckContext } from '../../src/verification/index.js';

/** A check context for a workspace: trusted, no commands, no HTTP, unless overridden. */
export function checkContext(workspace: string, overrides: Partial<CheckContext> = {}): CheckContext {
  return {
    workspace,
    clock: systemClock,
    trust: 'trusted',
    allowCommands: false,
    allowHttp: false,
    allowedHosts: [],
    commandTimeoutMs: 5000,
    ...overrides,
  };
}

/** Write one file under a root, creating its folders. */
export async function put(root: string, path: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
}
