// The last step of `npm run build` (after tsc and copy-assets); it expects dist/cli/ as tsc wrote it.
// Bundles the CLI in dist/cli/ (docs/architecture.md, "The built CLI"), so that `mnemo` starts
// without resolving and linking hundreds of small ES modules (Node 20 has no compile cache):
//
// - lean-cli.cjs: recall and the per-prompt hooks, one CommonJS file run through V8's code cache
//   (src/cli/compiled-bundle.ts);
// - run-cli.mjs and chunk-*.mjs: every other command, ES modules with code splitting, so every
//   `await import()` stays lazy (`mnemo --help` loads the command list, `mnemo chat` the model SDKs);
// - main.js (the bin): a small CommonJS entry that loads one of the two, and package.json marking
//   dist/cli/ CommonJS.
//
// - Our own code and the small pure-JS packages on the start paths are bundled; every other package
//   (native addons, worker-based loggers, model runtimes, the model SDKs) stays an ordinary import.
// - `import.meta.url` in each module is rewritten to the URL the module had in dist/, so files read
//   beside the code (tool descriptions, prompts, `../main.js`) are found as before.
// - The library (dist/index.js and the rest of dist/) stays tsc's output, untouched.
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(REPO, 'dist', 'cli');

/** Packages copied into the bundle: pure JavaScript, no files read beside their code, on the start paths. */
export const BUNDLED_PACKAGES = [
  'commander',
  'picocolors',
  'ulid',
  'zod',
  'yaml',
  'semver',
  'signal-exit',
  'imurmurhash',
  'shell-quote',
  'tinyglobby',
  'fdir',
  'picomatch',
  '@modelcontextprotocol/server',
  '@modelcontextprotocol/core',
  '@modelcontextprotocol/node',
];

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function keepPackagesOutside(bundled) {
  return {
    name: 'keep-packages-outside',
    setup(esbuild) {
      esbuild.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:')) return { path: args.path, external: true };
        return bundled.includes(packageName(args.path)) ? undefined : { path: args.path, external: true };
      });
    },
  };
}

/**
 * The packages in the per-prompt bundle (dist/cli/lean-cli.cjs): the ones its commands load on
 * every run. The others stay ordinary imports, loaded when a run needs them (yaml for a topic
 * whose frontmatter is not the plain shape, semver and the glob libraries for some evidence).
 */
export const LEAN_BUNDLED_PACKAGES = [
  'commander',
  'picocolors',
  'ulid',
  'zod',
  'signal-exit',
  'imurmurhash',
  'shell-quote',
];

