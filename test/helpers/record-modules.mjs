// Preload (`node --import ./test/helpers/record-modules.mjs …`) that writes every module the process
// loads to the file named by MNEMO_RECORD_MODULES, one URL or path a line: ES modules as the
// loader sees them (from the hooks thread, record-modules-hooks.mjs) and CommonJS modules (which
// in Node 20 load without passing the ES hooks) from require's cache when the process exits.
// A script compiled through vm.Script (the bin's code-cached bundle, src/cli/compiled-bundle.ts)
// is recorded by its file name. test/e2e/cli-start-modules.test.ts counts them.
import { appendFileSync } from 'node:fs';
import { createRequire, register, syncBuiltinESMExports } from 'node:module';
import vm from 'node:vm';

const out = process.env.MNEMO_RECORD_MODULES;
if (out) {
  register('./record-modules-hooks.mjs', import.meta.url);
  const require = createRequire(import.meta.url);
  const scripts = [];
  const Script = vm.Script;
  vm.Script = class RecordedScript extends Script {
    constructor(code, options) {
      super(code, options);
      if (typeof options?.filename === 'string') scripts.push(options.filename);
    }
  };
  syncBuiltinESMExports();
  process.on('exit', () => {
    appendFileSync(out, scripts.map((path) => `${path}\n`).join(''));
    const cache = Object.keys(require('node:module')._cache);
    appendFileSync(out, cache.map((path) => `cjs:${path}\n`).join(''));
  });
}
