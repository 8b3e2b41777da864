// `npm run quickstart`: the main job on the embedded default (files + SQLite), in a temp folder.
// Runs the built CLI (npm run build first) and prints each command with its output.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = join(mkdtempSync(join(tmpdir(), 'mnemo-quickstart-')), '.mnemo');
const cli = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');

function run(...args) {
  process.stdout.write(`\n$ mnemo ${args.map((arg) => (/\s/.test(arg) ? JSON.stringify(arg) : arg)).join(' ')}\n`);
  try {
    process.stdout.write(
      execFileSync(process.execPath, [cli, ...args, '--dir', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
    );
  } catch (error) {
    process.stdout.write(`(exit ${error.status})\n${error.stdout ?? ''}`);
  }
}

run('init');
run(
  'remember',
  'Staging deploys are blue-green: `npm run deploy:staging` switches traffic after health checks.\n**Why:** zero-downtime releases.\n**How to apply:** never deploy staging by hand.',
  '--name',
  'Staging deploys',
  '--description',
  'how staging is deployed and why',
  '--type',
  'project',
  '--tag',
  'deploy',
);
run(
  'remember',
  'The user prefers small pull requests with one concern each.',
  '--name',
  'Small PRs',
  '--description',
  'review preference of the user',
  '--type',
  'feedback',
);
run(
  'log',
  'TypeError: Cannot read properties of undefined (reading "port") at loadConfig (src/config.ts:42)',
  '--session',
  'quickstart',
  '--kind',
  'error',
);
run('recall', 'how do we deploy staging');
run('recall', 'loadConfig port TypeError', '--deep');
run('index', '--check');
run('status');
process.stdout.write(`\nThe memory is plain files in ${dir}: MEMORY.md, one .md per topic, sessions/*.jsonl.\n`);
