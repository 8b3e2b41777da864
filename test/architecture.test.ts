import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * The layer rules of DESIGN.md, checked without dependency-cruiser (which `npm run lint` also
 * runs): a violation fails the tests even where lint is skipped.
 */
const ROOT = join(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');
const { layers } = JSON.parse(readFileSync(join(ROOT, 'architecture.layers.json'), 'utf8')) as { layers: string[][] };
const layerOf = (folder: string) => layers.findIndex((layer) => layer.includes(folder));
const PROCESS_OWNERS = new Set(['cli', 'mcp', 'daemon', 'ui']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

const withoutComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
const files = sourceFiles(SRC).map((path) => ({ path, rel: relative(SRC, path), text: withoutComments(readFileSync(path, 'utf8')) }));
const folderOf = (rel: string) => (rel.includes('/') ? rel.split('/')[0] : undefined);

function imports(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const target = match[1] ?? match[2];
    if (target) found.push(target);
  }
  return found;
}

function resolveTarget(fromRel: string, target: string): string | undefined {
  if (!target.startsWith('.')) return undefined;
  const base = join(SRC, fromRel, '..', target);
  return relative(SRC, base).replace(/\.js$/, '.ts');
}

describe('architecture', () => {
  it('every folder under src/ has a layer', () => {
    const folders = readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory());
    for (const folder of folders)
      expect(layerOf(folder), `src/${folder} has no layer in architecture.layers.json`).toBeGreaterThanOrEqual(0);
  });

  it('lower layers never import higher ones, nor folders on their own layer, and enter folders through index.ts', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = folderOf(file.rel);
      if (from === undefined) continue;
      for (const target of imports(file.text)) {
        const resolved = resolveTarget(file.rel, target);
        if (resolved === undefined) continue;
        const to = folderOf(resolved);
        if (to === undefined || to === from) continue;
        if (layerOf(to) >= layerOf(from)) violations.push(`${file.rel} imports ${resolved} (layer ${layerOf(from)} → ${layerOf(to)})`);
        if (resolved !== `${to}/index.ts`) violations.push(`${file.rel} imports ${resolved}: enter ${to}/ through its index.ts`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('folder entries name their exports (no export *)', () => {
    const offenders = files.filter((file) => file.rel.endsWith('index.ts') && /export\s+\*/.test(file.text)).map((file) => file.rel);
    expect(offenders).toEqual([]);
  });

  it('library code never writes to stdout, never exits the process, and only config reads the environment', () => {
    const offenders: string[] = [];
    for (const file of files) {
      const folder = folderOf(file.rel);
      if (folder === undefined || PROCESS_OWNERS.has(folder)) continue;
      if (/process\.stdout|console\.(log|info|debug)\(|process\.exit\(/.test(file.text)) offenders.push(`${file.rel}: stdout or exit`);
      if (folder !== 'config' && /process\.env\b/.test(file.text)) offenders.push(`${file.rel}: reads process.env`);
    }
    expect(offenders).toEqual([]);
  });

  it('every write passes the guard: topics only through the journaled change set, transcripts only through the redacting log', () => {
    const allowed: Record<string, string[]> = {
      writeTopicFile: ['store/', 'discipline/change-set.ts'],
      moveTopicToTrash: ['store/'],
      writeIndexFile: ['store/', 'discipline/memory-writer.ts'],
      appendTranscript: ['store/', 'discipline/transcript-log.ts'],
    };
    const offenders: string[] = [];
    for (const [name, places] of Object.entries(allowed)) {
      for (const file of files) {
        if (new RegExp(`\\b${name}\\(`).test(file.text) && !places.some((place) => file.rel.startsWith(place)))
          offenders.push(`${file.rel} calls ${name}`);
      }
    }
    expect(offenders).toEqual([]);
    const changeSet = files.find((file) => file.rel === 'discipline/change-set.ts')?.text ?? '';
    const transcriptLog = files.find((file) => file.rel === 'discipline/transcript-log.ts')?.text ?? '';
    expect(changeSet).toMatch(/redactSecrets\(/);
    expect(transcriptLog).toMatch(/redactDeep\(/);
  });

  it('only discipline/ writes topics and the index', () => {
    const writers = /\b(writeTopicFile|writeIndexFile|moveTopicToTrash)\b/;
    const offenders = files
      .filter((file) => writers.test(file.text))
      .map((file) => file.rel)
      .filter((rel) => !rel.startsWith('discipline/') && !rel.startsWith('store/'));
    expect(offenders).toEqual([]);
  });
});
