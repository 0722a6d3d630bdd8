/**
 * The leader's reducer over the room's play state. Pure: the shared time and the start lead
 * come in through {@link CommandContext}, nothing is read from the environment.
 *
 * Invariants of every result: the input is never modified; a failed command returns the input
 * state itself with an `error`; each change to a zone (a command, a track-end advance) raises
 * its `revision` by exactly one (a created zone gets 1), a command that changes nothing raises
 * none, and every zone not changed is the same object as before.
 */
import { decodeCommand } from './play-state-codec.js';
import {
  MAX_QUEUE_ENTRIES,
  MAX_ZONES,
  MAX_ZONE_MEMBERS,
  PREVIOUS_RESTART_SEC,
  ZoneStatus,
  currentEntry,
  getZone,
  newZone,
  trackEndSharedMs,
  zoneOfSpeaker,
  zonePositionSec,
  type PlayCommand,
  type RoomPlayState,
  type ZoneState,
} from './play-state.js';
import type { Milliseconds, Seconds } from './units.js';

/** The leader's view of time for one command. */
export interface CommandContext {
  /** Current shared time, ms; finite. */
  readonly nowSharedMs: Milliseconds;
  /** How far ahead of now a (re)start is scheduled, ms; finite and ≥ 0 (from RTTs, decode readiness). */
  readonly startLeadMs: Milliseconds;
}

/** The outcome of a command: the new state, or the unchanged input and why it was refused. */
export interface CommandResult {
  readonly state: RoomPlayState;
  readonly error?: string;
}

/** A zone after a command, or the reason the command was refused. */
type ZoneOutcome = ZoneState | string;

const playingAt = (zone: ZoneState, index: number, positionSec: Seconds, ctx: CommandContext): ZoneState => ({
  ...zone,
  currentIndex: index,
  status: ZoneStatus.playing,
  startSharedMs: ctx.nowSharedMs + ctx.startLeadMs,
  startPositionSec: positionSec,
  pausedPositionSec: 0,
});

const pausedAt = (zone: ZoneState, index: number, positionSec: Seconds): ZoneState => ({
  ...zone,
  currentIndex: index,
  status: ZoneStatus.paused,
  startSharedMs: 0,
  startPositionSec: 0,
  pausedPositionSec: positionSec,
});

const stoppedAt = (zone: ZoneState, index: number): ZoneState => ({
  ...zone,
  currentIndex: index,
  status: ZoneStatus.stopped,
  startSharedMs: 0,
  startPositionSec: 0,
  pausedPositionSec: 0,
});

/** Make queue entry `index` current from its start, keeping the status; past the end: stop. */
function goTo(zone: ZoneState, index: number, ctx: CommandContext): ZoneState {
  if (index >= zone.queue.length) return stoppedAt(zone, -1);
  if (zone.status === ZoneStatus.playing) return playingAt(zone, index, 0, ctx);
  if (zone.status === ZoneStatus.paused) return pausedAt(zone, index, 0);
  return stoppedAt(zone, index);
}

/** True when a handler's result has every field identical to the zone it started from. */
const unchanged = (next: ZoneState, zone: ZoneState): boolean =>
  (Object.keys(zone) as (keyof ZoneState)[]).every((key) => next[key] === zone[key]);

const bump = (next: ZoneState, previous: ZoneState): ZoneState => ({ ...next, revision: previous.revision + 1 });

function withZones(state: RoomPlayState, zones: readonly ZoneState[]): RoomPlayState {
  if (zones.length === 0) return state;
  return { ...state, zones: { ...state.zones, ...Object.fromEntries(zones.map((z) => [z.zoneId, z])) } };
}

/** Start entry `index` (default: 0 of a new queue, else the current entry) from its beginning. */
function play(zone: ZoneState, cmd: PlayCommand & { type: 'play' }, ctx: CommandContext): ZoneOutcome {
  const queue = cmd.queue ?? zone.queue;
  const index = cmd.index ?? (cmd.queue ? 0 : Math.max(0, zone.currentIndex));
  if (zone.members.length === 0) return 'zone has no speakers';
  if (index >= queue.length) return 'index out of range';
  return playingAt({ ...zone, queue }, index, 0, ctx);
}

function removeFromQueue(zone: ZoneState, index: number, ctx: CommandContext): ZoneOutcome {
  if (index >= zone.queue.length) return 'index out of range';
  const trimmed = { ...zone, queue: zone.queue.filter((_, i) => i !== index) };
  if (index > zone.currentIndex) return trimmed;
  if (index < zone.currentIndex) return { ...trimmed, currentIndex: zone.currentIndex - 1 };
  return goTo(trimmed, index, ctx);
}

