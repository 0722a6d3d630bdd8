/**
 * The command grammar: a normalized utterance → every reading of it as an intent, each with a
 * score for how well the wording fits. Matching words against the room happens later
 * (intent-resolver.ts). Pure: no browser globals.
 */
import type { TransportAction } from '../features/room-control.js';
import { parsePlay } from './play-grammar.js';
import { parseTargetTail } from './target-phrase.js';
import { normalizeText, normalizeUtterance } from './utterance-normalize.js';
import type { ScoredIntent, TargetPhrase, VoiceIntent } from './voice-intent.js';
import { VOLUME_STEP, volumeLevelFromNumber } from './voice-intent.js';

/** First words that recognizers often produce for a command verb; read as the verb, scored lower. */
const VERB_MISHEARINGS: Readonly<Record<string, string>> = {
  paws: 'pause', pauls: 'pause', pawz: 'pause', pores: 'pause', pours: 'pause', paused: 'pause', pauses: 'pause',
  plays: 'play', pray: 'play', clay: 'play', blay: 'play', played: 'play',
  necks: 'next', nex: 'next', skipped: 'skip', skit: 'skip', stopped: 'stop', stops: 'stop',
  moot: 'mute', mood: 'mute', muted: 'mute', unmoot: 'unmute', unmuted: 'unmute',
  resumed: 'resume', grope: 'group', groupe: 'group', groop: 'group', groups: 'group',
};
/** Score factor for a reading that relied on a misheard verb. */
export const MISHEARD_VERB_FACTOR = 0.85;

/** What a command may act on before its where-clause ("pause the music in the den"). */
const OBJECTS = [
  'the music', 'music', 'it', 'this', 'this song', 'the song', 'song', 'this track', 'the track', 'track', 'playback', 'the playback',
  'the sound', 'sound', 'the audio', 'audio', 'that', 'the volume', 'volume', 'things', 'the speaker', 'the speakers',
].map((phrase) => phrase.split(' ')).sort((a, b) => b.length - a.length);

interface Rule {
  readonly phrases: readonly (readonly string[])[];
  /** The intent given the where-clause after the phrase. */
  readonly make: (target: TargetPhrase) => VoiceIntent;
  /** Whether an object ("the music", "it") may follow the phrase. */
  readonly objects: boolean;
  /** Whether nothing may follow the phrase (no place either). */
  readonly alone?: boolean;
}

/** Phrases as normalized tokens (so "go back one song" matches the heard "go back 1 song"). */
const words = (...phrases: string[]): string[][] => phrases.map((phrase) => normalizeText(phrase).split(' '));
const transport = (action: TransportAction) => (target: TargetPhrase): VoiceIntent => ({ kind: 'transport', action, target });
const step = (delta: number) => (target: TargetPhrase): VoiceIntent => ({ kind: 'volume', change: { kind: 'step', delta }, target });
const mute = (muted: boolean) => (target: TargetPhrase): VoiceIntent => ({ kind: 'mute', muted, target });

