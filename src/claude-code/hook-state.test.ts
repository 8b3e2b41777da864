import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openMemory } from '../app/index.js';
import { tempDir } from '../../test/helpers/temp-root.js';
import { readSessionHookState, writeSessionHookState } from './hook-state.js';
import { runClaudeCodeHook } from './run-hook.js';

const NOW = new Date('2031-05-20T12:00:00Z');
const DAY = 86_400_000;

async function setAge(path: string, days: number): Promise<void> {
  const when = new Date(NOW.getTime() - days * DAY);
  await utimes(path, when, when);
}

describe('session-end prunes what the hooks keep per session', () => {
  it('drops hook states untouched for 30 days and offsets of deleted transcripts; keeps the rest', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, '.git'));
    const dir = join(cwd, '.mnemo');
    (await openMemory({ dir, create: true, config: { logLevel: 'silent' } })).close();
    const folder = join(dir, '.state', 'claude-code', 'sessions');

    await writeSessionHookState(dir, 'old-session', { injected: ['deploy'], lessons: [] });
    await writeSessionHookState(dir, 'recent-session', { injected: ['alpha'], lessons: ['lesson-x'] });
    const files = await readdir(folder);
    expect(files).toHaveLength(2);
    // Age them: which file is which is found by reading it back.
    for (const name of files) {
      const state = JSON.parse(await readFile(join(folder, name), 'utf8'));
      await setAge(join(folder, name), state.injected[0] === 'deploy' ? 45 : 2);
    }

    const transcript = join(cwd, 'live.jsonl');
    await writeFile(transcript, '');
    const gone = join(cwd, 'deleted-long-ago.jsonl');
    await writeFile(
      join(dir, '.state', 'claude-code-imports.json'),
      JSON.stringify({
        [transcript]: { offset: 0, session: 'recent-session', mnemoToolUses: [] },
        [gone]: { offset: 1234, session: 'old-session', mnemoToolUses: [] },
      }),
    );

    const run = await runClaudeCodeHook(
      'session-end',
      { session_id: 'recent-session', cwd, transcript_path: transcript },
      { cwd, now: () => NOW },
    );
    expect(run.notes.join('\n')).toMatch(/pruned 1 old session hook state\(s\) and 1 offset\(s\) of deleted transcripts/);
    expect(await readdir(folder)).toHaveLength(1);
    expect(await readSessionHookState(dir, 'recent-session')).toEqual({ injected: ['alpha'], lessons: ['lesson-x'] });
    expect(await readSessionHookState(dir, 'old-session')).toEqual({ injected: [], lessons: [] });
    const offsets = JSON.parse(await readFile(join(dir, '.state', 'claude-code-imports.json'), 'utf8'));
    expect(Object.keys(offsets)).toEqual([transcript]);
    expect(existsSync(transcript)).toBe(true);
  });

  it('keeps at most the 500 most recently used sessions', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, '.git'));
    const dir = join(cwd, '.mnemo');
    (await openMemory({ dir, create: true, config: { logLevel: 'silent' } })).close();
    const folder = join(dir, '.state', 'claude-code', 'sessions');
    for (let index = 0; index < 503; index += 1) {
      await writeSessionHookState(dir, `session-${index}`, { injected: [`topic-${index}`], lessons: [] });
    }
    for (const name of await readdir(folder)) {
      const state = JSON.parse(await readFile(join(folder, name), 'utf8'));
      // session-0 is the least recently used: ages 503 minutes down to 1 minute.
      const index = Number(state.injected[0].slice('topic-'.length));
      const when = new Date(NOW.getTime() - (503 - index) * 60_000);
      await utimes(join(folder, name), when, when);
    }
    await runClaudeCodeHook('session-end', { session_id: 'session-502', cwd }, { cwd, now: () => NOW });
    expect(await readdir(folder)).toHaveLength(500);
    for (const gone of ['session-0', 'session-1', 'session-2']) expect((await readSessionHookState(dir, gone)).injected).toEqual([]);
    expect((await readSessionHookState(dir, 'session-3')).injected).toEqual(['topic-3']);
  });
});
