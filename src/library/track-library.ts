/**
 * The music library of this device: content-addressed tracks (trackId = SHA-256 of the encoded
 * bytes) with their metadata and cover art, persisted in a `KeyValueStore` (IndexedDB in the app),
 * plus the chunks of unfinished downloads so a transfer can resume after a reload.
 *
 * Invariants: a track is listed (`tracks()`, `has`) only once its record, bytes and cover are
 * stored, all in one atomic write; nothing is listed that failed the size limit, the hash check
 * or the decode check; imports never throw (they resolve to an `ImportOutcome`). Storage layout:
 * src/sync/library-keys.ts. Browser services (hash, decoder, tag reader, demo renderer) are injected.
 */
import { DEMO_TRACK_DURATION_SEC, DEMO_TRACK_ID, DEMO_TRACK_METADATA } from '../media/demo-track-info.js';
import { isQuotaError } from '../sync/library-format.js';
import { bytesKey, coverKey, parseStoredCover, partialChunkKey, partialPrefix, partialProgressKey, trackKey } from '../sync/library-keys.js';
import { searchTracks } from '../sync/library-search.js';
import { compareTracks, type LibraryTrack } from '../sync/library-track.js';
import { MAX_CHUNK_COUNT, SHA256_HEX_PATTERN, type HashFn } from '../sync/track-manifest.js';
import type { ProbeAudio } from './audio-probe.js';
import type { DemoRenderOrder, RenderDemoTrack } from './demo-track-render.js';
import { ImportPhase, messageOf, ownBuffer, readBlobBytes, refuse, sizeProblem, storageFull, type ImportOutcome, type ImportProgress } from './import-steps.js';
import type { KeyValueStore } from './key-value-store.js';
import { scanLibrary } from './library-scan.js';
import { describeTrack, type ImportSubject } from './track-description.js';
import type { ReadTags, TrackTags } from './tag-reader.js';

export type { LibraryTrack } from '../sync/library-track.js';
export { ImportPhase, type ImportOutcome, type ImportProgress } from './import-steps.js';

/** Services the library runs on (all injected; src/library/browser-library.ts wires the browser ones). */
export interface TrackLibraryOptions {
  readonly store: KeyValueStore;
  readonly hash: HashFn;
  readonly probeAudio: ProbeAudio;
  readonly readTags: ReadTags;
  readonly renderDemo: RenderDemoTrack;
  /** Ends what `renderDemo` holds (e.g. a worker started ahead); called by {@link TrackLibrary.dispose}. */
  readonly disposeDemo?: () => void;
  /** Content id `renderDemo` produces. Default `DEMO_TRACK_ID`. */
  readonly demoTrackId?: string;
  /** Wall clock for `addedAtMs`, epoch ms. Default `Date.now`. */
  readonly nowMs?: () => number;
}

/** Name of the event dispatched whenever `tracks()` changes. */
export const LIBRARY_CHANGE_EVENT = 'change';

/** See the module comment. Dispatches `LIBRARY_CHANGE_EVENT` when `tracks()` changes. */
export class TrackLibrary extends EventTarget {
  private readonly index: Map<string, LibraryTrack>;
  private sorted: readonly LibraryTrack[] = [];
  /** Imports between hashing and storing, by trackId (concurrent imports of one file share one). */
  private readonly pending = new Map<string, Promise<ImportOutcome>>();
  private demo: { promise: Promise<LibraryTrack>; listeners: Set<ImportProgress> } | undefined;
  /** Id of the demo track: the expected one until a rendering hashes differently. */
  private demoTrackId: string;
  private disposed = false;

  private constructor(private readonly options: TrackLibraryOptions, tracks: Map<string, LibraryTrack>) {
    super();
    this.index = tracks;
    this.demoTrackId = options.demoTrackId ?? DEMO_TRACK_ID;
    this.resort();
  }

