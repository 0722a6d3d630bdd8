/**
 * Where-clauses of commands: "in the kitchen", "on den", "downstairs", "everywhere", "in all
 * rooms". Works on normalized tokens (utterance-normalize.ts). Pure: no browser globals.
 */
import type { TargetPhrase } from './voice-intent.js';

/** Words that introduce a place. */
export const PREPOSITIONS: ReadonlySet<string> = new Set(['in', 'on', 'at', 'through', 'throughout', 'across', 'for', 'to', 'into']);

const EVERYWHERE = new Set([
  'everywhere', 'all', 'everything', 'all rooms', 'every room', 'all room', 'all speakers', 'every speaker', 'all speaker',
  'whole house', 'house', 'all over', 'all over house', 'entire house', 'all groups', 'every group', 'everywhere in house',
  'all music', 'all songs', 'all playback', 'music everywhere', 'everything everywhere',
]);
const HERE = new Set(['here', 'this room', 'this speaker', 'this device', 'this tab']);
const SOFTENERS = [['as', 'well'], ['too'], ['a', 'little', 'bit'], ['a', 'little'], ['a', 'bit'], ['little', 'bit'], ['bit'], ['please'], ['again'], ['now']];
/** Words that cannot end a body or start a bare place ("… in the | kitchen and den"). */
const DANGLING = new Set(['and', 'the', 'a', 'an', 'of', 'by', 'or', 'with', 'my', 'in', 'on', 'at', 'to']);
const LEADING_ARTICLES = new Set(['the', 'my', 'our', 'a']);

function stripTrailing(tokens: readonly string[]): string[] {
  let out = [...tokens];
  for (let changed = true; changed; ) {
    const softener = SOFTENERS.find((phrase) => phrase.length <= out.length && phrase.every((word, i) => out[out.length - phrase.length + i] === word));
    changed = softener !== undefined;
    if (softener !== undefined) out = out.slice(0, out.length - softener.length);
  }
  return out;
}

/**
 * Reads a where-clause ("in the kitchen", "everywhere", "den", "") as a target phrase: empty →
 * default; "everywhere"/"all rooms"/"the whole house" → everywhere; "here" → default.
 */
export function parseTargetTail(tokens: readonly string[]): TargetPhrase {
  let words = stripTrailing(tokens);
  if (words.length > 0 && PREPOSITIONS.has(words[0]!)) words = words.slice(1);
  words = words.filter((word, i) => !(LEADING_ARTICLES.has(word) && (i === 0 || words[i - 1] === 'all' || words[i - 1] === 'over')));
  const phrase = words.join(' ');
  if (phrase === '' || HERE.has(phrase)) return { kind: 'default' };
  if (EVERYWHERE.has(phrase)) return { kind: 'everywhere' };
  return { kind: 'named', phrase };
}

/** A split of "<body> <where-clause>" with how plausible the split is (0..1). */
export interface TargetSplit {
  readonly body: readonly string[];
  readonly target: TargetPhrase;
  readonly score: number;
}

/** Score of a split where the place follows without a preposition ("play X downstairs"). */
export const BARE_TARGET_SCORE = 0.92;
/** Longest place name, in words, tried without a preposition. */
const MAX_BARE_WORDS = 3;

/**
 * Every plausible way to read `tokens` as "<body> [where-clause]": the whole thing with no
 * place, a split before each preposition, and the last 1..3 words as a bare place name. The body
 * is never empty unless `allowEmptyBody`.
 */
export function splitTarget(tokens: readonly string[], allowEmptyBody = false): TargetSplit[] {
  const splits: TargetSplit[] = [];
  const trimmed = stripTrailing(tokens);
  if (trimmed.length > 0 || allowEmptyBody) splits.push({ body: trimmed, target: { kind: 'default' }, score: 1 });
  const first = allowEmptyBody ? 0 : 1;
  for (let i = first; i < trimmed.length; i++) {
    if (!PREPOSITIONS.has(trimmed[i]!) || i === trimmed.length - 1) continue;
    const target = parseTargetTail(trimmed.slice(i));
    if (target.kind !== 'default') splits.push({ body: trimmed.slice(0, i), target, score: 1 });
  }
  for (let k = 1; k <= MAX_BARE_WORDS && k <= trimmed.length - first; k++) {
    const tail = trimmed.slice(trimmed.length - k);
    const body = trimmed.slice(0, trimmed.length - k);
    if (PREPOSITIONS.has(tail[0]!) || DANGLING.has(tail[0]!) || (body.length > 0 && DANGLING.has(body[body.length - 1]!))) continue;
    const target = parseTargetTail(tail);
    if (target.kind === 'default') continue;
    splits.push({ body, target, score: target.kind === 'everywhere' ? 1 : BARE_TARGET_SCORE });
  }
  return splits;
}
