import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-root.js';
import type { Evidence } from '../store/index.js';
import type { CheckContext } from './check-context.js';
import { checkEvidence } from './evidence-check.js';
import { proposeHeal } from './heal-proposal.js';
import { applyHeal } from './heal-replacements.js';
import { checkContext as contextFor, put } from '../../test/helpers/check-context.js';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=mnemo', '-c', 'user.email=mnemo@example.invalid', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: 'pipe',
  });
}

async function repository(files: Record<string, string>): Promise<string> {
  const root = await tempDir();
  git(root, 'init', '-q', '-b', 'main');
  for (const [path, text] of Object.entries(files)) await put(root, path, text);
  git(root, 'add', '.');
  git(root, 'commit', '-q', '-m', 'write');
  return root;
}

/** Check, then propose: what `mnemo heal` does for one item. */
async function checkAndPropose(evidence: Evidence, body: string, context: CheckContext) {
  const verdict = await checkEvidence(evidence, context);
  return { verdict, proposal: await proposeHeal(evidence, verdict, body, context) };
}

const STAGING = 'kind: deploy\nstrategy: blue-green\nport: 8080\n';

describe('heal proposals', () => {
  it('follows a committed rename (git mv, then another) into the evidence and the body', async () => {
    const root = await repository({ 'deploy/staging.yaml': STAGING, 'README.md': 'readme\n' });
    git(root, 'mv', 'deploy/staging.yaml', 'deploy/staging-eu.yaml');
    git(root, 'commit', '-q', '-m', 'rename');
    await mkdir(join(root, 'ops'));
    git(root, 'mv', 'deploy/staging-eu.yaml', 'ops/staging.yaml');
    git(root, 'commit', '-q', '-m', 'move');

    const evidence: Evidence = { kind: 'file', path: 'deploy/staging.yaml', contains: 'strategy: blue-green' };
    const body = 'Staging is blue-green (`deploy/staging.yaml`). Edit deploy/staging.yaml to change it.';
    const { verdict, proposal } = await checkAndPropose(evidence, body, contextFor(root));
    expect(verdict).toMatchObject({ status: 'contradicted', detail: 'deploy/staging.yaml is gone' });
    expect(proposal).toMatchObject({
      evidence: { kind: 'file', path: 'ops/staging.yaml', contains: 'strategy: blue-green' },
      replacements: [{ from: 'deploy/staging.yaml', to: 'ops/staging.yaml' }],
    });
    expect(proposal?.reason).toMatch(/^deploy\/staging\.yaml was renamed to ops\/staging\.yaml \(git: [0-9a-f]{7}, [0-9a-f]{7}\)$/);
    expect(applyHeal(body, proposal!)).toBe('Staging is blue-green (`ops/staging.yaml`). Edit ops/staging.yaml to change it.');
  });

  it('follows a rename staged with git mv but not committed', async () => {
    const root = await repository({ 'src/config.ts': 'export const a = 1;\n' });
    git(root, 'mv', 'src/config.ts', 'src/settings.ts');
    const { proposal } = await checkAndPropose({ kind: 'file', path: 'src/config.ts' }, 'See `src/config.ts`.', contextFor(root));
    expect(proposal).toMatchObject({
      evidence: { path: 'src/settings.ts' },
      replacements: [{ from: 'src/config.ts', to: 'src/settings.ts' }],
    });
    expect(proposal?.reason).toMatch(/a staged rename/);
  });

  it('proposes nothing for a file that was deleted, or renamed and then changed so the claim fails', async () => {
    const root = await repository({ 'a.yaml': 'name: alpha\nowner: ops\n', 'b.yaml': 'strategy: blue-green\nreplicas: 3\n' });
    git(root, 'rm', '-q', 'a.yaml');
    git(root, 'mv', 'b.yaml', 'c.yaml');
    git(root, 'commit', '-q', '-m', 'change');
    await put(root, 'c.yaml', 'strategy: rolling\nreplicas: 3\n');
    const deleted = await checkAndPropose({ kind: 'file', path: 'a.yaml' }, 'a.yaml', contextFor(root));
    expect(deleted.verdict.status).toBe('contradicted');
    expect(deleted.proposal).toBeUndefined();
    const changed = await checkAndPropose({ kind: 'file', path: 'b.yaml', contains: 'blue-green' }, 'b.yaml', contextFor(root));
    expect(changed.proposal).toBeUndefined();
  });

  it('replaces a captured value that changed (port 8080 → 9090)', async () => {
    const root = await repository({ 'deploy/staging.yaml': STAGING });
    await put(root, 'deploy/staging.yaml', STAGING.replace('8080', '9090'));
    const evidence: Evidence = { kind: 'file', path: 'deploy/staging.yaml', contains: 'port: (\\d+)' };
    const body = 'Staging listens on port 8080. Health checks hit port 8080 too; 8080 is also in the docs.';

    const withBody = await checkAndPropose(evidence, body, contextFor(root, { body }));
    expect(withBody.verdict.status).toBe('contradicted');
    expect(withBody.proposal).toEqual({
      evidence,
      replacements: [{ from: 'port 8080', to: 'port 9090' }],
      reason: 'deploy/staging.yaml now says 8080 → 9090 (it matches port: (\\d+))',
    });
    expect(applyHeal(body, withBody.proposal!)).toBe(
      'Staging listens on port 9090. Health checks hit port 9090 too; 8080 is also in the docs.',
    );

    // Checked on recall without the body: confirmed, yet the drift is still healed.
    const withoutBody = await checkAndPropose(evidence, body, contextFor(root));
    expect(withoutBody.verdict.status).toBe('confirmed');
    expect(withoutBody.proposal?.replacements).toEqual([{ from: 'port 8080', to: 'port 9090' }]);

    expect((await checkAndPropose(evidence, 'Staging listens on port 9090.', contextFor(root))).proposal).toBeUndefined();
  });

  it('moves a symbol evidence with a narrow glob to the file that defines it now', async () => {
    const root = await repository({ 'src/config.ts': 'export function parseConfig(text: string) {\n  return text;\n}\n' });
    await put(root, 'src/config.ts', "export { parseConfig } from './config/parse.js';\n");
    await put(root, 'src/config.ts', 'export const nothing = 1;\n');
    await put(root, 'src/config/parse.ts', 'export function parseConfig(text: string) {\n  return text;\n}\n');
    const evidence: Evidence = { kind: 'symbol', name: 'parseConfig', glob: 'src/config.ts' };
    const body = '`parseConfig` in `src/config.ts` reads the file.';
    const { verdict, proposal } = await checkAndPropose(evidence, body, contextFor(root));
    expect(verdict.status).toBe('contradicted');
    expect(proposal).toEqual({
      evidence: { kind: 'symbol', name: 'parseConfig', glob: 'src/config/parse.ts' },
      replacements: [{ from: 'src/config.ts', to: 'src/config/parse.ts' }],
      reason: 'parseConfig is now defined in src/config/parse.ts, not in src/config.ts',
    });
  });

  it('does not move a symbol to a file that only assigns or re-exports the name', async () => {
    const root = await repository({ 'test/vary.js': 'function response() {\n  return {};\n}\n' });
    await put(root, 'test/vary.js', 'it("varies", () => {});\n');
    await put(root, 'lib/express.js', "var res = require('./response');\nexports.response = res;\n");
    const evidence: Evidence = { kind: 'symbol', name: 'response', glob: 'test/vary.js' };
    const { verdict, proposal } = await checkAndPropose(evidence, '`response` is defined in `test/vary.js`.', contextFor(root));
    expect(verdict.status).toBe('contradicted');
    expect(proposal).toBeUndefined();
  });

  it('fixes the path in the body when the file it names is gone and git shows it defined the symbol', async () => {
    const root = await repository({ 'src/loader.ts': 'export class TopicLoader {\n}\n', 'src/cli.ts': 'new TopicLoader();\n' });
    git(root, 'rm', '-q', 'src/loader.ts');
    await put(root, 'src/store/topic-loader.ts', 'export class TopicLoader {\n}\n');
    git(root, 'add', '.');
    git(root, 'commit', '-q', '-m', 'split');
    const evidence: Evidence = { kind: 'symbol', name: 'TopicLoader', glob: '**/*' };
    const body = '`TopicLoader` (src/loader.ts) is used by `src/cli.ts`.';
    const { verdict, proposal } = await checkAndPropose(evidence, body, contextFor(root));
    expect(verdict.status).toBe('confirmed');
    expect(proposal).toMatchObject({ evidence, replacements: [{ from: 'src/loader.ts', to: 'src/store/topic-loader.ts' }] });
  });

  it('updates a package range and the version in the body after an upgrade', async () => {
    const root = await tempDir();
    await put(root, 'package.json', JSON.stringify({ dependencies: { react: '^19.1.0', zod: '^5.1.0' } }));
    await put(root, 'node_modules/react/package.json', JSON.stringify({ version: '19.1.2' }));
    const body = 'The UI uses react@18.2.0 (see React 18.2.0 docs). Validation: zod 4.2.';
    const react = await checkAndPropose({ kind: 'package', name: 'react', range: '^18.2.0' }, body, contextFor(root));
    expect(react.verdict.status).toBe('contradicted');
    expect(react.proposal).toEqual({
      evidence: { kind: 'package', name: 'react', range: '^19.1.2' },
      replacements: [
        { from: 'react@18.2.0', to: 'react@19.1.2' },
        { from: 'React 18.2.0', to: 'React 19.1.2' },
      ],
      reason: 'react is now installed 19.1.2; the topic had ^18.2.0',
    });
    const zod = await checkAndPropose({ kind: 'package', name: 'zod', range: '~4.2' }, body, contextFor(root));
    expect(zod.proposal).toMatchObject({ evidence: { range: '~5.1' }, replacements: [{ from: 'zod 4.2', to: 'zod 5.1' }] });
  });

  it('heals a version the body states after a bump inside the range, from the declared range', async () => {
    const root = await tempDir();
    await put(root, 'package.json', JSON.stringify({ dependencies: { zod: '^4.3.0' } }));
    const body = 'The project depends on `zod` ^4.2.0 (declared in `package.json`).';
    const evidence: Evidence = { kind: 'package', name: 'zod', range: '^4.2.0' };
    const { verdict, proposal } = await checkAndPropose(evidence, body, contextFor(root, { body }));
    expect(verdict.status).toBe('contradicted');
    expect(proposal).toMatchObject({ evidence: { range: '^4.3.0' }, replacements: [{ from: 'zod` ^4.2.0', to: 'zod` ^4.3.0' }] });
  });

  it('proposes nothing for confirmed or unverifiable verdicts, or kinds with no mechanical heal', async () => {
    const root = await repository({ 'a.txt': 'a\n' });
    expect((await checkAndPropose({ kind: 'file', path: 'a.txt' }, 'a.txt', contextFor(root))).proposal).toBeUndefined();
    expect((await checkAndPropose({ kind: 'git', ref: 'gone-branch' }, 'gone-branch', contextFor(root))).proposal).toBeUndefined();
    expect((await checkAndPropose({ kind: 'file', path: '../x' }, '../x', contextFor(root))).proposal).toBeUndefined();
    expect(
      (await checkAndPropose({ kind: 'symbol', name: 'nowhere', glob: '**/*' }, '`nowhere`', contextFor(root))).proposal,
    ).toBeUndefined();
  });
});
