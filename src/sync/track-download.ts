/**
 * Download planner for one track fetched in verified chunks from several untrusted peers.
 *
 * Pure state machine: the shell tells it which peers advertise the track (`sourceJoined`/
 * `sourceLeft`), asks it what to request (`nextRequests(nowMs)`), sends those requests, and feeds
 * decoded chunk frames back (`onChunk`). Requests are spread round-robin over sources with free
 * request slots (at most `windowChunks` in flight each), so faster sources naturally serve more and
 * no single peer's upload carries the room. Endgame: once every missing chunk is requested, idle
 * slots re-request in-flight chunks from a second source (never more than `MAX_REQUESTS_PER_CHUNK`),
 * so one slow or stuck source cannot hold up the tail; the cost is at most a few windows of
 * duplicate bytes. A request unanswered after `requestTimeoutMs` is re-planned and halves that
 * source's slots (once per expiry pass; each accepted chunk grows it back by one). A source that
 * sends one chunk failing its manifest hash is banned for this track; its requests are re-planned.
 *
 * Invariants: a chunk is marked done only after its length and SHA-256 matched the manifest; a
 * missing chunk is in flight to at most `MAX_REQUESTS_PER_CHUNK` sources, a done one to none;
 * banned sources never get requests again. Accepted payloads are kept in memory (copied) until
 * `assemble`; the shell persists them itself (e.g. on 'accepted') if it wants resumability.
 */
import { chunkLengthBytes, chunkRange, type HashFn, type TrackManifest } from './track-manifest.js';

/** Default most chunks in flight per source. */
export const DEFAULT_WINDOW_CHUNKS = 8;
/** Default time after which an unanswered chunk request is re-planned. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;
/** Most sources a chunk is requested from at once (2 only in the endgame). */
export const MAX_REQUESTS_PER_CHUNK = 2;

/** Planner tuning; defaults above. */
export interface TrackDownloadOptions {
  readonly windowChunks?: number;
  readonly requestTimeoutMs?: number;
}

/** Chunks to request from one peer, ascending. */
export interface ChunkRequest {
  readonly peerId: string;
  readonly indices: number[];
}

/** What `onChunk` made of a chunk. */
export const ChunkOutcome = { accepted: 'accepted', duplicate: 'duplicate', badHash: 'bad-hash', unexpected: 'unexpected' } as const;
export type ChunkOutcome = (typeof ChunkOutcome)[keyof typeof ChunkOutcome];

/** Persistable progress: bit `i` (byte `i >> 3`, bit `i & 7`) set when chunk `i` is done. */
export interface DownloadProgress {
  readonly trackId: string;
  readonly chunkCount: number;
  readonly doneBitmap: Uint8Array;
}

/** Per-source view, for diagnostics. */
export interface SourceStats {
  readonly peerId: string;
  readonly inFlight: number;
  readonly windowChunks: number;
  readonly timeouts: number;
}

export type ImportResult = { ok: true; restoredChunks: number; rejectedChunks: number } | { ok: false; reason: string };
export type AssembleResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: string };

interface Source {
  /** Chunk index → `nowMs` when requested. */
  readonly inFlight: Map<number, number>;
  windowChunks: number;
  timeouts: number;
}

/** Download state of one track. See the module comment for the protocol and invariants. */
export class TrackDownload {
  private readonly chunkCount: number;
  private readonly payloads: (Uint8Array | undefined)[];
  private readonly doneBitmap: Uint8Array;
  private doneCount = 0;
  private receivedBytes = 0;
  private readonly sources = new Map<string, Source>();
  private readonly banned = new Set<string>();
  /** In-flight chunk index → number of sources it is requested from (absent when 0). */
  private readonly requestCounts = new Map<number, number>();
  private rotation = 0;
  /** Request order: ascending (null), only chunk 0 ('head'), or from an index then wrapping round. */
  private focusOrder: 'head' | number | null = null;
  private readonly windowChunks: number;
  private readonly requestTimeoutMs: number;

