/**
 * The speaker engine's current track: which one it wants, and whether its bytes are loading,
 * missing (retried every {@link RETRY_MS}), decoding, decoded or broken. Decoding goes through a
 * {@link TrackDecoder} (LRU cache, shared in-flight decodes). Until the whole track is decoded, a
 * part of it may be offered (a slice of a track still arriving, which decodes on its own): the
 * longest part decoded so far is the loader's audio meanwhile. Calls `changed` on every transition.
 */
import { readWavLayout, wavByteAt, wavSlice } from '../media/wav-slice.js';
import type { Milliseconds, Seconds } from '../sync/units.js';
import { TrackDecoder } from './track-decoder.js';
import { audioEndSec, wholeTrack, type TrackAudio } from './track-audio.js';

/** While the bytes are missing, retry this often, ms. */
export const RETRY_MS: Milliseconds = 2_000;
/** A quick part runs this long from the position asked for, s (the whole track decodes meanwhile). */
export const QUICK_PART_SEC: Seconds = 10;
/** …and starts this much before it, s (a start a moment earlier than computed still finds audio). */
const QUICK_PART_BEFORE_SEC: Seconds = 0.25;

/** The last quick part: its track, and how long reading its bytes and then decoding it took, ms (null: not done). */
export interface QuickPartTiming {
  readonly trackId: string;
  readonly readMs: Milliseconds | null;
  readonly decodedMs: Milliseconds | null;
}

/** Where the wanted track is. */
export type LoadState =
  | { readonly kind: 'loading' | 'decoding'; readonly trackId: string }
  | { readonly kind: 'missing'; readonly trackId: string; readonly sinceMs: Milliseconds }
  | { readonly kind: 'ready'; readonly trackId: string; readonly audio: TrackAudio }
  | { readonly kind: 'error'; readonly trackId: string; readonly message: string };

export class TrackLoader {
  private current: LoadState | null = null;
  /** The longest decoded part of the wanted track, until the whole is ready. */
  private part: { readonly trackId: string; readonly audio: TrackAudio } | null = null;
  private quick: QuickPartTiming | null = null;
  private readonly decoder: TrackDecoder;
  private disposed = false;

  /** `changed` runs after each state change (not after dispose). */
  constructor(context: BaseAudioContext, loadBytes: (trackId: string) => Promise<Uint8Array | undefined>, private readonly changed: () => void) {
    this.decoder = new TrackDecoder(context, loadBytes);
  }

  get state(): LoadState | null {
    return this.current;
  }

  /** What can play of the wanted track: the whole when decoded, else its longest decoded part, else null. */
  get audio(): TrackAudio | null {
    const current = this.current;
    if (current?.kind === 'ready') return current.audio;
    return this.part !== null && this.part.trackId === current?.trackId ? this.part.audio : null;
  }

  /**
   * A part of the wanted track that decodes on its own (`bytes`), starting at track position
   * `startSec` of a track `trackDurationSec` long. Decoded and kept when the track is still wanted
   * and not whole, and the part ends later than the one kept. Never rejects.
   */
  async offerPart(trackId: string, bytes: Uint8Array, startSec: Seconds, trackDurationSec: Seconds): Promise<void> {
    if (!this.wantsPartOf(trackId, Number.POSITIVE_INFINITY)) return;
    let buffer: AudioBuffer;
    try {
      buffer = await this.decoder.decodePart(bytes);
    } catch {
      return;
    }
    const audio: TrackAudio = { buffer, startSec, trackDurationSec };
    if (this.disposed || !this.wantsPartOf(trackId, audioEndSec(audio))) return;
    this.part = { trackId, audio };
    this.changed();
  }

  /**
   * The wanted track's bytes are here but not decoded yet: decode just the part from track
   * position `fromSec` ({@link QUICK_PART_SEC} long) so it can start on time, while the whole
   * decodes (a 3-minute WAV took 0.45–0.7 s here, so a press during the decode-ahead started that
   * speaker late). Only for sliceable WAV files (`media/wav-slice.ts`); never rejects.
   */
  async quickPart(trackId: string, fromSec: Seconds): Promise<void> {
    if (!Number.isFinite(fromSec) || this.decoder.has(trackId) || !this.wantsPartOf(trackId, fromSec + QUICK_PART_SEC)) return;
    const askedMs = performance.now();
    this.quick = { trackId, readMs: null, decodedMs: null };
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.decoder.bytes(trackId);
    } catch {
      return;
    }
    this.quick = { trackId, readMs: performance.now() - askedMs, decodedMs: null };
    const layout = bytes === undefined ? null : readWavLayout(bytes, bytes.byteLength);
    if (bytes === undefined || layout === null) return;
    const startSec = Math.max(0, fromSec - QUICK_PART_BEFORE_SEC);
    const fromByte = wavByteAt(layout, startSec);
    const slice = wavSlice(layout, { offsetBytes: fromByte, bytes: bytes.subarray(fromByte, wavByteAt(layout, startSec + QUICK_PART_SEC)) });
    if (slice === null) return;
    await this.offerPart(trackId, slice.bytes, slice.startSec, layout.durationSec);
    this.quick = { ...this.quick, decodedMs: performance.now() - askedMs };
  }

  /** The last quick part, for diagnostics. */
  get lastQuickPart(): QuickPartTiming | null {
    return this.quick;
  }

  /** Want `trackId` (null: nothing); loads it unless already wanted. */
  want(trackId: string | null): void {
    if (trackId !== null && this.current?.trackId !== trackId) this.request(trackId);
  }

  /** Bytes for trackId just arrived: retry at once if it is wanted and was missing. */
  available(trackId: string): void {
    if (this.current?.kind === 'missing' && this.current.trackId === trackId) this.request(trackId);
  }

  /** Retry a missing track whose last attempt is {@link RETRY_MS} old (call periodically). */
  retry(nowMs: Milliseconds): void {
    const load = this.current;
    if (load?.kind === 'missing' && nowMs - load.sinceMs >= RETRY_MS) this.request(load.trackId);
  }

  /** Is `trackId` wanted and not whole, with no kept part ending at or after `endSec`? */
  private wantsPartOf(trackId: string, endSec: Seconds): boolean {
    const current = this.current;
    if (current === null || current.trackId !== trackId || current.kind === 'ready' || current.kind === 'error') return false;
    return this.part === null || this.part.trackId !== trackId || audioEndSec(this.part.audio) < endSec;
  }

  /** Tracks decoded and cached now (decoded ahead, or the current one), for diagnostics. */
  get decodedTrackIds(): string[] {
    return this.decoder.decodedTrackIds;
  }

  /** Decode ahead (e.g. the next track in the queue). */
  preload(trackIds: readonly string[]): void {
    for (const id of trackIds) void this.decoder.load(id);
  }

  dispose(): void {
    this.disposed = true;
    this.decoder.dispose();
  }

  private request(trackId: string): void {
    if (this.part?.trackId !== trackId) this.part = null;
    this.current = { kind: 'loading', trackId };
    void this.decoder
      .load(trackId, () => {
        if (this.current?.trackId === trackId) this.current = { kind: 'decoding', trackId };
        if (!this.disposed) this.changed();
      })
      .then((result) => {
        if (this.disposed || this.current?.trackId !== trackId) return;
        if (result.kind === 'ready') this.part = null;
        this.current =
          result.kind === 'ready' ? { kind: 'ready', trackId, audio: wholeTrack(result.buffer) }
          : result.kind === 'missing' ? { kind: 'missing', trackId, sinceMs: performance.now() }
          : { kind: 'error', trackId, message: result.message };
        this.changed();
      });
  }
}