  /** Loads the index (records only, never bytes) and clears what a crash left half-written. */
  static async open(options: TrackLibraryOptions): Promise<TrackLibrary> {
    const { tracks, garbageKeys } = await scanLibrary(options.store);
    if (garbageKeys.length > 0) await options.store.deleteMany(garbageKeys).catch((error) => console.warn('[tutti] library: cleanup failed', error));
    return new TrackLibrary(options, tracks);
  }

  /** Every stored track, oldest first (then by title). Same array until the library changes. */
  tracks(): readonly LibraryTrack[] {
    return this.sorted;
  }

  get(trackId: string): LibraryTrack | undefined {
    return this.index.get(trackId);
  }

  /** Ids of every stored track (what this device can serve to peers), in `tracks()` order. */
  completeTrackIds(): readonly string[] {
    return this.sorted.map((track) => track.trackId);
  }

  /**
   * Id of the built-in demo track: the expected one until this device's rendering hashes
   * differently. Each device makes it itself (`ensureDemoTrack`), so it is not fetched from peers.
   */
  get demoId(): string {
    return this.demoTrackId;
  }

  /** Whether the track is complete and stored here. */
  has(trackId: string): boolean {
    return this.index.has(trackId);
  }

  /** The track's encoded bytes; `undefined` when it is not in the library (or storage lost them). */
  async readBytes(trackId: string): Promise<Uint8Array | undefined> {
    const track = this.index.get(trackId);
    if (track === undefined) return undefined;
    const bytes = await this.options.store.get(bytesKey(trackId));
    return bytes instanceof Uint8Array && bytes.length === track.sizeBytes ? bytes : undefined;
  }

  /** The track's cover art, if its tags had one. */
  async cover(trackId: string): Promise<Blob | undefined> {
    if (this.index.get(trackId)?.hasCover !== true) return undefined;
    const stored = parseStoredCover(await this.options.store.get(coverKey(trackId)));
    return stored === undefined ? undefined : new Blob([stored.bytes as Uint8Array<ArrayBuffer>], { type: stored.mimeType });
  }

  /** Imports a file the person picked or dropped. Never rejects. */
  async importFile(file: Blob & { name?: string }, onProgress?: ImportProgress): Promise<ImportOutcome> {
    const name = file.name ?? 'file';
    const problem = sizeProblem(name, file.size);
    if (problem !== null) return refuse(problem);
    let bytes: Uint8Array;
    try {
      onProgress?.(ImportPhase.reading, 0);
      bytes = await readBlobBytes(file, (fraction) => onProgress?.(ImportPhase.reading, fraction));
    } catch (error) {
      return refuse(`Could not read "${name}": ${messageOf(error)}`);
    }
    return this.importHashed(bytes, { name, fileName: file.name, declaredType: file.type, source: 'file' }, undefined, onProgress);
  }

  /**
   * Imports a track downloaded from a peer: its SHA-256 must equal `expectedTrackId`, then the same
   * checks as a file. On success its partial-download data is dropped. Never rejects.
   */
  async importBytes(bytes: Uint8Array, source: 'peer', expectedTrackId: string, fileName?: string): Promise<ImportOutcome> {
    const name = fileName ?? 'downloaded track';
    if (!SHA256_HEX_PATTERN.test(expectedTrackId)) return refuse(`"${name}" has an invalid track id.`);
    const problem = sizeProblem(name, bytes.length);
    if (problem !== null) return refuse(problem);
    const outcome = await this.importHashed(ownBuffer(bytes), { name, fileName, declaredType: '', source }, expectedTrackId);
    if (outcome.ok) await this.dropPartial(expectedTrackId).catch((error) => console.warn('[tutti] library: could not drop partial download', error));
    return outcome;
  }

  /** Deletes a track (record, bytes, cover, any partial download). No-op for unknown ids. */
  async remove(trackId: string): Promise<void> {
    if (!this.index.has(trackId)) return;
    await this.options.store.deleteMany([trackKey(trackId), bytesKey(trackId), coverKey(trackId)]);
    this.index.delete(trackId);
    this.changed();
    await this.dropPartial(trackId);
  }

