/**
 * The receiving half of track exchange for one wanted track: ask a holder for the manifest (next
 * holder after `manifestTimeoutMs`), restore persisted chunks, plan chunk requests over every
 * holder (`TrackDownload`), persist each verified chunk (progress throttled), then assemble,
 * import into the library and report completion.
 *
 * Bad peers: a chunk failing its manifest hash bans its sender for this download. A manifest
 * whose whole-file hash fails at assembly is a lie: its sender is banned for the track and the
 * download starts over from another holder's manifest. When every holder but the manifest's
 * sender has been banned, the manifest itself is doubted: the download restarts from an untried
 * holder's manifest (persisted chunks are re-verified against it, nothing is dropped).
 */
import { MAX_REQUEST_CHUNKS } from '../sync/exchange-messages.js';
import { chunkBytesFor } from '../sync/exchange-policy.js';
import { ChunkOutcome, TrackDownload } from '../sync/track-download.js';
import type { HashFn, TrackManifest } from '../sync/track-manifest.js';
import type { Milliseconds } from '../sync/units.js';
import type { RoomLinks } from './room-extension.js';
import { TransferPhase, type ExchangeTuning, type FetchFocus, type PartialTrack, type TrackSource, type TransferView } from './track-exchange-types.js';

/** What a fetch needs from its exchange. */
export interface TrackFetchContext {
  readonly links: RoomLinks;
  readonly source: TrackSource;
  readonly hash: HashFn;
  readonly now: () => Milliseconds;
  readonly tuning: ExchangeTuning;
  /** Connected peers whose latest `have` lists `trackId`. */
  holders(trackId: string): readonly string[];
  /** The view or the counters changed. */
  changed(): void;
  /** A frame was dropped, a verified chunk of `bytes` arrived (or one already done, in the endgame), or a chunk failed its hash. */
  count(kind: CountKind, bytes?: number): void;
  /** The track is verified and in the library; `banned` are the peers caught sending bad chunks. */
  completed(trackId: string, banned: readonly string[]): void;
}

/** What `TrackFetchContext.count` counts. */
export type CountKind = 'ignored' | 'received' | 'duplicate' | 'bad';

type Stage = 'idle' | 'restoring' | 'receiving' | 'verifying' | 'failed';

/** One wanted track's download lifecycle. Call `dispose()` when no longer wanted (partial data stays persisted). */
export class TrackFetch {
  private stage: Stage = 'idle';
  private manifestAsk: { peerId: string; sentMs: Milliseconds } | null = null;
  /** Holders not to ask for the manifest first (timed out, or already used in a doubted round). */
  private readonly manifestSkip = new Set<string>();
  /** Holders whose manifest this fetch has used. */
  private readonly manifestUsed = new Set<string>();
  /** Holders whose manifest was a lie: banned for this track. */
  private readonly liars = new Set<string>();
  private download: TrackDownload | null = null;
  private manifestFrom: string | null = null;
  /** Chunk indices asked of each peer and not yet answered. */
  private readonly asked = new Map<string, Set<number>>();
  /** Bumped whenever the download is replaced or dropped: stale async results are discarded. */
  private generation = 0;
  private progressDirty = false;
  private lastProgressSaveMs = -Infinity;
  private failure: string | null = null;

  /**
   * Set by the exchange while an earlier wanted track asks for its manifest, restores or
   * receives: this fetch gets its manifest and restores persisted chunks, but asks for no chunks,
   * so the track that is needed first gets the whole bandwidth.
   */
  held = false;
  /** Local time (ms) until which this fetch asks for no chunks (a late joiner's clock settles: see `sync/join-fetch-hold.ts`). */
  private pausedUntilMs = Number.NEGATIVE_INFINITY;
  /** The order in which missing chunks are asked for (kept across a restarted download). */
  private focusOrder: FetchFocus = null;

  constructor(readonly trackId: string, private readonly ctx: TrackFetchContext) {}

  /** Asking for the manifest, restoring or receiving from a source: later wanted tracks are held meanwhile. */
  get busy(): boolean {
    if (this.stage === 'idle') return this.manifestAsk !== null;
    return this.stage === 'restoring' || (this.stage === 'receiving' && (this.download?.sourceStats().length ?? 0) > 0);
  }

  /** Advance: manifest timeouts and asks, source changes, doubt, request planning, progress writes. */
  tick(nowMs: Milliseconds): void {
    if (this.stage === 'idle') this.askManifest(nowMs);
    if (this.stage !== 'receiving' || this.download === null) return;
    const holders = this.usableHolders();
    this.syncSources(this.download, holders);
    if (this.doubtManifest(this.download, holders)) return;
    if (!this.held && nowMs >= this.pausedUntilMs) this.plan(nowMs);
    this.saveProgress(nowMs, false);
  }

  /** Ask for no more chunks for `forMs` from now (chunks in flight still come); 0 resumes at once. */
  pause(forMs: Milliseconds): void {
    const nowMs = this.ctx.now();
    const wasPaused = nowMs < this.pausedUntilMs;
    this.pausedUntilMs = nowMs + Math.max(0, forMs);
    if (wasPaused && forMs <= 0) this.tick(nowMs);
  }

