/**
 * What Tutti says back: short confirmations ("Playing Dave Matthews Band downstairs"), now-playing
 * answers, and helpful replies for commands it could not carry out. Pure: no browser globals.
 */
import type { ControlTarget, ControlTrack, NowPlaying } from '../features/room-control.js';
import type { VoiceCommand } from './voice-intent.js';

/** Place names that read as adverbs ("downstairs"), said without "in the". */
const ADVERBIAL = new Set(['downstairs', 'upstairs', 'outside', 'inside', 'everywhere', 'indoors', 'outdoors', 'here']);
/** Last words of names that read as rooms ("Living Room"), said with "in the". */
const ROOM_WORDS = new Set([
  'kitchen', 'den', 'office', 'bedroom', 'room', 'bathroom', 'garage', 'study', 'hall', 'hallway', 'lounge', 'basement', 'attic',
  'garden', 'patio', 'nursery', 'library', 'porch', 'loft', 'studio', 'cellar', 'gym', 'playroom', 'kitchenette', 'yard', 'deck',
]);

/** "in the Kitchen", "downstairs", "everywhere", "on Ana's Phone". */
export function placePhrase(target: ControlTarget): string {
  if (target.kind === 'everywhere') return 'everywhere';
  const lower = target.name.toLowerCase();
  if (ADVERBIAL.has(lower)) return lower;
  const last = lower.split(/\s+/).pop() ?? '';
  return ROOM_WORDS.has(last) ? `in the ${target.name}` : `on ${target.name}`;
}

/** Names joined for speech: "Kitchen", "Kitchen and Den", "Kitchen, Den and Office". */
export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

const percent = (level: number): string => `${Math.round(level * 100)}%`;

/** "Now playing So What by Miles Davis in the Den" / "Paused: …" / "Nothing is playing in the Den". */
export function nowPlayingReply(target: ControlTarget, now: NowPlaying): string {
  const place = placePhrase(target);
  if (now.status === 'stopped' || now.title === null) return `Nothing is playing ${place}`;
  const what = now.artist === null || now.artist === '' ? now.title : `${now.title} by ${now.artist}`;
  return now.status === 'paused' ? `Paused ${place}: ${what}` : `Now playing ${what} ${place}`;
}

/**
 * The confirmation for a command that succeeded. `volume` is the level set (0..1) for volume
 * commands; `nowPlaying` answers "what's playing"; `help` is the help text.
 */
export function confirmation(command: VoiceCommand, details: { volume?: number; nowPlaying?: NowPlaying; help?: string } = {}): string {
  switch (command.kind) {
    case 'play':
      return `Playing ${command.label} ${placePhrase(command.target)}`;
    case 'transport': {
      const place = placePhrase(command.target);
      const said = { pause: `Paused ${place}`, resume: `Resuming ${place}`, stop: `Stopped ${place}`, next: `Next song ${place}`, previous: `Previous song ${place}` };
      return said[command.action];
    }
    case 'volume':
      return `Volume ${percent(details.volume ?? 0)} ${placePhrase(command.target)}`;
    case 'mute':
      return `${command.muted ? 'Muted' : 'Unmuted'} ${placePhrase(command.target)}`;
    case 'group':
      return `Grouped ${joinNames(command.speakers.map((speaker) => speaker.name))} as ${command.name}`;
    case 'nowPlaying':
      return nowPlayingReply(command.target, details.nowPlaying ?? { status: 'stopped', title: null, artist: null });
    case 'help':
      return details.help ?? helpText([], []);
  }
}

/** Example commands using the room's own names where it has them. */
export function helpText(targets: readonly ControlTarget[], tracks: readonly ControlTrack[]): string {
  const artist = tracks.find((track) => track.artist !== '')?.artist ?? 'an artist';
  const speakers = targets.filter((target) => target.kind === 'speaker');
  const place = speakers[0] !== undefined ? placePhrase(speakers[0]) : 'in the kitchen';
  const pair = speakers.length >= 2 ? `${speakers[0]!.name.toLowerCase()} and ${speakers[1]!.name.toLowerCase()}` : 'kitchen and den';
  return `You can say: "play ${artist} ${place}", "pause", "next", "volume up", "volume to 5", "mute", "what's playing", or "group ${pair} as downstairs".`;
}

/** Why a command could not be carried out, said helpfully. */
export type VoiceProblem =
  | { readonly kind: 'unknown'; readonly heard: string }
  | { readonly kind: 'notFound'; readonly query: string }
  | { readonly kind: 'unknownPlace'; readonly phrase: string }
  | { readonly kind: 'severalPlaces'; readonly phrase: string }
  | { readonly kind: 'emptyLibrary' }
  | { readonly kind: 'ambiguous'; readonly choices: readonly string[] }
  | { readonly kind: 'nothingHeard' }
  | { readonly kind: 'noWake' };

/** The reply for a problem; lists names the room does have where that helps. */
export function problemReply(problem: VoiceProblem, targets: readonly ControlTarget[], tracks: readonly ControlTrack[]): string {
  switch (problem.kind) {
    case 'unknown':
      return `Sorry, I didn't understand "${problem.heard}". ${helpText(targets, tracks)}`;
    case 'notFound': {
      const artists = [...new Set(tracks.map((track) => track.artist).filter((artist) => artist !== ''))].slice(0, 3);
      const hint = artists.length > 0 ? ` Try an artist such as ${joinNames(artists)}, an album or a song title.` : ' Add music to your library first.';
      return `I couldn't find "${problem.query}" in your library.${hint}`;
    }
    case 'unknownPlace': {
      const names = targets.filter((target) => target.kind !== 'everywhere').map((target) => target.name);
      return `I don't know a speaker or group called "${problem.phrase}". ${names.length > 0 ? `Try ${joinNames(names)} or everywhere.` : 'No speakers are connected yet.'}`;
    }
    case 'severalPlaces':
      return `I can act on one speaker or group at a time. Group them first, for example "group ${problem.phrase} as party", or say "everywhere".`;
    case 'emptyLibrary':
      return 'Your library is empty. Add some music first.';
    case 'ambiguous':
      return `Did you mean ${problem.choices.join(' or ')}?`;
    case 'nothingHeard':
      return `I didn't hear anything. ${helpText(targets, tracks)}`;
    case 'noWake':
      return 'Say "Tutti" first, for example "Tutti, pause".';
  }
}
