/** The track library wired to the browser: IndexedDB, WebCrypto, Web Audio, music-metadata, a Web Worker. */
import { probeAudioInBrowser } from './audio-probe.js';
import { DemoWorkerRenderer } from './demo-track-render.js';
import { IdbKeyValueStore, MemoryKeyValueStore, type KeyValueStore } from './key-value-store.js';
import { sha256Hex } from './sha256.js';
import { readTagsWithMusicMetadata } from './tag-reader.js';
import { TrackLibrary } from './track-library.js';

/**
 * Opens the library on `store` (default: IndexedDB database `tutti-library`, store `tracks`). When
 * the demo track is not in it, the demo's worker starts at once (every tab makes the demo, and one
 * joining a room that plays it makes it first: its code has loaded by then).
 */
export async function openBrowserLibrary(store: KeyValueStore = new IdbKeyValueStore()): Promise<TrackLibrary> {
  const demo = new DemoWorkerRenderer();
  const library = await TrackLibrary.open({ store, hash: sha256Hex, probeAudio: probeAudioInBrowser, readTags: readTagsWithMusicMetadata, renderDemo: demo.render, disposeDemo: () => demo.dispose() });
  if (!library.has(library.demoId)) demo.warm();
  return library;
}

/** A library in memory, for when IndexedDB is unavailable (some private modes): nothing survives a reload. */
export function openMemoryLibrary(): Promise<TrackLibrary> {
  return openBrowserLibrary(new MemoryKeyValueStore());
}
