import { readFile, writeFile } from 'node:fs/promises';
import { compareSlugs, parseIndex } from '../store/index.js';

/** A topic line of one version of MEMORY.md, with the heading it sits under. */
interface SideLine {
  raw: string;
  heading: string;
}

interface Side {
  title: string | undefined;
  headings: string[];
  lines: Map<string, SideLine>;
}

function readSide(text: string): Side {
  const parsed = new Map(parseIndex(text).lines.map((line) => [line.lineNumber, line]));
  const headings: string[] = [];
  const lines = new Map<string, SideLine>();
  let title: string | undefined;
  let heading = '';
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = parsed.get(index + 1);
    if (line?.slug !== undefined) {
      if (!lines.has(line.slug)) lines.set(line.slug, { raw: raw.trim(), heading });
      return;
    }
    const h1 = /^# (.+)$/.exec(raw.trim());
    if (h1 && title === undefined) title = h1[1];
    const h2 = /^## (.+)$/.exec(raw.trim());
    if (h2?.[1] !== undefined) {
      heading = h2[1].trim();
      if (!headings.includes(heading)) headings.push(heading);
    }
  });
  return { title, headings, lines };
}

function pick(a: SideLine, b: SideLine): SideLine {
  // Both sides changed the line: either is right until `mnemo git sync` renders it from the topic; pick the same one everywhere.
  return a.raw <= b.raw ? a : b;
}

/**
 * The merge of three versions of a rendered MEMORY.md (base, ours, theirs), without conflicts:
 * a topic line one side removed is removed, a line either side added is kept, a line one side
 * changed takes that change (both changed: the same one is chosen on every machine). The result
 * is laid out as mnemo renders it — headings in the order the sides use, lines by slug within a
 * heading — so merging two renders of the same topics gives the same bytes as rendering them.
 * MEMORY.md is derived: after the merge, `mnemo git sync` renders it again from the topic files.
 */
export function mergeIndexTexts(baseText: string, oursText: string, theirsText: string): string {
  const base = readSide(baseText);
  const ours = readSide(oursText);
  const theirs = readSide(theirsText);
  const merged = new Map<string, SideLine>();
  const slugs = new Set([...base.lines.keys(), ...ours.lines.keys(), ...theirs.lines.keys()]);
  for (const slug of slugs) {
    const was = base.lines.get(slug);
    const mine = ours.lines.get(slug);
    const other = theirs.lines.get(slug);
    if (was !== undefined && (mine === undefined || other === undefined)) continue; // removed on one side
    if (mine === undefined || other === undefined) {
      const only = mine ?? other;
      if (only) merged.set(slug, only);
      continue;
    }
    if (was === undefined) merged.set(slug, pick(mine, other));
    else if (mine.raw === was.raw) merged.set(slug, other);
    else if (other.raw === was.raw) merged.set(slug, mine);
    else merged.set(slug, pick(mine, other));
  }
  if (merged.size === 0) return '';
  const order = [...ours.headings];
  for (const heading of [...theirs.headings, ...base.headings]) if (!order.includes(heading)) order.push(heading);
  const byHeading = new Map<string, string[]>();
  for (const slug of [...merged.keys()].sort(compareSlugs)) {
    const line = merged.get(slug);
    if (!line) continue;
    if (!order.includes(line.heading)) order.push(line.heading);
    byHeading.set(line.heading, [...(byHeading.get(line.heading) ?? []), line.raw]);
  }
  const parts = [`# ${ours.title ?? theirs.title ?? 'Memory'}`];
  for (const heading of order) {
    const lines = byHeading.get(heading);
    if (!lines) continue;
    parts.push('', ...(heading === '' ? [] : [`## ${heading}`]), ...lines);
  }
  return `${parts.join('\n')}\n`;
}

/**
 * The merge driver (`mnemo git merge-index %O %A %B`): merges the three versions and writes the
 * result over `ours` (git's `%A`), as git expects. Never leaves a conflict in MEMORY.md.
 */
export async function mergeIndexFiles(basePath: string, oursPath: string, theirsPath: string): Promise<{ text: string; lines: number }> {
  const read = (path: string) => readFile(path, 'utf8').catch(() => '');
  const text = mergeIndexTexts(await read(basePath), await read(oursPath), await read(theirsPath));
  await writeFile(oursPath, text);
  return { text, lines: text === '' ? 0 : text.split('\n').length - 1 };
}
