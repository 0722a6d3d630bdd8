/**
 * Shapes shared by the track exchange's parts: the local library as the exchange sees it, the
 * progress view the UI renders, and the protocol's tuning (times in ms, sizes in bytes).
 */
import type { Milliseconds } from '../sync/units.js';

/** The local library as the exchange sees it (backed by the real TrackLibrary in the app). */
export interface TrackSource {
  /** Ids of complete tracks this speaker can serve. */
  completeTrackIds(): readonly string[];
  readBytes(trackId: string): Promise<Uint8Array | undefined>;
  /** Store a downloaded track; the library re-hashes and decode-checks it. */
  importBytes(bytes: Uint8Array, expectedTrackId: string): Promise<{ ok: true } | { ok: false; reason: string }>;
  savePartialChunk(trackId: string, index: number, bytes: Uint8Array): Promise<void>;
  loadPartialChunk(trackId: string, index: number): Promise<Uint8Array | undefined>;
  savePartialProgress(trackId: string, progress: unknown): Promise<void>;
  loadPartialProgress(trackId: string): Promise<unknown>;
  dropPartial(trackId: string): Promise<void>;
}

/** Where a download stands. */
export const TransferPhase = {
  /** No speaker in the room offers the track (yet). */
  waiting: 'waiting',
  /** Asking a holder for the chunk list, or restoring persisted chunks. */
  manifest: 'manifest',
  receiving: 'receiving',
  /** All chunks in: whole-file hash and library import. */
  verifying: 'verifying',
  /** The verified bytes were refused by the library (e.g. not decodable); no source can fix that. */
  failed: 'failed',
} as const;
export type TransferPhase = (typeof TransferPhase)[keyof typeof TransferPhase];

/** One wanted track's download, for the UI. `fraction` is in [0, 1] and never decreases within a download. */
export interface TransferView {
  readonly trackId: string;
  readonly phase: TransferPhase;
  readonly receivedBytes: number;
  readonly totalBytes: number | null;
  readonly fraction: number;
  /** Peers currently serving it. */
  readonly sources: number;
  /** Why it is stuck or failed (e.g. "no speaker in the room has this track"), else null. */
  readonly error: string | null;
}

/** Counters since the exchange was created. */
export interface ExchangeStats {
  /** Chunk payload bytes sent to peers. */
  readonly servedBytes: number;
  readonly servedChunks: number;
  /** Verified chunk payload bytes received from peers (restored chunks not included). */
  readonly receivedBytes: number;
  /** Payload bytes of chunks that arrived after another source had delivered them, or after the track was complete (endgame duplicates). */
  readonly duplicateBytes: number;
  /** Chunks that failed their manifest hash. */
  readonly badChunks: number;
  /** Binary frames dropped: undecodable, for a track not being fetched, or for an index not asked of that peer. */
  readonly ignoredFrames: number;
  /** Chunks waiting to be sent to peers (backpressure). */
  readonly queuedChunks: number;
  /** Peers banned for at least one track (bad chunk or lying manifest), sorted. */
  readonly bannedPeers: readonly string[];
}

/** Protocol timing and sizes. */
export interface ExchangeTuning {
  /** An unanswered manifest request moves on to the next holder after this. */
  readonly manifestTimeoutMs: Milliseconds;
  /** `have` is re-broadcast this often (robust to loss). */
  readonly haveIntervalMs: Milliseconds;
  /** Frames are sent to a peer only while its link buffers fewer bytes than this. */
  readonly highWaterBytes: number;
  /** Most chunks queued for one peer; requests beyond it are dropped (the peer times out and slows down). */
  readonly maxQueuedChunksPerPeer: number;
  /** Most chunk requests in flight per source. */
  readonly windowChunks: number;
  /** A chunk request unanswered after this is re-planned. */
  readonly requestTimeoutMs: Milliseconds;
  /** Persisted download progress is written at most this often. */
  readonly progressSaveIntervalMs: Milliseconds;
  /** Complete tracks whose bytes the server keeps in memory. */
  readonly cachedTracks: number;
}

/**
 * Defaults: 3 s manifest timeout, `have` every 5 s, 256 KiB high-water mark (control messages
 * wait behind whatever is buffered, clock probes take the timely lane; 64 KiB halved a simulated
 * 20 MB/s, 5 ms link's throughput, 13 → 5.5 MB/s, as the pump runs on requests and ticks), 32
 * queued chunks per peer, 8-chunk windows, 5 s request timeout.
 */
export const DEFAULT_EXCHANGE_TUNING: ExchangeTuning = Object.freeze({
  manifestTimeoutMs: 3000,
  haveIntervalMs: 5000,
  highWaterBytes: 256 * 1024,
  maxQueuedChunksPerPeer: 32,
  windowChunks: 8,
  requestTimeoutMs: 5000,
  progressSaveIntervalMs: 1000,
  cachedTracks: 2,
});

/**
 * The verified part of a track still arriving, for playing it before it is whole: its chunks, the
 * runs of consecutive ones, and the order in which the rest is asked for.
 */
export interface PartialTrack {
  /** Size of the whole file, bytes. */
  readonly sizeBytes: number;
  /** Bytes per chunk (the last may be shorter). */
  readonly chunkBytes: number;
  /** Chunk `index` when verified, else undefined. */
  chunk(index: number): Uint8Array | undefined;
  /** Bytes from the start of chunk `index` to the end of its run of verified chunks (0 when it is missing). */
  runBytes(index: number): number;
  /** That run (a copy) with its file offset, or null when chunk `index` is missing. */
  run(index: number): { readonly offsetBytes: number; readonly bytes: Uint8Array } | null;
}

/** Order in which a download asks for what is missing: see `TrackDownload.focus`. */
export type FetchFocus = 'head' | number | null;
