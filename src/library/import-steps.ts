/**
 * Building blocks of a track import: reading a file with progress, the outcome types and the
 * messages people see when an import is refused.
 */
import { formatBytes, type LibraryTrack } from '../sync/library-track.js';
import { MAX_TRACK_BYTES } from '../sync/track-manifest.js';

/** Result of an import: the stored track (or the one already there: `duplicate`), or why not. */
export type ImportOutcome = { ok: true; track: LibraryTrack; duplicate: boolean } | { ok: false; reason: string };

/** Steps of an import, in order ('generating' only for the demo track). */
export const ImportPhase = {
  reading: 'reading',
  hashing: 'hashing',
  decoding: 'decoding',
  tags: 'tags',
  storing: 'storing',
  generating: 'generating',
} as const;
export type ImportPhase = (typeof ImportPhase)[keyof typeof ImportPhase];

/** Progress callback: `fraction` of `phase` done, 0…1. */
export type ImportProgress = (phase: ImportPhase, fraction: number) => void;

/** Refusal with a reason. */
export const refuse = (reason: string): ImportOutcome => ({ ok: false, reason });

/** Why a track of `sizeBytes` cannot be imported, or null when its size is fine. */
export function sizeProblem(name: string, sizeBytes: number): string | null {
  if (sizeBytes <= 0) return `"${name}" is empty.`;
  if (sizeBytes > MAX_TRACK_BYTES) return `"${name}" is ${formatBytes(sizeBytes)}; the largest track Tutti accepts is ${formatBytes(MAX_TRACK_BYTES)}.`;
  return null;
}

/** The refusal for bytes the browser could not decode. */
export const notAudio = (name: string): string => `"${name}" is not an audio file this browser can play.`;

/** The refusal for a full disk. */
export const storageFull = (name: string, sizeBytes: number): string =>
  `Storage is full: "${name}" (${formatBytes(sizeBytes)}) could not be saved. Remove some tracks or free space on this device.`;

/** Message of any thrown value. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Reads a whole Blob, reporting the fraction read; rejects if it ends up a different size than announced. */
export async function readBlobBytes(blob: Blob, onFraction: (fraction: number) => void): Promise<Uint8Array> {
  const size = blob.size;
  const bytes = new Uint8Array(size);
  const reader = blob.stream().getReader();
  let offset = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (offset + value.length > size) throw new Error('the file grew while it was read');
    bytes.set(value, offset);
    offset += value.length;
    onFraction(offset / size);
  }
  if (offset !== size) throw new Error('the file shrank while it was read');
  return bytes;
}

/** `bytes` in a buffer of their own (storing a view would store its whole underlying buffer). */
export function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}
