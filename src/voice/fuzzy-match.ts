/**
 * Fuzzy name matching tolerant to speech-recognition errors: compares token by token (normalized
 * edit distance, a coarse phonetic key so "then" ≈ "den"), and also the words run together so
 * "down stairs" ≈ "Downstairs". Articles and plural "s" are ignored. Scores are 0..1 (1 = same
 * words). Pure: no browser globals.
 */
import { normalizeText } from './utterance-normalize.js';

const ARTICLES = new Set(['the', 'a', 'an', 'my', 'our']);

/** Score given to two different words that sound alike (same phonetic key). */
export const PHONETIC_MATCH_SCORE = 0.85;

/** A name's comparable words: normalized, without articles, plural "s" dropped. */
export function matchTokens(text: string): string[] {
  return normalizeText(text)
    .split(' ')
    .filter((token) => token !== '' && !ARTICLES.has(token))
    .map(singular);
}

function singular(token: string): string {
  return token.length > 3 && token.endsWith('s') && !token.endsWith('ss') ? token.slice(0, -1) : token;
}

/** Levenshtein distance between two strings (in UTF-16 code units). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** 1 − edit distance / longer length: 1 for equal strings, 0 for nothing in common. */
export function editSimilarity(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 1 : 1 - editDistance(a, b) / longest;
}

/**
 * A coarse sound key: spelling variants folded (ph→f, th→t, c→k/s…), voiced and voiceless
 * consonant pairs merged (d/t, b/p, g/k, v/f, z/s), vowels dropped after the first letter,
 * repeats collapsed, the stop in "nds"/"nts" dropped (as in "prince"/"prints"). "then" and "den" →
 * "tn"; "kitchin" and "kitchen" → "ktxn"; "beyond say" and "Beyoncé" → "pns".
 */
export function phoneticKey(word: string): string {
  const spelled = word
    .replace(/ph/g, 'f')
    .replace(/th/g, 't')
    .replace(/[cs]h/g, 'x')
    .replace(/ck/g, 'k')
    .replace(/qu/g, 'k')
    .replace(/wh/g, 'w')
    .replace(/gh/g, '')
    .replace(/dg/g, 'j')
    .replace(/c(?=[eiy])/g, 's')
    .replace(/c/g, 'k')
    .replace(/n[dt]s/g, 'ns');
  const classes: Readonly<Record<string, string>> = { b: 'p', d: 't', g: 'k', q: 'k', v: 'f', z: 's' };
  let key = '';
  for (let i = 0; i < spelled.length; i++) {
    const ch = spelled[i]!;
    const vowel = 'aeiouyhw'.includes(ch);
    const mapped = vowel ? (i === 0 ? 'a' : '') : (classes[ch] ?? ch);
    if (mapped !== '' && key[key.length - 1] !== mapped) key += mapped;
  }
  return key;
}

/** Shorter words ("and", "in") only match exactly or by sound: one letter off is another word. */
const MIN_EDIT_LENGTH = 4;

/** How alike two single words are, 0..1: exact, sound-alike or (both of 4+ letters) by edit distance. */
export function wordSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  if (/^\d+$/.test(a) || /^\d+$/.test(b)) return 0;
  const edit = Math.min(a.length, b.length) >= MIN_EDIT_LENGTH ? editSimilarity(a, b) : 0;
  const key = phoneticKey(a);
  const sounds = key.length >= 2 && key === phoneticKey(b) ? PHONETIC_MATCH_SCORE : 0;
  return Math.max(edit, sounds);
}

/** Words below this similarity count as not matched at all. */
const WORD_FLOOR = 0.6;

/** A name made ready for repeated comparison: its match tokens, run together, and that string's sound key. */
export interface PreparedName {
  readonly tokens: readonly string[];
  readonly joined: string;
  readonly joinedKey: string;
}

/** Prepares a name (or spoken phrase) for `NameScorer.score`. */
export function prepareName(text: string): PreparedName {
  return prepareTokens(matchTokens(text));
}

/** Prepares already-made match tokens. */
export function prepareTokens(tokens: readonly string[]): PreparedName {
  const joined = tokens.join('');
  return { tokens, joined, joinedKey: phoneticKey(joined) };
}

/**
 * Scores spoken phrases against names, remembering word-pair similarities (a resolve compares
 * the same few spoken words with the same library words many times). One per resolve.
 */
export class NameScorer {
  private readonly words = new Map<string, number>();

  /** `wordSimilarity`, remembered. */
  word(a: string, b: string): number {
    const key = `${a}\u0000${b}`;
    let similarity = this.words.get(key);
    if (similarity === undefined) {
      similarity = wordSimilarity(a, b);
      this.words.set(key, similarity);
    }
    return similarity;
  }

  private coverage(from: readonly string[], to: readonly string[]): number {
    if (from.length === 0) return 0;
    let sum = 0;
    for (const word of from) {
      let best = 0;
      for (const token of to) best = Math.max(best, this.word(word, token));
      sum += best >= WORD_FLOOR ? best : 0;
    }
    return sum / from.length;
  }

  /**
   * How well a spoken phrase names a name, 0..1. Every spoken word should be in the name (weighs
   * 0.7); the name may have words the speaker left out ("Dave Matthews" for "Dave Matthews Band",
   * weighs 0.3). Run-together spellings compare as whole strings ("down stairs" = "Downstairs").
   */
  score(spoken: PreparedName, named: PreparedName): number {
    if (spoken.tokens.length === 0 || named.tokens.length === 0) return 0;
    const tokens = 0.7 * this.coverage(spoken.tokens, named.tokens) + 0.3 * this.coverage(named.tokens, spoken.tokens);
    const sound = spoken.joinedKey.length >= 2 && spoken.joinedKey === named.joinedKey ? PHONETIC_MATCH_SCORE : 0;
    const shorter = Math.min(spoken.joined.length, named.joined.length);
    const longer = Math.max(spoken.joined.length, named.joined.length);
    const joined = shorter >= WORD_FLOOR * longer ? editSimilarity(spoken.joined, named.joined) : 0;
    return Math.max(tokens, joined >= WORD_FLOOR ? joined : 0, sound);
  }
}

/** How well a spoken phrase names `name`, 0..1 (see `NameScorer.score`). */
export function phraseScore(phrase: string, name: string): number {
  return new NameScorer().score(prepareName(phrase), prepareName(name));
}

/** A candidate with its score. */
export interface Ranked<T> {
  readonly item: T;
  readonly score: number;
}

/** Items scored by how well `phrase` names them (via `nameOf`), best first, at least `minScore`. */
export function rankByName<T>(phrase: string, items: readonly T[], nameOf: (item: T) => string, minScore: number): Ranked<T>[] {
  const scorer = new NameScorer();
  const spoken = prepareName(phrase);
  return items
    .map((item) => ({ item, score: scorer.score(spoken, prepareName(nameOf(item))) }))
    .filter((ranked) => ranked.score >= minScore)
    .sort((a, b) => b.score - a.score);
}
