/** The fields of a Claude Code hook payload (JSON on stdin) that mnemo reads; the rest is ignored. */
export interface HookPayload {
  session_id?: string;
  transcript_path?: string;
  cwd?: string;
  hook_event_name?: string;
  /** SessionStart: startup, resume, clear or compact. */
  source?: string;
  /** SessionEnd: clear, logout, prompt_input_exit, other. */
  reason?: string;
  /** UserPromptSubmit: what the user typed. */
  prompt?: string;
  /** SubagentStop: the subagent's id, its type and its own transcript (`<session>/subagents/agent-<id>.jsonl`). */
  agent_id?: string;
  agent_type?: string;
  agent_transcript_path?: string;
  stop_hook_active?: boolean;
}

const STRING_FIELDS = [
  'session_id',
  'transcript_path',
  'cwd',
  'hook_event_name',
  'source',
  'reason',
  'prompt',
  'agent_id',
  'agent_type',
  'agent_transcript_path',
] as const;

/** Parse a hook payload; anything that is not a JSON object reads as an empty payload. */
export function parseHookPayload(text: string): HookPayload {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
    const record = value as Record<string, unknown>;
    const payload: HookPayload = {};
    for (const key of STRING_FIELDS) {
      const found = record[key];
      if (typeof found === 'string') payload[key] = found;
    }
    if (typeof record.stop_hook_active === 'boolean') payload.stop_hook_active = record.stop_hook_active;
    return payload;
  } catch {
    return {};
  }
}
