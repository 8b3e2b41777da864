import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-root.js';
import { isInsideWorkspace, trustFor } from './source-trust.js';

describe('trustFor', () => {
  const workspace = '/work/project';

  it('trusts the user, the agent and dream', () => {
    for (const kind of ['user', 'agent', 'dream'] as const) expect(trustFor({ kind }, { workspace })).toBe('trusted');
  });

  it('does not trust tool output, web pages or imports unless a person vouched for them', () => {
    for (const kind of ['tool', 'web', 'import'] as const) {
      expect(trustFor({ kind, origin: 'https://example.com' }, { workspace })).toBe('untrusted');
      expect(trustFor({ kind, vouchedBy: 'ana' }, { workspace })).toBe('trusted');
      expect(trustFor({ kind, vouchedBy: '  ' }, { workspace })).toBe('untrusted');
    }
  });

  it('trusts a file only when it is inside the workspace', async () => {
    const root = await tempDir();
    const project = join(root, 'project');
    await mkdir(join(project, 'docs'), { recursive: true });
    await writeFile(join(project, 'docs', 'a.md'), 'x');
    const options = { workspace: project };
    expect(trustFor({ kind: 'file', origin: join(project, 'docs', 'a.md') }, options)).toBe('trusted');
    expect(trustFor({ kind: 'file', origin: 'docs/a.md' }, options)).toBe('trusted');
    expect(trustFor({ kind: 'file', origin: 'docs/not-yet-written.md' }, options)).toBe('trusted');
    expect(trustFor({ kind: 'file', origin: pathToFileURL(join(project, 'docs', 'a.md')).href }, options)).toBe('trusted');
    expect(trustFor({ kind: 'file', origin: '../elsewhere/notes.md' }, options)).toBe('untrusted');
    expect(trustFor({ kind: 'file', origin: 'docs/../../elsewhere.md' }, options)).toBe('untrusted');
    expect(trustFor({ kind: 'file', origin: '/etc/hosts' }, options)).toBe('untrusted');
    expect(trustFor({ kind: 'file', origin: 'https://example.com/a.md' }, options)).toBe('untrusted');
    expect(trustFor({ kind: 'file' }, options)).toBe('untrusted');
    expect(trustFor({ kind: 'file', origin: '/etc/hosts', vouchedBy: 'ana' }, options)).toBe('trusted');
  });

  it('follows symbolic links: a link inside the workspace to a file outside is untrusted', async () => {
    const root = await tempDir();
    const project = join(root, 'project');
    const outside = join(root, 'outside');
    await mkdir(project, { recursive: true });
    await mkdir(outside, { recursive: true });
    await writeFile(join(outside, 'evil.md'), 'x');
    await symlink(join(outside, 'evil.md'), join(project, 'link.md'));
    await symlink(outside, join(project, 'linked-dir'));
    expect(isInsideWorkspace('link.md', project)).toBe(false);
    expect(isInsideWorkspace('linked-dir/evil.md', project)).toBe(false);
    // a workspace reached through a link is still the same workspace
    await symlink(project, join(root, 'project-link'));
    expect(isInsideWorkspace(join(project, 'x.md'), join(root, 'project-link'))).toBe(true);
  });

  it('does not treat a sibling folder that shares a prefix as inside', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'app'));
    await mkdir(join(root, 'app-evil'));
    expect(isInsideWorkspace(join(root, 'app-evil', 'x.md'), join(root, 'app'))).toBe(false);
  });
});
