import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-root.js';
import { writeFileAtomic } from '../shared/index.js';
import { MAX_TOPIC_BYTES, readTopicFile, topicFromBytes } from './topic-files.js';

describe('topicFromBytes (what a writer indexes without reading its file back)', () => {
  it('gives what readTopicFile reads from the file just written (with the size and time the write returned), for good and bad content', async () => {
    const root = await tempDir();
    const cases: [string, string | Buffer][] = [
      ['good', '---\nname: Deploys\ndescription: blue-green\ntype: project\nfuture: kept\n---\nStaging deploys are blue-green.\n'],
      ['plain', 'no frontmatter at all\n'],
      ['broken', '---\nname: [unclosed\n---\nbody\n'],
      ['latin1', Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0xe9, 0x0a])],
      ['huge', `---\nname: Huge\ndescription: big\ntype: project\n---\n${'x'.repeat(MAX_TOPIC_BYTES)}\n`],
    ];
    for (const [slug, content] of cases) {
      const written = await writeFileAtomic(join(root, `${slug}.md`), content);
      const read = await readTopicFile(root, slug);
      const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
      expect(topicFromBytes(root, slug, bytes, written), slug).toEqual(read);
    }
  });
});
