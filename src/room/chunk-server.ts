/**
 * The serving half of track exchange: answers `manifest-request` and `chunk-request` for complete
 * local tracks. Chunks are queued per peer (at most `maxQueuedChunksPerPeer`; excess requests are
 * dropped, so a greedy peer costs bounded memory and simply times out) and sent as binary frames
 * only while the peer's link buffers fewer than `highWaterBytes`; `pump()` (each tick, and after
 * each request) continues. The bytes of the `cachedTracks` most recently served tracks stay in
 * memory (LRU); manifests are built on demand, which also checks our own copy against its id.
 */
import { encodeChunkFrame } from '../sync/chunk-frame.js';
import { MAX_REQUEST_CHUNKS } from '../sync/exchange-messages.js';
import { chunkBytesFor } from '../sync/exchange-policy.js';
import { buildManifest, chunkCountFor, type HashFn, type TrackManifest } from '../sync/track-manifest.js';
import type { RoomLinks } from './room-extension.js';
import type { ExchangeTuning, TrackSource } from './track-exchange-types.js';

/** Manifests kept after being built (each ≤ ~140 KB). */
const CACHED_MANIFESTS = 8;

/** What the server needs: links to reply on, the library, a hasher for manifests, and what we offer. */
export interface ChunkServerOptions {
  readonly links: RoomLinks;
  readonly source: TrackSource;
  readonly hash: HashFn;
  readonly tuning: ExchangeTuning;
  /** Is `trackId` complete locally (and not known corrupt)? */
  readonly serves: (trackId: string) => boolean;
  /** Tell `peerId` what we really have (it asked for something we lack). */
  readonly sendHave: (peerId: string) => void;
  /** Our stored copy of `trackId` does not hash to its id: stop offering it. */
  readonly onCorrupt: (trackId: string) => void;
}

interface QueuedChunk {
  readonly trackId: string;
  readonly index: number;
}

/** A loaded track: `bytes` is undefined while loading, null when it could not be read. */
interface CachedTrack {
  bytes: Uint8Array | null | undefined;
  readonly ready: Promise<Uint8Array | null>;
}

/** Serves chunks of complete local tracks to peers, with backpressure. Call `dispose()` when done. */
export class ChunkServer {
  servedBytes = 0;
  servedChunks = 0;
  private readonly queues = new Map<string, QueuedChunk[]>();
  private readonly tracks = new Map<string, CachedTrack>();
  private readonly manifests = new Map<string, Promise<TrackManifest | null>>();
  private disposed = false;

  constructor(private readonly options: ChunkServerOptions) {}

  /** Reply with the manifest of `trackId`, or with our `have` when we cannot serve it. */
  manifestRequested(peerId: string, trackId: string): void {
    if (!this.options.serves(trackId)) {
      this.options.sendHave(peerId);
      return;
    }
    void this.manifestFor(trackId).then((manifest) => {
      if (this.disposed) return;
      if (manifest === null) this.options.sendHave(peerId);
      else this.options.links.send(peerId, { type: 'manifest', manifest });
    });
  }

  /** Queue the requested chunks (deduplicated, capped per peer), or reply `chunk-missing`. */
  chunksRequested(peerId: string, trackId: string, indices: readonly number[]): void {
    if (!this.options.serves(trackId)) {
      this.options.links.send(peerId, { type: 'chunk-missing', trackId, indices: [...indices] });
      return;
    }
    const queue = this.queues.get(peerId) ?? [];
    this.queues.set(peerId, queue);
    for (const index of indices) {
      if (queue.length >= this.options.tuning.maxQueuedChunksPerPeer) break;
      if (!queue.some((q) => q.index === index && q.trackId === trackId)) queue.push({ trackId, index });
    }
    this.pump();
  }

  /** Send queued frames to every peer whose link is below the high-water mark. */
  pump(): void {
    if (this.disposed) return;
    for (const [peerId, queue] of this.queues) {
      this.pumpPeer(peerId, queue);
      if (queue.length === 0) this.queues.delete(peerId);
    }
    for (const [trackId, track] of this.tracks) if (track.bytes === null) this.tracks.delete(trackId);
  }

