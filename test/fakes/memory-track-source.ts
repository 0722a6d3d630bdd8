/**
 * An in-memory `TrackSource` for track-exchange tests: complete tracks by id, plus the partial
 * download store (chunks and progress, structured-cloned like IndexedDB would). `importBytes`
 * re-hashes like the real library; `refuse` makes it reject imports (an undecodable file).
 */
import type { TrackSource } from '../../src/room/track-exchange-types.js';
import type { HashFn } from '../../src/sync/track-manifest.js';

export class MemoryTrackSource implements TrackSource {
  readonly tracks = new Map<string, Uint8Array>();
  readonly partialChunks = new Map<string, Map<number, Uint8Array>>();
  readonly partialProgress = new Map<string, unknown>();
  /** When set, `importBytes` refuses with this reason. */
  refuse: string | null = null;

  constructor(private readonly hash: HashFn) {}

  /** Store a complete track; returns its id. */
  async add(bytes: Uint8Array): Promise<string> {
    const trackId = await this.hash(bytes);
    this.tracks.set(trackId, bytes);
    return trackId;
  }

  completeTrackIds(): readonly string[] {
    return [...this.tracks.keys()];
  }

  async readBytes(trackId: string): Promise<Uint8Array | undefined> {
    return this.tracks.get(trackId);
  }

  async importBytes(bytes: Uint8Array, expectedTrackId: string): Promise<{ ok: true } | { ok: false; reason: string }> {
    if (this.refuse !== null) return { ok: false, reason: this.refuse };
    if ((await this.hash(bytes)) !== expectedTrackId) return { ok: false, reason: 'hash mismatch' };
    this.tracks.set(expectedTrackId, bytes.slice());
    return { ok: true };
  }

  async savePartialChunk(trackId: string, index: number, bytes: Uint8Array): Promise<void> {
    const chunks = this.partialChunks.get(trackId) ?? new Map<number, Uint8Array>();
    chunks.set(index, bytes.slice());
    this.partialChunks.set(trackId, chunks);
  }

  async loadPartialChunk(trackId: string, index: number): Promise<Uint8Array | undefined> {
    return this.partialChunks.get(trackId)?.get(index)?.slice();
  }

  async savePartialProgress(trackId: string, progress: unknown): Promise<void> {
    this.partialProgress.set(trackId, structuredClone(progress));
  }

  async loadPartialProgress(trackId: string): Promise<unknown> {
    return structuredClone(this.partialProgress.get(trackId));
  }

  async dropPartial(trackId: string): Promise<void> {
    this.partialChunks.delete(trackId);
    this.partialProgress.delete(trackId);
  }
}
