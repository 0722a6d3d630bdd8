/**
 * What a spoken or typed command means, before it is matched against the room (intents) and
 * after (resolved commands). Pure data: no browser globals.
 */
import type { ControlTarget, TransportAction } from '../features/room-control.js';

/** One recognition hypothesis: the words heard and the recognizer's confidence, 0..1 (0 = unknown). */
export interface RecognitionAlternative {
  readonly transcript: string;
  readonly confidence: number;
}

/** Where the person said a command should act, as words (not yet matched to a target). */
export type TargetPhrase =
  | { readonly kind: 'default' }
  | { readonly kind: 'everywhere' }
  | { readonly kind: 'named'; readonly phrase: string };

/** Which field a play query is restricted to by its wording ("the album X", "songs by X"). */
export const QueryField = { any: 'any', artist: 'artist', album: 'album', title: 'title' } as const;
export type QueryField = (typeof QueryField)[keyof typeof QueryField];

/** A play query: words to look up, or `null` for "anything / some music / everything". */
export interface PlayQuery {
  readonly words: string | null;
  readonly field: QueryField;
  /** "X by Y": the artist words that must also match. */
  readonly byArtist: string | null;
}

/** A volume change: a step of `delta` (−1..1 of full scale) or an absolute `level` 0..1. */
export type VolumeChange = { readonly kind: 'step'; readonly delta: number } | { readonly kind: 'set'; readonly level: number };

export const IntentKind = {
  play: 'play',
  transport: 'transport',
  volume: 'volume',
  mute: 'mute',
  group: 'group',
  nowPlaying: 'nowPlaying',
  help: 'help',
} as const;
export type IntentKind = (typeof IntentKind)[keyof typeof IntentKind];

/** A command as understood from words alone. */
export type VoiceIntent =
  | { readonly kind: 'play'; readonly query: PlayQuery; readonly target: TargetPhrase }
  | { readonly kind: 'transport'; readonly action: TransportAction; readonly target: TargetPhrase }
  | { readonly kind: 'volume'; readonly change: VolumeChange; readonly target: TargetPhrase }
  | { readonly kind: 'mute'; readonly muted: boolean; readonly target: TargetPhrase }
  | { readonly kind: 'group'; readonly name: string; readonly memberPhrases: readonly string[] }
  | { readonly kind: 'nowPlaying'; readonly target: TargetPhrase }
  | { readonly kind: 'help' };

/** A grammar reading of an utterance with how well the wording fits it, 0..1. */
export interface ScoredIntent {
  readonly intent: VoiceIntent;
  readonly score: number;
}

/** What a play query matched. */
export type PlayMatch = 'artist' | 'album' | 'title' | 'library';

/** A command matched to the room's targets and tracks, ready to execute. */
export type VoiceCommand =
  | {
      readonly kind: 'play';
      readonly target: ControlTarget;
      readonly trackIds: readonly string[];
      readonly match: PlayMatch;
      /** What was matched, as the library spells it ("Dave Matthews Band", "So What by Miles Davis"). */
      readonly label: string;
    }
  | { readonly kind: 'transport'; readonly action: TransportAction; readonly target: ControlTarget }
  | { readonly kind: 'volume'; readonly change: VolumeChange; readonly target: ControlTarget }
  | { readonly kind: 'mute'; readonly muted: boolean; readonly target: ControlTarget }
  | { readonly kind: 'group'; readonly name: string; readonly speakers: readonly ControlTarget[] }
  | { readonly kind: 'nowPlaying'; readonly target: ControlTarget }
  | { readonly kind: 'help' };

/** Volume step for "louder" / "volume up", as a fraction of full scale. */
export const VOLUME_STEP = 0.1;

/** The new volume (0..1, clamped) after `change` from `current` (0..1). */
export function applyVolumeChange(current: number, change: VolumeChange): number {
  const next = change.kind === 'step' ? current + change.delta : change.level;
  return Math.min(1, Math.max(0, Math.round(next * 1000) / 1000));
}

/** A spoken volume number as a level 0..1: N ≤ 10 is on a 0..10 scale, larger N are percent. */
export function volumeLevelFromNumber(value: number, percent: boolean): number {
  const level = percent || value > 10 ? value / 100 : value / 10;
  return Math.min(1, Math.max(0, level));
}
