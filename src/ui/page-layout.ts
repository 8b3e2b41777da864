import { html, type SafeHtml } from './html.js';

/** The pages in the navigation bar, in order. */
export const NAVIGATION = [
  { path: '/', label: 'Index' },
  { path: '/topics', label: 'Topics' },
  { path: '/lessons', label: 'Lessons' },
  { path: '/sessions', label: 'Sessions' },
  { path: '/quarantine', label: 'Quarantine' },
  { path: '/dreams', label: 'Dreams' },
  { path: '/status', label: 'Status' },
] as const;

export interface PageFrame {
  title: string;
  /** Path of the navigation entry to mark. */
  active: string;
  token: string;
  /** The memory's fingerprint when the page was rendered (the script reloads when it changes). */
  fingerprint: string;
  root: string;
}

/** A whole page: head, navigation, a flash line for the result of actions, and the content. */
export function renderPage(frame: PageFrame, content: SafeHtml): string {
  const links = NAVIGATION.map(
    (entry) => html`<a href="${entry.path}" class="${entry.path === frame.active ? 'active' : ''}">${entry.label}</a>`,
  );
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="mnemo-token" content="${frame.token}" />
        <meta name="referrer" content="no-referrer" />
        <title>${frame.title} · mnemo</title>
        <link rel="stylesheet" href="/assets/dashboard.css" />
      </head>
      <body data-fingerprint="${frame.fingerprint}">
        <header><strong>mnemo</strong>${links}<span class="muted" title="memory root">${frame.root}</span></header>
        <main>
          <div id="flash" class="flash" role="status"></div>
          ${content}
        </main>
        <script src="/assets/dashboard.js"></script>
      </body>
    </html> `.value;
}

/** A small status badge. */
export function badge(text: string | undefined): SafeHtml {
  if (!text) return html``;
  return html`<span class="badge ${text.replace(/[^a-z-]/g, '')}">${text}</span>`;
}

/** A short date: `2026-11-22 17:40`. */
export function shortTime(iso: string | undefined): string {
  if (!iso) return '';
  return iso.replace('T', ' ').replace(/:\d{2}(\.\d+)?Z$/, '');
}
