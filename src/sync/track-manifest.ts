/**
 * Track manifests: what a speaker needs to fetch a content-addressed track from untrusted peers.
 *
 * A track is identified by the SHA-256 of its encoded bytes (`trackId`, lowercase hex). The
 * manifest splits those bytes into fixed-size chunks (the last one may be shorter) and lists the
 * SHA-256 of every chunk, so each chunk can be verified on arrival, before the whole file is in.
 * Hashing is injected (`HashFn`): this module touches no browser or Node globals.
 */

/** SHA-256 of `bytes` as 64 lowercase hex digits. Injected (e.g. `crypto.subtle.digest` in the shell). */
export type HashFn = (bytes: Uint8Array) => Promise<string>;

/** Default chunk size: 64 KiB, well under a data channel's safe message size with its frame header. */
export const DEFAULT_CHUNK_BYTES = 64 * 1024;
/** Smallest chunk size accepted (bounds the number of chunks, hence a manifest's size). */
export const MIN_CHUNK_BYTES = 16 * 1024;
/** Largest chunk size accepted: a frame (header + payload) must stay under 256 KiB, SCTP's usual limit. */
export const MAX_CHUNK_BYTES = 128 * 1024;
/** Largest track accepted: 200 MB (a long lossless album side; bounds memory while downloading). */
export const MAX_TRACK_BYTES = 200 * 1000 * 1000;
/** Most chunks a valid manifest can have (`MAX_TRACK_BYTES` at `MIN_CHUNK_BYTES`). */
export const MAX_CHUNK_COUNT = Math.ceil(MAX_TRACK_BYTES / MIN_CHUNK_BYTES);

/** A SHA-256 digest in lowercase hex. */
export const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;

/**
 * Everything needed to download and verify one track.
 * Invariants (guaranteed by `buildManifest` and `validateManifest`): `trackId` and every chunk
 * hash match `SHA256_HEX_PATTERN`; `1 ≤ sizeBytes ≤ MAX_TRACK_BYTES`; `chunkBytes` is an integer in
 * [`MIN_CHUNK_BYTES`, `MAX_CHUNK_BYTES`]; `chunkHashes.length === ceil(sizeBytes / chunkBytes)`.
 */
export interface TrackManifest {
  readonly trackId: string;
  readonly sizeBytes: number;
  readonly chunkBytes: number;
  readonly chunkHashes: readonly string[];
}

/** Byte range `[startByte, endByte)` of one chunk within the track. */
export interface ChunkRange {
  readonly startByte: number;
  readonly endByte: number;
}

/** Result of checking an untrusted manifest. */
export type ManifestCheck = { ok: true; manifest: TrackManifest } | { ok: false; reason: string };

/** Number of chunks of a track of `sizeBytes` cut into `chunkBytes` pieces. */
export function chunkCountFor(sizeBytes: number, chunkBytes: number): number {
  return Math.ceil(sizeBytes / chunkBytes);
}

/**
 * Build the manifest of a local track (trusted input).
 * Throws `RangeError` when `bytes` is empty or larger than `MAX_TRACK_BYTES`, or `chunkBytes` is
 * out of bounds. Chunk hashes are computed in order, one at a time, to bound memory.
 */
export async function buildManifest(bytes: Uint8Array, hash: HashFn, chunkBytes = DEFAULT_CHUNK_BYTES): Promise<TrackManifest> {
  const reason = sizeProblem(bytes.length, chunkBytes);
  if (reason !== null) throw new RangeError(`buildManifest: ${reason}`);
  const chunkHashes: string[] = [];
  for (let start = 0; start < bytes.length; start += chunkBytes) {
    chunkHashes.push(await hash(bytes.subarray(start, Math.min(start + chunkBytes, bytes.length))));
  }
  const trackId = await hash(bytes);
  return Object.freeze({ trackId, sizeBytes: bytes.length, chunkBytes, chunkHashes: Object.freeze(chunkHashes) });
}

/**
 * Check a manifest received from a peer. Never throws (even on hostile getters or proxies). On success the returned manifest is a
 * fresh frozen copy (extra fields dropped), so later changes to `input` cannot affect it.
 */
export function validateManifest(input: unknown): ManifestCheck {
  try {
    return checkManifest(input);
  } catch {
    return fail('unreadable manifest');
  }
}

function checkManifest(input: unknown): ManifestCheck {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail('not an object');
  const { trackId, sizeBytes, chunkBytes, chunkHashes } = input as Record<string, unknown>;
  if (typeof trackId !== 'string' || !SHA256_HEX_PATTERN.test(trackId)) return fail('trackId is not lowercase sha-256 hex');
  if (typeof sizeBytes !== 'number' || typeof chunkBytes !== 'number') return fail('sizeBytes and chunkBytes must be numbers');
  const problem = sizeProblem(sizeBytes, chunkBytes);
  if (problem !== null) return fail(problem);
  if (!Array.isArray(chunkHashes)) return fail('chunkHashes is not an array');
  const expected = chunkCountFor(sizeBytes, chunkBytes);
  if (chunkHashes.length !== expected) return fail(`expected ${expected} chunk hashes, got ${chunkHashes.length}`);
  const copy: string[] = [];
  for (let i = 0; i < expected; i++) {
    const h: unknown = chunkHashes[i];
    if (typeof h !== 'string' || !SHA256_HEX_PATTERN.test(h)) return fail(`chunk hash ${i} is not lowercase sha-256 hex`);
    copy.push(h);
  }
  return { ok: true, manifest: Object.freeze({ trackId, sizeBytes, chunkBytes, chunkHashes: Object.freeze(copy) }) };
}

/** Byte range of chunk `index`. Throws `RangeError` when `index` is not a chunk of `manifest`. */
export function chunkRange(manifest: TrackManifest, index: number): ChunkRange {
  if (!Number.isInteger(index) || index < 0 || index >= manifest.chunkHashes.length) {
    throw new RangeError(`chunkRange: no chunk ${index} in a ${manifest.chunkHashes.length}-chunk track`);
  }
  const startByte = index * manifest.chunkBytes;
  return { startByte, endByte: Math.min(startByte + manifest.chunkBytes, manifest.sizeBytes) };
}

/** Length in bytes of chunk `index` (same preconditions as `chunkRange`). */
export function chunkLengthBytes(manifest: TrackManifest, index: number): number {
  const { startByte, endByte } = chunkRange(manifest, index);
  return endByte - startByte;
}

function sizeProblem(sizeBytes: number, chunkBytes: number): string | null {
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 1) return 'sizeBytes must be a positive integer';
  if (sizeBytes > MAX_TRACK_BYTES) return `sizeBytes exceeds ${MAX_TRACK_BYTES}`;
  if (!Number.isInteger(chunkBytes) || chunkBytes < MIN_CHUNK_BYTES || chunkBytes > MAX_CHUNK_BYTES) {
    return `chunkBytes must be an integer in [${MIN_CHUNK_BYTES}, ${MAX_CHUNK_BYTES}]`;
  }
  return null;
}

function fail(reason: string): ManifestCheck {
  return { ok: false, reason };
}