  /** Ask for the missing chunks in this order from now on (see `TrackDownload.focus`); out-of-range indices are ignored. */
  focus(order: FetchFocus): void {
    const count = this.download?.manifest.chunkHashes.length;
    if (typeof order === 'number' && count !== undefined && !(Number.isInteger(order) && order >= 0 && order < count)) return;
    if (order === this.focusOrder) return;
    this.focusOrder = order;
    this.download?.focus(order);
    if (!this.held) this.tick(this.ctx.now());
  }

  /** The verified part of the track so far, once its manifest is in. */
  partial(): PartialTrack | null {
    const download = this.download;
    if (download === null) return null;
    return {
      sizeBytes: download.manifest.sizeBytes,
      chunkBytes: download.manifest.chunkBytes,
      chunk: (index) => download.chunk(index),
      runBytes: (index) => download.runBytes(index),
      run: (index) => download.run(index),
    };
  }

  /** A `manifest` arrived from `peerId` (already schema-checked). Only the one asked for is used. */
  onManifest(peerId: string, manifest: TrackManifest): void {
    if (this.stage !== 'idle' || this.manifestAsk?.peerId !== peerId) return;
    this.manifestAsk = null;
    if (manifest.trackId !== this.trackId || manifest.chunkBytes !== chunkBytesFor(manifest.sizeBytes)) {
      this.liars.add(peerId);
      this.ctx.changed();
      this.tick(this.ctx.now());
      return;
    }
    const { windowChunks, requestTimeoutMs } = this.ctx.tuning;
    this.download = new TrackDownload(manifest, this.ctx.hash, { windowChunks, requestTimeoutMs });
    if (typeof this.focusOrder !== 'number' || this.focusOrder < manifest.chunkHashes.length) this.download.focus(this.focusOrder);
    this.manifestFrom = peerId;
    this.manifestUsed.add(peerId);
    this.stage = 'restoring';
    this.ctx.changed();
    void this.restore(this.download, this.generation);
  }

  /** A decoded chunk frame for this track from `peerId`. */
  async onFrame(peerId: string, index: number, payload: Uint8Array): Promise<void> {
    const download = this.download;
    const asked = this.asked.get(peerId);
    if (this.stage !== 'receiving' || download === null || asked === undefined || !asked.delete(index)) {
      this.ctx.count('ignored');
      return;
    }
    const generation = this.generation;
    let outcome: ChunkOutcome;
    try {
      outcome = await download.onChunk(peerId, index, payload);
    } catch {
      return;
    }
    if (generation !== this.generation) return;
    if (outcome === ChunkOutcome.accepted) {
      this.ctx.count('received', payload.length);
      this.ctx.source.savePartialChunk(this.trackId, index, payload.slice()).catch(() => undefined);
      this.progressDirty = true;
    } else if (outcome === ChunkOutcome.badHash) {
      this.ctx.count('bad');
      this.asked.delete(peerId);
    } else if (outcome === ChunkOutcome.duplicate) this.ctx.count('duplicate', payload.length);
    else this.ctx.count('ignored');
    if (download.isComplete()) void this.finish(download, generation);
    else if (outcome !== ChunkOutcome.duplicate) this.tick(this.ctx.now());
    this.ctx.changed();
  }

  /** `peerId` left, or said it lacks the track. */
  sourceGone(peerId: string): void {
    this.download?.sourceLeft(peerId);
    this.asked.delete(peerId);
  }

  /** Peers banned for this track: lying manifests, and bad chunks in the current download. */
  bannedPeers(): string[] {
    return [...new Set([...this.liars, ...(this.download?.bannedSources() ?? [])])];
  }

  view(): TransferView {
    const progress = this.download?.progress();
    const holders = this.usableHolders().length;
    const sources = this.stage === 'receiving' ? (this.download?.sourceStats().length ?? 0) : 0;
    return {
      trackId: this.trackId,
      phase: this.phase(),
      receivedBytes: progress?.receivedBytes ?? 0,
      totalBytes: progress?.totalBytes ?? null,
      fraction: progress?.fraction ?? 0,
      sources,
      error: this.failure ?? this.problem(holders, sources),
    };
  }

  /** Stop: flush progress, drop in-memory chunks (the persisted ones stay for a later resume). */
  dispose(): void {
    if (this.stage === 'receiving') this.saveProgress(this.ctx.now(), true);
    this.generation++;
    this.download = null;
    this.stage = 'failed';
  }

  private phase(): TransferPhase {
    switch (this.stage) {
      case 'idle':
        return this.manifestAsk === null ? TransferPhase.waiting : TransferPhase.manifest;
      case 'restoring':
        return TransferPhase.manifest;
      default:
        return this.stage;
    }
  }

  private problem(holders: number, sources: number): string | null {
    if (this.stage === 'idle' && this.manifestAsk === null && holders === 0) {
      return this.liars.size > 0 ? `no other speaker offers this track (${this.liars.size} sent a bad manifest)` : 'no speaker in the room has this track';
    }
    if (this.stage === 'receiving' && sources === 0) {
      return holders === 0 ? 'no speaker in the room has this track any more' : 'every speaker offering this track sent bad data';
    }
    return null;
  }

