import { fenceClose, fenceOpen, neutralizeFenced, type DataFence } from '../shared/index.js';
import type { TurnRecord } from './turn-table.js';

/** The heading of the transcript part of a recall. */
export const TURNS_HEADING = '## From transcripts';
/** Stands for turns of a session that were left out between two recalled ones. */
export const GAP_MARKER = '…';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Who said a turn: its speaker, else its role, else its kind. */
export function turnAuthor(turn: Pick<TurnRecord, 'speaker' | 'role' | 'kind'>): string {
  return turn.speaker ?? turn.role ?? turn.kind;
}

/** A date as people read it, with its weekday (UTC): `Fri 9 Jun 2023`; undefined for no date. */
export function dayLabel(time: string): string | undefined {
  const at = new Date(time);
  if (time === '' || Number.isNaN(at.getTime())) return undefined;
  return `${WEEKDAYS[at.getUTCDay()]} ${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]} ${at.getUTCFullYear()}`;
}

/** The line that opens a session's turns: `[<session> · Fri 9 Jun 2023]`. */
export function sessionHeading(turn: Pick<TurnRecord, 'session' | 'time'>): string {
  const day = dayLabel(turn.time);
  return `[${turn.session || 'transcript'}${day ? ` · ${day}` : ''}]`;
}

/** What recall says about where a turn came from, and whether its text is held back. */
export interface TurnProvenance {
  /** Shown after the author: `tool-result [untrusted]: …`. */
  provenance?: string;
}

/** The provenance line of the transcript fence. */
export const TURNS_PROVENANCE = 'recalled transcript turns';

/**
 * One turn as a line under its session heading: `Speaker: text` (text on one line), or
 * `Speaker [provenance]: text`. With a fence, the text is neutralized (it cannot close the fence).
 */
export function turnLine(turn: Pick<TurnRecord, 'speaker' | 'role' | 'kind' | 'text'> & TurnProvenance, fence?: DataFence): string {
  const text = turn.text.trim().replace(/\s*\n\s*/g, ' ');
  const label = turn.provenance ? ` [${turn.provenance}]` : '';
  return `${turnAuthor(turn)}${label}: ${fence ? neutralizeFenced(text, fence) : text}`;
}

/** Whether `next` directly follows `previous` in the same transcript. */
export function followsDirectly(previous: Pick<TurnRecord, 'file' | 'line'>, next: Pick<TurnRecord, 'file' | 'line'>): boolean {
  return previous.file === next.file && next.line === previous.line + 1;
}

type Renderable = Pick<TurnRecord, 'session' | 'time' | 'file' | 'line'> & { rendered: string };

/** Turns grouped by session, sessions in time order, turns in transcript order. */
export function groupBySession<T extends Renderable>(turns: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const turn of turns) groups.set(turn.session, [...(groups.get(turn.session) ?? []), turn]);
  const ordered = [...groups.values()].map((group) => [...group].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line));
  const firstTime = (group: T[]) => Math.min(...group.map((turn) => Date.parse(turn.time) || 0));
  return ordered.sort((a, b) => firstTime(a) - firstTime(b) || (a[0]?.session ?? '').localeCompare(b[0]?.session ?? ''));
}

/**
 * The transcript part of a recall: a heading, then per session a line with its id and date and
 * the recalled turns in order (each its `rendered` line, `Speaker: text`), with
 * `…` where turns in between were left out. With a fence, everything under the heading sits
 * between the fence's open and close lines.
 */
export function renderTurnSection(turns: readonly Renderable[], fence?: DataFence): string {
  const lines = [TURNS_HEADING];
  if (fence) lines.push(fenceOpen(fence, TURNS_PROVENANCE));
  for (const group of groupBySession(turns)) {
    const first = group[0];
    if (!first) continue;
    lines.push(sessionHeading(first));
    group.forEach((turn, index) => {
      const previous = group[index - 1];
      if (previous && !followsDirectly(previous, turn)) lines.push(GAP_MARKER);
      lines.push(turn.rendered);
    });
  }
  if (fence) lines.push(fenceClose(fence));
  return lines.join('\n');
}
