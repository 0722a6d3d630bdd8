/**
 * Storage layout of the track library in one key-value store (keys are strings):
 *
 * - `track:<id>`  → the `LibraryTrack` record (its presence is what lists a track),
 * - `bytes:<id>`  → the encoded file as one `Uint8Array`,
 * - `cover:<id>`  → `{ mimeType, bytes }` cover art, when the tags had one,
 * - `partial:<id>:progress` → a download's persisted progress (opaque here),
 * - `partial:<id>:chunk:<index>` → one verified chunk of an unfinished download.
 *
 * A track's record, bytes and cover are written in one atomic batch (and removed record-first),
 * so a listed track always has its bytes. `<id>` is lowercase SHA-256 hex. Pure: no browser globals.
 */
export const trackKey = (trackId: string): string => `track:${trackId}`;
export const bytesKey = (trackId: string): string => `bytes:${trackId}`;
export const coverKey = (trackId: string): string => `cover:${trackId}`;
/** Prefix shared by every partial-download key of `trackId`. */
export const partialPrefix = (trackId: string): string => `partial:${trackId}:`;
export const partialProgressKey = (trackId: string): string => `${partialPrefix(trackId)}progress`;
export const partialChunkKey = (trackId: string, index: number): string => `${partialPrefix(trackId)}chunk:${index}`;

/** What a stored key holds, and for which track; `undefined` for keys this layout does not use. */
export interface ParsedKey {
  readonly kind: 'track' | 'bytes' | 'cover' | 'partial';
  readonly trackId: string;
}

/** Parses a key written by this layout (anything else, including non-strings, gives `undefined`). */
export function parseKey(key: unknown): ParsedKey | undefined {
  if (typeof key !== 'string') return undefined;
  const whole = /^(track|bytes|cover):([0-9a-f]{64})$/.exec(key);
  if (whole !== null) return { kind: whole[1] as ParsedKey['kind'], trackId: whole[2] as string };
  const partial = /^partial:([0-9a-f]{64}):./.exec(key);
  return partial === null ? undefined : { kind: 'partial', trackId: partial[1] as string };
}

/** A cover image as stored: its MIME type and bytes. */
export interface StoredCover {
  readonly mimeType: string;
  readonly bytes: Uint8Array;
}

/** A stored cover value checked; `undefined` when malformed. */
export function parseStoredCover(value: unknown): StoredCover | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { mimeType, bytes } = value as Record<string, unknown>;
  if (typeof mimeType !== 'string' || !/^image\/[\w.+-]+$/.test(mimeType) || !(bytes instanceof Uint8Array)) return undefined;
  return { mimeType, bytes };
}
