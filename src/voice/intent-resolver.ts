/**
 * From what the recognizer heard to one command: parses every recognition alternative, matches
 * each reading against the room's targets and library, scores it (recognizer confidence × how
 * well the wording fits × how well the names match) and picks the best — or asks back when two
 * different commands score close, or explains what went wrong. Pure: no browser globals.
 */
import type { ControlTarget, ControlTrack } from '../features/room-control.js';
import { parseTokens } from './command-grammar.js';
import { NameScorer, prepareName } from './fuzzy-match.js';
import { libraryIndex, matchLibrary, type LibraryChoice, type LibraryIndex } from './library-match.js';
import { matchMembers, matchTarget } from './target-match.js';
import { normalizeUtterance } from './utterance-normalize.js';
import type { PlayQuery, RecognitionAlternative, VoiceCommand, VoiceIntent } from './voice-intent.js';
import { problemReply, type VoiceProblem } from './voice-reply.js';

/** The room as the resolver sees it (plain data from RoomControl). */
export interface VoiceWorld {
  readonly targets: readonly ControlTarget[];
  readonly tracks: readonly ControlTrack[];
  readonly defaultTarget: ControlTarget;
}

/** The outcome: a command to run, or a reply explaining why there is none. */
export type Resolution =
  | { readonly kind: 'command'; readonly command: VoiceCommand; readonly transcript: string; readonly score: number }
  | { readonly kind: 'reply'; readonly problem: VoiceProblem; readonly reply: string; readonly transcript: string | null };

/** A second, different command within this fraction of the best one's score makes us ask back. */
export const AMBIGUITY_RATIO = 0.93;
/** An existing group named this closely is redefined rather than a new name made. */
const SAME_GROUP_SCORE = 0.85;

interface Scored {
  readonly command: VoiceCommand;
  readonly score: number;
  readonly transcript: string;
}

/** How much an alternative counts, 0.5..1: its confidence, or by rank when the recognizer gave none. */
export function alternativeWeight(alternative: RecognitionAlternative, rank: number): number {
  const confidence = Number.isFinite(alternative.confidence) && alternative.confidence > 0 ? Math.min(1, alternative.confidence) : Math.max(0.1, 0.7 - 0.15 * rank);
  return 0.5 + 0.5 * confidence;
}

const titleCase = (text: string): string => text.replace(/(^|\s)(\p{L})/gu, (_, space: string, letter: string) => space + letter.toUpperCase());

/** A failed play whose words did name music but whose place named nothing explains itself better. */
const KNOWN_QUERY_BONUS = 1.2;

interface IntentOutcome {
  readonly commands: readonly { readonly command: VoiceCommand; readonly score: number }[];
  readonly problem: VoiceProblem | null;
  /** How much more telling this problem is than others of the same reading score (default 1). */
  readonly problemWeight?: number;
}

/** What one resolve shares across its readings: the scorer's memory, the library index, query results. */
class MatchContext {
  readonly scorer = new NameScorer();
  readonly index: LibraryIndex;
  private readonly queries = new Map<string, LibraryChoice[]>();

  constructor(readonly world: VoiceWorld) {
    this.index = libraryIndex(world.tracks);
  }

  library(query: PlayQuery): LibraryChoice[] {
    const key = JSON.stringify(query);
    let choices = this.queries.get(key);
    if (choices === undefined) this.queries.set(key, (choices = matchLibrary(query, this.index, this.scorer)));
    return choices;
  }
}

function resolveIntent(intent: VoiceIntent, context: MatchContext): IntentOutcome {
  const { world, scorer } = context;
  if (intent.kind === 'help') return { commands: [{ command: { kind: 'help' }, score: 1 }], problem: null };
  if (intent.kind === 'group') {
    const members = matchMembers(intent.memberPhrases, world.targets, scorer);
    if (!members.ok) return { commands: [], problem: { kind: 'unknownPlace', phrase: members.phrase } };
    const spoken = prepareName(intent.name);
    const existing = world.targets.find((target) => target.kind === 'group' && scorer.score(spoken, prepareName(target.name)) >= SAME_GROUP_SCORE);
    const name = existing?.name ?? titleCase(intent.name);
    return { commands: [{ command: { kind: 'group', name, speakers: members.members }, score: members.score }], problem: null };
  }
  const places = matchTarget(intent.target, world, scorer);
  const phrase = intent.target.kind === 'named' ? intent.target.phrase : '';
  const unknownPlace: VoiceProblem = / (?:and|plus) /.test(phrase) ? { kind: 'severalPlaces', phrase } : { kind: 'unknownPlace', phrase };
  const commands: { command: VoiceCommand; score: number }[] = [];
  if (intent.kind === 'play') {
    const choices = context.library(intent.query);
    if (places.length === 0) return { commands: [], problem: unknownPlace, problemWeight: choices.length > 0 || unknownPlace.kind === 'severalPlaces' ? KNOWN_QUERY_BONUS : 1 };
    if (choices.length === 0) {
      const problem: VoiceProblem = intent.query.words === null ? { kind: 'emptyLibrary' } : { kind: 'notFound', query: intent.query.words };
      return { commands: [], problem };
    }
    for (const place of places) {
      for (const choice of choices) {
        commands.push({ command: { kind: 'play', target: place.target, trackIds: choice.trackIds, match: choice.match, label: choice.label }, score: place.score * choice.score });
      }
    }
    return { commands, problem: null };
  }
  if (places.length === 0) return { commands: [], problem: unknownPlace, problemWeight: unknownPlace.kind === 'severalPlaces' ? KNOWN_QUERY_BONUS : 1 };
  for (const place of places) {
    const command: VoiceCommand =
      intent.kind === 'transport'
        ? { kind: 'transport', action: intent.action, target: place.target }
        : intent.kind === 'volume'
          ? { kind: 'volume', change: intent.change, target: place.target }
          : intent.kind === 'mute'
            ? { kind: 'mute', muted: intent.muted, target: place.target }
            : { kind: 'nowPlaying', target: place.target };
    commands.push({ command, score: place.score });
  }
  return { commands, problem: null };
}

