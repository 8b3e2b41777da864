/**
 * ui: the local web dashboard (`mnemo ui`). Server-rendered pages over the library API — the
 * index with its budget, topics with provenance, evidence, verdicts, versions and supersede
 * chains, lessons, sessions, the quarantine to review, dreams to propose, apply and roll back,
 * status with charts — and one small script for the writes and live reloads. Every change is a
 * call of app/, the same the CLI makes. Loopback by default, a per-run token on every request.
 */
export { serveDashboard } from './dashboard-server.js';
export type { DashboardOptions, DashboardServing } from './dashboard-server.js';
export { assertSafeDashboardBinding, newDashboardToken, TOKEN_HEADER, TOKEN_COOKIE } from './dashboard-access.js';
export { escapeHtml, html, highlight } from './html.js';
