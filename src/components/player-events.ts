/**
 * Typed events the player sends up. Transport commands lack the zone id (the app fills it in);
 * speaker events concern only this device's output.
 */
import type { Milliseconds, Seconds } from '../sync/units.js';

/** A transport command for the zone this device controls, without its `zoneId`. */
export type PlayerCommand =
  | { readonly type: 'pause' | 'resume' | 'next' | 'previous' | 'stop' }
  | { readonly type: 'seek'; readonly positionSec: Seconds }
  | { readonly type: 'play'; readonly index?: number }
  | { readonly type: 'removeFromQueue'; readonly index: number };

/** The person asked the zone to do something (play, pause, seek, …). */
export class PlayerCommandEvent extends Event {
  static readonly type = 'player-command';
  constructor(readonly command: PlayerCommand) {
    super(PlayerCommandEvent.type, { bubbles: true, composed: true });
  }
}

/** The person moved this speaker's volume slider; `volume` is 0..1. */
export class SpeakerVolumeEvent extends Event {
  static readonly type = 'speaker-volume';
  constructor(readonly volume: number) {
    super(SpeakerVolumeEvent.type, { bubbles: true, composed: true });
  }
}

/** The person muted (`muted: true`) or unmuted this speaker. */
export class SpeakerMuteEvent extends Event {
  static readonly type = 'speaker-mute';
  constructor(readonly muted: boolean) {
    super(SpeakerMuteEvent.type, { bubbles: true, composed: true });
  }
}

/** The person set this speaker's manual latency trim, ms (positive = this speaker plays later). */
export class SpeakerTrimEvent extends Event {
  static readonly type = 'speaker-trim';
  constructor(readonly trimMs: Milliseconds) {
    super(SpeakerTrimEvent.type, { bubbles: true, composed: true });
  }
}

/**
 * The person made a gesture meant to enable sound (the browser blocked autoplay). Sent
 * synchronously from the click, so a handler may resume an AudioContext.
 */
export class SpeakerUnlockEvent extends Event {
  static readonly type = 'speaker-unlock';
  constructor() {
    super(SpeakerUnlockEvent.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'player-command': PlayerCommandEvent;
    'speaker-volume': SpeakerVolumeEvent;
    'speaker-mute': SpeakerMuteEvent;
    'speaker-trim': SpeakerTrimEvent;
    'speaker-unlock': SpeakerUnlockEvent;
  }
}
