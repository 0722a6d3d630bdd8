/**
 * What a tab tells its peers on its own schedule: a heartbeat every `heartbeatIntervalMs` (the
 * election's liveness), and every {@link STATUS_INTERVAL_MS} its status (name, role, clock) and a
 * ping (round trips for the member list). A new link gets all three at once. Times are this tab's
 * clock, ms.
 */
import type { RoomMessage } from '../sync/protocol.js';
import type { Milliseconds } from '../sync/units.js';

/** Status and ping period, ms. */
export const STATUS_INTERVAL_MS: Milliseconds = 1000;
/** Heartbeat period unless the session is given one, ms. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS: Milliseconds = 300;

/** Where the upkeep's messages come from and go. */
export interface UpkeepLinks {
  heartbeat(): RoomMessage;
  status(): RoomMessage;
  broadcast(message: RoomMessage): void;
  sendTo(peerId: string, message: RoomMessage): void;
}

export class RoomUpkeep {
  private lastHeartbeatMs: Milliseconds = -Infinity;
  private lastStatusMs: Milliseconds = -Infinity;
  private pingSeq = 0;

  constructor(
    private readonly links: UpkeepLinks,
    private readonly heartbeatIntervalMs: Milliseconds = DEFAULT_HEARTBEAT_INTERVAL_MS,
  ) {}

  /** Sends what is due at `nowMs`; true when the status went out (the snapshot's round trips may have moved). */
  tick(nowMs: Milliseconds): boolean {
    if (nowMs - this.lastHeartbeatMs >= this.heartbeatIntervalMs) {
      this.lastHeartbeatMs = nowMs;
      this.links.broadcast(this.links.heartbeat());
    }
    if (nowMs - this.lastStatusMs < STATUS_INTERVAL_MS) return false;
    this.lastStatusMs = nowMs;
    this.links.broadcast(this.links.status());
    this.links.broadcast(this.ping(nowMs));
    return true;
  }

  /** A link just opened: heartbeat, status and a ping to that peer now. */
  greet(peerId: string, nowMs: Milliseconds): void {
    this.links.sendTo(peerId, this.links.heartbeat());
    this.links.sendTo(peerId, this.links.status());
    this.links.sendTo(peerId, this.ping(nowMs));
  }

  /** The status changed (a rename): it goes out with the next tick. */
  statusChanged(): void {
    this.lastStatusMs = -Infinity;
  }

  private ping(nowMs: Milliseconds): RoomMessage {
    return { type: 'ping', seq: ++this.pingSeq, sentMs: nowMs };
  }
}
