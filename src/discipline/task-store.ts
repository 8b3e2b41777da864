import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MnemoError, errnoCode, withLock, writeFileAtomic, type Clock } from '../shared/index.js';
import { redactDeep } from '../guard/index.js';
import { rootPaths, type Evidence, type TopicLink, type TopicSource, type TopicType } from '../store/index.js';

export const TASK_STATUSES = ['open', 'awaiting-approval', 'completed', 'failed', 'abandoned'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** A note staged by a task: invisible to other sessions until the task's verification passes. */
export interface StagedNote {
  id: string;
  name: string;
  description: string;
  type: TopicType;
  body: string;
  tags: string[];
  evidence: Evidence[];
  links: TopicLink[];
  source: TopicSource;
  staged: string;
}

/** One run of the task's verification (or a person's confirmation). */
export interface TaskAttempt {
  time: string;
  passed: boolean;
  /** The verification command, or `confirmed by a person`. */
  check: string;
  exitCode?: number | undefined;
  timedOut?: boolean;
  outputTail: string;
  durationMs?: number;
}

/** An error the task ran into, with its normalized signature. */
export interface TaskError {
  time: string;
  signature: string;
  text: string;
}

/** What a promotion wrote. */
export interface PromotedTopic {
  slug: string;
  id: string;
  action: 'created' | 'updated' | 'superseded' | 'lesson';
  supersedes?: string;
}

/** A task and its working set, as kept in `.state/staging/<id>.json` (open) or `.state/tasks/<id>.json` (closed). */
export interface TaskRecord {
  v: 1;
  id: string;
  goal: string;
  verify?: string | undefined;
  session: string;
  status: TaskStatus;
  created: string;
  updated: string;
  notes: StagedNote[];
  attempts: TaskAttempt[];
  errors: TaskError[];
  summary?: string | undefined;
  reason?: string | undefined;
  promoted?: PromotedTopic[] | undefined;
}

const TASK_ID = /^t-[a-z0-9]{4,16}$/;

export function isOpenStatus(status: TaskStatus): boolean {
  return status === 'open' || status === 'awaiting-approval';
}

/** `.state/staging/<id>.json` for open tasks, `.state/tasks/<id>.json` for closed ones, relative to `.state/`. */
export function taskFile(id: string, status: TaskStatus): string {
  return isOpenStatus(status) ? join('staging', `${id}.json`) : join('tasks', `${id}.json`);
}

export function assertTaskId(id: string): void {
  if (!TASK_ID.test(id)) {
    throw new MnemoError('invalid-input', `${JSON.stringify(id)} is not a task id.`, {
      hint: 'Task ids look like t-k3x9q2; see `mnemo task list`.',
    });
  }
}

async function readRecord(path: string): Promise<TaskRecord | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as TaskRecord;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw new MnemoError('invalid-input', `${path} is not a readable task file: ${String(error)}`, {
      hint: 'Move the file aside; the task can be abandoned and started again.',
    });
  }
}

/** A task file's text, with any secret in goals, errors, outputs or notes redacted. */
export function serializeTask(task: TaskRecord): string {
  return JSON.stringify(redactDeep(task).value, null, 2);
}

/** Tasks on disk, with a lock per task for read-modify-write. */
export class TaskStore {
  private readonly root: string;
  private readonly clock: Clock;

  constructor(root: string, clock: Clock) {
    this.root = root;
    this.clock = clock;
  }

  private path(relative: string): string {
    return join(rootPaths(this.root).state, relative);
  }

  /** A task, open or closed; undefined when there is no such task. */
  async read(id: string): Promise<TaskRecord | undefined> {
    assertTaskId(id);
    return (await readRecord(this.path(taskFile(id, 'open')))) ?? (await readRecord(this.path(taskFile(id, 'completed'))));
  }

  async get(id: string): Promise<TaskRecord> {
    const task = await this.read(id);
    if (!task) throw new MnemoError('not-found', `No task ${id}.`, { hint: 'See `mnemo task list --all`.' });
    return task;
  }

  async create(task: TaskRecord): Promise<void> {
    await writeFileAtomic(this.path(taskFile(task.id, task.status)), serializeTask(task));
  }

  /** Serialize changes to one task across processes. */
  async withTask<T>(id: string, work: () => Promise<T>): Promise<T> {
    assertTaskId(id);
    return withLock(
      join(rootPaths(this.root).locks, `task-${id}.lock`),
      { purpose: `task ${id}`, clock: this.clock, staleMs: 600_000 },
      work,
    );
  }

  /** Change an open task in place (under its lock). */
  async update(id: string, change: (task: TaskRecord) => void): Promise<TaskRecord> {
    return this.withTask(id, async () => {
      const task = await this.get(id);
      if (!isOpenStatus(task.status)) {
        throw new MnemoError('invalid-input', `Task ${id} is ${task.status}; it can no longer change.`, {
          hint: 'Begin a new task with `mnemo task begin`.',
        });
      }
      change(task);
      task.updated = this.clock.now().toISOString();
      await writeFileAtomic(this.path(taskFile(id, task.status)), serializeTask(task));
      return task;
    });
  }

  /** All tasks (open ones only unless `all`), newest first. */
  async list(options: { all?: boolean } = {}): Promise<TaskRecord[]> {
    const folders = options.all ? ['staging', 'tasks'] : ['staging'];
    const tasks: TaskRecord[] = [];
    for (const folder of folders) {
      let names: string[] = [];
      try {
        names = await readdir(this.path(folder));
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') throw error;
      }
      for (const name of names.filter((file) => file.endsWith('.json'))) {
        const task = await readRecord(join(this.path(folder), name)).catch(() => undefined);
        if (task) tasks.push(task);
      }
    }
    return tasks.sort((a, b) => b.created.localeCompare(a.created));
  }
}
