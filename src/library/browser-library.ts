/** The track library wired to the browser: IndexedDB, WebCrypto, Web Audio, music-metadata, a Web Worker. */
import { probeAudioInBrowser } from './audio-probe.js';
import { renderDemoTrackInWorker } from './demo-track-render.js';
import { IdbKeyValueStore, MemoryKeyValueStore, type KeyValueStore } from './key-value-store.js';
import { sha256Hex } from './sha256.js';
import { readTagsWithMusicMetadata } from './tag-reader.js';
import { TrackLibrary } from './track-library.js';

/** Opens the library on `store` (default: IndexedDB database `tutti-library`, store `tracks`). */
export function openBrowserLibrary(store: KeyValueStore = new IdbKeyValueStore()): Promise<TrackLibrary> {
  return TrackLibrary.open({ store, hash: sha256Hex, probeAudio: probeAudioInBrowser, readTags: readTagsWithMusicMetadata, renderDemo: renderDemoTrackInWorker });
}

/** A library in memory, for when IndexedDB is unavailable (some private modes): nothing survives a reload. */
export function openMemoryLibrary(): Promise<TrackLibrary> {
  return openBrowserLibrary(new MemoryKeyValueStore());
}
