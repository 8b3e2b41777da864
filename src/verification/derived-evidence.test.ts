import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-root.js';
import { systemClock } from '../shared/index.js';
import type { Evidence } from '../store/index.js';
import { deriveEvidence, keepConfirmedEvidence } from './derived-evidence.js';

async function put(root: string, path: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
}

async function project(): Promise<string> {
  const root = await tempDir();
  await put(
    root,
    'package.json',
    JSON.stringify({ dependencies: { react: '^18.2.0', express: '^4.18.0' }, devDependencies: { zod: '^4.2.0', typescript: '~6.0.3' } }),
  );
  await put(root, 'node_modules/react/package.json', JSON.stringify({ version: '18.3.1' }));
  await put(root, 'node_modules/zod/package.json', JSON.stringify({ version: '4.2.1' }));
  await put(root, 'deploy/staging.yaml', 'strategy: blue-green\n');
  await put(root, 'src/config/parse.ts', 'export function parseConfig() {}\nexport class MemoryWriter {}\n');
  await put(root, 'package-lock.json', '{}');
  return root;
}

describe('derived evidence', () => {
  it('derives files, symbols and packages a body names', async () => {
    const root = await project();
    const body = [
      'Staging deploys are blue-green: see `deploy/staging.yaml` and `./src/config/parse.ts:12`.',
      '`parseConfig` reads it and `MemoryWriter` writes topics; `load_settings()` is the Python twin.',
      'We use react@18.2.0, zod 4.2 and express ^4.18 here.',
    ].join('\n');
    expect(deriveEvidence(body, { workspace: root })).toEqual([
      { kind: 'file', path: 'deploy/staging.yaml', derived: true },
      { kind: 'file', path: 'src/config/parse.ts', derived: true },
      { kind: 'package', name: 'react', range: '^18.2.0', derived: true },
      { kind: 'package', name: 'zod', range: '^4.2', derived: true },
      { kind: 'package', name: 'express', range: '^4.18', derived: true },
      { kind: 'symbol', name: 'parseConfig', glob: 'src/config/parse.ts', derived: true },
      { kind: 'symbol', name: 'MemoryWriter', glob: 'src/config/parse.ts', derived: true },
      { kind: 'symbol', name: 'load_settings', glob: '**/*', derived: true },
    ]);
  });

  it('keeps false positives out', async () => {
    const root = await project();
    const body = [
      'Plain words in code: `npm`, `deploy`, `React`, `true`, `HOME`, `DATABASE_URL`, `__init__`.',
      'Commands and prose: `npm run build`, `git push origin main`, `text/html`, `and/or`, `https://example.com/a/b`.',
      'Paths that do not exist: `src/missing.ts`, `docs/guide.md`, globs `src/**/*.ts`, flags `--dry-run`, `../outside.txt`, `/etc/passwd`.',
      'Brands: `JavaScript`, `TypeScript`, `GitHub`, `macOS`, `PostgreSQL`; library calls: `useEffect`, `setTimeout()`, `path.join`.',
      'Versions of things that are not dependencies: Node 20.19, Python 3.11, section 4.2, left-pad@1.3.0, email me@2x.example.com.',
      'A migration: we moved from react 17 to react 18.',
      '```ts',
      'const fencedSymbol = `deploy/staging.yaml`;',
      '```',
    ].join('\n');
    expect(deriveEvidence(body, { workspace: root })).toEqual([{ kind: 'package', name: 'react', range: '^18', derived: true }]);
  });

  it('does not derive packages without a package.json', async () => {
    const root = await tempDir();
    expect(deriveEvidence('uses react@18.2.0 and zod 4.2', { workspace: root })).toEqual([]);
  });

  it('deduplicates against itself and the explicit evidence, and caps the count', async () => {
    const root = await project();
    const existing: Evidence[] = [{ kind: 'file', path: 'deploy/staging.yaml', contains: 'blue-green' }];
    const body = '`deploy/staging.yaml` `./deploy/staging.yaml` `parseConfig` `parseConfig()` `src/config/parse.ts`';
    expect(deriveEvidence(body, { workspace: root, existing })).toEqual([
      { kind: 'file', path: 'src/config/parse.ts', derived: true },
      { kind: 'symbol', name: 'parseConfig', glob: 'src/config/parse.ts', derived: true },
    ]);
    const many = Array.from({ length: 30 }, (_, index) => `\`helperNumber${index}\``).join(' ');
    expect(deriveEvidence(many, { workspace: root })).toHaveLength(10);
    expect(deriveEvidence(many, { workspace: root, limit: 3 })).toHaveLength(3);
  });

  it('keeps explicit evidence and only the derived items that hold now', async () => {
    const root = await project();
    const explicit: Evidence = { kind: 'command', run: 'npm test' };
    const derived = deriveEvidence('`parseConfig` and `renderWidget` in `src/config/parse.ts`', { workspace: root });
    const context = {
      workspace: root,
      clock: systemClock,
      trust: 'trusted' as const,
      allowCommands: false,
      allowHttp: false,
      allowedHosts: [],
      commandTimeoutMs: 5000,
    };
    const kept = await keepConfirmedEvidence([explicit, ...derived], context, { budgetMs: 2000 });
    expect(kept).toEqual([
      explicit,
      { kind: 'file', path: 'src/config/parse.ts', derived: true },
      { kind: 'symbol', name: 'parseConfig', glob: 'src/config/parse.ts', derived: true },
    ]);
  });

  it('pins a symbol to the one file the body names that defines it, and only then', async () => {
    const root = await project();
    await put(root, 'src/config/copy.ts', 'export function parseConfig() {}\n');
    await put(root, 'src/cli.ts', 'parseConfig();\n');
    const symbolOf = (body: string) => deriveEvidence(body, { workspace: root }).find((item) => item.kind === 'symbol');
    expect(symbolOf('`parseConfig` is defined in `src/config/parse.ts`.')).toMatchObject({ glob: 'src/config/parse.ts' });
    // A file that only calls it, or two files that both define it, pin nothing.
    expect(symbolOf('`parseConfig` is called from `src/cli.ts`.')).toMatchObject({ glob: '**/*' });
    expect(symbolOf('`parseConfig` is in `src/config/parse.ts` and `src/config/copy.ts`.')).toMatchObject({ glob: '**/*' });
  });
});