  /** `manifest` must be valid (`validateManifest`); throws `RangeError` on bad options. */
  constructor(readonly manifest: TrackManifest, private readonly hash: HashFn, options: TrackDownloadOptions = {}) {
    this.windowChunks = options.windowChunks ?? DEFAULT_WINDOW_CHUNKS;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (!Number.isInteger(this.windowChunks) || this.windowChunks < 1) throw new RangeError('windowChunks must be a positive integer');
    if (!(this.requestTimeoutMs > 0)) throw new RangeError('requestTimeoutMs must be positive');
    this.chunkCount = manifest.chunkHashes.length;
    this.payloads = new Array<Uint8Array | undefined>(this.chunkCount);
    this.doneBitmap = new Uint8Array(Math.ceil(this.chunkCount / 8));
  }

  /** A peer advertises the track. Returns false (and ignores it) when the peer is banned. */
  sourceJoined(peerId: string): boolean {
    if (this.banned.has(peerId)) return false;
    if (!this.sources.has(peerId)) this.sources.set(peerId, { inFlight: new Map(), windowChunks: this.windowChunks, timeouts: 0 });
    return true;
  }

  /** A peer disconnected or dropped the track: its in-flight chunks become plannable again. */
  sourceLeft(peerId: string): void {
    const source = this.sources.get(peerId);
    if (source === undefined) return;
    for (const index of [...source.inFlight.keys()]) this.untrack(source, index);
    this.sources.delete(peerId);
  }

  /**
   * Expire timed-out requests, then hand out chunks one at a time round-robin (from a rotating
   * first source) to sources with free request slots: unrequested missing chunks first (in the
   * {@link focus} order, ascending by default), then endgame duplicates. The caller must send every
   * returned request now; they count as in flight from `nowMs`. Empty when nothing can be asked.
   */
  nextRequests(nowMs: number): ChunkRequest[] {
    this.expire(nowMs);
    const peers = [...this.sources.keys()];
    if (peers.length === 0) return [];
    const start = this.rotation++ % peers.length;
    const order = [...peers.slice(start), ...peers.slice(0, start)];
    const missing = this.focusedMissing();
    const fresh = missing.filter((index) => !this.requestCounts.has(index));
    const batches = new Map<string, number[]>();
    let next = 0;
    let assigned = true;
    while (assigned) {
      assigned = false;
      for (const peerId of order) {
        const source = this.sources.get(peerId) as Source;
        if (source.inFlight.size >= source.windowChunks) continue;
        const index = next < fresh.length ? fresh[next++] : missing.find((i) => this.duplicable(source, i));
        if (index === undefined) continue;
        source.inFlight.set(index, nowMs);
        this.requestCounts.set(index, (this.requestCounts.get(index) ?? 0) + 1);
        const batch = batches.get(peerId);
        if (batch === undefined) batches.set(peerId, [index]);
        else batch.push(index);
        assigned = true;
      }
    }
    return [...batches].map(([peerId, indices]) => ({ peerId, indices: indices.sort((a, b) => a - b) }));
  }

  /**
   * A chunk arrived from `peerId`. Verifies its length and hash against the manifest (the payload is
   * copied first). 'unexpected': unknown/banned peer or index out of range (ignored); 'duplicate':
   * already done; 'bad-hash': the peer is banned for this track; 'accepted': stored and done.
   * Unrequested but correct chunks from a current source are accepted. Hasher rejections propagate.
   */
  async onChunk(peerId: string, index: number, payload: Uint8Array): Promise<ChunkOutcome> {
    const source = this.sources.get(peerId);
    if (source === undefined || !Number.isInteger(index) || index < 0 || index >= this.chunkCount) return ChunkOutcome.unexpected;
    if (this.isDone(index)) {
      this.untrack(source, index);
      return ChunkOutcome.duplicate;
    }
    const copy = payload.slice();
    if (!(await this.verified(index, copy))) {
      this.banned.add(peerId);
      this.sourceLeft(peerId);
      return ChunkOutcome.badHash;
    }
    const current = this.sources.get(peerId);
    if (current !== undefined) {
      this.untrack(current, index);
      current.windowChunks = Math.min(this.windowChunks, current.windowChunks + 1);
    }
    if (this.isDone(index)) return ChunkOutcome.duplicate;
    this.markDone(index, copy);
    for (const other of this.sources.values()) this.untrack(other, index);
    return ChunkOutcome.accepted;
  }

