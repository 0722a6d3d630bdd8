/**
 * Peer-to-peer track distribution, as a room extension. Every speaker advertises the complete
 * tracks it holds (`have`: to each new peer, on library change, and every `haveIntervalMs`),
 * serves chunks of them to whoever asks (`ChunkServer`, with backpressure), and fetches the tracks
 * it `want`s but lacks from every peer advertising them (`TrackFetch`: hash-verified chunks,
 * persisted for resume, bad peers banned per track). A completed track is imported into the
 * library and advertised at once, so later joiners spread their requests over all holders and the
 * leader's upload does not grow with the room.
 *
 * Events: 'change' (transfers or stats changed; coalesced to one per microtask) and
 * 'track-complete' (`CustomEvent<{ trackId }>`, the track is in the library).
 */
import { decodeChunkFrame } from '../sync/chunk-frame.js';
import { MAX_HAVE_TRACKS } from '../sync/exchange-messages.js';
import type { RoomMessage } from '../sync/protocol.js';
import type { HashFn } from '../sync/track-manifest.js';
import type { Milliseconds } from '../sync/units.js';
import { ChunkServer } from './chunk-server.js';
import type { RoomExtension, RoomLinks } from './room-extension.js';
import { DEFAULT_EXCHANGE_TUNING, type ExchangeStats, type ExchangeTuning, type FetchFocus, type PartialTrack, type TrackSource, type TransferView } from './track-exchange-types.js';
import { TrackFetch, type CountKind, type TrackFetchContext } from './track-fetch.js';

export { DEFAULT_EXCHANGE_TUNING, TransferPhase } from './track-exchange-types.js';
export type { ExchangeStats, ExchangeTuning, TrackSource, TransferView } from './track-exchange-types.js';

/** Dependencies of a `TrackExchange` (injected so tests can use an in-memory network and library). */
export interface TrackExchangeOptions {
  links: RoomLinks;
  source: TrackSource;
  /** SHA-256 as lowercase hex (crypto.subtle in the browser). */
  hash: HashFn;
  /** This tab's local clock, ms. */
  now: () => Milliseconds;
  /** Overrides of `DEFAULT_EXCHANGE_TUNING` (tests, diagnostics). */
  tuning?: Partial<ExchangeTuning>;
  /**
   * A peer asked for no chunks while another holder has the track: the clock's authority, whose
   * link and main thread carry every member's clock replies (null: none). bench:late-join's
   * joiners fetched from all three speakers, the leader among them, and their clock replies took
   * 100–2000 ms while the chunks came, so the clock stayed unsure and the start waited.
   */
  spare?: () => string | null;
}

/** Detail of the 'track-complete' event. */
export interface TrackCompleteDetail {
  readonly trackId: string;
}

/** See the module comment. Add it to a RoomSession with `addExtension`; call `dispose()` when done. */
export class TrackExchange extends EventTarget implements RoomExtension {
  private readonly links: RoomLinks;
  private readonly source: TrackSource;
  private readonly now: () => Milliseconds;
  private readonly spare: () => string | null;
  private readonly server: ChunkServer;
  private readonly context: TrackFetchContext;
  private readonly fetches = new Map<string, TrackFetch>();
  /** Peer → the tracks its latest `have` listed. */
  private readonly haves = new Map<string, Set<string>>();
  private local = new Set<string>();
  /** Local tracks whose stored bytes do not hash to their id: never offered. */
  private readonly corrupt = new Set<string>();
  private wanted: string[] = [];
  /** Peers caught sending bad data for tracks already completed. */
  private readonly pastBans = new Set<string>();
  private readonly counters = { receivedBytes: 0, duplicateBytes: 0, badChunks: 0, ignoredFrames: 0 };
  private lastHaveMs = -Infinity;
  private changePending = false;
  private disposed = false;