  private usableHolders(): string[] {
    return this.ctx.holders(this.trackId).filter((peerId) => !this.liars.has(peerId));
  }

  private askManifest(nowMs: Milliseconds): void {
    const holders = this.usableHolders();
    const ask = this.manifestAsk;
    if (ask !== null && (nowMs - ask.sentMs >= this.ctx.tuning.manifestTimeoutMs || !holders.includes(ask.peerId))) {
      this.manifestSkip.add(ask.peerId);
      this.manifestAsk = null;
      this.ctx.changed();
    }
    if (this.manifestAsk !== null || holders.length === 0) return;
    let peerId = holders.find((p) => !this.manifestSkip.has(p));
    if (peerId === undefined) {
      this.manifestSkip.clear();
      peerId = holders[0];
    }
    if (!this.ctx.links.send(peerId, { type: 'manifest-request', trackId: this.trackId })) return;
    this.manifestAsk = { peerId, sentMs: nowMs };
    this.ctx.changed();
  }

  private async restore(download: TrackDownload, generation: number): Promise<void> {
    const { source } = this.ctx;
    try {
      const progress = await source.loadPartialProgress(this.trackId);
      if (progress !== undefined && progress !== null && generation === this.generation) {
        await download.importProgress(progress, (index) => source.loadPartialChunk(this.trackId, index));
      }
    } catch {
      // Unreadable partial data: start from scratch.
    }
    if (generation !== this.generation) return;
    this.stage = 'receiving';
    this.ctx.changed();
    if (download.isComplete()) void this.finish(download, generation);
    else this.tick(this.ctx.now());
  }

  private syncSources(download: TrackDownload, holders: readonly string[]): void {
    const current = new Set(download.sourceStats().map((s) => s.peerId));
    for (const peerId of current) if (!holders.includes(peerId)) this.sourceGone(peerId);
    for (const peerId of holders) if (!current.has(peerId) && download.sourceJoined(peerId)) this.asked.set(peerId, new Set());
  }

  /** Every holder but the manifest's sender was banned: try an untried holder's manifest. */
  private doubtManifest(download: TrackDownload, holders: readonly string[]): boolean {
    const banned = download.bannedSources();
    if (banned.length === 0 || !holders.every((p) => p === this.manifestFrom || banned.includes(p))) return false;
    if (!holders.some((p) => !this.manifestUsed.has(p))) return false;
    this.restart(this.manifestUsed);
    return true;
  }

  private plan(nowMs: Milliseconds): void {
    const download = this.download as TrackDownload;
    for (const { peerId, indices } of download.nextRequests(nowMs)) {
      const asked = this.asked.get(peerId) ?? new Set<number>();
      this.asked.set(peerId, asked);
      for (const index of indices) asked.add(index);
      for (let i = 0; i < indices.length; i += MAX_REQUEST_CHUNKS) {
        this.ctx.links.send(peerId, { type: 'chunk-request', trackId: this.trackId, indices: indices.slice(i, i + MAX_REQUEST_CHUNKS) });
      }
    }
  }

  private saveProgress(nowMs: Milliseconds, force: boolean): void {
    if (!this.progressDirty || this.download === null) return;
    if (!force && nowMs - this.lastProgressSaveMs < this.ctx.tuning.progressSaveIntervalMs) return;
    this.progressDirty = false;
    this.lastProgressSaveMs = nowMs;
    this.ctx.source.savePartialProgress(this.trackId, this.download.exportProgress()).catch(() => undefined);
  }

  private async finish(download: TrackDownload, generation: number): Promise<void> {
    if (this.stage !== 'receiving') return;
    this.stage = 'verifying';
    this.ctx.changed();
    const assembled = await download.assemble();
    if (generation !== this.generation) return;
    if (!assembled.ok) {
      if (this.manifestFrom !== null) this.liars.add(this.manifestFrom);
      await this.ctx.source.dropPartial(this.trackId).catch(() => undefined);
      if (generation === this.generation) this.restart(new Set());
      return;
    }
    const imported = await this.ctx.source.importBytes(assembled.bytes, this.trackId).catch((error: unknown) => ({ ok: false as const, reason: String(error) }));
    if (generation !== this.generation) return;
    await this.ctx.source.dropPartial(this.trackId).catch(() => undefined);
    if (imported.ok) {
      this.ctx.completed(this.trackId, this.bannedPeers());
      return;
    }
    this.stage = 'failed';
    this.failure = `the library refused the downloaded track: ${imported.reason}`;
    this.ctx.changed();
  }

  /** Forget the current download and ask for a manifest again, not first from `skip`. */
  private restart(skip: ReadonlySet<string>): void {
    if (this.stage === 'receiving') this.saveProgress(this.ctx.now(), true);
    this.generation++;
    this.download = null;
    this.manifestFrom = null;
    this.asked.clear();
    this.manifestAsk = null;
    this.manifestSkip.clear();
    for (const peerId of skip) this.manifestSkip.add(peerId);
    this.stage = 'idle';
    this.ctx.changed();
    this.tick(this.ctx.now());
  }
}