  /** Chunks waiting to be sent, over all peers. */
  queuedChunks(): number {
    let count = 0;
    for (const queue of this.queues.values()) count += queue.length;
    return count;
  }

  /** `peerId` left: forget what it asked for. */
  peerGone(peerId: string): void {
    this.queues.delete(peerId);
  }

  /** The library changed: forget cached bytes and manifests of tracks we no longer serve. */
  libraryChanged(): void {
    for (const trackId of [...this.tracks.keys()]) if (!this.options.serves(trackId)) this.tracks.delete(trackId);
    for (const trackId of [...this.manifests.keys()]) if (!this.options.serves(trackId)) this.manifests.delete(trackId);
  }

  dispose(): void {
    this.disposed = true;
    this.queues.clear();
    this.tracks.clear();
    this.manifests.clear();
  }

  private pumpPeer(peerId: string, queue: QueuedChunk[]): void {
    const { links, tuning } = this.options;
    while (queue.length > 0 && links.bufferedBytes(peerId) < tuning.highWaterBytes) {
      const { trackId, index } = queue[0];
      const bytes = this.load(trackId).bytes;
      if (bytes === undefined) return;
      if (bytes === null || !this.options.serves(trackId)) {
        this.dropTrack(peerId, queue, trackId);
        continue;
      }
      queue.shift();
      const chunkBytes = chunkBytesFor(bytes.length);
      if (index >= chunkCountFor(bytes.length, chunkBytes)) continue;
      const payload = bytes.subarray(index * chunkBytes, Math.min((index + 1) * chunkBytes, bytes.length));
      if (!links.sendBinary(peerId, encodeChunkFrame(trackId, index, payload))) {
        queue.length = 0;
        return;
      }
      this.servedBytes += payload.length;
      this.servedChunks++;
    }
  }

  /** Remove `trackId` from `queue` and tell the peer those chunks are missing. */
  private dropTrack(peerId: string, queue: QueuedChunk[], trackId: string): void {
    const indices = queue.filter((q) => q.trackId === trackId).map((q) => q.index);
    const rest = queue.filter((q) => q.trackId !== trackId);
    queue.splice(0, queue.length, ...rest);
    for (let i = 0; i < indices.length; i += MAX_REQUEST_CHUNKS) {
      this.options.links.send(peerId, { type: 'chunk-missing', trackId, indices: indices.slice(i, i + MAX_REQUEST_CHUNKS) });
    }
  }

  /** The cached track, loading it (and evicting the least recently used) when absent. */
  private load(trackId: string): CachedTrack {
    const cached = this.tracks.get(trackId);
    if (cached !== undefined) {
      this.tracks.delete(trackId);
      this.tracks.set(trackId, cached);
      return cached;
    }
    const ready = this.options.source.readBytes(trackId).then(
      (bytes) => bytes ?? null,
      () => null,
    );
    const track: CachedTrack = { bytes: undefined, ready };
    this.tracks.set(trackId, track);
    void ready.then((bytes) => {
      track.bytes = bytes;
      this.pump();
    });
    while (this.tracks.size > this.options.tuning.cachedTracks) this.tracks.delete(this.tracks.keys().next().value as string);
    return track;
  }

  private manifestFor(trackId: string): Promise<TrackManifest | null> {
    let manifest = this.manifests.get(trackId);
    if (manifest === undefined) {
      manifest = this.load(trackId).ready.then((bytes) => this.build(trackId, bytes));
      this.manifests.set(trackId, manifest);
      while (this.manifests.size > CACHED_MANIFESTS) this.manifests.delete(this.manifests.keys().next().value as string);
    }
    return manifest;
  }

  private async build(trackId: string, bytes: Uint8Array | null): Promise<TrackManifest | null> {
    if (bytes === null || bytes.length === 0) return null;
    try {
      const manifest = await buildManifest(bytes, this.options.hash, chunkBytesFor(bytes.length));
      if (manifest.trackId === trackId) return manifest;
    } catch {
      // Too large or unhashable: treated like a corrupt copy below.
    }
    this.manifests.delete(trackId);
    this.options.onCorrupt(trackId);
    return null;
  }
}