const RULES: readonly Rule[] = [
  { phrases: words('pause', 'hold', 'pause playing', 'pause playback'), make: transport('pause'), objects: true },
  {
    phrases: words('stop', 'stop playing', 'turn off', 'switch off', 'turn it off', 'switch it off', 'turn the music off', 'kill', 'end', 'shut up', 'shut it off', 'shut off'),
    make: transport('stop'),
    objects: true,
  },
  {
    phrases: words('resume', 'continue', 'unpause', 'un pause', 'keep playing', 'keep going', 'carry on', 'start again', 'play again', 'resume playing', 'resume playback', 'continue playing', 'start playing again', 'start the music', 'start the music again', 'go on'),
    make: transport('resume'),
    objects: true,
  },
  {
    phrases: words('next', 'next song', 'next track', 'next one', 'skip', 'skip this', 'skip ahead', 'skip forward', 'skip song', 'skip track', 'skip it', 'skip this song', 'skip this track', 'skip to the next song', 'skip to next song', 'skip to the next track', 'go to the next song', 'go to next song', 'go to the next track', 'play the next song', 'play next song', 'play the next track', 'play next track', 'play next', 'forward', 'skip over this', 'skip this one', 'another song', 'different song', 'play another song', 'play something else', 'something else'),
    make: transport('next'),
    objects: false,
  },
  {
    phrases: words('previous', 'previous song', 'previous track', 'go back', 'back', 'last song', 'the last song', 'last track', 'play the previous song', 'play previous song', 'play the last song', 'play last song', 'play the previous track', 'play previous', 'skip back', 'skip backwards', 'skip backward', 'go to the previous song', 'go to previous song', 'go back a song', 'go back one song', 'back one song', 'play that again', 'replay', 'the previous song', 'one song back', 'go to the previous track', 'go to previous track', 'the previous track', 'previous one', 'the one before'),
    make: transport('previous'),
    objects: false,
  },
  {
    phrases: words('volume up', 'turn it up', 'turn up', 'turn up the volume', 'turn the volume up', 'turn the music up', 'turn up the music', 'louder', 'make it louder', 'a bit louder', 'a little louder', 'little louder', 'raise the volume', 'increase the volume', 'raise volume', 'increase volume', 'pump it up', 'crank it up', 'up the volume', 'more volume', 'louder please', 'bit louder', 'volume higher', 'turn the sound up', 'turn up the sound', 'make the music louder', 'turn the volume up a little', 'turn the volume up a bit', 'turn it up a little', 'turn it up a bit', 'i cant hear it', 'i cant hear anything'),
    make: step(VOLUME_STEP),
    objects: false,
  },
  {
    phrases: words('volume down', 'turn it down', 'turn down', 'turn down the volume', 'turn the volume down', 'turn the music down', 'turn down the music', 'quieter', 'softer', 'make it quieter', 'make it softer', 'a bit quieter', 'a little quieter', 'little quieter', 'bit quieter', 'lower the volume', 'decrease the volume', 'reduce the volume', 'lower volume', 'decrease volume', 'less volume', 'volume lower', 'turn the sound down', 'turn down the sound', 'make the music quieter', 'turn the volume down a little', 'turn the volume down a bit', 'turn it down a little', 'turn it down a bit', 'too loud', 'its too loud', 'not so loud', 'a bit softer'),
    make: step(-VOLUME_STEP),
    objects: false,
  },
  { phrases: words('mute', 'silence', 'sound off', 'mute sound'), make: mute(true), objects: true },
  { phrases: words('unmute', 'un mute', 'sound on', 'sound back on', 'turn the sound back on', 'turn the sound on', 'turn sound on'), make: mute(false), objects: true },
  {
    phrases: words('whats playing', 'what is playing', 'what song is this', 'what song is playing', 'what is this song', 'whats this song', 'whats this', 'what is this', 'who is this', 'whos this', 'who is singing', 'whos singing', 'who sings this', 'what am i listening to', 'what are we listening to', 'now playing', 'whats on', 'what is on', 'which song is this', 'what track is this', 'name this song', 'whats the song', 'what is the song', 'what song', 'what track is playing', 'what is currently playing', 'whats currently playing', 'whats playing right now', 'what is playing right now', 'whats playing now', 'what is playing now', 'what music is playing', 'whats that song', 'what is that song', 'who is playing', 'whos playing'),
    make: (target) => ({ kind: 'nowPlaying', target }),
    objects: false,
  },
  {
    phrases: words('help', 'what can i say', 'what can you do', 'commands', 'show commands', 'list commands', 'what commands', 'how does this work', 'what are the commands', 'what can i ask', 'help me'),
    make: () => ({ kind: 'help' }),
    objects: false,
    alone: true,
  },
];

function startsWith(tokens: readonly string[], phrase: readonly string[]): boolean {
  return phrase.length <= tokens.length && phrase.every((word, i) => tokens[i] === word);
}

function stripObject(tokens: readonly string[]): readonly string[] {
  const object = OBJECTS.find((phrase) => startsWith(tokens, phrase));
  return object === undefined ? tokens : tokens.slice(object.length);
}

function ruleReadings(tokens: readonly string[]): ScoredIntent[] {
  const readings: ScoredIntent[] = [];
  for (const rule of RULES) {
    for (const phrase of rule.phrases) {
      if (!startsWith(tokens, phrase)) continue;
      const rest = rule.objects ? stripObject(tokens.slice(phrase.length)) : tokens.slice(phrase.length);
      if (rule.alone === true && rest.length > 0) continue;
      readings.push({ intent: rule.make(parseTargetTail(rest)), score: 1 });
    }
  }
  return readings;
}

/** "turn the kitchen up", "make the den quieter", "kitchen volume down": a place between the words. */
function placedVolume(text: string): ScoredIntent[] {
  const match = /^(?:turn|make) (?:the )?(.+?) (?:volume )?(up|down|louder|quieter|softer)$/.exec(text) ?? /^(?:the )?(.+?) volume (up|down)$/.exec(text);
  if (match === null || /^(it|music|volume|sound|the music|the volume|this)$/.test(match[1]!)) return [];
  const delta = match[2] === 'up' || match[2] === 'louder' ? VOLUME_STEP : -VOLUME_STEP;
  return [{ intent: { kind: 'volume', change: { kind: 'step', delta }, target: parseTargetTail(match[1]!.split(' ')) }, score: 0.95 }];
}

