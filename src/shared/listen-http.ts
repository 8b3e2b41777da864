import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** `localhost`, `::1` (bracketed or not) or any 127.x.y.z: an address only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

/**
 * Start `server` on `host:port` (0 picks a free port); rejects with the listen error (EADDRINUSE,
 * EACCES) and resolves with the origin a client uses, `http://host:port` (IPv6 bracketed).
 */
export async function listenHttp(server: Server, port: number, host: string): Promise<{ origin: string; port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { origin: `http://${shownHost}:${address.port}`, port: address.port };
}
