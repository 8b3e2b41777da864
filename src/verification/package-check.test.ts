import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-root.js';
import { checkEvidence } from './evidence-check.js';
import { checkContext as contextFor } from '../../test/helpers/check-context.js';

async function putJson(root: string, path: string, value: unknown): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), JSON.stringify(value));
}

async function project(
  dependencies: Record<string, string>,
  installed: Record<string, string>,
  devDependencies: Record<string, string> = {},
): Promise<string> {
  const root = await tempDir();
  await putJson(root, 'package.json', { name: 'app', dependencies, devDependencies });
  for (const [name, version] of Object.entries(installed)) await putJson(root, `node_modules/${name}/package.json`, { name, version });
  return root;
}

describe('package evidence', () => {
  it('confirms an installed version inside the range and contradicts after an upgrade out of it', async () => {
    const root = await project({ react: '^18.2.0' }, { react: '18.3.1' });
    const evidence = { kind: 'package' as const, name: 'react', range: '^18.2.0' };
    const verdict = await checkEvidence(evidence, contextFor(root));
    expect(verdict).toMatchObject({ status: 'confirmed', observed: { installed: '18.3.1', declared: '^18.2.0' } });

    await putJson(root, 'node_modules/react/package.json', { name: 'react', version: '19.0.0' });
    const upgraded = await checkEvidence(evidence, contextFor(root));
    expect(upgraded).toMatchObject({
      status: 'contradicted',
      detail: 'react is now 19.0.0, which does not satisfy ^18.2.0',
      observed: { installed: '19.0.0' },
    });
  });

  it('reads scoped packages and devDependencies', async () => {
    const root = await project({}, { '@scope/tool': '2.1.0' }, { '@scope/tool': '^2.0.0' });
    const verdict = await checkEvidence({ kind: 'package', name: '@scope/tool', range: '2.x' }, contextFor(root));
    expect(verdict).toMatchObject({ status: 'confirmed', observed: { installed: '2.1.0', declared: '^2.0.0' } });
  });

  it('falls back to the declared range when the package is not installed', async () => {
    const root = await project({ zod: '^4.2.0' }, {});
    expect((await checkEvidence({ kind: 'package', name: 'zod', range: '^4.1.0' }, contextFor(root))).status).toBe('confirmed');
    const old = await checkEvidence({ kind: 'package', name: 'zod', range: '^3.22.0' }, contextFor(root));
    expect(old).toMatchObject({ status: 'contradicted', detail: 'package.json now declares zod ^4.2.0, which does not overlap ^3.22.0' });
  });

  it('contradicts a dependency that was removed; unverifiable without package.json or with a non-version declaration', async () => {
    const removed = await project({ express: '^4.18.0' }, {});
    await putJson(removed, 'package.json', { name: 'app', dependencies: {} });
    const gone = await checkEvidence({ kind: 'package', name: 'express', range: '^4' }, contextFor(removed));
    expect(gone).toMatchObject({
      status: 'contradicted',
      detail: 'express is no longer a dependency (not in package.json, not installed)',
    });

    const bare = await tempDir();
    expect((await checkEvidence({ kind: 'package', name: 'express', range: '^4' }, contextFor(bare))).status).toBe('unverifiable');

    const linked = await project({ shared: 'workspace:*' }, {});
    expect((await checkEvidence({ kind: 'package', name: 'shared', range: '^1' }, contextFor(linked))).detail).toMatch(
      /not a version range/,
    );
  });

  it('refuses names that could leave node_modules and ranges that are not semver', async () => {
    const root = await project({}, {});
    expect((await checkEvidence({ kind: 'package', name: '../../etc', range: '*' }, contextFor(root))).detail).toMatch(
      /not an npm package name/,
    );
    expect((await checkEvidence({ kind: 'package', name: 'react', range: 'latest please' }, contextFor(root))).detail).toMatch(
      /not a semver range/,
    );
  });

  it('contradicts a version the body states when package.json moved inside the range, at the precision written', async () => {
    const root = await project({ zod: '^4.3.0' }, {});
    const evidence = { kind: 'package' as const, name: 'zod', range: '^4.2.0' };
    const stale = await checkEvidence(evidence, contextFor(root, { body: 'The project depends on `zod` ^4.2.0.' }));
    expect(stale).toMatchObject({ status: 'contradicted', detail: 'the topic says zod` ^4.2.0; package.json now declares ^4.3.0' });
    expect((await checkEvidence(evidence, contextFor(root, { body: 'Validation uses zod 4.3.' }))).status).toBe('confirmed');
    expect((await checkEvidence(evidence, contextFor(root, { body: 'We moved from zod 3 to zod ^4.3.0.' }))).status).toBe('confirmed');
    expect((await checkEvidence(evidence, contextFor(root, { body: 'Validation uses zod.' }))).status).toBe('confirmed');
  });

  it('compares a bare version with the installed one and a range with the declared one', async () => {
    const root = await project({ react: '^18.2.0' }, { react: '18.3.1' });
    const evidence = { kind: 'package' as const, name: 'react', range: '^18.2.0' };
    expect((await checkEvidence(evidence, contextFor(root, { body: 'The UI is on react ^18.2.0.' }))).status).toBe('confirmed');
    expect((await checkEvidence(evidence, contextFor(root, { body: 'The UI is on React 18.3.' }))).status).toBe('confirmed');
    expect(await checkEvidence(evidence, contextFor(root, { body: 'The UI is on react@18.2.0.' }))).toMatchObject({
      status: 'contradicted',
      detail: 'the topic says react@18.2.0; 18.3.1 is in use now',
    });
  });
});