  constructor(options: TrackExchangeOptions) {
    super();
    this.links = options.links;
    this.source = options.source;
    this.spare = options.spare ?? (() => null);
    this.now = options.now;
    const tuning: ExchangeTuning = { ...DEFAULT_EXCHANGE_TUNING, ...options.tuning };
    this.server = new ChunkServer({
      links: this.links,
      source: this.source,
      hash: options.hash,
      tuning,
      serves: (trackId) => this.local.has(trackId) && !this.corrupt.has(trackId),
      sendHave: (peerId) => this.links.send(peerId, this.haveMessage()),
      onCorrupt: (trackId) => {
        console.warn(`[tutti] stored copy of track ${trackId} is corrupt; no longer offered`);
        this.corrupt.add(trackId);
        this.links.broadcast(this.haveMessage());
      },
    });
    this.context = {
      links: this.links,
      source: this.source,
      hash: options.hash,
      now: this.now,
      tuning,
      holders: (trackId) => this.holders(trackId),
      changed: () => this.changed(),
      count: (kind, bytes = 0) => this.count(kind, bytes),
      completed: (trackId, banned) => this.completed(trackId, banned),
    };
    this.refreshLocal();
  }

  /** The tracks this speaker needs now (e.g. its zone's current and next); other downloads pause (partial data stays persisted). */
  want(trackIds: readonly string[]): void {
    this.wanted = [...new Set(trackIds)];
    this.reconcile();
  }

  /** The library changed (import/remove): re-advertise `have`, drop fetches of tracks now local. */
  libraryChanged(): void {
    this.refreshLocal();
    this.server.libraryChanged();
    this.links.broadcast(this.haveMessage());
    this.lastHaveMs = this.now();
    this.reconcile();
  }

  /** The verified part of a wanted track still arriving (null before its manifest, or when not fetched). */
  partial(trackId: string): PartialTrack | null {
    return this.fetches.get(trackId)?.partial() ?? null;
  }

  /** Ask for the missing chunks of `trackId` in this order (a player starting mid-track). */
  focus(trackId: string, order: FetchFocus): void {
    this.fetches.get(trackId)?.focus(order);
  }

  /** Ask for no more chunks of `trackId` for `forMs` from now (see `TrackFetch.pause`). */
  pause(trackId: string, forMs: Milliseconds): void {
    this.fetches.get(trackId)?.pause(forMs);
  }

  /** Downloads of wanted tracks that are not local, in `want` order. */
  transfers(): readonly TransferView[] {
    return this.wanted.flatMap((trackId) => this.fetches.get(trackId)?.view() ?? []);
  }

  stats(): ExchangeStats {
    const banned = new Set(this.pastBans);
    for (const fetch of this.fetches.values()) for (const peerId of fetch.bannedPeers()) banned.add(peerId);
    return {
      servedBytes: this.server.servedBytes,
      servedChunks: this.server.servedChunks,
      ...this.counters,
      queuedChunks: this.server.queuedChunks(),
      bannedPeers: [...banned].sort(),
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const fetch of this.fetches.values()) fetch.dispose();
    this.fetches.clear();
    this.server.dispose();
  }

  message(peerId: string, message: RoomMessage): void {
    if (this.disposed) return;
    switch (message.type) {
      case 'have':
        this.haves.set(peerId, new Set(message.trackIds));
        this.kick();
        return;
      case 'manifest-request':
        this.server.manifestRequested(peerId, message.trackId);
        return;
      case 'manifest':
        this.fetches.get(message.manifest.trackId)?.onManifest(peerId, message.manifest);
        return;
      case 'chunk-request':
        this.server.chunksRequested(peerId, message.trackId, message.indices);
        return;
      case 'chunk-missing':
        this.haves.get(peerId)?.delete(message.trackId);
        this.fetches.get(message.trackId)?.sourceGone(peerId);
        this.kick();
        return;
      default:
    }
  }

