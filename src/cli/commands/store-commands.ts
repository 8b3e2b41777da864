import type { Command } from 'commander';
import { MnemoError } from '../../shared/index.js';
import type { MemoryStore, TransferProgress, TransferReport } from '../../store/index.js';
import { loadConfigFor, rootOptions, type CommandContext, type RootOptions } from '../command-context.js';

/*
 * `mnemo migrate`, `mnemo export`, `mnemo import`: the PostgreSQL store's schema, and moving a
 * whole memory between the file store, a PostgreSQL database and a portable archive file.
 */

interface StoreCommandOptions extends RootOptions {
  json?: boolean;
}

async function configuredStore(
  context: CommandContext,
  options: RootOptions,
): Promise<{ kind: 'file'; root: string } | { kind: 'postgres'; url: string }> {
  const loaded = await loadConfigFor(context, options);
  return loaded.config.store.kind === 'postgres' ? { kind: 'postgres', url: loaded.config.store.url } : { kind: 'file', root: loaded.root };
}

type Endpoint = { kind: 'file'; root: string } | { kind: 'postgres'; url: string } | { kind: 'archive'; path: string };

async function endpointOf(value: string, cwd: string): Promise<Endpoint> {
  const { isDatabaseUrl } = await import('../../store/index.js');
  if (isDatabaseUrl(value)) return { kind: 'postgres', url: value };
  const path = await import('node:path');
  return { kind: 'archive', path: path.resolve(cwd, value) };
}

function describe(endpoint: Endpoint, redact: (url: string) => string): string {
  if (endpoint.kind === 'file') return `the memory at ${endpoint.root}`;
  if (endpoint.kind === 'postgres') return `PostgreSQL at ${redact(endpoint.url)}`;
  return `the archive ${endpoint.path}`;
}

async function openEndpoint(endpoint: Endpoint, role: 'source' | 'target'): Promise<MemoryStore> {
  const store = await import('../../store/index.js');
  if (endpoint.kind === 'postgres') return store.openPostgresStore({ url: endpoint.url, migrate: role === 'target' });
  if (endpoint.kind === 'file') {
    if (role === 'source') store.assertMemoryRoot(endpoint.root);
    else await store.initRoot(endpoint.root);
    return store.openFileStore({ root: endpoint.root });
  }
  throw new MnemoError('internal', 'an archive is not a store');
}

function progressPrinter(context: CommandContext): (progress: TransferProgress) => void {
  let lastPhase = '';
  return (progress) => {
    if (progress.phase !== lastPhase || progress.done === progress.total || progress.done % 1000 === 0) {
      context.out.note(`${progress.phase}: ${progress.done}/${progress.total}`);
      lastPhase = progress.phase;
    }
  };
}

async function runTransfer(context: CommandContext, source: Endpoint, target: Endpoint, json: boolean | undefined): Promise<void> {
  const store = await import('../../store/index.js');
  const same =
    (source.kind === 'postgres' && target.kind === 'postgres' && source.url === target.url) ||
    (source.kind === 'file' && target.kind === 'file' && source.root === target.root);
  if (same)
    throw new MnemoError('usage', `The source and the target are the same (${describe(source, store.redactDatabaseUrl)}).`, {
      hint: 'Name another database or file with --to / --from, or another memory root with --dir.',
    });
  context.out.note(`Copying ${describe(source, store.redactDatabaseUrl)} to ${describe(target, store.redactDatabaseUrl)}…`);
  const onProgress = progressPrinter(context);
  const opened: MemoryStore[] = [];
  let report: TransferReport;
  try {
    if (source.kind === 'archive') {
      if (target.kind === 'archive')
        throw new MnemoError('usage', 'Both sides are archive files: one side must be a memory (a root or a database).');
      const into = await openEndpoint(target, 'target');
      opened.push(into);
      report = await store.importFromArchive(source.path, into, { onProgress });
    } else {
      const from = await openEndpoint(source, 'source');
      opened.push(from);
      if (target.kind === 'archive') report = await store.exportToArchive(from, target.path, { onProgress });
      else {
        const into = await openEndpoint(target, 'target');
        opened.push(into);
        report = await store.transferMemory(from, into, { onProgress });
      }
    }
  } finally {
    for (const open of opened) await open.close();
  }
  const summary = {
    from: describe(source, store.redactDatabaseUrl),
    to: describe(target, store.redactDatabaseUrl),
    ...report,
  };
  if (json) return context.out.json(summary);
  if (target.kind === 'archive') {
    context.out.line(
      `Wrote ${report.topics} topic(s), ${report.retired} tombstone(s) and ${report.transcripts} transcript(s) to ${target.path} (${report.bytes} bytes).`,
    );
    return;
  }
  context.out.line(
    `Copied ${report.topics} topic(s) (${report.unchanged} already there), ${report.transcripts} transcript(s) (${report.transcriptsUnchanged} already there)` +
      `${report.retired > 0 ? `, retired ${report.retired} topic(s) the source had retired` : ''}${report.index ? ', and the index' : ''}.`,
  );
}

