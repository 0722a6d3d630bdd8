/**
 * The fine latency's quick following after a disturbance (an underrun counted, a render restart):
 * when it is due, under way, whether it has taken over from the slow following, and the offset to
 * put back when the readings disown it. Why and how far it follows: {@link FineLatencyOptions}
 * (output-fine-latency-options.ts). Pure: inputs carry their own timestamps.
 */
import type { FineLatencyOptions } from './output-fine-latency-options.js';
import type { Milliseconds } from './units.js';

/** The options it reads. */
export type QuickFollowingOptions = Pick<FineLatencyOptions, 'quickForMs' | 'quickEngageWithinMs' | 'quickEngageMs' | 'quickSettleGraceMs'>;

/** A quick following under way: its time span, the offset before it (ms), and whether it has taken over. */
interface Run {
  readonly sinceMs: Milliseconds;
  readonly untilMs: Milliseconds;
  readonly fromOffsetMs: Milliseconds;
  engaged: boolean;
}

export class QuickFollowing {
  /** Due to start at the next reading, or under way; null: none. */
  private state: 'pending' | Run | null = null;

  constructor(private readonly o: QuickFollowingOptions) {}

  /** The output may have moved: follow quickly from the next reading on. */
  disturbed(): void {
    this.state = 'pending';
  }

  /**
   * A reading at `atMs`, with the offset before it (ms): a due following begins, and one ends after
   * `quickForMs`, or after `quickEngageWithinMs` without having taken over.
   */
  advance(atMs: Milliseconds, offsetMs: Milliseconds): void {
    if (this.state === 'pending') this.state = { sinceMs: atMs, untilMs: atMs + this.o.quickForMs, fromOffsetMs: offsetMs, engaged: false };
    const run = this.state;
    if (run !== null && (atMs >= run.untilMs || (!run.engaged && atMs - run.sinceMs > this.o.quickEngageWithinMs))) this.state = null;
  }

  /** Due or under way. */
  get active(): boolean {
    return this.state !== null;
  }

  /** When the following under way began, ms; null when none is (or it is only due). */
  get sinceMs(): Milliseconds | null {
    return this.state === null || this.state === 'pending' ? null : this.state.sinceMs;
  }

  /**
   * The offset (ms) its band is centred on: the one before it began, where the output was heard
   * when the disturbance came (`currentMs`, the offset now, while it is only due or none is).
   */
  bandCentreMs(currentMs: Milliseconds): Milliseconds {
    return this.state === null || this.state === 'pending' ? currentMs : this.state.fromOffsetMs;
  }

  /** It has taken over from the slow following. */
  get engaged(): boolean {
    return this.state !== null && this.state !== 'pending' && this.state.engaged;
  }

  /** The readings' level (ms) lies at least `quickEngageMs` from the offset (ms): it takes over. */
  engageIf(levelMs: Milliseconds, offsetMs: Milliseconds): void {
    if (this.state !== null && this.state !== 'pending' && Math.abs(levelMs - offsetMs) >= this.o.quickEngageMs) this.state.engaged = true;
  }

  /** A settling reading read at `readAtMs` still belongs to its move: due, or within `quickSettleGraceMs` of its start. */
  withinGrace(readAtMs: Milliseconds): boolean {
    return this.state === 'pending' || (this.state !== null && readAtMs - this.state.sinceMs <= this.o.quickSettleGraceMs);
  }

  /** Ends it; returns the offset before it (ms) when it had taken over, to be put back, else null. */
  abandon(): Milliseconds | null {
    const back = this.engaged && this.state !== null && this.state !== 'pending' ? this.state.fromOffsetMs : null;
    this.state = null;
    return back;
  }
}
