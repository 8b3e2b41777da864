import { mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-root.js';
import { sha256 } from '../shared/index.js';
import type { Evidence } from '../store/index.js';
import { checkEvidence } from './evidence-check.js';
import { checkContext as contextFor, put } from '../../test/helpers/check-context.js';

const STAGING = 'kind: deploy\nstrategy: blue-green\nport: 8080\n';

describe('file evidence', () => {
  it('confirms a file that exists and still contains the pattern, then says what differs once it changed', async () => {
    const root = await tempDir();
    await put(root, 'deploy/staging.yaml', STAGING);
    const evidence: Evidence = { kind: 'file', path: 'deploy/staging.yaml', contains: 'strategy: blue-green' };
    const before = await checkEvidence(evidence, contextFor(root));
    expect(before).toMatchObject({ status: 'confirmed', evidence });
    expect(before.detail).toContain('deploy/staging.yaml contains /strategy: blue-green/');

    await put(root, 'deploy/staging.yaml', STAGING.replace('blue-green', 'rolling'));
    const after = await checkEvidence(evidence, contextFor(root));
    expect(after.status).toBe('contradicted');
    expect(after.detail).toBe('deploy/staging.yaml no longer contains /strategy: blue-green/');
  });

  it('says "is gone" when the file was deleted', async () => {
    const root = await tempDir();
    await put(root, 'src/old.ts', 'export const x = 1;\n');
    await rm(join(root, 'src/old.ts'));
    const verdict = await checkEvidence({ kind: 'file', path: 'src/old.ts' }, contextFor(root));
    expect(verdict).toMatchObject({ status: 'contradicted', detail: 'src/old.ts is gone', observed: { exists: false } });
  });

  it('matches `contains` as a multiline regex, and as literal text when the regex does not match', async () => {
    const root = await tempDir();
    await put(root, 'src/app.ts', 'import x from "y";\nexport function run(options) {\n  return 1;\n}\n');
    const regex = await checkEvidence({ kind: 'file', path: 'src/app.ts', contains: '^export function \\w+\\(' }, contextFor(root));
    expect(regex.status).toBe('confirmed');
    const literal = await checkEvidence({ kind: 'file', path: 'src/app.ts', contains: 'run(options)' }, contextFor(root));
    expect(literal.status).toBe('confirmed');
    const invalid = await checkEvidence({ kind: 'file', path: 'src/app.ts', contains: 'run(options' }, contextFor(root));
    expect(invalid.status).toBe('confirmed');
    const missing = await checkEvidence({ kind: 'file', path: 'src/app.ts', contains: '^export class' }, contextFor(root));
    expect(missing.status).toBe('contradicted');
  });

  it('compares the sha256 of the content', async () => {
    const root = await tempDir();
    await put(root, 'config.json', '{"a":1}\n');
    const evidence: Evidence = { kind: 'file', path: 'config.json', hash: `sha256:${sha256('{"a":1}\n')}` };
    expect((await checkEvidence(evidence, contextFor(root))).status).toBe('confirmed');
    await put(root, 'config.json', '{"a":2}\n');
    const changed = await checkEvidence(evidence, contextFor(root));
    expect(changed.status).toBe('contradicted');
    expect(changed.detail).toMatch(/^config\.json changed: its sha256 is [0-9a-f]{12}…/);
  });

  it('confirms a folder that exists; a folder where a file with content was claimed contradicts', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'deploy'));
    expect((await checkEvidence({ kind: 'file', path: 'deploy' }, contextFor(root))).status).toBe('confirmed');
    const verdict = await checkEvidence({ kind: 'file', path: 'deploy', contains: 'x' }, contextFor(root));
    expect(verdict).toMatchObject({ status: 'contradicted', detail: 'deploy is now a folder, not a file' });
  });

  it('refuses paths that escape the workspace, by text or through a symlink', async () => {
    const root = await tempDir();
    const outside = await tempDir();
    await put(outside, 'secret.txt', 'password=hunter2\n');
    await symlink(join(outside, 'secret.txt'), join(root, 'link.txt'));
    await symlink(outside, join(root, 'linked-folder'));

    for (const path of [
      '../secret.txt',
      join(outside, 'secret.txt'),
      'link.txt',
      'linked-folder/secret.txt',
      'linked-folder/missing.txt',
    ]) {
      const verdict = await checkEvidence({ kind: 'file', path, contains: 'password' }, contextFor(root));
      expect(verdict.status, path).toBe('unverifiable');
      expect(verdict.detail, path).toMatch(/outside the workspace/);
      expect(JSON.stringify(verdict), path).not.toContain('hunter2');
    }
  });

  it('follows symlinks that stay inside the workspace', async () => {
    const root = await tempDir();
    await put(root, 'real/config.yaml', 'a: 1\n');
    await symlink(join(root, 'real'), join(root, 'alias'));
    expect((await checkEvidence({ kind: 'file', path: 'alias/config.yaml', contains: 'a: 1' }, contextFor(root))).status).toBe('confirmed');
  });

  it('with the topic body, a capture group whose value differs from what the body states contradicts', async () => {
    const root = await tempDir();
    await put(root, 'deploy/staging.yaml', STAGING.replace('8080', '9090'));
    const evidence: Evidence = { kind: 'file', path: 'deploy/staging.yaml', contains: 'port: (\\d+)' };
    const body = 'Staging listens on port 8080 behind the load balancer.';
    const verdict = await checkEvidence(evidence, contextFor(root, { body }));
    expect(verdict.status).toBe('contradicted');
    expect(verdict.detail).toBe('deploy/staging.yaml now has "port: 9090"; the topic says "port 8080"');
    expect(verdict.observed).toMatchObject({ captured: ['9090'], stated: ['8080'] });

    const same = await checkEvidence(evidence, contextFor(root, { body: 'Staging listens on `port: 9090`.' }));
    expect(same.status).toBe('confirmed');
    const withoutBody = await checkEvidence(evidence, contextFor(root));
    expect(withoutBody).toMatchObject({ status: 'confirmed', observed: { captured: ['9090'] } });
  });

  it('is unverifiable, not thrown, for malformed evidence', async () => {
    const root = await tempDir();
    const verdict = await checkEvidence({ kind: 'file' } as unknown as Evidence, contextFor(root));
    expect(verdict.status).toBe('unverifiable');
    expect(verdict.detail).toMatch(/^the evidence is malformed: path/);
  });
});
