/**
 * What a room URL says: which room, this device's preset name and role, and diagnostic clock
 * injection. Pure: takes the query string, returns validated values (bad values are ignored
 * and reported, never thrown).
 */
import type { Milliseconds, Ppm } from './units.js';
import { MAX_NAME_CHARS } from './protocol-limits.js';
import { MemberRole } from './member-role.js';

/** Room ids: 1–32 lowercase letters and digits (they are embedded in peer ids). */
export const ROOM_ID_PATTERN = /^[a-z0-9]{1,32}$/;

/** Largest injectable clock offset (ms) and skew (ppm): diagnostics, not a way to break things. */
export const MAX_INJECTED_OFFSET_MS = 24 * 3600 * 1000;
export const MAX_INJECTED_RATE_PPM = 10_000;
/** Largest injectable hidden output delay, ms (Bluetooth's delays are 100–300 ms). */
export const MAX_HIDDEN_DELAY_MS = 1000;

export interface RoomParams {
  /** null: no (valid) room given, the app makes a fresh one. */
  roomId: string | null;
  /** Preset speaker name (`&name=Kitchen`), or null. */
  name: string | null;
  role: MemberRole;
  /** Diagnostic: this tab's local clock runs `clockOffsetMs` ahead of the page clock. */
  clockOffsetMs: Milliseconds;
  /** Diagnostic: and `clockRatePpm` faster. */
  clockRatePpm: Ppm;
  /** `&signaling=cloud`: opt into the public PeerJS cloud (needs internet). */
  signaling: 'local' | 'cloud';
  /** `?resume=1` (the installed app's start URL): reopen the room this device was last in. */
  resume: boolean;
  /** `&debug=1`: exposes test hooks (the shell's `tutti` global). */
  debug: boolean;
  /**
   * `&outputTiming=readings`: map audio output time from getOutputTimestamp() alone, without the
   * rendered-frame cross-check (diagnostic, for comparing the two on a given output).
   */
  outputTiming: 'cross-checked' | 'readings';
  /**
   * `&frameCounter=message`: the worklet frame counter posts its frames instead of writing them
   * to shared memory (diagnostic, for comparing the two; 'shared' falls back to posting where the
   * page is not cross-origin isolated).
   */
  frameCounter: 'shared' | 'message';
  /**
   * `&timingLog=1` (with `&debug=1`): the output records every input of its timing, drained by the
   * debug hook `takeTimingLog()` (shell/diagnostics.ts; diagnostic: bench:sync's `--timing-log`
   * replays them).
   */
  timingLog: boolean;
  /**
   * Diagnostic: `&hiddenDelayMs=7.5` delays this speaker's sound by that much (0 …
   * {@link MAX_HIDDEN_DELAY_MS} ms) where its output timing cannot see it, like a device whose real
   * delay the browser does not report (Bluetooth, a receiver). Benchmarks give acoustic calibration
   * something to find with it.
   */
  hiddenDelayMs: Milliseconds;
  /** Parameters that were present but invalid, with why. */
  problems: string[];
}

/** Parse a room URL's query string (with or without the leading `?`). */
export function parseRoomParams(search: string): RoomParams {
  const query = new URLSearchParams(search);
  const problems: string[] = [];
  const rawRoom = query.get('room');
  const roomId = rawRoom === null ? null : normalizeRoomId(rawRoom);
  if (rawRoom !== null && roomId === null) problems.push(`room "${rawRoom.slice(0, 40)}" is not a valid room id`);

  const rawName = query.get('name')?.trim() ?? '';
  const name = rawName.length > 0 ? rawName.slice(0, MAX_NAME_CHARS) : null;

  const rawRole = query.get('role');
  const role = rawRole === MemberRole.remote ? MemberRole.remote : MemberRole.speaker;
  if (rawRole !== null && rawRole !== MemberRole.remote && rawRole !== MemberRole.speaker) problems.push(`role "${rawRole}" is unknown`);

  /** The number `key` gives within [lowest, limit] (default ±limit), or 0 (absent, or reported). */
  const number = (key: string, limit: number, lowest = -limit): number => {
    const raw = query.get(key);
    if (raw === null) return 0;
    const value = Number(raw);
    if (!Number.isFinite(value) || value > limit || value < lowest) {
      problems.push(`${key}=${raw} is not a number within ${lowest === -limit ? `±${limit}` : `${lowest} … ${limit}`}`);
      return 0;
    }
    return value;
  };

  return {
    roomId,
    name,
    role,
    clockOffsetMs: number('clockOffsetMs', MAX_INJECTED_OFFSET_MS),
    clockRatePpm: number('clockRatePpm', MAX_INJECTED_RATE_PPM),
    signaling: query.get('signaling') === 'cloud' ? 'cloud' : 'local',
    resume: query.get('resume') === '1',
    debug: query.get('debug') === '1',
    outputTiming: query.get('outputTiming') === 'readings' ? 'readings' : 'cross-checked',
    frameCounter: query.get('frameCounter') === 'message' ? 'message' : 'shared',
    timingLog: query.get('timingLog') === '1',
    hiddenDelayMs: number('hiddenDelayMs', MAX_HIDDEN_DELAY_MS, 0),
    problems,
  };
}

/** Lowercase and validate a room id; null if it cannot be one. */
export function normalizeRoomId(raw: string): string | null {
  const id = raw.trim().toLowerCase();
  return ROOM_ID_PATTERN.test(id) ? id : null;
}

/** A fresh room id of `length` characters from an unambiguous alphabet; `random()` in [0, 1). */
export function makeRoomId(random: () => number, length = 6): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  let id = '';
  for (let i = 0; i < length; i++) id += alphabet[Math.floor(random() * alphabet.length)];
  return id;
}
