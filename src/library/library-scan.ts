/**
 * Loading the library index from storage at start-up, and finding what a crash or an older version
 * left behind: records without bytes, bytes or covers without a record, partial downloads of
 * tracks that are complete. Storage contents are untrusted: malformed records are dropped.
 */
import { bytesKey, parseKey, trackKey } from '../sync/library-keys.js';
import { parseLibraryTrack, type LibraryTrack } from '../sync/library-track.js';
import type { KeyValueStore } from './key-value-store.js';

/** What `scanLibrary` found. */
export interface LibraryScan {
  /** Valid records whose bytes are stored, by trackId. */
  readonly tracks: Map<string, LibraryTrack>;
  /** Keys to delete: invalid or byte-less records, orphaned bytes/covers, partials of complete tracks. */
  readonly garbageKeys: string[];
}

/** Reads every key and the track records (never the bytes) and sorts them into keep and garbage. */
export async function scanLibrary(store: KeyValueStore): Promise<LibraryScan> {
  const allKeys = (await store.keys()).filter((key): key is string => typeof key === 'string');
  const keySet = new Set(allKeys);
  const recordKeys = allKeys.filter((key) => parseKey(key)?.kind === 'track');
  const records = await store.getMany(recordKeys);
  const tracks = new Map<string, LibraryTrack>();
  const garbageKeys: string[] = [];
  recordKeys.forEach((key, i) => {
    const track = parseLibraryTrack(records[i]);
    if (track !== undefined && key === trackKey(track.trackId) && keySet.has(bytesKey(track.trackId))) tracks.set(track.trackId, track);
    else garbageKeys.push(key);
  });
  for (const key of allKeys) {
    const parsed = parseKey(key);
    if (parsed === undefined || parsed.kind === 'track') continue;
    const complete = tracks.has(parsed.trackId);
    if (parsed.kind === 'partial' ? complete : !complete) garbageKeys.push(key);
  }
  return { tracks, garbageKeys };
}
