/**
 * A late joiner plays before its copy of the track is whole: for a sliceable WAV (see
 * `media/wav-slice.ts`) still arriving, it asks for the file's header first, then for the chunks
 * from the room's position onwards (the rest after them), and hands the engine each longer run of
 * verified chunks as a WAV of its own. Other formats, and tracks already here, are fetched and
 * played whole as before.
 *
 * Parts grow geometrically (`sync/part-growth.ts`); the last part runs to the track's end, and the
 * whole track replaces it once imported.
 */
import { readWavLayout, wavByteAt, wavPositionAt, wavSlice, type WavDataLayout } from '../media/wav-slice.js';
import { fetchHoldMs } from '../sync/join-fetch-hold.js';
import { partWorthOffering } from '../sync/part-growth.js';
import { expectedPositionSec } from '../sync/playout-schedule.js';
import type { PlaybackPlan } from '../sync/speaker-plan.js';
import type { Milliseconds, Seconds } from '../sync/units.js';
import type { FetchFocus, PartialTrack } from './track-exchange-types.js';

/**
 * The chunks asked for first hold the position due this far ahead, s: about the time from asking to
 * a decoded part (0.37–0.5 s in bench:late-join). A part that comes later still plays at once, from
 * the position due then; one that comes sooner waits for the room to reach it (at 1.5 s, the
 * joiner sat 0.8–0.9 s with its first part decoded).
 */
export const FETCH_LEAD_SEC: Seconds = 0.5;

/** What the feeder reads and steers: the exchange's partial tracks. */
export interface PartSource {
  partial(trackId: string): PartialTrack | null;
  focus(trackId: string, order: FetchFocus): void;
  /** Ask for no more chunks for `forMs` from now; 0 resumes. */
  pause(trackId: string, forMs: Milliseconds): void;
}

/** What the feeder knows of the room's time. */
export interface RoomTime {
  /** The room's shared time, ms; null while this tab does not know it yet. */
  now(): Milliseconds | null;
  /** The clock's uncertainty about it, ms. */
  uncertaintyMs(): Milliseconds;
}

/** Where parts go: the speaker engine. */
export interface PartSink {
  offerPart(trackId: string, bytes: Uint8Array, startSec: Seconds, trackDurationSec: Seconds): void;
}

interface Feeding {
  readonly plan: PlaybackPlan;
  /** undefined until the header is read; null when the file is not sliceable. */
  layout: WavDataLayout | null | undefined;
  /** The order last asked of the fetch (asked again only when it changes). */
  focus: FetchFocus | undefined;
  /** First chunk of the run being played from, once aimed. */
  fromChunk: number | null;
  /** Track position where the last offered part ends, s. */
  offeredEndSec: Seconds;
  /** Track position where the offered parts start, s. */
  offeredStartSec: Seconds;
  /** Room time (ms) when the fetch was first held for the clock; null before. */
  holdSinceMs: Milliseconds | null;
}

export class TrackPartFeeder {
  private feeding: Feeding | null = null;
  /** Parts offered to the sink since the feeder was made. */
  private offers = 0;

  constructor(
    private readonly source: PartSource,
    private readonly sink: PartSink,
    private readonly room: RoomTime,
  ) {}

  /** What it is doing (plain JSON, for diagnostics). */
  view(): { trackId: string | null; sliceable: boolean | null; fromChunk: number | null; offeredStartSec: Seconds | null; offeredEndSec: Seconds | null; offers: number; clockHoldSinceMs: Milliseconds | null } {
    const f = this.feeding;
    const offered = f !== null && Number.isFinite(f.offeredEndSec);
    return {
      trackId: f?.plan.trackId ?? null,
      sliceable: f === null || f.layout === undefined ? null : f.layout !== null,
      fromChunk: f?.fromChunk ?? null,
      offeredStartSec: offered ? f.offeredStartSec : null,
      offeredEndSec: offered ? f.offeredEndSec : null,
      offers: this.offers,
      clockHoldSinceMs: f?.holdSinceMs ?? null,
    };
  }

  /** The speaker's plan, and whether its track is whole here (then nothing is fed). */
  follow(plan: PlaybackPlan | null, whole: boolean): void {
    const current = this.feeding;
    const feedable = plan !== null && plan.status === 'playing' && !whole;
    if (!feedable) {
      if (current !== null) this.source.focus(current.plan.trackId, null);
      this.feeding = null;
      return;
    }
    if (current !== null && current.plan.trackId === plan.trackId && current.plan.startSharedMs === plan.startSharedMs && current.plan.startPositionSec === plan.startPositionSec) return;
    this.feeding = { plan, layout: current?.plan.trackId === plan.trackId ? current.layout : undefined, focus: undefined, fromChunk: null, offeredEndSec: Number.NEGATIVE_INFINITY, offeredStartSec: Number.NaN, holdSinceMs: null };
    this.step();
  }