  /** Tracks matching every word of `query` in title, artist or album (case/diacritics-insensitive). */
  search(query: string): readonly LibraryTrack[] {
    return searchTracks(this.sorted, query);
  }

  /**
   * The built-in demo track (`DEMO_TRACK_ID` unless configured): returned at once when stored, otherwise rendered
   * (in a worker), hashed and stored. Concurrent calls share one rendering (the first call's `order`:
   * where to render first, and who plays the parts meanwhile). Rejects if storing fails.
   */
  ensureDemoTrack(onProgress?: ImportProgress, order?: DemoRenderOrder): Promise<LibraryTrack> {
    const existing = this.index.get(this.demoTrackId);
    if (existing !== undefined) return Promise.resolve(existing);
    if (this.demo === undefined) {
      const listeners = new Set<ImportProgress>();
      const report: ImportProgress = (phase, fraction) => listeners.forEach((listener) => listener(phase, fraction));
      const promise = this.generateDemo(report, order).finally(() => {
        this.demo = undefined;
      });
      this.demo = { promise, listeners };
    }
    if (onProgress !== undefined) this.demo.listeners.add(onProgress);
    return this.demo.promise;
  }

  /** Stores one verified chunk of an unfinished download (rejects on storage errors, e.g. quota). */
  async savePartialChunk(trackId: string, index: number, bytes: Uint8Array): Promise<void> {
    await this.options.store.setMany([[partialChunkKey(checkId(trackId), checkIndex(index)), ownBuffer(bytes)]]);
  }

  async loadPartialChunk(trackId: string, index: number): Promise<Uint8Array | undefined> {
    const value = await this.options.store.get(partialChunkKey(checkId(trackId), checkIndex(index)));
    return value instanceof Uint8Array ? value : undefined;
  }

  /** Stores a download's progress (e.g. `TrackDownload.exportProgress()`; any structured-cloneable value). */
  async savePartialProgress(trackId: string, progress: unknown): Promise<void> {
    await this.options.store.setMany([[partialProgressKey(checkId(trackId)), progress]]);
  }

  /** The saved progress, untrusted (validate it, e.g. with `TrackDownload.importProgress`); `undefined` when none. */
  loadPartialProgress(trackId: string): Promise<unknown> {
    return this.options.store.get(partialProgressKey(checkId(trackId)));
  }

  /** Deletes a download's progress and chunks. */
  async dropPartial(trackId: string): Promise<void> {
    const prefix = partialPrefix(checkId(trackId));
    const keys = (await this.options.store.keys()).filter((key): key is string => typeof key === 'string' && key.startsWith(prefix));
    if (keys.length > 0) await this.options.store.deleteMany(keys);
  }

  /** Stops change events; later imports are refused. Stored data stays. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.options.disposeDemo?.();
  }

  /** Hash (checking `expectedTrackId` if given), then duplicate check, then `ingest` (shared per trackId). */
  private async importHashed(bytes: Uint8Array, subject: ImportSubject, expectedTrackId?: string, onProgress?: ImportProgress): Promise<ImportOutcome> {
    if (this.disposed) return refuse('The library is closed.');
    let trackId: string;
    try {
      onProgress?.(ImportPhase.hashing, 0);
      trackId = await this.options.hash(bytes);
      onProgress?.(ImportPhase.hashing, 1);
    } catch (error) {
      return refuse(`Could not hash "${subject.name}": ${messageOf(error)}`);
    }
    if (expectedTrackId !== undefined && trackId !== expectedTrackId) {
      return refuse(`"${subject.name}" does not match the track it was downloaded as (corrupted download).`);
    }
    const existing = this.index.get(trackId);
    if (existing !== undefined) return { ok: true, track: existing, duplicate: true };
    const inFlight = this.pending.get(trackId);
    if (inFlight !== undefined) return inFlight.then((outcome) => (outcome.ok ? { ...outcome, duplicate: true } : outcome));
    const promise = this.ingest(bytes, trackId, subject, onProgress).finally(() => this.pending.delete(trackId));
    this.pending.set(trackId, promise);
    return promise;
  }

