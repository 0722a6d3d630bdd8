/** A realistic room for voice tests: five speakers, two groups, a small library with diacritics. */
import type { ControlTarget, ControlTrack } from '../../src/features/room-control.js';
import type { VoiceWorld } from '../../src/voice/intent-resolver.js';
import type { Resolution } from '../../src/voice/intent-resolver.js';

const speaker = (id: string, name: string): ControlTarget => ({ kind: 'speaker', id, name, memberIds: [id] });

export const SPEAKERS: readonly ControlTarget[] = [
  speaker('kitchen', 'Kitchen'),
  speaker('den', 'Den'),
  speaker('office', 'Office'),
  speaker('bedroom', 'Bedroom'),
  speaker('living', 'Living Room'),
];
export const GROUPS: readonly ControlTarget[] = [
  { kind: 'group', id: 'g-down', name: 'Downstairs', memberIds: ['kitchen', 'den', 'living'] },
  { kind: 'group', id: 'g-up', name: 'Upstairs', memberIds: ['office', 'bedroom'] },
];
export const EVERYWHERE: ControlTarget = { kind: 'everywhere', id: 'everywhere', name: 'everywhere', memberIds: SPEAKERS.map((s) => s.id) };

const track = (trackId: string, title: string, artist: string, album: string): ControlTrack => ({ trackId, title, artist, album, durationSec: 200 });

export const TRACKS: readonly ControlTrack[] = [
  track('dmb-crash', 'Crash Into Me', 'Dave Matthews Band', 'Crash'),
  track('dmb-ants', 'Ants Marching', 'Dave Matthews Band', 'Under the Table and Dreaming'),
  track('dmb-say', 'So Much to Say', 'Dave Matthews Band', 'Crash'),
  track('dmb-sat', 'Satellite', 'Dave Matthews Band', 'Under the Table and Dreaming'),
  track('dp-omt', 'One More Time', 'Daft Punk', 'Discovery'),
  track('dp-atw', 'Around the World', 'Daft Punk', 'Homework'),
  track('dp-lucky', 'Get Lucky', 'Daft Punk', 'Random Access Memories'),
  track('demo', 'Tutti Demo', 'Tutti', 'Tutti Demo'),
  track('md-sowhat', 'So What', 'Miles Davis', 'Kind of Blue'),
  track('md-big', 'Blue in Green', 'Miles Davis', 'Kind of Blue'),
  track('bey-halo', 'Halo', 'Beyoncé', 'I Am... Sasha Fierce'),
  track('bey-form', 'Formation', 'Beyoncé', 'Lemonade'),
  track('tb-sun', 'Here Comes the Sun', 'The Beatles', 'Abbey Road'),
  track('tb-come', 'Come Together', 'The Beatles', 'Abbey Road'),
];

/** This tab's own speaker is the Office. */
export const WORLD: VoiceWorld = { targets: [EVERYWHERE, ...GROUPS, ...SPEAKERS], tracks: TRACKS, defaultTarget: SPEAKERS[2]! };

/**
 * A resolution as a short comparable string: "play artist:Daft Punk @den", "pause @g-down",
 * "volume +0.1 @office", "volume =0.3 @kitchen", "mute @den", "group Downstairs: kitchen,den",
 * "nowplaying @den", "help", or "reply:<problem kind>".
 */
export function describeResolution(resolution: Resolution): string {
  if (resolution.kind === 'reply') return `reply:${resolution.problem.kind}`;
  const command = resolution.command;
  switch (command.kind) {
    case 'play':
      return `play ${command.match}:${command.label} @${command.target.id}`;
    case 'transport':
      return `${command.action} @${command.target.id}`;
    case 'volume':
      return `volume ${command.change.kind === 'step' ? (command.change.delta > 0 ? '+' : '') + command.change.delta : `=${command.change.level}`} @${command.target.id}`;
    case 'mute':
      return `${command.muted ? 'mute' : 'unmute'} @${command.target.id}`;
    case 'group':
      return `group ${command.name}: ${command.speakers.map((s) => s.id).join(',')}`;
    case 'nowPlaying':
      return `nowplaying @${command.target.id}`;
    case 'help':
      return 'help';
  }
}