  /** More chunks arrived, or time passed: aim the fetch and offer a longer part when there is one. */
  step(): void {
    const feeding = this.feeding;
    if (feeding === null || feeding.layout === null) return;
    const trackId = feeding.plan.trackId;
    const partial = this.source.partial(trackId);
    if (feeding.layout === undefined) {
      const head = partial?.chunk(0);
      if (partial === null || head === undefined) return this.focus(feeding, 'head');
      feeding.layout = readWavLayout(head, partial.sizeBytes);
      if (feeding.layout === null) return this.focus(feeding, null);
    }
    if (partial === null) return;
    const layout = feeding.layout;
    // Where the room is cannot be known yet: fetch in order meanwhile.
    const roomNowMs = this.room.now();
    if (roomNowMs === null) return this.focus(feeding, null);
    const nowSec = expectedPositionSec(roomNowMs, feeding.plan);
    if (!(nowSec < layout.durationSec)) return;
    const chunkAt = (positionSec: Seconds): number => Math.min(Math.floor(wavByteAt(layout, positionSec) / partial.chunkBytes), Math.ceil(partial.sizeBytes / partial.chunkBytes) - 1);
    let from = feeding.fromChunk;
    // Aim at the position due a little ahead; again when the room's position passed what arrived.
    if (from === null || nowSec >= Math.max(runEndSec(layout, partial, from), feeding.offeredEndSec)) {
      from = chunkAt(Math.max(0, nowSec) + FETCH_LEAD_SEC);
      if (from !== feeding.fromChunk) {
        feeding.fromChunk = from;
        feeding.offeredEndSec = Number.NEGATIVE_INFINITY;
        this.focus(feeding, from);
      }
    }
    this.offerLonger(feeding, partial, layout, from, nowSec);
    this.holdForClock(feeding, roomNowMs, nowSec);
  }

  /** Offer the run of arrived chunks from `from` when it is worth more than what was offered. */
  private offerLonger(feeding: Feeding, partial: PartialTrack, layout: WavDataLayout, from: number, nowSec: Seconds): void {
    const endSec = runEndSec(layout, partial, from);
    const heldFromSec = Math.max(nowSec, wavPositionAt(layout, from * partial.chunkBytes));
    const offered = Number.isFinite(feeding.offeredEndSec) ? { startSec: feeding.offeredStartSec, endSec: feeding.offeredEndSec } : null;
    if (!partWorthOffering(offered, heldFromSec, endSec, layout.durationSec)) return;
    const run = partial.run(from);
    const slice = run === null ? null : wavSlice(layout, run);
    if (slice === null) return;
    feeding.offeredEndSec = slice.endSec;
    feeding.offeredStartSec = slice.startSec;
    this.offers++;
    this.sink.offerPart(feeding.plan.trackId, slice.bytes, slice.startSec, layout.durationSec);
  }

  /** Hold the fetch while the offered part has runway and the clock is unsure (`sync/join-fetch-hold.ts`). */
  private holdForClock(feeding: Feeding, roomNowMs: Milliseconds, nowSec: Seconds): void {
    const runwaySec = Number.isFinite(feeding.offeredEndSec) ? feeding.offeredEndSec - nowSec : 0;
    const heldForMs = feeding.holdSinceMs === null ? 0 : roomNowMs - feeding.holdSinceMs;
    const holdMs = fetchHoldMs({ runwaySec, clockUncertaintyMs: this.room.uncertaintyMs(), heldForMs });
    if (holdMs > 0) feeding.holdSinceMs ??= roomNowMs;
    this.source.pause(feeding.plan.trackId, holdMs);
  }

  private focus(feeding: Feeding, order: FetchFocus): void {
    if (feeding.focus === order) return;
    feeding.focus = order;
    this.source.focus(feeding.plan.trackId, order);
  }
}

/** Track position (s) where the run of arrived chunks from chunk `index` ends. */
function runEndSec(layout: WavDataLayout, partial: PartialTrack, index: number): Seconds {
  return wavPositionAt(layout, index * partial.chunkBytes + partial.runBytes(index));
}
