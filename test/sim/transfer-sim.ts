import { decodeChunkFrame, encodeChunkFrame } from '../../src/sync/chunk-frame.js';
import type { ChunkOutcome, TrackDownload } from '../../src/sync/track-download.js';
import { chunkRange } from '../../src/sync/track-manifest.js';
import { EventQueue } from './event-queue.js';
import { Rng } from './rng.js';

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Real SHA-256 (WebCrypto of the test page) as lowercase hex: the hasher injected into src/sync. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const b of digest) hex += HEX[b];
  return hex;
}

/** `sizeBytes` seeded pseudo-random bytes (a stand-in for an encoded track). */
export function randomTrack(seed: number, sizeBytes: number): Uint8Array {
  const rng = new Rng(seed);
  const bytes = new Uint8Array(sizeBytes);
  for (let i = 0; i < sizeBytes; i++) bytes[i] = Math.floor(rng.next() * 256);
  return bytes;
}

/** One peer holding the track, as seen over its data channel. */
export interface SimSource {
  readonly peerId: string;
  /** One-way latency, ms (each message gets up to +20 % jitter). */
  readonly latencyMs: number;
  /** Upload bandwidth of the source, bytes per ms (chunks are sent one after another). */
  readonly bandwidthBytesPerMs: number;
  /** Probability that a chunk it sends has one byte flipped. */
  readonly corruptProbability?: number;
  /** Never answers requests (a stuck or overloaded peer). */
  readonly silent?: boolean;
  readonly joinAtMs?: number;
  readonly leaveAtMs?: number;
}

/**
 * A downloader and its sources in simulated time: requests travel to a source, queue behind its
 * upload link, and come back as encoded chunk frames that are decoded and fed to the planner.
 * The planner is polled every `stepMs`; hashing (real, async) takes no simulated time.
 */
export class TransferSim {
  readonly queue = new EventQueue();
  /** Chunks accepted per source. */
  readonly served = new Map<string, number>();
  /** Every chunk index requested, per source, in order. */
  readonly requested = new Map<string, number[]>();
  readonly outcomes: Record<ChunkOutcome, number> = { accepted: 0, duplicate: 0, 'bad-hash': 0, unexpected: 0 };
  /** Accepted payloads by index: what the shell would persist for a resume. */
  readonly stored = new Map<number, Uint8Array>();
  completedAtMs: number | null = null;
  private readonly rng: Rng;
  private readonly sources = new Map<string, SimSource>();
  private readonly sessions = new Map<string, number>();
  private readonly busyUntilMs = new Map<string, number>();
  private pending: Promise<void>[] = [];

  constructor(readonly download: TrackDownload, private readonly track: Uint8Array, sources: readonly SimSource[], seed: number) {
    this.rng = new Rng(seed);
    for (const source of sources) {
      this.served.set(source.peerId, 0);
      this.requested.set(source.peerId, []);
      this.join(source, source.joinAtMs ?? 0);
      if (source.leaveAtMs !== undefined) this.queue.at(source.leaveAtMs, () => this.leave(source.peerId));
    }
  }

  /** A source joins now (or later, at `atMs`). */
  join(source: SimSource, atMs = this.queue.now): void {
    this.queue.at(atMs, () => {
      this.sessions.set(source.peerId, (this.sessions.get(source.peerId) ?? 0) + 1);
      this.download.sourceJoined(source.peerId);
      this.sources.set(source.peerId, source);
    });
  }

  /** A source's connection closes: chunks it still had on the way are lost. */
  leave(peerId: string): void {
    this.sessions.set(peerId, (this.sessions.get(peerId) ?? 0) + 1);
    this.sources.delete(peerId);
    this.download.sourceLeft(peerId);
  }

  /** Run until `untilMs`, completion, or `stop()`; returns the simulated time reached. */
  async run(untilMs: number, stop: () => boolean = () => false, stepMs = 1): Promise<number> {
    while (this.queue.now < untilMs) {
      this.queue.runUntil(this.queue.now + stepMs);
      while (this.pending.length > 0) await Promise.all(this.pending.splice(0));
      if (this.download.isComplete()) {
        this.completedAtMs ??= this.queue.now;
        break;
      }
      if (stop()) break;
      for (const { peerId, indices } of this.download.nextRequests(this.queue.now)) this.send(peerId, indices);
    }
    return this.queue.now;
  }

  /** Share of accepted chunks served by `peerId`. */
  share(peerId: string): number {
    const total = [...this.served.values()].reduce((a, b) => a + b, 0);
    return (this.served.get(peerId) ?? 0) / total;
  }

  private send(peerId: string, indices: number[]): void {
    this.requested.get(peerId)?.push(...indices);
    const source = this.sources.get(peerId);
    if (source === undefined || source.silent === true) return;
    const session = this.sessions.get(peerId);
    this.queue.after(this.delay(source), () => {
      if (this.sessions.get(peerId) !== session) return;
      for (const index of indices) {
        const { startByte, endByte } = chunkRange(this.download.manifest, index);
        const startMs = Math.max(this.queue.now, this.busyUntilMs.get(peerId) ?? 0);
        const sentMs = startMs + (endByte - startByte) / source.bandwidthBytesPerMs;
        this.busyUntilMs.set(peerId, sentMs);
        const payload = this.track.slice(startByte, endByte);
        if (this.rng.chance(source.corruptProbability ?? 0)) payload[this.rng.int(0, payload.length - 1)] ^= 0x5a;
        const frame = encodeChunkFrame(this.download.manifest.trackId, index, payload);
        this.queue.at(sentMs + this.delay(source), () => {
          if (this.sessions.get(peerId) === session) this.receive(peerId, frame);
        });
      }
    });
  }

  private receive(peerId: string, frame: ArrayBuffer): void {
    const decoded = decodeChunkFrame(frame);
    if (!decoded.ok || decoded.trackId !== this.download.manifest.trackId) throw new Error('sim: bad frame');
    const { index, payload } = decoded;
    this.pending.push(
      this.download.onChunk(peerId, index, payload).then((outcome) => {
        this.outcomes[outcome]++;
        if (outcome !== 'accepted') return;
        this.served.set(peerId, (this.served.get(peerId) ?? 0) + 1);
        this.stored.set(index, payload);
      }),
    );
  }

  private delay(source: SimSource): number {
    return source.latencyMs * (1 + 0.2 * this.rng.next());
  }
}
