import { highlightTerms, html, type SafeHtml } from './html.js';
import { badge, shortTime } from './page-layout.js';
import type { PageContext, PageResult } from './page-context.js';
import type { TopicRecord } from '../app/index.js';
import { gauge, linkGraph, rankedBars, stackedBars, type DayCount, type GraphEdge } from './svg-charts.js';

function meter(label: string, value: number, max: number): SafeHtml {
  return html`<tr>
    <th>${label}</th>
    <td>${gauge(value, max, `${label} ${value} of ${max}`)}</td>
    <td class="gauge-value">${value} / ${max} (${max > 0 ? Math.round((value / max) * 100) : 0}%)</td>
  </tr>`;
}

/** `/`: MEMORY.md as the agent sees it, with the budget gauge and what was left out and why. */
export async function indexPage({ memory }: PageContext): Promise<PageResult> {
  const [text, check, topics] = await Promise.all([memory.indexText(), memory.checkIndex(), memory.records.topics()]);
  const { report } = check;
  const omitted = new Set(report.omitted.map((entry) => entry.slug));
  const notIndexed = topics.filter((topic) => !omitted.has(topic.slug) && !text.includes(`(${topic.slug}.md)`));
  const leftOut = [
    ...report.omitted.map(
      (entry) =>
        html`<tr>
          <td><a href="/topics/${encodeURIComponent(entry.slug)}">${entry.title}</a></td>
          <td>over the budget: ranked lowest</td>
        </tr>`,
    ),
    ...notIndexed.map(
      (topic) =>
        html`<tr>
          <td><a href="/topics/${encodeURIComponent(topic.slug)}">${topic.meta.name}</a></td>
          <td>
            ${topic.meta.status === 'superseded' ? 'superseded: its successor is indexed' : topic.meta.status === 'quarantined' ? 'quarantined: never loaded' : `not in the index (status ${topic.meta.status}); run mnemo index`}
          </td>
        </tr>`,
    ),
  ];
  const content = html`<h1>Index <span class="muted">(what the agent sees at the start of every session)</span></h1>
    <div class="card">
      <table id="budget">
        ${meter('lines', report.lines, report.maxLines)} ${meter('bytes', report.bytes, report.maxBytes)}
        <tr>
          <th>entries</th>
          <td colspan="2">${report.entries}</td>
        </tr>
      </table>
      ${report.warnings.map((warning) => html`<p class="muted">⚠ ${warning}</p>`)}
      ${check.ok ? '' : html`<p>MEMORY.md disagrees with the topics: ${check.problems.map((problem) => problem.message).join('; ')}. The agent gets a freshly rendered index.</p>`}
    </div>
    <h2>Left out (${leftOut.length})</h2>
    ${
      leftOut.length === 0
        ? html`<p class="muted">nothing: every active topic has its line</p>`
        : html`<table id="left-out">
            <tr>
              <th>topic</th>
              <th>why</th>
            </tr>
            ${leftOut}
          </table>`
    }
    <h2>MEMORY.md</h2>
    <pre id="index-text">${text}</pre>`;
  return { title: 'Index', active: '/', content };
}

/** The supersede and link relations between topics, by slug. */
export function topicLinks(topics: readonly TopicRecord[]): GraphEdge[] {
  const slugOf = (reference: string) => topics.find((topic) => topic.meta.id === reference || topic.slug === reference)?.slug;
  return topics.flatMap((topic) => [
    ...topic.meta.supersedes.flatMap((reference) => {
      const to = slugOf(reference);
      return to ? [{ from: topic.slug, to, rel: 'supersedes' }] : [];
    }),
    ...topic.meta.links.flatMap((link) => {
      const to = slugOf(link.id);
      return to ? [{ from: topic.slug, to, rel: link.rel }] : [];
    }),
  ]);
}

