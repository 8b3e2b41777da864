import { mkdir, readFile, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { FieldFinding, GuardedCandidate } from '../guard/index.js';
import { MnemoError, errnoCode, randomToken, writeFileAtomic, type Clock } from '../shared/index.js';
import { rootPaths } from '../store/index.js';

/** A write held by the guard: never returned by recall, never loaded, until a person approves it. */
export interface QuarantineItem {
  id: string;
  time: string;
  status: 'held' | 'approved' | 'rejected';
  candidate: GuardedCandidate;
  reasons: string[];
  findings: Pick<FieldFinding, 'field' | 'rule' | 'family' | 'severity' | 'excerpt' | 'message'>[];
  /** The task it was staged for, if any. */
  task?: string | undefined;
  /** The dream whose model proposed it, if any. */
  dream?: string | undefined;
  decided?: { time: string; by: string; note?: string } | undefined;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$/;

function folder(root: string, status: QuarantineItem['status']): string {
  const base = rootPaths(root).quarantine;
  return status === 'held' ? base : join(base, status);
}

/** Read an item; dream's held model notes (a flat record) are read in the same shape. */
const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);

function normalize(id: string, value: Record<string, unknown>, status: QuarantineItem['status']): QuarantineItem {
  if (value.candidate) return { ...(value as unknown as QuarantineItem), id, status: (value.status as QuarantineItem['status']) ?? status };
  return {
    id,
    time: text(value.time, ''),
    status,
    candidate: {
      name: text(value.name, id),
      description: text(value.description, ''),
      type: (value.type as GuardedCandidate['type']) ?? 'project',
      body: text(value.body, ''),
      evidence: (value.evidence as GuardedCandidate['evidence']) ?? [],
      source: { kind: 'dream', trust: 'untrusted', ...(typeof value.session === 'string' ? { session: value.session } : {}) },
    },
    reasons: Array.isArray(value.reasons) ? value.reasons.map(String) : [],
    findings: [],
    ...(typeof value.dream === 'string' ? { dream: value.dream } : {}),
  };
}

/** `.state/quarantine/`: held writes, with the approved and rejected ones kept beside them. */
export class QuarantineStore {
  constructor(
    private readonly root: string,
    private readonly clock: Clock,
  ) {}

  async hold(item: Omit<QuarantineItem, 'id' | 'time' | 'status'>): Promise<QuarantineItem> {
    const held: QuarantineItem = { ...item, id: `q-${randomToken(8)}`, time: this.clock.now().toISOString(), status: 'held' };
    await writeFileAtomic(join(folder(this.root, 'held'), `${held.id}.json`), JSON.stringify(held, null, 2));
    return held;
  }

  async list(options: { all?: boolean } = {}): Promise<QuarantineItem[]> {
    const statuses: QuarantineItem['status'][] = options.all ? ['held', 'approved', 'rejected'] : ['held'];
    const items: QuarantineItem[] = [];
    for (const status of statuses) {
      let names: string[] = [];
      try {
        names = await readdir(folder(this.root, status));
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') throw error;
      }
      for (const name of names.filter((file) => file.endsWith('.json'))) {
        try {
          const value = JSON.parse(await readFile(join(folder(this.root, status), name), 'utf8')) as Record<string, unknown>;
          items.push(normalize(name.slice(0, -5), value, status));
        } catch {
          // a half-written or foreign file: not an item
        }
      }
    }
    return items.sort((a, b) => a.time.localeCompare(b.time));
  }

  async get(id: string): Promise<QuarantineItem> {
    if (!ID.test(id))
      throw new MnemoError('invalid-input', `${JSON.stringify(id)} is not a quarantine id.`, { hint: 'See `mnemo quarantine list`.' });
    for (const status of ['held', 'approved', 'rejected'] as const) {
      try {
        const value = JSON.parse(await readFile(join(folder(this.root, status), `${id}.json`), 'utf8')) as Record<string, unknown>;
        return normalize(id, value, status);
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') throw error;
      }
    }
    throw new MnemoError('not-found', `Nothing in quarantine is called ${id}.`, { hint: 'See `mnemo quarantine list --all`.' });
  }

  /** Record a person's decision: the item moves to `approved/` or `rejected/` (kept, never deleted). */
  async decide(item: QuarantineItem, status: 'approved' | 'rejected', by: string, note?: string): Promise<QuarantineItem> {
    const decided: QuarantineItem = { ...item, status, decided: { time: this.clock.now().toISOString(), by, ...(note ? { note } : {}) } };
    await mkdir(folder(this.root, status), { recursive: true });
    await writeFileAtomic(join(folder(this.root, status), `${item.id}.json`), JSON.stringify(decided, null, 2));
    await unlink(join(folder(this.root, 'held'), `${item.id}.json`)).catch(() => undefined);
    return decided;
  }
}
