// Preload (`node --import ./test/helpers/record-modules.mjs …`) that writes every module the process
// loads to the file named by MNEMO_RECORD_MODULES, one URL or path a line: ES modules as the
// loader sees them (from the hooks thread, record-modules-hooks.mjs) and CommonJS modules (which
// in Node 20 load without passing the ES hooks) from require's cache when the process exits.
// test/e2e/cli-start-modules.test.ts counts them.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const out = process.env.MNEMO_RECORD_MODULES;
if (out) {
  register('./record-modules-hooks.mjs', import.meta.url);
  const require = createRequire(import.meta.url);
  process.on('exit', () => {
    const cache = Object.keys(require('node:module')._cache);
    appendFileSync(out, cache.map((path) => `cjs:${path}\n`).join(''));
  });
}
