import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-root.js';
import { checkEvidence } from './evidence-check.js';
import { definitionPattern, findSymbolDefinitions } from './symbol-definitions.js';
import { checkContext as contextFor, put } from '../../test/helpers/check-context.js';

describe('definition pattern', () => {
  const defines: [string, string][] = [
    ['parseConfig', 'export function parseConfig(text: string): Config {'],
    ['parseConfig', 'export async function parseConfig(text) {'],
    ['parseConfig', 'export const parseConfig = (text: string) => {'],
    ['parseConfig', 'const parseConfig = async (text) => JSON.parse(text);'],
    ['MemoryWriter', 'export class MemoryWriter {'],
    ['MemoryWriter', 'export default abstract class MemoryWriter<T> extends Base {'],
    ['TopicMeta', 'export interface TopicMeta {'],
    ['EvidenceKind', "export type EvidenceKind = Evidence['kind'];"],
    ['Color', 'export const enum Color {'],
    ['write', '  async write(topic: Topic): Promise<void> {'],
    ['write', '  private static write<T>(topic: T) {'],
    ['size', '  get size(): number {'],
    ['handle', '  handle = async (event: Event) => {'],
    ['load_config', 'def load_config(path):'],
    ['load_config', 'async def load_config(path: str) -> Config:'],
    ['Loader', 'class Loader(Base):'],
    ['parse_config', 'pub(crate) fn parse_config(text: &str) -> Config {'],
    ['Config', 'pub struct Config {'],
    ['ParseConfig', 'func ParseConfig(text string) (*Config, error) {'],
    ['Close', 'func (c *Client) Close() error {'],
    ['loadConfig', '  public static Config loadConfig(String path) throws IOException {'],
    ['helper', 'export { helper, other as renamed };'],
    ['MAX_ITEMS', 'MAX_ITEMS = 10'],
    ['run', 'exports.run = function () {};'],
    ['BUFFER_SIZE', '#define BUFFER_SIZE 4096'],
    ['greet', 'fun greet(name: String): String {'],
  ];
  it.each(defines)('finds %s in %j', (name, line) => {
    expect(definitionPattern(name).test(`// header\n${line}\n`)).toBe(true);
  });

  const uses: [string, string][] = [
    ['parseConfig', '  parseConfig(text);'],
    ['parseConfig', '  return parseConfig(text)'],
    ['parseConfig', '  const config = parseConfig(text);'],
    ['parseConfig', "import { parseConfig } from './config.js';"],
    ['parseConfig', '// parseConfig(text) is called here'],
    ['parseConfig', '  await parseConfig(text)'],
    ['parseConfig', 'export function parseConfigFile(path) {'],
    ['load_config', '    return load_config(path)'],
    ['load_config', '    config = load_config(path)'],
    ['Config', '  const config: Config = {};'],
  ];
  it.each(uses)('does not read a use of %s as a definition: %j', (name, line) => {
    expect(definitionPattern(name).test(`${line}\n`)).toBe(false);
  });
});

describe('symbol evidence', () => {
  it('confirms where a symbol is defined, and contradicts once it is gone', async () => {
    const root = await tempDir();
    await put(root, 'src/config/parse.ts', 'export function parseConfig(text: string) {\n  return JSON.parse(text);\n}\n');
    await put(root, 'src/cli.ts', "import { parseConfig } from './config/parse.js';\nparseConfig('{}');\n");
    const evidence = { kind: 'symbol' as const, name: 'parseConfig', glob: 'src/**/*.ts' };
    const verdict = await checkEvidence(evidence, contextFor(root));
    expect(verdict.status).toBe('confirmed');
    expect(verdict.observed).toMatchObject({ files: ['src/config/parse.ts'], locations: ['src/config/parse.ts:1'] });

    await put(root, 'src/config/parse.ts', 'export function readConfig(text: string) {\n  return JSON.parse(text);\n}\n');
    const gone = await checkEvidence(evidence, contextFor(root));
    expect(gone.status).toBe('contradicted');
    expect(gone.detail).toBe('parseConfig is no longer defined in src/**/*.ts (2 files scanned)');
  });

  it('never scans node_modules, .git, dist or dot-folders', async () => {
    const root = await tempDir();
    for (const folder of ['node_modules/lib', '.git', 'dist', '.cache'])
      await put(root, `${folder}/index.js`, 'export function hiddenThing() {}\n');
    await put(root, 'src/index.js', 'hiddenThing();\n');
    const verdict = await checkEvidence({ kind: 'symbol', name: 'hiddenThing', glob: '**/*' }, contextFor(root));
    expect(verdict.status).toBe('contradicted');
  });

  it('with a catch-all glob reads source files only; a glob that names files reads those', async () => {
    const root = await tempDir();
    await put(root, 'README.md', '```ts\nexport function documentedOnly() {}\n```\n');
    expect((await checkEvidence({ kind: 'symbol', name: 'documentedOnly', glob: '**/*' }, contextFor(root))).status).toBe('contradicted');
    expect((await checkEvidence({ kind: 'symbol', name: 'documentedOnly', glob: '*.md' }, contextFor(root))).status).toBe('confirmed');
  });

  it('contradicts when no file matches the glob any more', async () => {
    const root = await tempDir();
    await put(root, 'lib/a.py', 'def load():\n  pass\n');
    await rm(join(root, 'lib'), { recursive: true });
    const verdict = await checkEvidence({ kind: 'symbol', name: 'load', glob: 'lib/*.py' }, contextFor(root));
    expect(verdict).toMatchObject({ status: 'contradicted', detail: 'no file matches lib/*.py any more, so load is not defined there' });
  });

  it('refuses globs that leave the workspace and names that are not identifiers', async () => {
    const root = await tempDir();
    expect((await checkEvidence({ kind: 'symbol', name: 'x', glob: '../**/*.ts' }, contextFor(root))).detail).toMatch(
      /leaves the workspace/,
    );
    expect((await checkEvidence({ kind: 'symbol', name: 'x', glob: '/etc/*' }, contextFor(root))).detail).toMatch(/absolute/);
    expect((await checkEvidence({ kind: 'symbol', name: 'not a name', glob: '**/*' }, contextFor(root))).status).toBe('unverifiable');
  });

  it('checks the method of a dotted name', async () => {
    const root = await tempDir();
    await put(root, 'src/writer.ts', 'export class MemoryWriter {\n  async write(topic: string): Promise<void> {\n  }\n}\n');
    expect((await checkEvidence({ kind: 'symbol', name: 'MemoryWriter.write', glob: 'src/**' }, contextFor(root))).status).toBe(
      'confirmed',
    );
  });

  it('stops at the file cap and says so instead of contradicting', async () => {
    const root = await tempDir();
    for (let index = 0; index < 5; index += 1) await put(root, `src/f${index}.ts`, 'export const other = 1;\n');
    await put(root, 'src/z.ts', 'export const late = 1;\n');
    const scan = await findSymbolDefinitions(root, 'late', '**/*', { maxFiles: 3 });
    expect(scan).toMatchObject({ files: [], scannedFiles: 3, capped: true, matchedFiles: 6 });
  });
});