/** `import.meta.url` as the module's URL in dist/: from the chunk's own URL (ESM) or the bundle's folder (CommonJS). */
function keepModuleUrls(format) {
  return {
    name: 'keep-module-urls',
    setup(esbuild) {
      esbuild.onLoad({ filter: /\.js$/ }, (args) => {
        if (!args.path.startsWith(join(REPO, 'dist') + sep)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return { contents: text, loader: 'js' };
        const fromOut = JSON.stringify(relative(OUT, args.path).split(sep).join('/'));
        const url = format === 'esm' ? `new URL(${fromOut}, import.meta.url).href` : `__mnemoModuleUrl(${fromOut})`;
        return { contents: text.replaceAll('import.meta.url', url), loader: 'js' };
      });
    },
  };
}

const BANNER_MARK = '/* mnemo: bundled entry */';
if (readFileSync(join(OUT, 'main.js'), 'utf8').includes(BANNER_MARK)) {
  process.stderr.write('dist/cli/main.js is already bundled: run `npm run build` (tsc first, then this script).\n');
  process.exit(1);
}
/**
 * zod's namespace re-exports its 70-odd locales (`z.locales`), so a bundle keeps them all; mnemo and
 * the MCP SDK use the English messages only (zod registers them itself), so the bundle leaves the
 * others out: about half of what loading zod costs.
 */
const zodWithoutLocales = {
  name: 'zod-without-locales',
  setup(esbuild) {
    esbuild.onLoad({ filter: /[\\/]node_modules[\\/]zod[\\/]v4[\\/](classic[\\/]external|core[\\/]index)\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const line = 'export * as locales from "../locales/index.js";';
      if (!text.includes(line)) throw new Error(`${args.path}: zod no longer re-exports its locales as expected; update zodWithoutLocales`);
      return { contents: text.replace(line, 'export const locales = Object.freeze({});'), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

// The per-prompt commands as one CommonJS file that compiled-bundle.ts runs through V8's code cache
// (Node 20 has none for ES modules). Built from tsc's lean-cli.js, before the ES build below.
/** What every bundle here shares. Source maps are composed with tsc's: with --enable-source-maps a stack trace names src/*.ts lines. */
const COMMON = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  legalComments: 'none',
  minifySyntax: true,
  sourcemap: true,
  logLevel: 'warning',
};

await build({
  ...COMMON,
  entryPoints: [join(OUT, 'lean-cli.js')],
  outfile: join(OUT, 'lean-cli.cjs'),
  format: 'cjs',
  // A script run from V8's code cache cannot call import() in Node 20 (the callback is lost), so
  // an import() of a package outside the bundle becomes require() (Node ≥ 20.19 requires ES modules).
  supported: { 'dynamic-import': false },
  minifyWhitespace: true,
  // The file is the function a CommonJS module is wrapped in (compiled-bundle.ts compiles it as it
  // is: no second copy of a megabyte of source to wrap it in memory).
  banner: {
    js: [
      '(function (exports, require, module, __filename, __dirname) { "use strict";',
      'var __mnemoModuleUrl = (path) => require("node:url").pathToFileURL(require("node:path").join(__dirname, path)).href;',
    ].join('\n'),
  },
  footer: { js: '})' },
  plugins: [keepPackagesOutside(LEAN_BUNDLED_PACKAGES), keepModuleUrls('cjs'), zodWithoutLocales],
});

const leanText = readFileSync(join(OUT, 'lean-cli.cjs'), 'latin1');
if (/\bimport\(/.test(leanText.replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '""'))) {
  process.stderr.write('dist/cli/lean-cli.cjs calls import(), which fails when it runs from the code cache: see compiled-bundle.ts.\n');
  process.exit(1);
}

// Files of an earlier build (tsc's maps stay: esbuild composes them into the bundles').
for (const name of readdirSync(OUT)) if (/^(chunk-.*\.(m?js)|run-cli\.mjs)(\.map)?$/.test(name)) rmSync(join(OUT, name));

// The full CLI (every other command): ES modules with code splitting, so that every `await import()`
// stays lazy (`mnemo --help` loads the command list only, `mnemo chat` the model SDKs), as .mjs
// files beside the CommonJS entry.
const result = await build({
  ...COMMON,
  entryPoints: [join(OUT, 'run-cli.js')],
  outdir: OUT,
  outExtension: { '.js': '.mjs' },
  splitting: true,
  format: 'esm',
  chunkNames: 'chunk-[hash]',
  minifyWhitespace: true,
  // Bundled CommonJS packages (commander, semver, …) call require() for Node's own modules.
  // A bundled CommonJS package that reads __filename gets its chunk's own (ES modules have none).
  banner: {
    js: [
      "import { createRequire as __mnemoRequire } from 'node:module';",
      "import { fileURLToPath as __mnemoFileURLToPath } from 'node:url';",
      'const require = __mnemoRequire(import.meta.url);',
      'const __mnemoFilename = __mnemoFileURLToPath(import.meta.url);',
    ].join('\n'),
  },
  define: { __filename: '__mnemoFilename' },
  plugins: [keepPackagesOutside(BUNDLED_PACKAGES), keepModuleUrls('esm'), zodWithoutLocales],
  metafile: Boolean(process.env.MNEMO_BUNDLE_META),
});
if (result.metafile) (await import('node:fs')).writeFileSync(process.env.MNEMO_BUNDLE_META, JSON.stringify(result.metafile));

/**
 * The entry (`bin`) stays small and becomes CommonJS: Node starts a CommonJS entry without its ES
 * module loader (a few milliseconds on every call). It holds main.ts, the per-turn hooks' short path
 * and the code-cache loader; it loads lean-cli.cjs or the full CLI's run-cli.mjs.
 */
const entryImports = {
  name: 'entry-imports',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^\.\/(run-cli|lean-cli)\.js$/ }, (args) =>
      args.path === './run-cli.js' ? { path: './run-cli.mjs', external: true } : { path: args.path, external: true },
    );
  },
};
await build({
  ...COMMON,
  entryPoints: [join(OUT, 'main.js')],
  outfile: join(OUT, 'main.js'),
  allowOverwrite: true,
  format: 'cjs',
  banner: {
    js: `${BANNER_MARK}\nvar __mnemoModuleUrl = (path) => require("node:url").pathToFileURL(require("node:path").join(__dirname, path)).href;`,
  },
  plugins: [entryImports, keepPackagesOutside([]), keepModuleUrls('cjs')],
});
// dist/cli/main.js is CommonJS (tsc's other .js files in dist/cli/ are not loaded by the bin: the
// bundles hold them). The library (dist/index.js) never imports dist/cli/.
writeFileSync(join(OUT, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
