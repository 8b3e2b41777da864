import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Memory } from '../app/index.js';
import { MnemoError, describeError, isLoopbackHost, listenHttp, type Logger } from '../shared/index.js';
import { InFlight } from './in-flight.js';

export interface HttpServeOptions {
  /** Default 127.0.0.1. Anything but loopback needs `allowRemote` and a token. */
  host?: string;
  /** 0 picks a free port (see `url`). */
  port: number;
  /** Requests must carry `Authorization: Bearer <token>` (required off loopback). */
  token?: string | undefined;
  allowRemote?: boolean;
  logger: Logger;
  version: string;
}

export interface HttpServing {
  /** The MCP endpoint, e.g. `http://127.0.0.1:4821/mcp`. */
  readonly url: string;
  /** Stop accepting requests, wait for the calls in flight, close the handler. */
  close(): Promise<void>;
}

export const MCP_PATH = '/mcp';

/** Refuse a binding that would expose the memory without consent and a token. */
export function assertSafeBinding(host: string, options: { allowRemote?: boolean; token?: string | undefined }): void {
  if (isLoopbackHost(host)) return;
  if (!options.allowRemote) {
    throw new MnemoError('usage', `Binding the MCP server to ${host} would expose the memory beyond this machine.`, {
      hint: 'Keep the default (127.0.0.1), or pass --allow-remote together with a bearer token (--token or MNEMO_MCP_TOKEN).',
    });
  }
  if (!options.token) {
    throw new MnemoError('usage', `Serving on ${host} requires a bearer token.`, {
      hint: 'Pass --token <secret> or set MNEMO_MCP_TOKEN; clients send it as "Authorization: Bearer <secret>".',
    });
  }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1].trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function answer(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ error: message }));
}

/**
 * Serve a memory over MCP streamable HTTP. Every request gets a fresh server instance over the
 * one shared memory, so several clients are served at once; writes go through the library,
 * which serializes them with its lock, so none is lost. Loopback binds check Host and Origin
 * (DNS rebinding); a token, when set, is checked on every request (401 otherwise).
 */
export async function serveMcpHttp(memory: Memory, options: HttpServeOptions): Promise<HttpServing> {
  const host = options.host ?? '127.0.0.1';
  assertSafeBinding(host, options);
  // The MCP SDK and the tools are loaded here, not when the CLI starts.
  const [
    { localhostHostValidation, localhostOriginValidation, toNodeHandler },
    { createMcpHandler },
    { buildMcpServer },
    { mcpServerParts },
  ] = await Promise.all([
    import('@modelcontextprotocol/node'),
    import('@modelcontextprotocol/server'),
    import('./mcp-server.js'),
    import('./server-parts.js'),
  ]);
  const inFlight = new InFlight();
  const parts = mcpServerParts(memory, { inFlight, logger: options.logger, version: options.version });
  const handler = createMcpHandler(() => buildMcpServer(parts), {
    onerror: (error) => options.logger.debug('MCP HTTP request error', { error: describeError(error) }),
  });
  const nodeHandler = toNodeHandler(handler);
  const loopback = isLoopbackHost(host);
  const validateHost = localhostHostValidation();
  const validateOrigin = localhostOriginValidation();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== MCP_PATH) return answer(res, 404, `Not found: the MCP endpoint is ${MCP_PATH}.`);
    if (options.token && !bearerMatches(req.headers.authorization, options.token)) {
      return answer(res, 401, 'A valid bearer token is required.', { 'www-authenticate': 'Bearer realm="mnemo"' });
    }
    if (loopback && (!validateHost(req, res) || !validateOrigin(req, res))) return;
    nodeHandler(req, res).catch((error: unknown) => {
      options.logger.warn('MCP HTTP request failed', { error: describeError(error) });
      if (!res.headersSent) answer(res, 500, 'Internal error.');
    });
  });
  server.on('clientError', (error, socket) => {
    options.logger.debug('bad HTTP request', { error: describeError(error) });
    socket.destroy();
  });
  const { origin } = await listenHttp(server, options.port, host);
  return {
    url: `${origin}${MCP_PATH}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await inFlight.idle();
      await handler.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
