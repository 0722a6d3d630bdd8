/**
 * The clock protocol over the room's links: the leader answers probes with shared-time
 * stamps; a follower probes the leader on the timeline's schedule (fast burst, then upkeep).
 */
import type { ClockPingMessage, ClockPongMessage, RoomMessage } from '../sync/protocol.js';
import type { SharedTimeline } from '../sync/shared-timeline.js';
import type { Milliseconds } from '../sync/units.js';

/** One probe's four timestamps: t0/t3 on this tab's local clock, t1/t2 on the shared timeline (ms). */
export interface RawClockSample {
  t0: Milliseconds;
  t1: Milliseconds;
  t2: Milliseconds;
  t3: Milliseconds;
}

/** Primer probes use sequence numbers from here on; the timeline's probes count up from 0. */
export const PRIMER_SEQ_BASE = 2 ** 50;
const PRIMER_SEQ_SPAN = 2 ** 20;

/** How many raw samples are kept for diagnostics. */
const RECENT_SAMPLES = 256;
/** A primer without reply is sent again after this long, ms (its reply normally re-arms sooner). */
const PRIMER_RETRY_MS = 200;
/** A primer goes out at most this long before its probe is due, ms. */
const MAX_PRIMER_LEAD_MS = 100;
/** The shortest timer the link arms, ms. */
const MIN_TIMER_MS = 5;

/** The timers a {@link ClockLink} uses (the page's by default; tests inject fake ones). */
export interface LinkTimers {
  set(callback: () => void, delayMs: Milliseconds): unknown;
  clear(handle: unknown): void;
}

const PAGE_TIMERS: LinkTimers = {
  set: (callback, delayMs) => setTimeout(callback, delayMs),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class ClockLink {
  /** The latest raw samples, oldest first (diagnostics: how the two directions' delays compare). */
  readonly recentSamples: RawClockSample[] = [];
  private leaderId: string | null = null;
  /** Outstanding primers: sequence number (a range the timeline's own probes never use) → local send time, ms. */
  private readonly primers = new Map<number, Milliseconds>();
  private primerCount = 0;
  /** The latest primer's round trip, ms: primers go out this much before the probe is due. */
  private primerLeadMs: Milliseconds = 0;
  private timer: unknown = null;

  constructor(
    private readonly timeline: SharedTimeline,
    private readonly send: (peerId: string, message: RoomMessage) => void,
    private readonly now: () => Milliseconds,
    private readonly timers: LinkTimers = PAGE_TIMERS,
  ) {}

  /** This tab leads: serve the timeline, stop probing. */
  lead(): void {
    this.leaderId = null;
    this.stopProbing();
    this.timeline.becomeAuthority();
  }

  /** Follow `leaderId`'s timeline. */
  follow(leaderId: string): void {
    this.leaderId = leaderId;
    this.timeline.follow();
    this.stopProbing();
    this.probe();
  }

  /** Leader side: answer a probe; `arrivalShared` was stamped when the message arrived. */
  answer(peerId: string, ping: ClockPingMessage, arrivalShared: Milliseconds): void {
    if (this.timeline.role !== 'authority' || !Number.isFinite(arrivalShared)) return;
    this.send(peerId, { type: 'clock-pong', seq: ping.seq, t0: ping.t0, t1: arrivalShared, t2: this.timeline.stamp() });
  }

  /** Follower side: a reply; only the current leader's count. */
  receive(peerId: string, pong: ClockPongMessage): void {
    if (peerId !== this.leaderId) return;
    const primerSentMs = this.primers.get(pong.seq);
    if (primerSentMs !== undefined) {
      this.primers.delete(pong.seq);
      this.primerLeadMs = Math.min(Math.max(this.now() - primerSentMs, 0), MAX_PRIMER_LEAD_MS);
      this.sendProbe();
      this.arm(this.primerDueInMs());
      return;
    }
    this.timeline.handleReply(pong.seq, pong.t1, pong.t2);
    this.recentSamples.push({ t0: pong.t0, t1: pong.t1, t2: pong.t2, t3: this.now() });
    if (this.recentSamples.length > RECENT_SAMPLES) this.recentSamples.shift();
  }

  dispose(): void {
    this.leaderId = null;
    this.stopProbing();
  }

  /**
   * A probe is sent from a message handler, never from a timer: the timer only sends a primer
   * whose reply triggers the real probe. Measured live in Chromium, messages sent from a timer
   * task reach the peer later than ones sent while handling a message (forward p10 1.26 ms vs
   * 0.97 ms back), which biased the offset by +0.15…0.3 ms; with both directions sent from
   * handlers the paths are alike. One primer per probe: the timer fires a primer's round trip
   * before the next probe is due and the primer's reply re-arms it for the one after (a primer
   * lost or slower than {@link PRIMER_RETRY_MS} is sent again).
   */
  private probe(): void {
    this.timer = null;
    if (this.leaderId === null) return;
    const dueInMs = this.primerDueInMs();
    if (dueInMs > 0) {
      this.arm(dueInMs);
      return;
    }
    const seq = PRIMER_SEQ_BASE + (this.primerCount++ % PRIMER_SEQ_SPAN);
    const sentMs = this.now();
    this.primers.set(seq, sentMs);
    if (this.primers.size > 64) this.primers.delete(this.primers.keys().next().value!);
    this.send(this.leaderId, { type: 'clock-ping', seq, t0: sentMs });
    this.arm(PRIMER_RETRY_MS);
  }

  /** Ms until the next primer should go out: the probe's due time less the primer's round trip. */
  private primerDueInMs(): Milliseconds {
    return this.timeline.nextProbeDelayMs() - this.primerLeadMs;
  }

  /** (Re)arm the probe timer `delayMs` from now (at least {@link MIN_TIMER_MS}); ∞ stops it. */
  private arm(delayMs: Milliseconds): void {
    this.stopProbing();
    if (this.leaderId === null || !Number.isFinite(delayMs)) return;
    this.timer = this.timers.set(() => this.probe(), Math.max(MIN_TIMER_MS, delayMs));
  }

  private sendProbe(): void {
    if (this.leaderId === null) return;
    const probe = this.timeline.createProbe();
    if (probe !== null) this.send(this.leaderId, { type: 'clock-ping', seq: probe.seq, t0: probe.t0 });
  }

  private stopProbing(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
  }
}