  /** Bytes verified so far, of the track's total. */
  progress(): { receivedBytes: number; totalBytes: number; fraction: number } {
    const totalBytes = this.manifest.sizeBytes;
    return { receivedBytes: this.receivedBytes, totalBytes, fraction: this.receivedBytes / totalBytes };
  }

  /** True when every chunk has been verified. */
  isComplete(): boolean {
    return this.doneCount === this.chunkCount;
  }

  /** Current sources (insertion order), for diagnostics. */
  sourceStats(): SourceStats[] {
    return [...this.sources].map(([peerId, s]) => ({ peerId, inFlight: s.inFlight.size, windowChunks: s.windowChunks, timeouts: s.timeouts }));
  }

  /** Peers banned for this track, sorted. */
  bannedSources(): string[] {
    return [...this.banned].sort();
  }

  /**
   * Request order for what is still unrequested: `'head'` asks only chunk 0 (a player reads the
   * file's header before it knows which chunks it needs first), a chunk index asks from there to
   * the end and then from the start (a late joiner starting mid-track), null ascending. Chunks
   * already in flight stay so.
   */
  focus(order: 'head' | number | null): void {
    if (typeof order === 'number' && !(Number.isInteger(order) && order >= 0 && order < this.chunkCount)) throw new RangeError(`focus index out of range: ${order}`);
    this.focusOrder = order;
  }

  /** The verified payload of chunk `index`, or undefined while it is missing. */
  chunk(index: number): Uint8Array | undefined {
    return Number.isInteger(index) && index >= 0 && index < this.chunkCount && this.isDone(index) ? this.payloads[index] : undefined;
  }

  /**
   * The bytes of the run of done chunks that starts at chunk `fromIndex` (a copy), with their offset
   * in the file; null when chunk `fromIndex` is missing.
   */
  run(fromIndex: number): { offsetBytes: number; bytes: Uint8Array } | null {
    const last = this.runLast(fromIndex);
    if (last < 0) return null;
    const offsetBytes = chunkRange(this.manifest, fromIndex).startByte;
    const bytes = new Uint8Array(chunkRange(this.manifest, last).endByte - offsetBytes);
    for (let index = fromIndex; index <= last; index++) bytes.set(this.payloads[index] as Uint8Array, chunkRange(this.manifest, index).startByte - offsetBytes);
    return { offsetBytes, bytes };
  }

  /** Bytes from the start of chunk `fromIndex` to the end of its run of done chunks (0 when it is missing). */
  runBytes(fromIndex: number): number {
    const last = this.runLast(fromIndex);
    return last < 0 ? 0 : chunkRange(this.manifest, last).endByte - chunkRange(this.manifest, fromIndex).startByte;
  }

  /** The last chunk of the run of done chunks from `fromIndex`, or −1 when that one is missing. */
  private runLast(fromIndex: number): number {
    if (this.chunk(fromIndex) === undefined) return -1;
    let last = fromIndex;
    while (last + 1 < this.chunkCount && this.isDone(last + 1)) last++;
    return last;
  }

  /** Snapshot of which chunks are done (a copy; safe to persist next to the chunks themselves). */
  exportProgress(): DownloadProgress {
    return { trackId: this.manifest.trackId, chunkCount: this.chunkCount, doneBitmap: this.doneBitmap.slice() };
  }

