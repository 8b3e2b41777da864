// A fresh process that loads a CommonJS bundle through the CLI's code cache (src/cli/compiled-bundle.ts)
// and prints what a caller checks, as JSON on stdout: whether V8 took the cached code, and that
// the bundle ran. Arguments: the bundle's path; XDG_CACHE_HOME comes from the environment.
import { loadCompiledBundle } from '../../src/cli/compiled-bundle.js';

const bundle = process.argv[2] ?? '';
const loaded = loadCompiledBundle<{ answer: () => number; platform: () => Promise<string> }>(bundle, process.env);
process.stdout.write(
  `${JSON.stringify({ cacheUsed: loaded.cacheUsed, cachePath: loaded.cachePath, answer: loaded.exports.answer(), platform: await loaded.exports.platform() })}\n`,
);
