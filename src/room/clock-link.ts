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

/** How many raw samples are kept for diagnostics. */
const RECENT_SAMPLES = 256;

export class ClockLink {
  /** The latest raw samples, oldest first (diagnostics: how the two directions' delays compare). */
  readonly recentSamples: RawClockSample[] = [];
  private leaderId: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly timeline: SharedTimeline,
    private readonly send: (peerId: string, message: RoomMessage) => void,
    private readonly now: () => Milliseconds,
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
    this.timeline.handleReply(pong.seq, pong.t1, pong.t2);
    this.recentSamples.push({ t0: pong.t0, t1: pong.t1, t2: pong.t2, t3: this.now() });
    if (this.recentSamples.length > RECENT_SAMPLES) this.recentSamples.shift();
  }

  dispose(): void {
    this.leaderId = null;
    this.stopProbing();
  }

  private probe(): void {
    this.timer = null;
    if (this.leaderId === null) return;
    const probe = this.timeline.createProbe();
    if (probe !== null) this.send(this.leaderId, { type: 'clock-ping', seq: probe.seq, t0: probe.t0 });
    this.timer = setTimeout(() => this.probe(), Math.max(5, this.timeline.nextProbeDelayMs()));
  }

  private stopProbing(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
