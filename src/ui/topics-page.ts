import type { TopicRecord } from '../app/index.js';
import { SOURCE_KINDS, TOPIC_STATUSES, TOPIC_TYPES, type Evidence, type TopicMeta } from '../store/index.js';
import { diffBlock, html, type SafeHtml } from './html.js';
import { badge, shortTime } from './page-layout.js';
import { TRUST_LEVELS, type PageContext, type PageResult } from './page-context.js';
import { cumulativeLines, type DayCount } from './svg-charts.js';

/** One piece of evidence in one line: `file deploy.yaml contains "blue-green"`. */
export function describeEvidence(evidence: Evidence): string {
  const rest = Object.entries(evidence)
    .filter(([key]) => key !== 'kind')
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return `${evidence.kind} ${rest.join(' ')}`;
}

function options(name: string, values: readonly string[], chosen: string | null): SafeHtml {
  return html`<select name="${name}" aria-label="${name}">
    <option value="">any ${name}</option>
    ${values.map((value) => html`<option value="${value}" ${value === chosen ? html`selected` : ''}>${value}</option>`)}
  </select>`;
}

function matches(topic: TopicRecord, url: URL): boolean {
  const want = (name: string) => url.searchParams.get(name) || undefined;
  const { meta } = topic;
  return (
    (want('type') === undefined || meta.type === want('type')) &&
    (want('status') === undefined || meta.status === want('status')) &&
    (want('trust') === undefined || (meta.source?.trust ?? 'trusted') === want('trust')) &&
    (want('source') === undefined || (meta.source?.kind ?? 'user') === want('source'))
  );
}

/** Topics created per day and type: the chart's rows. */
export function createdByDay(topics: readonly TopicRecord[], key: (meta: TopicMeta) => string): DayCount[] {
  return topics.flatMap((topic) => {
    const day = (topic.meta.created ?? topic.meta.updated ?? new Date(topic.mtimeMs).toISOString()).slice(0, 10);
    return [{ day, key: key(topic.meta), count: 1 }];
  });
}

/** `/topics`: search and filters (type, status, trust, source), a table, and topics over time. */
export async function topicsPage({ memory, url }: PageContext): Promise<PageResult> {
  const query = url.searchParams.get('q')?.trim() ?? '';
  let topics = await memory.records.topics();
  const usage = await memory.records.usage();
  if (query !== '') {
    const hits = await memory.records.searchTopics(query);
    const bySlug = new Map(topics.map((topic) => [topic.slug, topic]));
    topics = hits.flatMap((hit) => bySlug.get(hit.slug) ?? []);
  }
  const all = topics;
  topics = topics.filter((topic) => matches(topic, url));
  const rows = topics.map(
    (topic) =>
      html`<tr data-slug="${topic.slug}">
        <td>
          <a href="/topics/${encodeURIComponent(topic.slug)}">${topic.meta.name}</a>
          <div class="muted">${topic.meta.description}</div>
        </td>
        <td>${topic.meta.type}</td>
        <td>${badge(topic.meta.status)}</td>
        <td>${badge(topic.meta.source?.trust ?? 'trusted')}</td>
        <td>${topic.meta.source?.kind ?? 'user'}</td>
        <td>${shortTime(topic.meta.updated)}</td>
        <td>${topic.meta.tags.join(', ')}</td>
        <td class="recalled">${usage[topic.slug]?.hits ?? 0}</td>
      </tr>`,
  );
  const content = html`<h1>Topics</h1>
    <form class="filters" method="get" action="/topics">
      <input type="search" name="q" value="${query}" placeholder="search topics" aria-label="search topics" />
      ${options('type', TOPIC_TYPES, url.searchParams.get('type'))} ${options('status', TOPIC_STATUSES, url.searchParams.get('status'))}
      ${options('trust', TRUST_LEVELS, url.searchParams.get('trust'))} ${options('source', SOURCE_KINDS, url.searchParams.get('source'))}
      <button type="submit">Filter</button>
      <span class="muted" id="topic-count">${topics.length} of ${all.length} topic(s)</span>
    </form>
    <table id="topics">
      <thead>
        <tr>
          <th>topic</th>
          <th>type</th>
          <th>status</th>
          <th>trust</th>
          <th>source</th>
          <th>updated</th>
          <th>tags</th>
          <th title="times recall returned it">recalled</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
    ${
      query === ''
        ? html`<div class="grid">
            ${cumulativeLines(
              'Topics over time, by type',
              createdByDay(all, (meta) => meta.type),
            )}${cumulativeLines(
              'Topics over time, by status',
              createdByDay(all, (meta) => meta.status),
            )}
          </div>`
        : ''
    }`;
  return { title: 'Topics', active: '/topics', content };
}