/** Identity of a command's effect: two readings with the same key do the same thing. */
export function commandKey(command: VoiceCommand): string {
  switch (command.kind) {
    case 'play':
      return `play|${command.target.kind}:${command.target.id}|${command.trackIds.join(',')}`;
    case 'transport':
      return `transport|${command.action}|${command.target.kind}:${command.target.id}`;
    case 'volume':
      return `volume|${command.change.kind}:${command.change.kind === 'step' ? command.change.delta : command.change.level}|${command.target.kind}:${command.target.id}`;
    case 'mute':
      return `mute|${command.muted}|${command.target.kind}:${command.target.id}`;
    case 'group':
      return `group|${command.name}|${command.speakers.map((speaker) => `${speaker.kind}:${speaker.id}`).join(',')}`;
    case 'nowPlaying':
      return `nowPlaying|${command.target.kind}:${command.target.id}`;
    case 'help':
      return 'help';
  }
}

/** How to tell two close commands apart to the person: their place, what they play, or the words heard. */
function choiceNames(a: Scored, b: Scored): [string, string] {
  const { command: x } = a;
  const { command: y } = b;
  if (x.kind === y.kind && 'target' in x && 'target' in y && commandKey({ ...x, target: y.target } as VoiceCommand) === commandKey(y)) {
    return [x.target.name, y.target.name];
  }
  if (x.kind === 'play' && y.kind === 'play') return [x.label, y.label];
  return [`"${a.transcript}"`, `"${b.transcript}"`];
}

/**
 * Resolves recognition alternatives (best first as the recognizer ranked them) against the room.
 * With `requireWake`, only utterances starting with the wake word ("Tutti, …") count.
 */
export function resolveAlternatives(alternatives: readonly RecognitionAlternative[], world: VoiceWorld, options: { requireWake?: boolean } = {}): Resolution {
  const scored: Scored[] = [];
  let problem: { problem: VoiceProblem; weight: number; transcript: string } | null = null;
  let firstHeard: string | null = null;
  let woke = false;
  const context = new MatchContext(world);
  const seen = new Set<string>();
  alternatives.forEach((alternative, rank) => {
    const normalized = normalizeUtterance(alternative.transcript);
    if (normalized.text === '' || (options.requireWake === true && !normalized.woke) || seen.has(normalized.text)) return;
    seen.add(normalized.text);
    woke = true;
    firstHeard ??= alternative.transcript.trim();
    const weight = alternativeWeight(alternative, rank);
    for (const reading of parseTokens(normalized.tokens)) {
      const outcome = resolveIntent(reading.intent, context);
      for (const { command, score } of outcome.commands) scored.push({ command, score: weight * reading.score * score, transcript: alternative.transcript.trim() });
      const problemWeight = weight * reading.score * (outcome.problemWeight ?? 1);
      if (outcome.problem !== null && (problem === null || problemWeight > problem.weight)) {
        problem = { problem: outcome.problem, weight: problemWeight, transcript: alternative.transcript.trim() };
      }
    }
  });
  const reply = (why: VoiceProblem, transcript: string | null): Resolution => ({ kind: 'reply', problem: why, reply: problemReply(why, world.targets, world.tracks), transcript });
  if (firstHeard === null) {
    const heardAnything = alternatives.some((alternative) => normalizeUtterance(alternative.transcript).text !== '');
    return reply(heardAnything && options.requireWake === true && !woke ? { kind: 'noWake' } : { kind: 'nothingHeard' }, alternatives[0]?.transcript.trim() ?? null);
  }
  if (scored.length === 0) {
    const found = problem as { problem: VoiceProblem; transcript: string } | null;
    return found === null ? reply({ kind: 'unknown', heard: firstHeard }, firstHeard) : reply(found.problem, found.transcript);
  }
  scored.sort((a, b) => b.score - a.score);
  const best = scored[0]!;
  const bestKey = commandKey(best.command);
  const rival = scored.find((candidate) => commandKey(candidate.command) !== bestKey);
  if (rival !== undefined && rival.score >= best.score * AMBIGUITY_RATIO) {
    const [first, second] = choiceNames(best, rival);
    if (first !== second) return reply({ kind: 'ambiguous', choices: [first, second] }, best.transcript);
  }
  return { kind: 'command', command: best.command, transcript: best.transcript, score: best.score };
}
