/**
 * House rules of track distribution that every speaker must agree on, so that manifests built by
 * different holders of the same track are identical (same chunking) and chunk indices mean the
 * same bytes everywhere.
 */
import { DEFAULT_CHUNK_BYTES, MAX_CHUNK_BYTES } from './track-manifest.js';

/** Tracks larger than this are cut into `MAX_CHUNK_BYTES` chunks (128 MiB). */
export const LARGE_TRACK_BYTES = 128 * 1024 * 1024;

/**
 * Chunk size for a track of `sizeBytes`: 64 KiB, or 128 KiB above `LARGE_TRACK_BYTES`, so a
 * manifest never lists more than 2048 chunks (it must fit one control message).
 */
export function chunkBytesFor(sizeBytes: number): number {
  return sizeBytes > LARGE_TRACK_BYTES ? MAX_CHUNK_BYTES : DEFAULT_CHUNK_BYTES;
}
