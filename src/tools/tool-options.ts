/** How a surface builds the memory tools. */
export interface MemoryToolsOptions {
  /** Where the calls come from, kept as the provenance origin of what they write (`mcp`, `ai-sdk`). */
  origin: string;
  /** The session new tasks belong to (default: a new session per task). */
  session?: string | undefined;
}
