import type { Memory } from '../app/index.js';
import { html } from './html.js';
import { renderReport } from './review-pages.js';

/** What an action answers: a line for the flash, and markup for the page when it shows something in place. */
export interface ActionAnswer {
  message: string;
  html?: string;
}

type Action = (memory: Memory, parameter: string, body: { note?: unknown }) => Promise<ActionAnswer>;

/*
 * Every change the dashboard can make, each one call of the library API, the same the CLI
 * makes: the guard, the writer's discipline and the audit lines are theirs. The UI cannot do
 * what `mnemo` would refuse (read-only writes mode, an item already decided, a rollback over
 * changed topics).
 */
const ACTIONS: { pattern: RegExp; run: Action }[] = [
  {
    pattern: /^\/api\/quarantine\/([A-Za-z0-9._-]+)\/approve$/,
    run: async (memory, id) => {
      const approved = await memory.quarantine.approve(id);
      const warnings = approved.warnings.length > 0 ? ` (the guard still notes: ${approved.warnings.join('; ')})` : '';
      return { message: `Approved ${id}: written as ${approved.written.slug}${warnings}.` };
    },
  },
  {
    pattern: /^\/api\/quarantine\/([A-Za-z0-9._-]+)\/reject$/,
    run: async (memory, id, body) => {
      await memory.quarantine.reject(
        id,
        typeof body.note === 'string' && body.note.trim() !== '' ? body.note.trim().slice(0, 500) : undefined,
      );
      return { message: `Rejected ${id}: it stays out of memory.` };
    },
  },
  {
    pattern: /^\/api\/dreams\/propose$/,
    run: async (memory) => {
      const outcome = await memory.dream({ propose: true });
      if (outcome.status !== 'proposed') return { message: outcome.text };
      const markup = html`<div class="proposal" data-keep="1">
        <h2>Proposed dream</h2>
        ${renderReport(outcome.text)}
      </div>`;
      return { message: 'Proposed: nothing was changed.', html: markup.value };
    },
  },
  {
    pattern: /^\/api\/dreams\/apply$/,
    run: async (memory) => {
      const outcome = await memory.dream();
      if (outcome.status !== 'applied') return { message: outcome.text };
      const counts = Object.entries(outcome.counts)
        .map(([kind, count]) => `${kind} ${count}`)
        .join(', ');
      return { message: `Dream ${outcome.id} applied: ${counts || 'nothing to change'}.` };
    },
  },
  {
    pattern: /^\/api\/dreams\/([0-9TZ]{16}-[a-z0-9]{4})\/rollback$/,
    run: async (memory, id) => ({ message: (await memory.rollbackDream(id)).text }),
  },
  {
    pattern: /^\/api\/topics\/([A-Za-z0-9][A-Za-z0-9._-]*)\/forget$/,
    run: async (memory, slug) => {
      const forgotten = await memory.forget(slug, { reason: 'forgotten from the dashboard', actor: 'user' });
      return { message: `Forgot ${forgotten.slug}: kept in the trash.` };
    },
  },
];

/** The action a POST path names, with its parameter; undefined when none does. */
export function findAction(path: string): { run: Action; parameter: string } | undefined {
  for (const action of ACTIONS) {
    const match = action.pattern.exec(path);
    if (match) return { run: action.run, parameter: decodeURIComponent(match[1] ?? '') };
  }
  return undefined;
}
