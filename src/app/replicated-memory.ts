import type { LoadedConfig } from '../config/index.js';
import { openPostgresReplica, type PostgresReplica } from '../store/index.js';
import { createAgent } from './agent-wiring.js';
import { aiSdkTools } from './memory-tools.js';
import type { Memory, OpenMemoryOptions, TaskHandle } from './open-memory.js';

/*
 * A memory that lives in PostgreSQL (`store: { kind: "postgres" }` or MNEMO_DATABASE_URL): the
 * engine opened on this process's working copy (store/postgres-replica.ts), with every call of
 * the library API going through the copy: reads pull what other processes committed first; writes
 * run under the fleet writer lock inside one transaction and push what they changed. So every
 * process pointed at one database (CLI commands, `mnemo mcp --http` servers, the dashboard, the
 * daemon) serves one memory with the same discipline, guard and dream.
 */

type Opener = (loaded: LoadedConfig, root: string, options: OpenMemoryOptions) => Promise<Memory>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wraps methods of any signature
type AnyAsync = (...args: any[]) => Promise<any>;

/** Just these methods of `target`, each run through `through`. */
function wrapAll<T extends object, K extends keyof T>(
  target: T,
  keys: readonly K[],
  through: (work: () => Promise<unknown>) => Promise<unknown>,
): Pick<T, K> {
  const wrapped: Partial<Record<K, unknown>> = {};
  for (const key of keys) {
    const method = target[key] as unknown as AnyAsync;
    wrapped[key] = (...args: unknown[]) => through(() => method(...args));
  }
  return wrapped as Pick<T, K>;
}

function wrapHandle(handle: TaskHandle, replica: PostgresReplica): TaskHandle {
  return {
    ...handle,
    note: (input) => replica.write(() => handle.note(input)),
    observe: (kind, text) => replica.write(() => handle.observe(kind, text)),
    complete: (options) => replica.write(() => handle.complete(options)),
    fail: (reason) => replica.write(() => handle.fail(reason)),
    abandon: (reason) => replica.write(() => handle.abandon(reason)),
    show: () => replica.read(() => handle.show()),
  };
}

/** Open the memory at `url` through a working copy of it (created, or brought up to date). */
export async function openReplicatedMemory(loaded: LoadedConfig, url: string, options: OpenMemoryOptions, open: Opener): Promise<Memory> {
  const replica = await openPostgresReplica({
    url,
    env: loaded.environment,
    listen: true,
    ...(options.create ? { migrate: true } : {}),
  });
  let inner: Memory;
  try {
    const { initRoot } = await import('../store/index.js');
    await initRoot(replica.root);
    inner = await open(loaded, replica.root, options);
  } catch (error) {
    await replica.close();
    throw error;
  }
  const read = <T>(work: () => Promise<T>): Promise<T> => replica.read(work);
  const write = <T>(work: () => Promise<T>): Promise<T> => replica.write(work);
  const memory: Memory = {
    ...inner,
    ...wrapAll(inner, ['recall', 'list', 'show', 'indexText', 'agentIndexText', 'checkIndex', 'status', 'dreamStatus', 'reindex'], read),
    ...wrapAll(
      inner,
      [
        'remember',
        'doctor',
        'verify',
        'heal',
        'forget',
        'log',
        'importSession',
        'renderIndex',
        'recordGitArrivals',
        'dream',
        'rollbackDream',
      ],
      write,
    ),
    root: inner.root,
    workspace: inner.workspace,
    config: inner.config,
    warnings: inner.warnings,
    embeddings: inner.embeddings,
    beginTask: (input) => write(async () => wrapHandle(await inner.beginTask(input), replica)),
    task: (id) => read(async () => wrapHandle(await inner.task(id), replica)),
    tasks: {
      list: (listOptions) => read(() => inner.tasks.list(listOptions)),
      approve: (id) => write(() => inner.tasks.approve(id)),
    },
    quarantine: {
      ...inner.quarantine,
      ...wrapAll(inner.quarantine, ['list', 'show', 'transcripts', 'showTurn'], read),
      ...wrapAll(inner.quarantine, ['approve', 'reject', 'approveTurn', 'rejectTurn'], write),
    },
    records: wrapAll(inner.records, Object.keys(inner.records) as (keyof Memory['records'])[], read),
    tools: (toolOptions) => aiSdkTools(memory, toolOptions),
    agent: (agentOptions) => createAgent(memory, inner.config, options.env, agentOptions),
    close: () => {
      inner.close();
      void replica.close();
    },
  };
  return memory;
}