/** Apply a command that targets one existing zone. */
function zoneCommand(zone: ZoneState, cmd: Exclude<PlayCommand, { type: 'moveSpeaker' }>, ctx: CommandContext): ZoneOutcome {
  const entry = currentEntry(zone);
  switch (cmd.type) {
    case 'play':
      return play(zone, cmd, ctx);
    case 'pause': {
      if (zone.status !== ZoneStatus.playing || !entry) return 'zone is not playing';
      const positionSec = Math.min(zonePositionSec(zone, ctx.nowSharedMs), entry.durationSec * (1 - Number.EPSILON));
      return pausedAt(zone, zone.currentIndex, positionSec);
    }
    case 'resume':
      if (zone.status !== ZoneStatus.paused) return 'zone is not paused';
      return playingAt(zone, zone.currentIndex, zone.pausedPositionSec, ctx);
    case 'seek':
      if (zone.status === ZoneStatus.stopped || !entry) return 'zone is stopped';
      if (!(cmd.positionSec >= 0 && cmd.positionSec < entry.durationSec)) return 'position out of range';
      return zone.status === ZoneStatus.playing
        ? playingAt(zone, zone.currentIndex, cmd.positionSec, ctx)
        : pausedAt(zone, zone.currentIndex, cmd.positionSec);
    case 'next':
      return entry ? goTo(zone, zone.currentIndex + 1, ctx) : 'no current track';
    case 'previous': {
      if (!entry) return 'no current track';
      const restart = zonePositionSec(zone, ctx.nowSharedMs) > PREVIOUS_RESTART_SEC;
      return goTo(zone, restart ? zone.currentIndex : Math.max(0, zone.currentIndex - 1), ctx);
    }
    case 'enqueue':
      if (zone.queue.length + cmd.entries.length > MAX_QUEUE_ENTRIES) return 'queue is full';
      return { ...zone, queue: [...zone.queue, ...cmd.entries] };
    case 'removeFromQueue':
      return removeFromQueue(zone, cmd.index, ctx);
    case 'setVolume':
      return { ...zone, volume: cmd.volume };
    case 'stop':
      return stoppedAt(zone, zone.currentIndex);
  }
}

/**
 * Move a speaker out of its zone (an emptied zone stops) and into `toZoneId` (created if new).
 * The target zone's schedule is untouched: the speaker joins whatever it is playing.
 */
function moveSpeaker(state: RoomPlayState, speakerId: string, toZoneId: string | null): RoomPlayState | string {
  const fromId = zoneOfSpeaker(state, speakerId);
  if (fromId === toZoneId) return state;
  const updates: ZoneState[] = [];
  const from = fromId === null ? undefined : getZone(state, fromId);
  if (from) {
    const left = { ...from, members: from.members.filter((m) => m !== speakerId) };
    updates.push(bump(left.members.length === 0 ? stoppedAt(left, left.currentIndex) : left, from));
  }
  if (toZoneId !== null) {
    const existing = getZone(state, toZoneId);
    if (!existing && Object.keys(state.zones).length >= MAX_ZONES) return 'too many zones';
    const to = existing ?? newZone(toZoneId);
    if (to.members.length >= MAX_ZONE_MEMBERS) return 'zone is full';
    updates.push(bump({ ...to, members: [...to.members, speakerId] }, to));
  }
  return withZones(state, updates);
}

/**
 * Apply one command at `ctx.nowSharedMs`. The command is checked again with `decodeCommand` (a
 * bad shape must never corrupt the state); then zones whose track has ended by now are advanced
 * ({@link advanceIfEnded}), so the command acts on what is audible now. On error the input
 * state itself is returned, not advanced.
 */
export function applyCommand(state: RoomPlayState, command: PlayCommand, ctx: CommandContext): CommandResult {
  if (!Number.isFinite(ctx.nowSharedMs) || !Number.isFinite(ctx.startLeadMs) || ctx.startLeadMs < 0) {
    return { state, error: 'invalid context' };
  }
  const decoded = decodeCommand(command);
  if (!decoded.ok) return { state, error: decoded.reason };
  const cmd = decoded.value;
  const current = advanceIfEnded(state, ctx.nowSharedMs);
  if (cmd.type === 'moveSpeaker') {
    const moved = moveSpeaker(current, cmd.speakerId, cmd.toZoneId);
    return typeof moved === 'string' ? { state, error: moved } : { state: moved };
  }
  const zone = getZone(current, cmd.zoneId);
  if (!zone) return { state, error: `unknown zone "${cmd.zoneId}"` };
  const next = zoneCommand(zone, cmd, ctx);
  if (typeof next === 'string') return { state, error: next };
  return { state: unchanged(next, zone) ? current : withZones(current, [bump(next, zone)]) };
}

/** A playing zone moved past every track that has ended by `nowSharedMs` (gapless). */
function advanceZone(zone: ZoneState, nowSharedMs: Milliseconds): ZoneState {
  let next = zone;
  for (let endMs = trackEndSharedMs(next); endMs !== null && endMs <= nowSharedMs; endMs = trackEndSharedMs(next)) {
    const index = next.currentIndex + 1;
    next = index < next.queue.length
      ? { ...next, currentIndex: index, startSharedMs: endMs, startPositionSec: 0 }
      : stoppedAt(next, -1);
  }
  return next;
}

/**
 * Advance every playing zone whose current track has ended by `nowSharedMs`: the next entry
 * starts exactly where the previous one ends (start + remaining duration, no lead), repeatedly
 * if several short tracks have ended; past the last entry the zone stops with no current track.
 * Each advanced zone's revision goes up by one; returns the input itself if nothing ended.
 */
export function advanceIfEnded(state: RoomPlayState, nowSharedMs: Milliseconds): RoomPlayState {
  const advanced = Object.values(state.zones).flatMap((zone) => {
    const next = advanceZone(zone, nowSharedMs);
    return next === zone ? [] : [bump(next, zone)];
  });
  return withZones(state, advanced);
}