export function registerMigrate(program: Command, context: CommandContext): void {
  rootOptions(program.command('migrate'))
    .description('create or upgrade the PostgreSQL schema of a shared memory (idempotent)')
    .option('--url <url>', 'the database (default: store.url in mnemo.config.json, else MNEMO_DATABASE_URL)')
    .option('--json', 'print the report as JSON')
    .action(async (options: StoreCommandOptions & { url?: string }) => {
      let url = options.url;
      if (url === undefined) {
        const configured = await configuredStore(context, options);
        if (configured.kind === 'postgres') url = configured.url;
      }
      if (url === undefined)
        throw new MnemoError('usage', 'No database to migrate: this memory uses the file store.', {
          hint: 'Pass --url postgres://USER:PASSWORD@HOST:5432/DB, or set MNEMO_DATABASE_URL, or store: { kind: "postgres", url } in mnemo.config.json.',
        });
      const store = await import('../../store/index.js');
      if (!store.isDatabaseUrl(url))
        throw new MnemoError('usage', `--url must be a postgres:// or postgresql:// URL, not ${JSON.stringify(url)}.`);
      const report = await store.migrateDatabase(url);
      if (options.json) return context.out.json(report);
      if (report.applied.length === 0) context.out.line(`${report.location}: schema already at version ${report.to}; nothing to do.`);
      else {
        context.out.line(`${report.location}: schema upgraded from version ${report.from} to ${report.to}.`);
        for (const step of report.applied) context.out.note(`  applied ${step.version}: ${step.name}`);
      }
    });
}

export function registerExport(program: Command, context: CommandContext): void {
  rootOptions(program.command('export'))
    .description('copy the whole memory (topics, tombstones, transcripts, index) to a PostgreSQL database or an archive file')
    .requiredOption('--to <url|file>', 'a postgres:// URL, or the path of an archive file to write')
    .option('--from <url>', 'read from this database instead of the configured memory')
    .option('--json', 'print the summary as JSON')
    .action(async (options: StoreCommandOptions & { to: string; from?: string }) => {
      const target = await endpointOf(options.to, context.io.cwd);
      let source: Endpoint;
      if (options.from !== undefined) {
        source = await endpointOf(options.from, context.io.cwd);
        if (source.kind !== 'postgres')
          throw new MnemoError('usage', '--from must be a postgres:// URL; to read an archive use `mnemo import --from FILE`.');
      } else source = await configuredStore(context, options);
      await runTransfer(context, source, target, options.json);
    });
}

export function registerImport(program: Command, context: CommandContext): void {
  rootOptions(program.command('import'))
    .description(
      'copy a whole memory from a PostgreSQL database or an archive file into this memory (topics that differ are replaced; file-store copies go to .state/trash/)',
    )
    .requiredOption('--from <url|file>', 'a postgres:// URL, or an archive file written by `mnemo export`')
    .option('--to <url>', 'write into this database instead of the configured memory')
    .option('--json', 'print the summary as JSON')
    .action(async (options: StoreCommandOptions & { from: string; to?: string }) => {
      const source = await endpointOf(options.from, context.io.cwd);
      let target: Endpoint;
      if (options.to !== undefined) {
        target = await endpointOf(options.to, context.io.cwd);
        if (target.kind !== 'postgres')
          throw new MnemoError('usage', '--to must be a postgres:// URL; to write an archive use `mnemo export --to FILE`.');
      } else target = await configuredStore(context, options);
      await runTransfer(context, source, target, options.json);
    });
}