/** `/lessons`: error signature → verified fix, times seen, links; the graph of supersede and lesson links. */
export async function lessonsPage({ memory }: PageContext): Promise<PageResult> {
  const topics = await memory.records.topics();
  const lessons = topics.filter((topic) => topic.meta.type === 'lesson');
  const edges = topicLinks(topics);
  const linked = new Set(edges.flatMap((edge) => [edge.from, edge.to]));
  const nodes = topics
    .filter((topic) => linked.has(topic.slug))
    .map((topic) => ({
      id: topic.slug,
      label: topic.meta.name,
      group: topic.meta.type,
      href: `/topics/${encodeURIComponent(topic.slug)}`,
    }));
  const rows = lessons.map((lesson) => {
    const seen = /^Recurrence: seen in (\d+) sessions?/m.exec(lesson.body)?.[1] ?? '1';
    return html`<tr>
      <td><a href="/topics/${encodeURIComponent(lesson.slug)}">${lesson.meta.name}</a> ${badge(lesson.meta.status)}</td>
      <td><code>${lesson.meta.errorSignature ?? ''}</code></td>
      <td><pre>${lesson.body}</pre></td>
      <td>${seen}</td>
      <td>${lesson.meta.links.map((link) => html`<div>${link.rel} ${link.id}</div>`)}</td>
    </tr>`;
  });
  const content = html`<h1>Lessons</h1>
    ${
      lessons.length === 0
        ? html`<p class="muted">No lessons yet: a task that fixes an error it observed leaves one.</p>`
        : html`<table id="lessons">
            <tr>
              <th>lesson</th>
              <th>error signature</th>
              <th>verified fix</th>
              <th>times seen</th>
              <th>links</th>
            </tr>
            ${rows}
          </table>`
    }
    ${linkGraph('Supersede and lesson links', nodes, edges)}`;
  return { title: 'Lessons', active: '/lessons', content };
}

