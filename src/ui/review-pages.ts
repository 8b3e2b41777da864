import type { QuarantineItem } from '../discipline/index.js';
import { diffBlock, highlight, html, type SafeHtml } from './html.js';
import { badge, shortTime } from './page-layout.js';
import type { PageContext, PageResult } from './page-context.js';

/** A dream report (markdown with ```diff blocks) as HTML: headings, lines, diffs coloured. */
export function renderReport(text: string): SafeHtml {
  const parts: SafeHtml[] = [];
  let diff: string[] | undefined;
  for (const line of text.split('\n')) {
    if (diff !== undefined) {
      if (line.startsWith('```')) {
        parts.push(diffBlock(diff));
        diff = undefined;
      } else diff.push(line);
      continue;
    }
    if (line.startsWith('```diff')) diff = [];
    else if (line.startsWith('### ')) parts.push(html`<h4>${line.slice(4)}</h4>`);
    else if (line.startsWith('## ')) parts.push(html`<h3>${line.slice(3)}</h3>`);
    else if (line.startsWith('# ')) parts.push(html`<h3>${line.slice(2)}</h3>`);
    else if (line.trim() !== '') parts.push(html`<div>${line}</div>`);
  }
  if (diff !== undefined) parts.push(diffBlock(diff));
  return html`<div class="report">${parts}</div>`;
}

function quarantineCard(item: QuarantineItem): SafeHtml {
  const excerpts = item.findings.map((finding) => finding.excerpt);
  const { candidate } = item;
  const decided = item.decided
    ? html`<p class="muted">
        ${item.status} by ${item.decided.by} at ${shortTime(item.decided.time)}${item.decided.note ? `: ${item.decided.note}` : ''}
      </p>`
    : '';
  return html`<div class="card quarantine-item" data-id="${item.id}">
    <h2>${candidate.name} ${badge(item.status)} <span class="muted">${item.id}</span></h2>
    <p class="muted">
      ${candidate.type} · from ${candidate.source.kind}${candidate.source.origin ? ` (${candidate.source.origin})` : ''} · held
      ${shortTime(item.time)}${item.task ? ` · task ${item.task}` : ''}${item.dream ? ` · dream ${item.dream}` : ''}
    </p>
    <p><strong>Why held:</strong> ${item.reasons.join('; ')}</p>
    ${
      item.findings.length > 0
        ? html`<ul class="findings">
            ${item.findings.map((finding) => html`<li>${badge(finding.severity)} ${finding.family}/${finding.rule} in ${finding.field}: ${finding.message}</li>`)}
          </ul>`
        : ''
    }
    <p class="muted">${candidate.description}</p>
    <pre class="quarantine-body">${highlight(candidate.body, excerpts)}</pre>
    ${decided}
    ${
      item.status === 'held'
        ? html`<p>
            <input id="note-${item.id}" placeholder="note (optional)" aria-label="note" />
            <button
              class="primary"
              data-post="/api/quarantine/${encodeURIComponent(item.id)}/approve"
              data-confirm="Vouch for this write? The guard runs again, then it becomes a topic."
            >
              Approve
            </button>
            <button class="danger" data-post="/api/quarantine/${encodeURIComponent(item.id)}/reject" data-note-from="note-${item.id}">
              Reject
            </button>
          </p>`
        : ''
    }
  </div>`;
}

/** `/quarantine`: held writes with the findings highlighted, approve and reject; decided ones below. */
export async function quarantinePage({ memory }: PageContext): Promise<PageResult> {
  const items = await memory.quarantine.list({ all: true });
  const held = items.filter((item) => item.status === 'held');
  const decided = items
    .filter((item) => item.status !== 'held')
    .sort((a, b) => (b.decided?.time ?? '').localeCompare(a.decided?.time ?? ''));
  const content = html`<h1>Quarantine <span class="muted">(${held.length} held)</span></h1>
    <p class="muted">
      Writes the guard held: never recalled, never loaded, until a person approves them. Approving re-runs the guard, as
      <code>mnemo quarantine approve</code> does.
    </p>
    <div id="held">${held.length === 0 ? html`<p class="muted" id="nothing-held">Nothing is held.</p>` : held.map(quarantineCard)}</div>
    ${
      decided.length > 0
        ? html`<h2>Decided</h2>
            <div id="decided">${decided.map(quarantineCard)}</div>`
        : ''
    }`;
  return { title: 'Quarantine', active: '/quarantine', content };
}

/** `/dreams`: propose, apply, and every dream's changes as diffs with a rollback button. */
export async function dreamsPage({ memory }: PageContext): Promise<PageResult> {
  const [dreams, status] = await Promise.all([memory.records.dreams(), memory.dreamStatus()]);
  const cards = dreams.map((dream) => {
    const counts = Object.entries(dream.counts)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ');
    const body =
      dream.status === 'rolled-back'
        ? html`<p>Rolled back at ${shortTime(dream.rolledBack?.time)}: restored ${dream.rolledBack?.restored.join(', ') || 'nothing'}.</p>`
        : html`${renderReport(dream.reportText)}
            <p>
              <button
                class="danger"
                data-post="/api/dreams/${encodeURIComponent(dream.id)}/rollback"
                data-confirm="Restore every topic this dream changed, byte for byte?"
              >
                Roll back
              </button>
            </p>`;
    return html`<div class="card dream" data-id="${dream.id}" data-status="${dream.status}">
      <h2>Dream ${dream.id} ${badge(dream.status)}</h2>
      <p class="muted">
        ${shortTime(dream.time)} · ${dream.trigger.join('; ') || 'run by hand'} · ${counts || 'no changes'} ·
        ${Object.keys(dream.files).length} file(s) changed
      </p>
      ${body}
    </div>`;
  });
  const content = html`<h1>Dreams</h1>
    <div class="card">
      <p class="pre-line">${status.text}</p>
      <button data-post="/api/dreams/propose" data-target="proposal">Propose (change nothing)</button>
      <button class="primary" data-post="/api/dreams/apply" data-confirm="Dream now? A snapshot is taken first; you can roll it back.">
        Dream now
      </button>
      <div id="proposal"></div>
    </div>
    ${dreams.length === 0 ? html`<p class="muted">No dream has run yet.</p>` : cards}`;
  return { title: 'Dreams', active: '/dreams', content };
}
