/**
 * What voice (and any other controller) may do with the room: address speakers, groups or the
 * whole room, play tracks there and drive their transport and volume. Implemented over the
 * room's groups and zones (groups-feature.ts); consumers never touch the protocol.
 */

/** Where a command acts. */
export const TargetKind = { everywhere: 'everywhere', group: 'group', speaker: 'speaker' } as const;
export type TargetKind = (typeof TargetKind)[keyof typeof TargetKind];

/**
 * A place music can play. Invariants: `id` is unique among targets of one kind; `everywhere` has
 * id 'everywhere' and every speaker as member; a speaker target's members are itself.
 */
export interface ControlTarget {
  readonly kind: TargetKind;
  readonly id: string;
  /** What people call it ("Kitchen", "Downstairs", "everywhere"). */
  readonly name: string;
  /** Speaker ids in it. */
  readonly memberIds: readonly string[];
}

/** A track that can be asked for by name. */
export interface ControlTrack {
  readonly trackId: string;
  readonly title: string;
  readonly artist: string;
  readonly album: string;
  readonly durationSec: number;
}

/** What a target is playing. */
export interface NowPlaying {
  readonly status: 'playing' | 'paused' | 'stopped';
  readonly title: string | null;
  readonly artist: string | null;
}

/** Transport actions on a target. */
export type TransportAction = 'pause' | 'resume' | 'stop' | 'next' | 'previous';

/** Why a control action failed, in words for the user. */
export class ControlError extends Error {}

export interface RoomControl {
  /** Every target now: 'everywhere', then groups, then speakers (names may repeat across kinds). */
  targets(): readonly ControlTarget[];
  /** Where a command that names no place acts: this device's current zone, group or itself. */
  defaultTarget(): ControlTarget;
  /** Tracks that can be played (this device's library). */
  tracks(): readonly ControlTrack[];
  /** Plays these tracks (in order, as the queue) on the target. Rejects with ControlError. */
  play(target: ControlTarget, trackIds: readonly string[]): Promise<void>;
  transport(target: ControlTarget, action: TransportAction): Promise<void>;
  /** The target's volume, 0..1 (a group's: its zone volume; a speaker's: its own). */
  volume(target: ControlTarget): number;
  setVolume(target: ControlTarget, volume: number): Promise<void>;
  setMuted(target: ControlTarget, muted: boolean): Promise<void>;
  /** Creates (or redefines) a group with these speakers. Rejects with ControlError. */
  createGroup(name: string, speakerIds: readonly string[]): Promise<ControlTarget>;
  nowPlaying(target: ControlTarget): NowPlaying;
}
