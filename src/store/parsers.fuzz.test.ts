import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIndex } from './index-format.js';
import { readJsonLines } from './jsonl-file.js';
import { parseTopicText, serializeTopic } from './topic-format.js';
import { isValidSlug } from '../shared/index.js';

/** Text that looks like frontmatter often enough to reach the interesting paths. */
const frontmatterish = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 400 }),
  fc
    .tuple(
      fc.array(
        fc.tuple(
          fc.constantFrom('name', 'description', 'type', 'status', 'evidence', 'tags', 'source', 'x-unknown', 'id', 'created'),
          fc.oneof(
            fc.string({ maxLength: 40 }),
            // YAML's sharp edges: aliases, anchors, tags, flow and block scalars, bad quoting.
            fc.constantFrom(
              '*a',
              '&a x',
              '!!binary aGk=',
              '!!js/function x',
              '[a, *b]',
              '{',
              '|\n  x',
              '>',
              '"unterminated',
              "'q'",
              '- x',
              '? x',
              '[[[[[]]]]]',
              '2026-13-45',
              '{kind: file}',
              '[{kind: file, path: a}]',
            ),
          ),
        ),
        { maxLength: 8 },
      ),
      fc.string({ maxLength: 200 }),
      fc.boolean(),
    )
    .map(
      ([fields, body, closed]) => `---\n${fields.map(([key, value]) => `${key}: ${value}`).join('\n')}\n${closed ? '---\n' : ''}${body}`,
    ),
);

describe('parsers under random input (fast-check)', () => {
  it('topic frontmatter: never throws; what parses survives a rewrite with the same meaning', () => {
    fc.assert(
      fc.property(frontmatterish, (text) => {
        const parsed = parseTopicText(text, 'fuzz');
        if (!parsed.ok) {
          expect(parsed.error.length).toBeGreaterThan(0);
          return;
        }
        const rewritten = serializeTopic(parsed.topic.meta, parsed.topic.body, parsed.frontmatter || undefined);
        const again = parseTopicText(rewritten, 'fuzz');
        expect(again.ok).toBe(true);
        if (!again.ok) return;
        expect(again.topic.meta.name).toBe(parsed.topic.meta.name);
        expect(again.topic.meta.description).toBe(parsed.topic.meta.description);
        expect(again.topic.meta.type).toBe(parsed.topic.meta.type);
        expect(again.topic.meta.status).toBe(parsed.topic.meta.status);
        expect(again.topic.meta.tags).toEqual(parsed.topic.meta.tags);
        expect(again.topic.body.trimEnd()).toBe(parsed.topic.body.trimEnd());
      }),
      { numRuns: 1500 },
    );
  });

  it('index lines: never throw, and never yield a link that leaves the root', () => {
    const line = fc.tuple(
      fc.string({ maxLength: 30 }),
      fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.constantFrom('../x.md', '/etc/passwd.md', 'a/b.md', '%2e%2e%2fx.md', '.hidden.md', 'ok.md'),
      ),
      fc.string({ maxLength: 30 }),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), fc.string({ maxLength: 200 }), (lines, noise) => {
        const text = `${noise}\n${lines.map(([title, target, hook]) => `- [${title}](${target}) — ${hook}`).join('\n')}`;
        const parsed = parseIndex(text);
        for (const entry of parsed.lines) {
          if (entry.slug !== undefined) {
            expect(entry.slug.includes('/') || entry.slug.includes('\\') || entry.slug.startsWith('.')).toBe(false);
          }
        }
        expect(Array.isArray(parsed.problems)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('transcript lines: never throw; bad lines are reported, good ones kept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mnemo-fuzz-'));
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.oneof(fc.string({ maxLength: 80 }), fc.json({ maxDepth: 2 })), { maxLength: 30 }), async (lines) => {
          const path = join(dir, 'session.jsonl');
          await writeFile(path, lines.join('\n'));
          const read = await readJsonLines(path);
          expect(read.lines.length + read.problems.length).toBeLessThanOrEqual(lines.length);
          expect(read.nextOffset).toBeLessThanOrEqual(Buffer.byteLength(lines.join('\n')));
        }),
        { numRuns: 150 },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a memory of random, hostile topic files: no crash, no write outside the root, no topic lost', async () => {
    const { openMemory } = await import('../app/index.js');
    const fileName = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_.-]{0,20}$/), fc.constantFrom('..md', '.x.md', 'MEMORY', 'a b', 'ü'));
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.tuple(fileName, frontmatterish), { maxLength: 8, selector: ([name]) => name }), async (files) => {
        const outer = await mkdtemp(join(tmpdir(), 'mnemo-fuzz-root-'));
        const root = join(outer, 'mem');
        try {
          const memory = await openMemory({ dir: root, create: true, cwd: outer, config: { logLevel: 'silent' } });
          const written = new Map<string, string>();
          for (const [name, text] of files) {
            const file = `${name}.md`;
            if (file.includes('/') || file === 'MEMORY.md') continue;
            await writeFile(join(root, file), text);
            written.set(file, text);
          }
          await memory.renderIndex();
          await memory.list();
          await memory.status();
          await memory.recall('deploy port config').catch((error: unknown) => {
            expect((error as { code?: string }).code).toBe('invalid-input');
          });
          memory.close();
          expect((await readdir(outer)).sort()).toEqual(['mem']);
          for (const [file, text] of written) expect(await readFile(join(root, file), 'utf8')).toBe(text);
          const index = await readFile(join(root, 'MEMORY.md'), 'utf8');
          for (const match of index.matchAll(/\]\(([^)]+)\)/g)) expect(isValidSlug((match[1] ?? '').replace(/\.md$/, ''))).toBe(true);
        } finally {
          await rm(outer, { recursive: true, force: true });
        }
      }),
      { numRuns: 25 },
    );
  });
});