  /**
   * Resume from persisted progress (untrusted: storage may be stale or corrupt). Only before any
   * chunk is done or requested. Loads each chunk marked done via `loadChunk` and re-verifies it;
   * missing or corrupt ones stay missing and are counted in `rejectedChunks`.
   */
  async importProgress(progress: unknown, loadChunk: (index: number) => Promise<Uint8Array | undefined> | Uint8Array | undefined): Promise<ImportResult> {
    if (this.doneCount > 0 || this.requestCounts.size > 0) return { ok: false, reason: 'download already started' };
    if (typeof progress !== 'object' || progress === null) return { ok: false, reason: 'not an object' };
    const { trackId, chunkCount, doneBitmap } = progress as Record<string, unknown>;
    if (trackId !== this.manifest.trackId) return { ok: false, reason: 'different track' };
    if (chunkCount !== this.chunkCount) return { ok: false, reason: 'chunk count mismatch' };
    if (!(doneBitmap instanceof Uint8Array) || doneBitmap.length !== this.doneBitmap.length) return { ok: false, reason: 'bad bitmap' };
    let restoredChunks = 0;
    let rejectedChunks = 0;
    for (let index = 0; index < this.chunkCount; index++) {
      if ((doneBitmap[index >> 3] & (1 << (index & 7))) === 0) continue;
      const loaded = await loadChunk(index);
      const copy = loaded instanceof Uint8Array ? loaded.slice() : undefined;
      const valid = copy !== undefined && (await this.verified(index, copy));
      if (valid && !this.isDone(index)) {
        this.markDone(index, copy);
        restoredChunks++;
      } else if (!valid) rejectedChunks++;
    }
    return { ok: true, restoredChunks, rejectedChunks };
  }

  /** The whole track, after checking its SHA-256 against `trackId` (catches a self-inconsistent manifest). */
  async assemble(): Promise<AssembleResult> {
    if (!this.isComplete()) return { ok: false, reason: `incomplete: ${this.doneCount} of ${this.chunkCount} chunks` };
    const bytes = new Uint8Array(this.manifest.sizeBytes);
    this.payloads.forEach((payload, index) => bytes.set(payload as Uint8Array, index * this.manifest.chunkBytes));
    if ((await this.hash(bytes)) !== this.manifest.trackId) return { ok: false, reason: 'track hash mismatch' };
    return { ok: true, bytes };
  }

  private expire(nowMs: number): void {
    for (const source of this.sources.values()) {
      const before = source.timeouts;
      for (const [index, sentMs] of source.inFlight) {
        if (nowMs - sentMs < this.requestTimeoutMs) continue;
        this.untrack(source, index);
        source.timeouts++;
      }
      if (source.timeouts > before) source.windowChunks = Math.max(1, Math.floor(source.windowChunks / 2));
    }
  }

  private async verified(index: number, payload: Uint8Array): Promise<boolean> {
    return payload.length === chunkLengthBytes(this.manifest, index) && (await this.hash(payload)) === this.manifest.chunkHashes[index];
  }

  /** Forget `source`'s request for `index`, if any. */
  private untrack(source: Source, index: number): void {
    if (!source.inFlight.delete(index)) return;
    const count = (this.requestCounts.get(index) ?? 1) - 1;
    if (count > 0) this.requestCounts.set(index, count);
    else this.requestCounts.delete(index);
  }

  /** Endgame: may `index`, already requested elsewhere, also be asked of `source`? */
  private duplicable(source: Source, index: number): boolean {
    return !source.inFlight.has(index) && (this.requestCounts.get(index) ?? 0) < MAX_REQUESTS_PER_CHUNK;
  }

  /** Missing chunks in the focus order. */
  private focusedMissing(): number[] {
    const missing = this.missingIndices();
    const order = this.focusOrder;
    if (order === 'head') return missing.filter((index) => index === 0);
    if (order === null) return missing;
    return [...missing.filter((index) => index >= order), ...missing.filter((index) => index < order)];
  }

  private missingIndices(): number[] {
    const missing: number[] = [];
    for (let index = 0; index < this.chunkCount; index++) if (!this.isDone(index)) missing.push(index);
    return missing;
  }

  private isDone(index: number): boolean {
    return (this.doneBitmap[index >> 3] & (1 << (index & 7))) !== 0;
  }

  private markDone(index: number, payload: Uint8Array): void {
    this.doneBitmap[index >> 3] |= 1 << (index & 7);
    this.payloads[index] = payload;
    this.doneCount++;
    this.receivedBytes += payload.length;
  }
}