  binary(peerId: string, data: ArrayBuffer): void {
    if (this.disposed) return;
    const frame = decodeChunkFrame(data);
    const fetch = frame.ok ? this.fetches.get(frame.trackId) : undefined;
    if (fetch !== undefined && frame.ok) void fetch.onFrame(peerId, frame.index, frame.payload);
    else if (frame.ok && this.local.has(frame.trackId)) this.count('duplicate', frame.payload.length);
    else this.count('ignored', 0);
  }

  peerUp(peerId: string): void {
    if (this.disposed) return;
    this.links.send(peerId, this.haveMessage());
  }

  peerDown(peerId: string): void {
    if (this.disposed) return;
    this.haves.delete(peerId);
    this.server.peerGone(peerId);
    for (const fetch of this.fetches.values()) fetch.sourceGone(peerId);
    this.kick();
  }

  tick(nowMs: Milliseconds): void {
    if (this.disposed) return;
    if (nowMs - this.lastHaveMs >= this.context.tuning.haveIntervalMs) {
      this.lastHaveMs = nowMs;
      this.links.broadcast(this.haveMessage());
    }
    this.server.pump();
    this.tickFetches(nowMs);
  }

  private reconcile(): void {
    if (this.disposed) return;
    for (const [trackId, fetch] of this.fetches) {
      if (this.wanted.includes(trackId) && !this.local.has(trackId)) continue;
      fetch.dispose();
      this.fetches.delete(trackId);
    }
    for (const trackId of this.wanted) {
      if (this.local.has(trackId) || this.fetches.has(trackId)) continue;
      this.fetches.set(trackId, new TrackFetch(trackId, this.context));
    }
    this.kick();
    this.changed();
  }

  /** Let every fetch react now (new holders, lost sources) rather than at the next tick. */
  private kick(): void {
    this.tickFetches(this.now());
  }

  /** Tick every fetch in `want` order; only the first busy one asks for chunks (see `TrackFetch.held`). */
  private tickFetches(nowMs: Milliseconds): void {
    let ahead = false;
    for (const trackId of this.wanted) {
      const fetch = this.fetches.get(trackId);
      if (fetch === undefined) continue;
      fetch.held = ahead;
      fetch.tick(nowMs);
      ahead ||= fetch.busy;
    }
  }

  /** Peers whose latest `have` lists `trackId`, without the spared peer while another has it. */
  private holders(trackId: string): string[] {
    const holders: string[] = [];
    for (const [peerId, tracks] of this.haves) if (peerId !== this.links.selfId && tracks.has(trackId)) holders.push(peerId);
    const spare = this.spare();
    const others = holders.filter((peerId) => peerId !== spare);
    return others.length > 0 ? others : holders;
  }

  private completed(trackId: string, banned: readonly string[]): void {
    this.fetches.delete(trackId);
    for (const peerId of banned) this.pastBans.add(peerId);
    this.refreshLocal();
    this.local.add(trackId);
    this.corrupt.delete(trackId);
    this.links.broadcast(this.haveMessage());
    this.changed();
    this.dispatchEvent(new CustomEvent<TrackCompleteDetail>('track-complete', { detail: { trackId } }));
  }

  private count(kind: CountKind, bytes: number): void {
    if (kind === 'ignored') this.counters.ignoredFrames++;
    else if (kind === 'bad') this.counters.badChunks++;
    else if (kind === 'duplicate') this.counters.duplicateBytes += bytes;
    else this.counters.receivedBytes += bytes;
    this.changed();
  }

  private refreshLocal(): void {
    this.local = new Set(this.source.completeTrackIds());
  }

  private haveMessage(): RoomMessage {
    return { type: 'have', trackIds: [...this.local].filter((id) => !this.corrupt.has(id)).slice(0, MAX_HAVE_TRACKS) };
  }

  /** Coalesce change notifications to one per microtask. */
  private changed(): void {
    if (this.changePending || this.disposed) return;
    this.changePending = true;
    queueMicrotask(() => {
      this.changePending = false;
      if (!this.disposed) this.dispatchEvent(new Event('change'));
    });
  }
}