/** "volume 5", "set the volume to 30 percent", "set the kitchen volume to 5", "max volume". */
function volumeSet(text: string): ScoredIntent[] {
  const set = /^(?:(?:set|change|turn|put|make|bring) )?(?:the )?(?:(.+?) )?volume (?:(?:in|on|for|of) (?:the )?(.+?) )?(?:(?:to|at|2|too|is) )?(\d+)(?: (percent|per cent))?(?: (.+))?$/.exec(text);
  if (set !== null) {
    const before = set[1] !== undefined && !/^(the|my)$/.test(set[1]) ? set[1] : undefined;
    const place = before ?? set[2] ?? set[5];
    const level = volumeLevelFromNumber(Number(set[3]), set[4] !== undefined);
    return [{ intent: { kind: 'volume', change: { kind: 'set', level }, target: parseTargetTail(place === undefined ? [] : place.split(' ')) }, score: 1 }];
  }
  const allTheWay = /^turn (?:it |the volume |the music )?all the way (up|down)(?: (.+))?$/.exec(text);
  if (allTheWay !== null) {
    const place = allTheWay[2];
    const level = allTheWay[1] === 'up' ? 1 : 0;
    return [{ intent: { kind: 'volume', change: { kind: 'set', level }, target: parseTargetTail(place === undefined ? [] : place.split(' ')) }, score: 1 }];
  }
  const extreme =
    /^(?:(?:set|turn|put|bring) (?:the )?)?volume (?:(?:to|at|all the way|all the way up to) )?(max|maximum|full|half|min|minimum)(?: (.+))?$/.exec(text) ??
    /^(max|maximum|full|half) volume(?: (.+))?$/.exec(text) ??
    /^(max) (?:out )?(?:the )?volume(?: (.+))?$/.exec(text);
  if (extreme === null) return [];
  const word = extreme[1]!;
  const level = word === 'half' ? 0.5 : word === 'min' || word === 'minimum' ? 0 : 1;
  const place = extreme[2];
  return [{ intent: { kind: 'volume', change: { kind: 'set', level }, target: parseTargetTail(place === undefined ? [] : place.split(' ')) }, score: 1 }];
}

const GROUP_PATTERNS: readonly { readonly pattern: RegExp; readonly members: number; readonly name: number }[] = [
  { pattern: /^(?:group|combine|join|link|pair|merge) (.+?) (?:together )?(?:as|into|called|named|and call it|and name it) (?:a (?:new )?group (?:called|named) )?(.+)$/, members: 1, name: 2 },
  { pattern: /^(?:make|create|set up|start|form|add|new) (?:a )?(?:new )?group (?:called|named) (.+?) (?:with|from|using|for|of|containing) (.+)$/, members: 2, name: 1 },
  { pattern: /^(?:make|create|set up|start|form|add|new) (?:a )?(?:new )?group (?:with|from|using|of|containing) (.+?) (?:called|named|as) (.+)$/, members: 1, name: 2 },
  { pattern: /^(?:put|place|add) (.+?) (?:together )?(?:in|into|to) (?:a )?(?:new )?group (?:called|named) (.+)$/, members: 1, name: 2 },
  { pattern: /^(?:make|call|name) (.+?) (?:a group called|a group named|into a group called|the group) (.+)$/, members: 1, name: 2 },
];

/** "group kitchen and den as downstairs" and its wordings → a group intent. */
function groupReadings(text: string): ScoredIntent[] {
  for (const { pattern, members, name } of GROUP_PATTERNS) {
    const match = pattern.exec(text);
    if (match === null) continue;
    const memberPhrases = match[members]!
      .split(/ (?:and|plus|with|&) /)
      .map((phrase) => phrase.replace(/^(?:the|my) /, '').replace(/ together$/, '').trim())
      .filter((phrase) => phrase !== '');
    const groupName = match[name]!.replace(/^(?:the|a) /, '').replace(/ (?:please|together)$/, '').trim();
    if (memberPhrases.length > 0 && groupName !== '') return [{ intent: { kind: 'group', name: groupName, memberPhrases }, score: 1 }];
  }
  return [];
}

/** Every reading of normalized tokens, best first (see `parseUtterance` for raw text). */
export function parseTokens(tokens: readonly string[]): ScoredIntent[] {
  const readings = (words: readonly string[], factor: number): ScoredIntent[] => {
    const text = words.join(' ');
    return [...ruleReadings(words), ...placedVolume(text), ...volumeSet(text), ...groupReadings(text), ...parsePlay(words)].map((reading) => ({
      intent: reading.intent,
      score: reading.score * factor,
    }));
  };
  const direct = readings(tokens, 1);
  const fixed = tokens.length > 0 ? VERB_MISHEARINGS[tokens[0]!] : undefined;
  const corrected = fixed === undefined ? [] : readings([fixed, ...tokens.slice(1)], MISHEARD_VERB_FACTOR);
  return [...direct, ...corrected].sort((a, b) => b.score - a.score);
}

/** Every reading of an utterance (wake word and filler already ignorable), best first; empty if none. */
export function parseUtterance(text: string): ScoredIntent[] {
  return parseTokens(normalizeUtterance(text).tokens);
}
