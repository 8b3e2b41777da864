// Copy non-TypeScript assets that the code reads at run time (model-facing tool descriptions,
// `*.md` beside the code) from src/ to dist/, keeping their folders.
import { cpSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = 'src';
const DIST = 'dist';

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.md')) cpSync(path, join(DIST, relative(SRC, path)));
  }
}

walk(SRC);