const FLAG = /\[REDACTED:/;

function turnFlags(turn: { kind: string; injected?: boolean | undefined; text: string }): string[] {
  return [
    ...(turn.kind === 'error' ? ['error'] : []),
    ...(turn.injected ? ['injected by mnemo'] : []),
    ...(FLAG.test(turn.text) ? ['secret redacted'] : []),
  ];
}

function turnBlock(
  turn: { kind: string; injected?: boolean | undefined; text: string; time: string; line: number; session: string },
  withSession: boolean,
  query = '',
): SafeHtml {
  const flags = turnFlags(turn);
  return html`<div class="turn ${flags.length > 0 ? 'flagged' : ''}" data-line="${turn.line}">
    <div class="muted">
      ${withSession ? html`<a href="/sessions/${encodeURIComponent(turn.session)}">${turn.session}</a> · ` : ''}#${turn.line} ·
      ${shortTime(turn.time)} · ${turn.kind} ${flags.map((flag) => badge(flag))}
    </div>
    <pre>${highlightTerms(turn.text, query)}</pre>
  </div>`;
}

/** `/sessions`: the transcripts (layer 3), searched, with flagged turns marked. */
export async function sessionsPage({ memory, url }: PageContext): Promise<PageResult> {
  const query = url.searchParams.get('q')?.trim() ?? '';
  const search = html`<form class="filters" method="get" action="/sessions">
    <input type="search" name="q" value="${query}" placeholder="search transcripts" aria-label="search transcripts" /><button type="submit">
      Search
    </button>
  </form>`;
  if (query !== '') {
    const hits = await memory.records.searchTurns(query);
    const content = html`<h1>Sessions</h1>
      ${search}
      <p class="muted">${hits.length} turn(s) match</p>
      ${hits.map((hit) => turnBlock(hit, true, query))}`;
    return { title: 'Sessions', active: '/sessions', content };
  }
  const sessions = await memory.records.sessions();
  const content = html`<h1>Sessions</h1>
    ${search}${
      sessions.length === 0
        ? html`<p class="muted">No transcripts yet.</p>`
        : html`<table id="sessions">
            <tr>
              <th>session</th>
              <th>size</th>
              <th>last write</th>
            </tr>
            ${sessions.map(
              (session) =>
                html`<tr>
                  <td><a href="/sessions/${encodeURIComponent(session.session)}">${session.session}</a></td>
                  <td>${session.size} bytes</td>
                  <td>${shortTime(new Date(session.mtimeMs).toISOString())}</td>
                </tr>`,
            )}
          </table>`
    }`;
  return { title: 'Sessions', active: '/sessions', content };
}

/** `/sessions/ID`: one transcript, flagged turns marked. */
export async function sessionPage({ memory }: PageContext, session: string): Promise<PageResult> {
  const events = await memory.records.session(session);
  if (!events) return { notFound: `No session ${session}.` };
  const flagged = events.filter((event) => turnFlags(event).length > 0).length;
  const content = html`<h1>Session ${session}</h1>
    <p class="muted">${events.length} event(s), ${flagged} flagged</p>
    ${events.map((event) => turnBlock(event, false))}`;
  return { title: session, active: '/sessions', content };
}

function perDay<T extends { time: string }>(
  items: readonly T[],
  key: (item: T) => string,
  count: (item: T) => number = () => 1,
): DayCount[] {
  return items.filter((item) => item.time).map((item) => ({ day: item.time.slice(0, 10), key: key(item), count: count(item) }));
}

/** `/status`: what `mnemo status` says, with verdicts and guard events over time. */
export async function statusPage({ memory }: PageContext): Promise<PageResult> {
  const [status, verdicts, guardEvents, usage, topics] = await Promise.all([
    memory.status(),
    memory.records.verdicts(),
    memory.records.guardEvents(),
    memory.records.usage(),
    memory.records.topics(),
  ]);
  const names = new Map(topics.map((topic) => [topic.slug, topic.meta.name]));
  const hits = Object.entries(usage).map(([slug, item]) => ({ label: names.get(slug) ?? slug, value: item.hits }));
  const allVerdicts = Object.values(verdicts).flat();
  const counts = (record: Record<string, number>) =>
    Object.entries(record)
      .filter(([, value]) => value > 0)
      .map(([key, value]) => `${key} ${value}`)
      .join(', ') || 'none';
  const content = html`<h1>Status</h1>
    <div class="card">
      <table id="status">
        <tr>
          <th>root</th>
          <td>${status.root}</td>
        </tr>
        <tr>
          <th>workspace</th>
          <td>${status.workspace}</td>
        </tr>
        <tr>
          <th>writes</th>
          <td>${status.writes}</td>
        </tr>
        <tr>
          <th>topics</th>
          <td>
            ${status.topics.total} (${counts(status.topics.byType)};
            ${counts(status.topics.byStatus)}${status.topics.unreadable ? `; ${status.topics.unreadable} unreadable` : ''})
          </td>
        </tr>
        <tr>
          <th>index</th>
          <td>
            ${status.index.entries} entries, ${status.index.lines}/${status.index.maxLines} lines,
            ${status.index.bytes}/${status.index.maxBytes} bytes${status.index.inSync ? '' : ' (out of sync)'}
          </td>
        </tr>
        <tr>
          <th>transcripts</th>
          <td>${status.transcripts.sessions} session(s), ${status.transcripts.turns} turn(s)</td>
        </tr>
        <tr>
          <th>dream</th>
          <td>
            ${status.lastDream ? `last ${status.lastDream}` : 'never'};
            ${status.dream.due ? `due (${status.dream.reasons.join('; ')})` : 'not due'}
          </td>
        </tr>
        <tr>
          <th>guard</th>
          <td>
            ${status.guard.redactions} secret(s) redacted, ${status.guard.quarantined} write(s) quarantined (${status.guard.held} held),
            ${status.guard.withheld} body(ies) withheld
          </td>
        </tr>
        <tr>
          <th>open tasks</th>
          <td>
            ${status.openTasks.length === 0 ? 'none' : status.openTasks.map((task) => html`<div>${task.id}: ${task.goal} (${task.status}, ${task.notes} note(s))</div>`)}
          </td>
        </tr>
      </table>
      ${
        status.problems.length > 0
          ? html`<h2>Problems</h2>
              <ul>
                ${status.problems.map((problem) => html`<li>${problem.file}: ${problem.message}</li>`)}
              </ul>`
          : ''
      }
    </div>
    <div class="grid">
      ${stackedBars(
        'Verdicts over time',
        perDay(allVerdicts, (verdict) => verdict.status),
      )}${stackedBars(
        'Redactions and quarantines over time',
        perDay(
          guardEvents,
          (event) => event.action,
          (event) => event.count,
        ),
      )}${rankedBars('Recall hits per topic', hits)}
    </div>`;
  return { title: 'Status', active: '/status', content };
}