  /** Decode check, tags, atomic store. */
  private async ingest(bytes: Uint8Array, trackId: string, subject: ImportSubject, onProgress?: ImportProgress): Promise<ImportOutcome> {
    const { probeAudio, readTags } = this.options;
    const described = await describeTrack(bytes, trackId, subject, { probeAudio, readTags, nowMs: this.now() }, onProgress);
    if (!described.ok) return described;
    return this.store(described.track, bytes, described.cover, subject.name, onProgress);
  }

  /** Writes record, bytes and cover in one atomic batch, then lists the track. */
  private async store(track: LibraryTrack, bytes: Uint8Array, cover: TrackTags['cover'], name: string, onProgress?: ImportProgress): Promise<ImportOutcome> {
    const { trackId } = track;
    const entries: [string, unknown][] = [[bytesKey(trackId), bytes]];
    if (cover !== undefined) entries.push([coverKey(trackId), { mimeType: cover.mimeType, bytes: ownBuffer(cover.bytes) }]);
    entries.push([trackKey(trackId), { ...track }]);
    try {
      onProgress?.(ImportPhase.storing, 0);
      await this.options.store.setMany(entries);
      onProgress?.(ImportPhase.storing, 1);
    } catch (error) {
      await this.options.store.deleteMany(entries.map(([key]) => key)).catch(() => undefined);
      return refuse(isQuotaError(error) ? storageFull(name, bytes.length) : `Could not save "${name}": ${messageOf(error)}`);
    }
    if (this.disposed) return refuse('The library is closed.');
    this.index.set(trackId, track);
    this.changed();
    return { ok: true, track, duplicate: false };
  }

  private async generateDemo(report: ImportProgress, order?: DemoRenderOrder): Promise<LibraryTrack> {
    report(ImportPhase.generating, 0);
    const bytes = await this.options.renderDemo((fraction) => report(ImportPhase.generating, fraction), order);
    report(ImportPhase.generating, 1);
    report(ImportPhase.hashing, 0);
    const trackId = await this.options.hash(bytes);
    if (trackId !== this.demoTrackId) {
      console.warn(`[tutti] demo track hash ${trackId} differs from the expected ${this.demoTrackId}`);
      this.demoTrackId = trackId;
    }
    const existing = this.index.get(trackId);
    if (existing !== undefined) return existing;
    const track: LibraryTrack = Object.freeze({
      trackId,
      ...DEMO_TRACK_METADATA,
      durationSec: DEMO_TRACK_DURATION_SEC,
      sizeBytes: bytes.length,
      mimeType: 'audio/wav',
      addedAtMs: this.now(),
      source: 'demo',
      hasCover: false,
    });
    const outcome = await this.store(track, bytes, undefined, DEMO_TRACK_METADATA.title, report);
    if (!outcome.ok) throw new Error(outcome.reason);
    return outcome.track;
  }

  private now(): number {
    return (this.options.nowMs ?? Date.now)();
  }

  private resort(): void {
    this.sorted = Object.freeze([...this.index.values()].sort(compareTracks));
  }

  private changed(): void {
    this.resort();
    if (!this.disposed) this.dispatchEvent(new Event(LIBRARY_CHANGE_EVENT));
  }
}

function checkId(trackId: string): string {
  if (!SHA256_HEX_PATTERN.test(trackId)) throw new RangeError(`not a track id: ${trackId}`);
  return trackId;
}

function checkIndex(index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_CHUNK_COUNT) throw new RangeError(`not a chunk index: ${index}`);
  return index;
}
