/**
 * Library track records: the metadata Tutti keeps about each stored track, how it is cleaned on
 * import and validated when read back from storage (storage is untrusted: it may be stale, from an
 * older version, or corrupt). Pure: no browser globals.
 */
import { MAX_TRACK_BYTES, SHA256_HEX_PATTERN } from './track-manifest.js';
import { compareIds } from './succession.js';
import { compareText } from './text-order.js';

/** Where a track came from. */
export const LibrarySource = { file: 'file', peer: 'peer', demo: 'demo' } as const;
export type LibrarySource = (typeof LibrarySource)[keyof typeof LibrarySource];

/**
 * One complete, stored track. Invariants: `trackId` is the lowercase SHA-256 hex of the encoded
 * bytes; `title` is non-empty; text fields are trimmed, at most `MAX_TAG_CHARS` long;
 * `1 ≤ sizeBytes ≤ MAX_TRACK_BYTES`; `durationSec > 0` (from decoding); `addedAtMs` is epoch ms.
 */
export interface LibraryTrack {
  readonly trackId: string;
  readonly title: string;
  readonly artist: string;
  readonly album: string;
  readonly durationSec: number;
  readonly sizeBytes: number;
  readonly mimeType: string;
  readonly addedAtMs: number;
  readonly source: LibrarySource;
  readonly hasCover: boolean;
}

/** Longest title, artist or album kept (in UTF-16 code units, never splitting a surrogate pair). */
export const MAX_TAG_CHARS = 200;
/** Title used when neither the tags nor a file name give one. */
export const UNTITLED = 'Untitled';

/** Trims, turns control characters and runs of whitespace into one space, caps to `MAX_TAG_CHARS`. */
export function cleanTagText(text: unknown): string {
  if (typeof text !== 'string') return '';
  const flat = text.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
  if (flat.length <= MAX_TAG_CHARS) return flat;
  const cut = flat.charCodeAt(MAX_TAG_CHARS - 1) >= 0xd800 && flat.charCodeAt(MAX_TAG_CHARS - 1) <= 0xdbff ? MAX_TAG_CHARS - 1 : MAX_TAG_CHARS;
  return flat.slice(0, cut).trimEnd();
}

/** A file name without its folder and extension ("Song.mp3" → "Song"), cleaned; '' when none. */
export function titleFromFileName(fileName: string | undefined): string {
  if (fileName === undefined) return '';
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return cleanTagText(dot > 0 ? base.slice(0, dot) : base);
}

/** Library order: oldest first (`addedAtMs`), then title, then trackId (a total order). */
export function compareTracks(a: LibraryTrack, b: LibraryTrack): number {
  return a.addedAtMs - b.addedAtMs || compareText(a.title, b.title) || compareIds(a.trackId, b.trackId);
}

/** A record read back from storage, checked field by field; `undefined` when it is not a valid track. Never throws. */
export function parseLibraryTrack(input: unknown): LibraryTrack | undefined {
  try {
    if (typeof input !== 'object' || input === null) return undefined;
    const r = input as Record<string, unknown>;
    const { trackId, title, artist, album, durationSec, sizeBytes, mimeType, addedAtMs, source, hasCover } = r;
    if (typeof trackId !== 'string' || !SHA256_HEX_PATTERN.test(trackId)) return undefined;
    if (typeof title !== 'string' || typeof artist !== 'string' || typeof album !== 'string' || typeof mimeType !== 'string') return undefined;
    if (typeof durationSec !== 'number' || !(durationSec > 0) || !Number.isFinite(durationSec)) return undefined;
    if (typeof sizeBytes !== 'number' || !Number.isSafeInteger(sizeBytes) || sizeBytes < 1 || sizeBytes > MAX_TRACK_BYTES) return undefined;
    if (typeof addedAtMs !== 'number' || !Number.isFinite(addedAtMs)) return undefined;
    if (source !== LibrarySource.file && source !== LibrarySource.peer && source !== LibrarySource.demo) return undefined;
    if (typeof hasCover !== 'boolean') return undefined;
    return Object.freeze({
      trackId,
      title: cleanTagText(title) || UNTITLED,
      artist: cleanTagText(artist),
      album: cleanTagText(album),
      durationSec,
      sizeBytes,
      mimeType: cleanTagText(mimeType),
      addedAtMs,
      source,
      hasCover,
    });
  } catch {
    return undefined;
  }
}

/** Duration as m:ss (or h:mm:ss from one hour); '–:––' when not a finite non-negative number. */
export function formatDuration(durationSec: number): string {
  if (!Number.isFinite(durationSec) || durationSec < 0) return '–:––';
  const total = Math.floor(durationSec);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** Byte count for people: "200 MB", "1.5 MB", "830 kB" (SI units, like `MAX_TRACK_BYTES`). */
export function formatBytes(sizeBytes: number): string {
  if (sizeBytes >= 1e6) return `${Number((sizeBytes / 1e6).toFixed(sizeBytes >= 1e7 ? 0 : 1))} MB`;
  if (sizeBytes >= 1e3) return `${Math.round(sizeBytes / 1e3)} kB`;
  return `${sizeBytes} bytes`;
}
