import { readFileSync } from 'node:fs';

/**
 * The model-facing description of a tool, kept in `src/tools/<file>.md` (copied beside the
 * compiled code by the build). Read when the tools are built, never at import.
 */
export function toolDescription(file: string): string {
  return readFileSync(new URL(`./${file}.md`, import.meta.url), 'utf8').trim();
}
