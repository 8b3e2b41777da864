/**
 * The embedder port: texts in, one vector per text out, in order. What semantic (hybrid) recall
 * uses; adapters in `create-embedder.ts`. An embedder may be down: `embed` rejects, and callers
 * keep what is to be embedded queued.
 */
export interface Embedder {
  /** `provider:model`, recorded beside the vectors: vectors of another id are computed again. */
  readonly id: string;
  /** The vector length, when known before the first call. */
  readonly dimensions?: number;
  /** One vector per text, in the order given; rejects when the embedder cannot answer. */
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

/** Scale a vector to length 1 (a zero vector stays zero). */
export function normalizeVector(vector: ArrayLike<number>): Float32Array {
  let sum = 0;
  for (let index = 0; index < vector.length; index += 1) sum += (vector[index] ?? 0) ** 2;
  const norm = Math.sqrt(sum);
  const out = new Float32Array(vector.length);
  for (let index = 0; index < vector.length; index += 1) out[index] = norm === 0 ? 0 : (vector[index] ?? 0) / norm;
  return out;
}
