import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Memory } from '../app/index.js';
import { MnemoError, describeError, isLoopbackHost, listenHttp, type Logger } from '../shared/index.js';
import { findAction } from './dashboard-actions.js';
import { assertSafeDashboardBinding, checkAccess, newDashboardToken, tokenCookie } from './dashboard-access.js';
import { DASHBOARD_CSS, DASHBOARD_JS } from './dashboard-assets.js';
import { escapeHtml } from './html.js';
import { indexPage, lessonsPage, sessionPage, sessionsPage, statusPage } from './memory-pages.js';
import type { PageHandler } from './page-context.js';
import { renderPage } from './page-layout.js';
import { dreamsPage, quarantinePage } from './review-pages.js';
import { topicPage, topicsPage } from './topics-page.js';

export interface DashboardOptions {
  /** Default 127.0.0.1; anything but loopback needs `allowRemote` and a `token`. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** The token requests must carry; default a fresh random one per run (required off loopback). */
  token?: string | undefined;
  allowRemote?: boolean;
  logger: Logger;
}

export interface DashboardServing {
  /** The address to open, with the token: `http://127.0.0.1:4848/?token=…`. */
  readonly url: string;
  /** The address without the token. */
  readonly origin: string;
  readonly token: string;
  close(): Promise<void>;
}

const PAGES: { pattern: RegExp; handler: PageHandler }[] = [
  { pattern: /^\/$/, handler: indexPage },
  { pattern: /^\/topics$/, handler: topicsPage },
  { pattern: /^\/topics\/([^/]+)$/, handler: topicPage },
  { pattern: /^\/lessons$/, handler: lessonsPage },
  { pattern: /^\/sessions$/, handler: sessionsPage },
  { pattern: /^\/sessions\/([^/]+)$/, handler: sessionPage },
  { pattern: /^\/quarantine$/, handler: quarantinePage },
  { pattern: /^\/dreams$/, handler: dreamsPage },
  { pattern: /^\/status$/, handler: statusPage },
];

/** No script but our own, no inline script, nothing from the network, never framed. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': `${type}; charset=utf-8`, ...headers });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json', JSON.stringify(value));
}

function errorPage(status: number, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>mnemo: ${status}</title></head><body><h1>${status}</h1><p>${escapeHtml(message)}</p></body></html>`;
}

async function readBody(req: IncomingMessage, limit = 16 * 1024): Promise<{ note?: unknown }> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new MnemoError('invalid-input', 'The request body is too large.');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' ? value : {};
  } catch {
    throw new MnemoError('invalid-input', 'The request body is not JSON.');
  }
}

function statusFor(error: unknown): number {
  if (!(error instanceof MnemoError)) return 500;
  if (error.code === 'not-found') return 404;
  if (error.code === 'invalid-input' || error.code === 'usage') return 400;
  return 409;
}

/**
 * Serve the dashboard over an open memory. Pages are rendered on the server from the library
 * API, every value escaped; the one script sends writes back as POSTs, each the same library
 * call the CLI makes. Every request needs the per-run token (401 otherwise); see
 * `dashboard-access.ts` for the CSRF and DNS-rebinding rules.
 */
export async function serveDashboard(memory: Memory, options: DashboardOptions): Promise<DashboardServing> {
  const host = options.host ?? '127.0.0.1';
  assertSafeDashboardBinding(host, options);
  const token = options.token ?? newDashboardToken();
  const loopback = isLoopbackHost(host);
  let queue: Promise<unknown> = Promise.resolve();
  /** One change at a time from this server (the memory lock serializes across processes too). */
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const access = checkAccess(req, url, { token, loopback });
    if (!access.ok) {
      const wantsJson = url.pathname.startsWith('/api/');
      if (wantsJson) return sendJson(res, access.status, { error: access.message });
      return send(
        res,
        access.status,
        'text/html',
        errorPage(access.status, access.message),
        access.status === 401 ? { 'www-authenticate': 'Bearer realm="mnemo"' } : {},
      );
    }
    if (access.fromUrl) {
      url.searchParams.delete('token');
      return send(res, 303, 'text/plain', 'See the page without the token.', {
        'set-cookie': tokenCookie(token),
        location: `${url.pathname}${url.search}`,
      });
    }
    const path = url.pathname;
    if (req.method === 'POST') {
      const action = findAction(path);
      if (!action) return sendJson(res, 404, { error: `No action at ${path}.` });
      const body = await readBody(req);
      const answer = await serialized(() => action.run(memory, action.parameter, body));
      return sendJson(res, 200, answer);
    }
    if (path === '/assets/dashboard.css') return send(res, 200, 'text/css', DASHBOARD_CSS);
    if (path === '/assets/dashboard.js') return send(res, 200, 'text/javascript', DASHBOARD_JS);
    if (path === '/favicon.ico') return send(res, 204, 'image/x-icon', '');
    if (path === '/api/fingerprint') return sendJson(res, 200, { fingerprint: await memory.records.fingerprint() });
    for (const page of PAGES) {
      const match = page.pattern.exec(path);
      if (!match) continue;
      const parameters = match.slice(1).map((part) => decodeURIComponent(part));
      const [result, fingerprint] = await Promise.all([page.handler({ memory, url }, ...parameters), memory.records.fingerprint()]);
      if ('notFound' in result) return send(res, 404, 'text/html', errorPage(404, result.notFound));
      return send(
        res,
        200,
        'text/html',
        renderPage({ title: result.title, active: result.active, token, fingerprint, root: memory.root }, result.content),
      );
    }
    return send(res, 404, 'text/html', errorPage(404, `Nothing at ${path}.`));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = statusFor(error);
      if (status === 500) options.logger.warn('dashboard request failed', { error: describeError(error) });
      const hint = error instanceof MnemoError && error.hint ? ` ${error.hint}` : '';
      const message = `${describeError(error)}${hint}`;
      if (res.headersSent) return res.end();
      if ((req.url ?? '').startsWith('/api/')) return sendJson(res, status, { error: message });
      send(res, status, 'text/html', errorPage(status, message));
    });
  });
  server.on('clientError', (error, socket) => {
    options.logger.debug('bad HTTP request', { error: describeError(error) });
    socket.destroy();
  });
  const { origin } = await listenHttp(server, options.port, host);
  return {
    url: `${origin}/?token=${encodeURIComponent(token)}`,
    origin,
    token,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await queue;
      server.closeAllConnections();
      await closed;
    },
  };
}
