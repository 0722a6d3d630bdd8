/**
 * `window.tutti`: a read-only, documented diagnostics surface for tests, benchmarks and support.
 *
 * `window.tutti.diagnostics()` returns a JSON snapshot:
 * - `roomId`, `selfId` (peer id), `name`, `role`, `leaderId`, `term`, `signaling`
 * - `members[]`: `{ peerId, name, role, isSelf, isLeader, state, rttMs, clock }` (self first)
 * - `clock`: `{ role, offsetMs (shared − local), ratePpm, uncertaintyMs, bestRttMs, converged, sampleCount, jumps }`
 * - `time`: `{ perfNowMs, timeOriginMs, localNowMs, sharedNowMs }` read together, so a test can
 *   compare tabs on the machine's one real clock (`timeOriginMs + perfNowMs`)
 * - `injected`: `{ clockOffsetMs, clockRatePpm }` from the URL (diagnostic clock injection)
 * - `dropped`: `{ count, lastReason }` for messages refused at the protocol boundary
 * - `leaderChanges[]`: `{ atMs, leaderId, term, lost }`, the leaders this tab followed (oldest first, at
 *   most 20), `lost` saying how the one before went: `silent`, `left` or `stepped-down`
 * - `playback` (null before the room started): `report` (this speaker's PlayoutReport: phase,
 *   trackId, positionSec, errorMs, uncertaintyMs, outputLatencyMs, trimMs, ratePpm, rateChanges,
 *   reschedules, message), `settings`, `zones` (the room's play state), `ownZoneId`,
 *   `libraryTrackIds`, `transfers`, `exchange` (bytes served/received, bad chunks, banned peers),
 *   `timing` (output-latency cross-check), `parts` (a late joiner playing a WAV still arriving:
 *   sliceable, first chunk, offered part, offers), `peers` (each peer's latest report by peer id)
 * With `&debug=1`: `window.tutti.debug.sendRaw(data)` sends raw data to every peer (tests only),
 * `window.tutti.debug.clockSamples()` returns the latest raw probe timestamps `{t0, t1, t2, t3}`,
 * `window.tutti.features` holds what room features install (see src/features/): `groups`
 * (`control`: the RoomControl, `state()`: the room's groups), `voice`, `calibration`.
 * `window.tutti.debug.playDemo()` plays the built-in demo track in this device's zone and resolves
 * with null or the leader's refusal, and `window.tutti.debug.command(cmd)` sends any play command.
 * With `&timingLog=1` too, `window.tutti.debug.takeTimingLog()` drains the record of the output
 * timing's inputs (`{ sampleRateHz, rows, droppedRows }`, output-timing-log.ts; null otherwise).
 */
import type { RawClockSample } from '../room/clock-link.js';
import type { RoomPlayback } from '../room/room-playback.js';
import type { RoomSession } from '../room/room-session.js';
import type { PlayCommand } from '../sync/play-state.js';
import { DEMO_TRACK_ID } from '../library/demo-track-render.js';
import type { RoomSnapshot } from '../room/room-snapshot.js';
import type { SkewedClock } from '../sync/skewed-clock.js';
import type { TimingLogChunk } from '../sync/output-timing-log.js';

export interface Diagnostics extends RoomSnapshot {
  time: { perfNowMs: number; timeOriginMs: number; localNowMs: number; sharedNowMs: number };
  injected: { clockOffsetMs: number; clockRatePpm: number };
  playback: Record<string, unknown> | null;
}

export interface TuttiGlobal {
  readonly version: string;
  diagnostics(): Diagnostics | null;
  /** APIs installed by room features, by feature name (the one mutable part). */
  readonly features: Record<string, unknown>;
  readonly debug?: {
    sendRaw(data: string | ArrayBuffer): number;
    clockSamples(): RawClockSample[];
    playDemo(): Promise<string | null>;
    command(command: PlayCommand): Promise<string | null>;
    takeTimingLog(): TimingLogChunk | null;
  };
}

declare global {
  interface Window {
    tutti: TuttiGlobal;
  }
}

/** Install `window.tutti`; `getSession` returns null until the room has started. */
export function installDiagnostics(
  getSession: () => RoomSession | null,
  clock: SkewedClock,
  debug: boolean,
  getPlayback: () => RoomPlayback | null = () => null,
  takeTimingLog: () => TimingLogChunk | null = () => null,
): void {
  const diagnostics = (): Diagnostics | null => {
    const session = getSession();
    if (session === null) return null;
    const perfNowMs = performance.now();
    const localNowMs = clock.fromPerfMs(perfNowMs);
    return {
      ...session.snapshot(),
      time: { perfNowMs, timeOriginMs: performance.timeOrigin, localNowMs, sharedNowMs: session.timeline.toShared(localNowMs) },
      injected: { clockOffsetMs: clock.offsetMs, clockRatePpm: clock.ratePpm },
      playback: getPlayback()?.diagnostics() ?? null,
    };
  };
  const debugHooks = debug
    ? {
        sendRaw: (data: string | ArrayBuffer) => getSession()?.sendRaw(data) ?? 0,
        clockSamples: () => getSession()?.clockSamples() ?? [],
        playDemo: () => getPlayback()?.playTrack(DEMO_TRACK_ID) ?? Promise.resolve('the room has not started'),
        command: (command: PlayCommand) => getPlayback()?.coordinator.command(command) ?? Promise.resolve('the room has not started'),
        takeTimingLog,
      }
    : undefined;
  window.tutti = Object.freeze({ version: '1', diagnostics, features: {}, ...(debugHooks ? { debug: debugHooks } : {}) });
}
