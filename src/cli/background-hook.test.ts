import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { backgroundFields, backgroundHookArgs, runBackgroundHook } from './background-hook.js';

describe('the per-turn hooks on their short path', () => {
  it('takes `hook stop|subagent-stop|session-end` with root flags, and leaves everything else to the full CLI', () => {
    expect(backgroundHookArgs(['hook', 'stop'])).toEqual({ event: 'stop', rootArgs: [] });
    expect(backgroundHookArgs(['hook', 'session-end', '--dir', '/data/my memory', '--memory', 'claude'])).toEqual({
      event: 'session-end',
      rootArgs: ['--dir', '/data/my memory', '--memory', 'claude'],
    });
    for (const argv of [
      ['hook', 'session-start'],
      ['hook', 'user-prompt-submit'],
      ['hook', 'stop', '--foreground'],
      ['hook', 'stop', '--help'],
      ['hook', 'stop', '--dir=/x'],
      ['hook', 'stop', '--dir'],
      ['hook', 'stop', '--dir', 'a', '--dir', 'b'],
      ['hook', 'stop', '--memory', 'other'],
      ['hook', 'stop', 'extra'],
      ['recall', 'stop'],
      ['--dir', 'x', 'hook', 'stop'],
    ])
      expect({ argv, parsed: backgroundHookArgs(argv) }).toEqual({ argv, parsed: undefined });
  });

  it('hands a payload that is not a JSON object to the full CLI (which says what is wrong), starting nothing', async () => {
    const io = (stdin: string) => ({
      stdout: { write: () => true },
      stderr: { write: () => true },
      stdin: Readable.from([stdin]),
      cwd: '/',
      isTty: false,
    });
    expect(await runBackgroundHook(['hook', 'stop', '--dir', '/m'], io('not json'))).toEqual({
      fallback: ['hook', 'stop', '--payload=not json', '--dir', '/m'],
    });
    expect(await runBackgroundHook(['hook', 'subagent-stop'], io('[1]'))).toEqual({ fallback: ['hook', 'subagent-stop', '--payload=[1]'] });
    expect(await runBackgroundHook(['list'], io(''))).toBeUndefined();
  });

  it('passes on only the string fields the background work reads', () => {
    expect(
      backgroundFields({ session_id: 's', transcript_path: '/t.jsonl', prompt: 'secret', stop_hook_active: true, agent_id: 7 }),
    ).toEqual({
      session_id: 's',
      transcript_path: '/t.jsonl',
    });
  });
});
