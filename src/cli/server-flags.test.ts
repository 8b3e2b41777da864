import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-root.js';

const FLAGS = fileURLToPath(new URL('./server-flags.ts', import.meta.url));
const ATOMIC = fileURLToPath(new URL('../shared/atomic-write.ts', import.meta.url));

describe('untilSignal', () => {
  it('a SIGTERM while an atomic write has its temp file stops the server after the write, with exit 0; it is not killed', async () => {
    const dir = await tempDir();
    const script = join(dir, 'server.mts');
    const out = join(dir, 'out.txt');
    await writeFile(
      script,
      [
        `import { readdir } from 'node:fs/promises';`,
        `import { untilSignal } from ${JSON.stringify(FLAGS)};`,
        `import { writeFileAtomic } from ${JSON.stringify(ATOMIC)};`,
        `const stopped = untilSignal();`,
        `const write = writeFileAtomic(${JSON.stringify(out)}, 'x'.repeat(32 * 1024 * 1024));`,
        `while (!(await readdir(${JSON.stringify(dir)})).some((name) => name.startsWith('out.txt.'))) {}`,
        `process.kill(process.pid, 'SIGTERM');`,
        `await stopped;`,
        `await write;`,
        `process.exitCode = 0;`,
      ].join('\n'),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'ignore', 'inherit'] });
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    expect(exit).toEqual({ code: 0, signal: null });
    expect((await readFile(out)).length).toBe(32 * 1024 * 1024);
  });
});
