import { createHash } from 'node:crypto';

/** Hex SHA-256 of a string or buffer. */
export function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}
