import { describe, expect, it } from 'vitest';
import { parseTopicText, serializeTopic } from './topic-format.js';

const CLAUDE_CODE_TOPIC = `---
name: Testing preferences
description: how the user wants tests written
type: feedback
originSessionId: 3f2a9c1e
---
Integration tests hit a real database, not mocks.

**Why:** a mocked test passed while the migration broke prod.
**How to apply:** any test that touches storage.
`;

describe('topic files', () => {
  it('reads a Claude Code topic (name/description/type only) as an active, unverified topic', () => {
    const parsed = parseTopicText(CLAUDE_CODE_TOPIC, 'feedback_testing');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.topic.meta).toMatchObject({ name: 'Testing preferences', type: 'feedback', status: 'active', evidence: [] });
    expect(parsed.topic.meta.verified).toBeUndefined();
    expect(parsed.topic.problems).toEqual([]);
  });

  it('keeps unknown frontmatter fields, their order and comments when rewriting', () => {
    const parsed = parseTopicText(CLAUDE_CODE_TOPIC.replace('type: feedback', 'type: feedback # kept'), 'feedback_testing');
    if (!parsed.ok) throw new Error(parsed.error);
    const rewritten = serializeTopic(
      { ...parsed.topic.meta, description: 'how tests are written here', id: '01TEST' },
      parsed.topic.body,
      parsed.frontmatter,
    );
    expect(rewritten).toContain('originSessionId: 3f2a9c1e');
    expect(rewritten).toContain('# kept');
    expect(rewritten).toContain('description: how tests are written here');
    expect(rewritten.indexOf('originSessionId')).toBeLessThan(rewritten.indexOf('id: 01TEST'));
    const again = parseTopicText(rewritten, 'feedback_testing');
    expect(again.ok && again.topic.body).toBe(parsed.topic.body);
  });

  it('names the line of invalid YAML and the missing closing fence', () => {
    const bad = parseTopicText('---\nname: x\ndescription: [unclosed\ntype: project\n---\nbody\n', 'bad');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/invalid YAML in the frontmatter on line \d/);
    const open = parseTopicText('---\nname: x\nbody without fence\n', 'open');
    expect(open.ok).toBe(false);
    if (!open.ok) expect(open.error).toMatch(/never closed; add a line '---'/);
  });

  it('tolerates bad field values: each becomes a problem and a default', () => {
    const parsed = parseTopicText('---\nname: x\ntype: opinion\nstatus: weird\nevidence: [{kind: file}]\n---\nFirst line.\n', 'x');
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.topic.meta.type).toBe('project');
    expect(parsed.topic.meta.status).toBe('active');
    expect(parsed.topic.meta.description).toBe('First line.');
    expect(parsed.topic.problems.join('\n')).toMatch(/type.*opinion/);
    expect(parsed.topic.problems.join('\n')).toMatch(/evidence\[0\]/);
  });
});
