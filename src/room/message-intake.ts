/**
 * The room's boundary for text from peers: each message decoded and validated (protocol.ts), or
 * dropped and counted with the latest reason. A peer is untrusted input: a bad message changes no
 * state, and the console hears of the first 20 drops, then of every 100th.
 */
import { decodeMessage, type RoomMessage } from '../sync/protocol.js';

/** Messages dropped so far and why the latest one was. */
export interface DroppedMessages {
  readonly count: number;
  readonly lastReason: string | null;
}

/** Drops logged one by one before only every {@link LOG_EVERY_AFTER}th is. */
const LOG_FIRST = 20;
const LOG_EVERY_AFTER = 100;

export class MessageIntake {
  private count = 0;
  private lastReason: string | null = null;

  /** The message `data` from `peerId` carries, or null when it was dropped. */
  accept(peerId: string, data: unknown): RoomMessage | null {
    const decoded = decodeMessage(data);
    if (decoded.ok) return decoded.message;
    this.count++;
    this.lastReason = `${peerId}: ${decoded.reason}`;
    if (this.count <= LOG_FIRST || this.count % LOG_EVERY_AFTER === 0) console.warn(`[tutti] dropped message from ${peerId}: ${decoded.reason}`);
    return null;
  }

  get dropped(): DroppedMessages {
    return { count: this.count, lastReason: this.lastReason };
  }
}
