/** The per-prompt hook's default relevance threshold (bench/hook-bench.ts tunes it). */
export const PROMPT_THRESHOLD = 2.1;
