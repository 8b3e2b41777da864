/**
 * importers: converters from other agents' transcript formats into mnemo transcript events.
 * Pure functions over text; the transcript log (discipline) writes what they return.
 */
export {
  convertClaudeCodeTranscript,
  groupBySubagent,
  subagentSessionId,
  TRANSCRIPT_FORMATS,
  CLAUDE_CODE_TOOL_TEXT_BYTES,
} from './claude-code-transcript.js';
export type { TranscriptFormat, ClaudeCodeConversion, ClaudeCodeConversionOptions } from './claude-code-transcript.js';
