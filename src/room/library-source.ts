/** The library as the track exchange sees it: what it can serve, and where downloads land. */
import type { TrackLibrary } from '../library/track-library.js';
import type { TrackSource } from './track-exchange.js';

/** Adapt a TrackLibrary to the exchange's TrackSource (downloads are imported as 'peer' tracks). */
export function librarySource(library: TrackLibrary): TrackSource {
  return {
    completeTrackIds: () => library.tracks().map((t) => t.trackId),
    readBytes: (trackId) => library.readBytes(trackId),
    importBytes: async (bytes, expectedTrackId) => {
      const outcome = await library.importBytes(bytes, 'peer', expectedTrackId);
      return outcome.ok ? { ok: true } : { ok: false, reason: outcome.reason };
    },
    savePartialChunk: (trackId, index, bytes) => library.savePartialChunk(trackId, index, bytes),
    loadPartialChunk: (trackId, index) => library.loadPartialChunk(trackId, index),
    savePartialProgress: (trackId, progress) => library.savePartialProgress(trackId, progress),
    loadPartialProgress: (trackId) => library.loadPartialProgress(trackId),
    dropPartial: (trackId) => library.dropPartial(trackId),
  };
}
