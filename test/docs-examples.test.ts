import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'shell-quote';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/run-cli.js';
import { tempDir } from './helpers/temp-root.js';

/* The README's and docs' key examples, run: what they show is what the commands print. */

const REPO = join(import.meta.dirname, '..');
const README = readFileSync(join(REPO, 'README.md'), 'utf8');
const DOCS = readdirSync(join(REPO, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => ({ name: `docs/${name}`, text: readFileSync(join(REPO, 'docs', name), 'utf8') }));
const PACKAGE = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; bin: Record<string, string> };

/** The command lines of a `sh` block that start with `mnemo <command>`, continuation lines joined, comments dropped. */
function tourCommand(text: string, start: string): string[] {
  const joined = text.replace(/\\\n\s*/g, ' ');
  const line = joined.split('\n').find((candidate) => candidate.startsWith(start));
  if (line === undefined) throw new Error(`no line starting with ${start} in the README`);
  const words = parse(line.replace(/\s+#\s.*$/, '')).filter((word): word is string => typeof word === 'string');
  return words.slice(1);
}

/** The body of the fenced block that contains `marker`. */
function blockWith(text: string, marker: string): string {
  const blocks = [...text.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  const block = blocks.find((candidate) => candidate.includes(marker));
  if (block === undefined) throw new Error(`no block with ${marker}`);
  return block;
}

describe('README examples', () => {
  it("the SUSPECT example is what recall prints 47 days after the tour's remember, once the file changed", async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, '.git'));
    await mkdir(join(cwd, 'deploy'));
    await writeFile(join(cwd, 'deploy', 'staging.yaml'), 'strategy: blue-green\n');
    expect((await cli(['init'], { cwd })).code).toBe(0);
    const remember = tourCommand(README, 'mnemo remember ');
    const remembered = await cli(remember, { cwd, env: { MNEMO_NOW: '2026-10-01T09:00:00Z' } });
    expect(remembered.code, remembered.stderr).toBe(0);
    await writeFile(join(cwd, 'deploy', 'staging.yaml'), 'strategy: canary\n');
    const recall = tourCommand(README, 'mnemo recall "how do we deploy staging"');
    const result = await cli(recall, { cwd, env: { MNEMO_NOW: '2026-11-17T09:00:00Z' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(blockWith(README, '— SUSPECT'));
  });

  it("Claude Code's memory folder through --dir before the command, as README and docs/integrations.md write it", async () => {
    const cwd = await tempDir();
    const memory = join(cwd, 'claude', 'memory');
    await mkdir(memory, { recursive: true });
    await writeFile(join(memory, 'MEMORY.md'), '- [Port](port.md) — the API port\n');
    await writeFile(join(memory, 'port.md'), '---\nname: Port\ndescription: the API port\ntype: project\n---\nThe API listens on 8080.\n');
    const integrations = DOCS.find((doc) => doc.name === 'docs/integrations.md')?.text ?? '';
    expect(integrations).toContain('`mnemo --dir ~/.claude/projects/<project>/memory list`');
    const listed = await cli(['--dir', memory, 'list'], { cwd });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^port\s+project\s+active\s+the API port$/m);
  });
});

describe('install lines and references', () => {
  it('the package has a name of its own on npm (not the unrelated `mnemo`), keeps the mnemo command, and the docs say so', () => {
    expect(PACKAGE.name).toBe('mnemo-memory');
    expect(Object.keys(PACKAGE.bin)).toEqual(['mnemo']);
    for (const doc of [{ name: 'README.md', text: README }, ...DOCS]) {
      expect(doc.text, doc.name).not.toMatch(/npm install (-g )?mnemo(?![\w-])/);
      // `npx mnemo` only where a line warns that it is the unrelated package
      const npxLines = doc.text.split('\n').filter((line) => /npx mnemo(?![\w-])/.test(line));
      for (const line of npxLines) expect(line, doc.name).toContain('unrelated');
      for (const match of doc.text.matchAll(/from '(mnemo[\w-]*)'/g)) expect(match[1], doc.name).toBe(PACKAGE.name);
    }
    expect(README).toContain('npm ci && npm run build && npm link');
  });

  it('every file the docs link to or name as a doc exists in the repository (no DESIGN.md outside it)', () => {
    for (const doc of [{ name: 'README.md', text: README }, ...DOCS]) {
      const base = dirname(join(REPO, doc.name));
      // links in prose only: fenced blocks and inline code (`- [Title](file.md) — hook`) show a format, not a link
      const prose = doc.text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
      for (const match of prose.matchAll(/\]\(([^)#\s]+\.(?:md|ts|svg))\)/g)) {
        expect(existsSync(resolve(base, match[1] ?? '')), `${doc.name} → ${match[1]}`).toBe(true);
      }
      expect(doc.text, doc.name).not.toContain('DESIGN.md');
    }
    const glossary = readFileSync(join(REPO, 'docs', 'glossary.md'), 'utf8');
    for (const word of ['memory root', 'topic', 'transcript', 'evidence', 'verdict', 'quarantine', 'tombstone']) {
      expect(glossary).toContain(`| ${word} |`);
    }
  });
});
