import { describeError } from '../shared/index.js';
import { confirmed, contradicted, unverifiable, type CheckContext, type CheckOutcome, type HttpEvidence } from './check-context.js';
import { refusalToRun } from './command-check.js';
import { findPattern, showPattern } from './text-pattern.js';

/** Bytes of a response body read for `expect.body`. */
export const HTTP_BODY_CAP_BYTES = 64 * 1024;

/** True when the URL's host is allowed: `example.com`, `*.example.com` or `host:port` entries. */
export function isHostAllowed(url: URL, allowedHosts: readonly string[]): boolean {
  const hostname = url.hostname.toLowerCase();
  const host = url.host.toLowerCase();
  return allowedHosts.some((entry) => {
    const allowed = entry.trim().toLowerCase();
    if (allowed === '') return false;
    if (allowed.startsWith('*.')) return hostname.endsWith(allowed.slice(1));
    return allowed === hostname || allowed === host;
  });
}

async function readCapped(response: Response, cap: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < cap) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, cap).toString('utf8');
}

/**
 * `http` evidence: runs only for trusted topics when HTTP is allowed and the host is in
 * `allowedHosts`. A GET without following redirects (a redirect is a status like any other),
 * within the command timeout; the status must equal `expect.status` (default 200) and the first
 * 64 KB of the body must match `expect.body`.
 */
export async function checkHttp(evidence: HttpEvidence, context: CheckContext): Promise<CheckOutcome> {
  const refusal = refusalToRun('http', context);
  if (refusal) return unverifiable(refusal);
  let url: URL;
  try {
    url = new URL(evidence.url);
  } catch {
    return unverifiable(`${JSON.stringify(evidence.url)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return unverifiable(`only http and https URLs are checked, not ${url.protocol}`);
  if (!isHostAllowed(url, context.allowedHosts)) return unverifiable(`${url.host} is not an allowed host (verification.allowedHosts)`);
  // Details name the origin and path only: credentials and query strings may hold secrets.
  const shown = `${url.origin}${url.pathname}`;
  const expectedStatus = evidence.expect?.status ?? 200;
  const bodyPattern = evidence.expect?.body;
  const signals = [AbortSignal.timeout(context.commandTimeoutMs), ...(context.signal ? [context.signal] : [])];
  const request = context.fetch ?? fetch;
  let response: Response;
  let body = '';
  try {
    response = await request(url, {
      method: 'GET',
      redirect: 'manual',
      signal: AbortSignal.any(signals),
      headers: { 'user-agent': 'mnemo-verification' },
    });
    if (bodyPattern !== undefined) body = await readCapped(response, HTTP_BODY_CAP_BYTES);
    else await response.body?.cancel().catch(() => undefined);
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return unverifiable(
      timedOut ? `GET ${shown} did not answer within ${context.commandTimeoutMs} ms` : `GET ${shown} failed: ${describeError(error)}`,
    );
  }
  const observed: Record<string, unknown> = { status: response.status };
  if (response.status !== expectedStatus)
    return contradicted(`GET ${shown} now answers ${response.status}, expected ${expectedStatus}`, observed);
  if (bodyPattern !== undefined && !findPattern(bodyPattern, body).matched) {
    return contradicted(`the body of GET ${shown} no longer matches ${showPattern(bodyPattern)}`, observed);
  }
  return confirmed(
    `GET ${shown} answers ${expectedStatus}${bodyPattern === undefined ? '' : ` with ${showPattern(bodyPattern)}`}`,
    observed,
  );
}
