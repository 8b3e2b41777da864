// EXPERIMENTAL, not wired into `npm run build`: with it the e2e tests claude-code-hooks and mcp-stdio
// failed (not yet investigated). Run by hand: `npm run build && node scripts/bundle-cli.mjs`.
// Bundle the CLI entry (dist/cli/main.js, as tsc wrote it) into a few files in dist/cli/, so that
// `mnemo` starts without resolving and linking hundreds of small ES modules (Node 20 has no compile
// cache). Code splitting keeps every `await import()` lazy: `mnemo --help` loads the entry chunk
// only, `mnemo recall` the memory's chunks, `mnemo chat` the model SDKs.
//
// - Our own code and the small pure-JS packages on the start paths are bundled; every other package
//   (native addons, worker-based loggers, model runtimes, the model SDKs) stays an ordinary import.
// - `import.meta.url` in each module is rewritten to the URL the module had in dist/, so files read
//   beside the code (tool descriptions, prompts, `../main.js`) are found as before.
// - The library (dist/index.js and the rest of dist/) stays tsc's output, untouched.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
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
  'write-file-atomic',
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

const keepPackagesOutside = {
  name: 'keep-packages-outside',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      return BUNDLED_PACKAGES.includes(packageName(args.path)) ? undefined : { path: args.path, external: true };
    });
  },
};

const keepModuleUrls = {
  name: 'keep-module-urls',
  setup(esbuild) {
    esbuild.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(join(REPO, 'dist') + sep)) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'js' };
      const fromOut = relative(OUT, args.path).split(sep).join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromOut)}, import.meta.url).href`), loader: 'js' };
    });
  },
};

// Chunks of an earlier build, and tsc's source map of the entry (the bundle replaces that file).
for (const name of readdirSync(OUT)) if (/^chunk-.*\.js$/.test(name) || name === 'main.js.map') rmSync(join(OUT, name));

const result = await build({
  entryPoints: [join(OUT, 'main.js')],
  outdir: OUT,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  // Bundled CommonJS packages (commander, semver, …) call require() for Node's own modules.
  banner: { js: "import { createRequire as __mnemoRequire } from 'node:module';\nconst require = __mnemoRequire(import.meta.url);" },
  plugins: [keepPackagesOutside, keepModuleUrls],
  metafile: Boolean(process.env.MNEMO_BUNDLE_META),
});
if (result.metafile) (await import('node:fs')).writeFileSync(process.env.MNEMO_BUNDLE_META, JSON.stringify(result.metafile));
