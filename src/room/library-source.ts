/** The library as the track exchange sees it: what it can serve, and where downloads land. */
import type { TrackLibrary } from '../library/track-library.js';
import type { TrackSource } from './track-exchange.js';

/** Hooks around a download's import: its verified bytes (before the library has stored them), then done. */
export interface ImportHooks {
  verified(trackId: string, bytes: Uint8Array): void;
  imported(trackId: string): void;
}

/**
 * Adapt a TrackLibrary to the exchange's TrackSource (downloads are imported as 'peer' tracks).
 * The exchange imports only bytes whose SHA-256 equals the track id, so `hooks.verified` may hand
 * them to the audio engine at once: decoding then overlaps the library's own checks and storage.
 */
export function librarySource(library: TrackLibrary, hooks?: ImportHooks): TrackSource {
  return {
    completeTrackIds: () => library.tracks().map((t) => t.trackId),
    readBytes: (trackId) => library.readBytes(trackId),
    importBytes: async (bytes, expectedTrackId) => {
      hooks?.verified(expectedTrackId, bytes);
      try {
        const outcome = await library.importBytes(bytes, 'peer', expectedTrackId);
        return outcome.ok ? { ok: true } : { ok: false, reason: outcome.reason };
      } finally {
        hooks?.imported(expectedTrackId);
      }
    },
    savePartialChunk: (trackId, index, bytes) => library.savePartialChunk(trackId, index, bytes),
    loadPartialChunk: (trackId, index) => library.loadPartialChunk(trackId, index),
    savePartialProgress: (trackId, progress) => library.savePartialProgress(trackId, progress),
    loadPartialProgress: (trackId) => library.loadPartialProgress(trackId),
    dropPartial: (trackId) => library.dropPartial(trackId),
  };
}
