/**
 * Requests sent to the leader and waiting for its answer: each gets a fresh id, resolves with the
 * answer's error text (null = done), or with `timeoutText` when no answer comes in time.
 */
import type { Milliseconds } from '../sync/units.js';

/** The answer to a request made while the room has no leader. */
export const NO_LEADER = 'No leader in the room yet — try again in a moment';

export class PendingRequests {
  private readonly waiting = new Map<number, { resolve: (error: string | null) => void; timer: ReturnType<typeof setTimeout> }>();
  private nextId = 1;

  constructor(private readonly timeoutMs: Milliseconds, private readonly timeoutText: string) {}

  /**
   * Sends a request through `send(id)`; resolves with the answer given to {@link answer}, or at
   * once with `unsentText` when `send` returns false.
   */
  request(send: (id: number) => boolean, unsentText: string): Promise<string | null> {
    const id = this.nextId++;
    if (!send(id)) return Promise.resolve(unsentText);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve(this.timeoutText);
      }, this.timeoutMs);
      this.waiting.set(id, { resolve, timer });
    });
  }

  /** The answer to request `id` (unknown ids are ignored: late or forged answers). */
  answer(id: number, error: string | null): void {
    const waiting = this.waiting.get(id);
    if (waiting === undefined) return;
    clearTimeout(waiting.timer);
    this.waiting.delete(id);
    waiting.resolve(error);
  }

  /** Resolves every waiting request with `reason`. */
  dispose(reason = 'Stopped'): void {
    for (const { resolve, timer } of this.waiting.values()) {
      clearTimeout(timer);
      resolve(reason);
    }
    this.waiting.clear();
  }
}
