import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { MnemoError, isLoopbackHost } from '../shared/index.js';

/*
 * Who may drive the dashboard. A per-run token (random, or the one given with --allow-remote)
 * must come with every request: in the URL the command prints (then kept in an HttpOnly,
 * SameSite=Strict cookie), or as `Authorization: Bearer`. Writes are POST only and need the
 * token in the `x-mnemo-token` header (a cross-site form cannot set it) and, when the browser
 * sends one, an Origin equal to the dashboard's own. On loopback the Host header must name
 * loopback too (DNS rebinding).
 */

export const TOKEN_COOKIE = 'mnemo_ui';
export const TOKEN_HEADER = 'x-mnemo-token';

/** A fresh token for one run: 32 random bytes, URL-safe. */
export function newDashboardToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The rule of `mcp --http`: anything but loopback needs --allow-remote and a token the user chose. */
export function assertSafeDashboardBinding(host: string, options: { allowRemote?: boolean; token?: string | undefined }): void {
  if (isLoopbackHost(host)) return;
  if (!options.allowRemote) {
    throw new MnemoError('usage', `Serving the dashboard on ${host} would expose the memory beyond this machine.`, {
      hint: 'Keep the default (127.0.0.1), or pass --allow-remote together with --token <secret>.',
    });
  }
  if (!options.token) {
    throw new MnemoError('usage', `Serving the dashboard on ${host} requires a token.`, {
      hint: 'Pass --token <secret> (at least 16 characters); open the URL it prints, which carries it.',
    });
  }
  if (options.token.length < 16) {
    throw new MnemoError('usage', 'The dashboard token is too short to guard a memory on the network.', {
      hint: 'Use a --token of at least 16 random characters.',
    });
  }
}

function same(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

export type AccessDecision =
  | { ok: true; /** The token came in the URL: set the cookie and redirect to the same page without it. */ fromUrl: boolean }
  | { ok: false; status: 401 | 403 | 405; message: string };

/** Decide whether a request may proceed. */
export function checkAccess(request: IncomingMessage, url: URL, options: { token: string; loopback: boolean }): AccessDecision {
  const host = request.headers.host ?? '';
  if (options.loopback && !isLoopbackHost(host.replace(/:\d+$/, ''))) {
    return { ok: false, status: 403, message: `Host ${host} is not this machine's loopback.` };
  }
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
  const fromUrl = url.searchParams.get('token') ?? undefined;
  const cookie = cookieValue(request.headers.cookie, TOKEN_COOKIE);
  const authorized = same(fromUrl, options.token) || same(cookie, options.token) || same(bearer, options.token);
  if (!authorized) return { ok: false, status: 401, message: 'This dashboard needs its token: open the URL that `mnemo ui` printed.' };
  const method = request.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD') return { ok: true, fromUrl: fromUrl !== undefined && same(fromUrl, options.token) };
  if (method !== 'POST') return { ok: false, status: 405, message: `${method} is not allowed; changes are POST requests.` };
  const header = request.headers[TOKEN_HEADER];
  if (!same(typeof header === 'string' ? header : undefined, options.token)) {
    return { ok: false, status: 403, message: `A change needs the ${TOKEN_HEADER} header (the dashboard's own buttons send it).` };
  }
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return { ok: false, status: 403, message: 'The Origin header is not a URL.' };
    }
    if (originHost !== host) return { ok: false, status: 403, message: `A change from ${origin} is not allowed.` };
  } else if (origin === 'null') {
    return { ok: false, status: 403, message: 'A change from an opaque origin is not allowed.' };
  }
  return { ok: true, fromUrl: false };
}

/** The cookie that keeps the token after the first visit. */
export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
}
