import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { redactSecrets } from '../guard/index.js';
import { INDEX_FILE, conflictMarkerLine, listTopicFiles } from '../store/index.js';

/** One side of a git conflict, in words: which branch, and what it says. */
export interface ConflictSide {
  /** The label git wrote after the markers (`HEAD`, a branch name, a commit). */
  label: string;
  /** The side's `description:` (or first changed line), shortened, secrets redacted. */
  summary: string;
  lines: number;
}

/** A memory file that a merge left with git conflict markers: unreadable until a person resolves it. */
export interface GitConflict {
  file: string;
  /** The first line with `<<<<<<<`. */
  line: number;
  /** How many conflict blocks the file holds. */
  blocks: number;
  ours: ConflictSide;
  theirs: ConflictSide;
  /** What to do, with the file's name. */
  resolve: string;
}

interface Block {
  start: number;
  ours: string[];
  theirs: string[];
  oursLabel: string;
  theirsLabel: string;
}

function conflictBlocks(text: string): Block[] {
  const lines = text.split(/\r?\n/);
  const blocks: Block[] = [];
  let current: Block | undefined;
  let side: 'ours' | 'base' | 'theirs' = 'ours';
  lines.forEach((line, index) => {
    if (current === undefined) {
      const open = /^<{7}(?: (.*))?$/.exec(line);
      if (open) {
        current = { start: index + 1, ours: [], theirs: [], oursLabel: open[1]?.trim() ?? '', theirsLabel: '' };
        side = 'ours';
      }
      return;
    }
    if (/^\|{7}(?: .*)?$/.test(line)) side = 'base';
    else if (/^={7}$/.test(line)) side = 'theirs';
    else if (/^>{7}(?: (.*))?$/.test(line) && side === 'theirs') {
      current.theirsLabel = /^>{7}(?: (.*))?$/.exec(line)?.[1]?.trim() ?? '';
      blocks.push(current);
      current = undefined;
    } else if (side === 'ours') current.ours.push(line);
    else if (side === 'theirs') current.theirs.push(line);
  });
  return blocks;
}

function summarize(lines: readonly string[]): string {
  const description = lines.map((line) => /^description:\s*(.+)$/.exec(line)?.[1]).find((value) => value !== undefined);
  const first =
    description ??
    lines.map((line) => line.trim()).find((line) => line !== '' && line !== '---') ??
    '(nothing: this side removed these lines)';
  const text = redactSecrets(first.replace(/^["']|["']$/g, '')).text;
  return [...text].length > 100 ? `${[...text].slice(0, 99).join('')}…` : text;
}

function side(blocks: readonly Block[], which: 'ours' | 'theirs'): ConflictSide {
  const lines = blocks.flatMap((block) => block[which]);
  const label = blocks[0]?.[which === 'ours' ? 'oursLabel' : 'theirsLabel'] ?? '';
  return { label: label === '' ? which : label, summary: summarize(lines), lines: lines.length };
}

/**
 * The memory files (topics and MEMORY.md) that hold git conflict markers, each with both sides
 * in words and how to resolve it. Reads files only; never runs git.
 */
export async function findGitConflicts(root: string): Promise<GitConflict[]> {
  const { files } = await listTopicFiles(root);
  const conflicts: GitConflict[] = [];
  for (const file of [...files.map((entry) => `${entry.slug}.md`), INDEX_FILE]) {
    let text: string;
    try {
      text = await readFile(join(root, file), 'utf8');
    } catch {
      continue;
    }
    const line = conflictMarkerLine(text);
    if (line === undefined) continue;
    const blocks = conflictBlocks(text);
    if (blocks.length === 0) continue;
    const resolve =
      file === INDEX_FILE
        ? `MEMORY.md is rendered from the topics: take either side (git checkout --ours ${file}), then run mnemo index (or mnemo git sync) and git add it; mnemo git setup installs a merge driver that avoids this.`
        : `Edit ${file}: keep one side or combine both, delete the <<<<<<< ======= >>>>>>> lines, then git add ${file} and commit (git checkout --ours/--theirs ${file} takes one side whole); mnemo git sync then updates MEMORY.md and search. Until then the topic is never given to an agent.`;
    conflicts.push({ file, line, blocks: blocks.length, ours: side(blocks, 'ours'), theirs: side(blocks, 'theirs'), resolve });
  }
  return conflicts;
}
