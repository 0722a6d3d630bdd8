/**
 * `window.tutti`: a read-only, documented diagnostics surface for tests, benchmarks and support.
 *
 * `window.tutti.diagnostics()` returns a JSON snapshot:
 * - `roomId`, `selfId` (peer id), `name`, `role`, `leaderId`, `term`, `signaling`
 * - `members[]`: `{ peerId, name, role, isSelf, isLeader, state, rttMs, clock }` (self first)
 * - `clock`: `{ role, offsetMs (shared − local), ratePpm, uncertaintyMs, bestRttMs, converged, sampleCount }`
 * - `time`: `{ perfNowMs, timeOriginMs, localNowMs, sharedNowMs }` read together, so a test can
 *   compare tabs on the machine's one real clock (`timeOriginMs + perfNowMs`)
 * - `injected`: `{ clockOffsetMs, clockRatePpm }` from the URL (diagnostic clock injection)
 * - `dropped`: `{ count, lastReason }` for messages refused at the protocol boundary
 * With `&debug=1`: `window.tutti.debug.sendRaw(data)` sends raw data to every peer (tests only), and
 * `window.tutti.debug.clockSamples()` returns the latest raw probe timestamps `{t0, t1, t2, t3}`.
 */
import type { RawClockSample } from '../room/clock-link.js';
import type { RoomSession } from '../room/room-session.js';
import type { RoomSnapshot } from '../room/room-snapshot.js';
import type { SkewedClock } from '../sync/skewed-clock.js';

export interface Diagnostics extends RoomSnapshot {
  time: { perfNowMs: number; timeOriginMs: number; localNowMs: number; sharedNowMs: number };
  injected: { clockOffsetMs: number; clockRatePpm: number };
}

export interface TuttiGlobal {
  readonly version: string;
  diagnostics(): Diagnostics | null;
  readonly debug?: { sendRaw(data: string | ArrayBuffer): number; clockSamples(): RawClockSample[] };
}

declare global {
  interface Window {
    tutti: TuttiGlobal;
  }
}

/** Install `window.tutti`; `getSession` returns null until the room has started. */
export function installDiagnostics(getSession: () => RoomSession | null, clock: SkewedClock, debug: boolean): void {
  const diagnostics = (): Diagnostics | null => {
    const session = getSession();
    if (session === null) return null;
    const perfNowMs = performance.now();
    const localNowMs = clock.fromPerfMs(perfNowMs);
    return {
      ...session.snapshot(),
      time: { perfNowMs, timeOriginMs: performance.timeOrigin, localNowMs, sharedNowMs: session.timeline.toShared(localNowMs) },
      injected: { clockOffsetMs: clock.offsetMs, clockRatePpm: clock.ratePpm },
    };
  };
  const debugHooks = debug
    ? {
        sendRaw: (data: string | ArrayBuffer) => getSession()?.sendRaw(data) ?? 0,
        clockSamples: () => getSession()?.clockSamples() ?? [],
      }
    : undefined;
  window.tutti = Object.freeze({ version: '1', diagnostics, ...(debugHooks ? { debug: debugHooks } : {}) });
}