function chain(topics: readonly TopicRecord[], meta: TopicMeta): SafeHtml {
  const find = (reference: string) => topics.find((topic) => topic.meta.id === reference || topic.slug === reference);
  const link = (reference: string) => {
    const found = find(reference);
    return found
      ? html`<a href="/topics/${encodeURIComponent(found.slug)}">${found.meta.name}</a> <span class="muted">(${found.meta.status})</span>`
      : html`<span>${reference}</span> <span class="muted">(not found)</span>`;
  };
  const older = meta.supersedes.map((reference) => html`<li>supersedes ${link(reference)}</li>`);
  const newer = meta.supersededBy ? html`<li>superseded by ${link(meta.supersededBy)}</li>` : '';
  const links = meta.links.map((item) => html`<li>${item.rel} ${link(item.id)}</li>`);
  const pointing = topics
    .filter((topic) => meta.id !== undefined && topic.meta.links.some((item) => item.id === meta.id))
    .map((topic) => html`<li>linked from <a href="/topics/${encodeURIComponent(topic.slug)}">${topic.meta.name}</a></li>`);
  const items = [...older, newer, ...links, ...pointing];
  return items.some((item) => item !== '')
    ? html`<ul>
        ${items}
      </ul>`
    : html`<p class="muted">no supersede chain or links</p>`;
}

/** `/topics/SLUG`: the topic with its provenance, evidence and verdicts, versions as diffs, supersede chain and audit lines. */
export async function topicPage({ memory }: PageContext, slug: string): Promise<PageResult> {
  const shown = await memory.show(slug);
  if (!shown.found) return { notFound: shown.message };
  if (!('meta' in shown)) {
    return {
      title: slug,
      active: '/topics',
      content: html`<h1>${slug}</h1>
        <p>This topic cannot be read: ${shown.unreadable}</p>`,
    };
  }
  const { meta, body, checks, verified } = shown;
  const [topics, versions, audit] = await Promise.all([
    memory.records.topics(),
    memory.records.versions(shown.slug),
    memory.records.audit({ slug: shown.slug }),
  ]);
  const source = meta.source;
  const content = html`<h1>${meta.name} ${badge(meta.status)} ${badge(source?.trust ?? 'trusted')}</h1>
    <p class="muted">${meta.description} · ${meta.type} · ${shown.slug}.md${meta.id ? ` · id ${meta.id}` : ''}</p>
    <div class="card"><pre id="topic-body">${body}</pre></div>
    <div class="grid">
      <div class="card">
        <h2>Provenance</h2>
        <table>
          <tr>
            <th>source</th>
            <td>${source?.kind ?? 'user (no source recorded)'}</td>
          </tr>
          <tr>
            <th>trust</th>
            <td>${source?.trust ?? 'trusted'}</td>
          </tr>
          ${
            source?.origin
              ? html`<tr>
                  <th>origin</th>
                  <td>${source.origin}</td>
                </tr>`
              : ''
          }
          ${
            source?.session
              ? html`<tr>
                  <th>session</th>
                  <td><a href="/sessions/${encodeURIComponent(source.session)}">${source.session}</a></td>
                </tr>`
              : ''
          }
          ${
            source?.task
              ? html`<tr>
                  <th>task</th>
                  <td>${source.task}</td>
                </tr>`
              : ''
          }
          ${
            source?.vouchedBy
              ? html`<tr>
                  <th>vouched by</th>
                  <td>${source.vouchedBy}</td>
                </tr>`
              : ''
          }
          <tr>
            <th>created</th>
            <td>${shortTime(meta.created)}</td>
          </tr>
          <tr>
            <th>updated</th>
            <td>${shortTime(meta.updated)}</td>
          </tr>
          <tr>
            <th>verified</th>
            <td>${shortTime(verified) || 'never'}</td>
          </tr>
        </table>
      </div>
      <div class="card">
        <h2>Supersede chain and links</h2>
        ${chain(topics, meta)}
      </div>
    </div>
    <div class="card">
      <h2>Evidence</h2>
      ${
        meta.evidence.length === 0
          ? html`<p class="muted">none</p>`
          : html`<ul>
              ${meta.evidence.map((item) => html`<li><code>${describeEvidence(item)}</code></li>`)}
            </ul>`
      }
      <h3>Verdict history</h3>
      ${
        checks.length === 0
          ? html`<p class="muted">never checked</p>`
          : html`<table id="verdicts">
              <tr>
                <th>time</th>
                <th>verdict</th>
                <th>summary</th>
                <th>topic after</th>
              </tr>
              ${checks
                .slice()
                .reverse()
                .map(
                  (check) =>
                    html`<tr>
                      <td>${shortTime(check.time)}</td>
                      <td>${badge(check.status)}</td>
                      <td>${check.summary}</td>
                      <td>${check.topicStatus}</td>
                    </tr>`,
                )}
            </table>`
      }
    </div>
    <div class="card">
      <h2>Versions (from the trash)</h2>
      ${
        versions.length === 0
          ? html`<p class="muted">no earlier versions</p>`
          : versions
              .slice()
              .reverse()
              .map(
                (version) =>
                  html`<h3>${shortTime(version.time)} <span class="muted">${version.file}</span></h3>
                    ${diffBlock(version.diff)}`,
              )
      }
    </div>
    <div class="card">
      <h2>Audit</h2>
      <table>
        ${audit
          .slice()
          .reverse()
          .map(
            (entry) =>
              html`<tr>
                <td>${shortTime(entry.time)}</td>
                <td>${entry.action}</td>
                <td>${entry.actor ?? ''}</td>
                <td>${entry.reason ?? ''}</td>
              </tr>`,
          )}
      </table>
    </div>
    <p>
      <button
        class="danger"
        data-post="/api/topics/${encodeURIComponent(shown.slug)}/forget"
        data-confirm="Move this topic to the trash? It stays recoverable."
      >
        Forget (to the trash)
      </button>
    </p>`;
  return { title: meta.name, active: '/topics', content };
}
