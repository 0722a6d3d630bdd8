/**
 * Utterance clean-up before parsing: folds case and diacritics, drops punctuation, turns number
 * words into digits ("twenty five" → 25), strips a wake word ("Tutti, …", also "Alexa") and polite
 * filler ("please", "can you"). Library names go through `normalizeText` too, so both sides compare
 * alike. Pure: no browser globals.
 */

const UNITS: Readonly<Record<string, number>> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
};
const TENS: Readonly<Record<string, number>> = { twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 };

/** Wake words (and how recognizers tend to spell "Tutti"), possibly after "hey"/"ok". */
const WAKE_WORDS = new Set(['tutti', 'tuti', 'tutty', 'tooty', 'tootie', 'toodie', 'tudy', 'tutto', 'alexa']);
const WAKE_LEADS = new Set(['hey', 'hi', 'ok', 'okay']);

/** Polite or hedging openers removed from the front, longest first. */
const LEADING_FILLER = [
  'would you please', 'could you please', 'can you please', 'i would like to', 'i want to', 'i wanna', 'id like to',
  'would you', 'could you', 'can you', 'will you', 'go ahead and', 'lets', 'please', 'just', 'and', 'um', 'uh', 'ok', 'okay', 'hey',
].map((phrase) => phrase.split(' '));
const TRAILING_FILLER = [['please'], ['thanks'], ['thank', 'you'], ['now'], ['for', 'me']];

/** Lower-cases, strips diacritics and punctuation, "&" → "and", "%" → "percent", number words → digits. */
export function normalizeText(text: string): string {
  const folded = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/%/g, ' percent ')
    .replace(/['’`]/g, '')
    .replace(/(\d)\s*(?=[a-z])/g, '$1 ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  return numbersToDigits(folded === '' ? [] : folded.split(' ')).join(' ');
}

/** Joins number words into digit tokens: ["twenty", "five"] → ["25"], ["a", "hundred"] → ["100"]. */
export function numbersToDigits(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const next = tokens[i + 1];
    if ((token === 'a' || token === 'one') && next === 'hundred') {
      out.push('100');
      i++;
    } else if (token in TENS) {
      const unit = next !== undefined && next in UNITS && UNITS[next]! > 0 && UNITS[next]! < 10 ? UNITS[next]! : null;
      out.push(String(TENS[token]! + (unit ?? 0)));
      if (unit !== null) i++;
    } else if (token in UNITS) {
      out.push(String(UNITS[token]));
    } else if (token === 'hundred') {
      out.push('100');
    } else {
      out.push(token);
    }
  }
  return out;
}

/** A normalized utterance: its words, and whether it began with the wake word. */
export interface NormalizedUtterance {
  readonly text: string;
  readonly tokens: readonly string[];
  readonly woke: boolean;
}

function startsWith(tokens: readonly string[], phrase: readonly string[]): boolean {
  return phrase.length <= tokens.length && phrase.every((word, i) => tokens[i] === word);
}

function endsWith(tokens: readonly string[], phrase: readonly string[]): boolean {
  const offset = tokens.length - phrase.length;
  return offset >= 0 && phrase.every((word, i) => tokens[offset + i] === word);
}

/** Normalizes an utterance and strips the wake word and filler around the command. */
export function normalizeUtterance(text: string): NormalizedUtterance {
  let tokens = normalizeText(text).split(' ').filter((token) => token !== '');
  let woke = false;
  for (let changed = true; changed && tokens.length > 0; ) {
    changed = false;
    if (WAKE_WORDS.has(tokens[0]!)) {
      tokens = tokens.slice(1);
      woke = changed = true;
    } else if (WAKE_LEADS.has(tokens[0]!) && tokens[1] !== undefined && WAKE_WORDS.has(tokens[1])) {
      tokens = tokens.slice(2);
      woke = changed = true;
    } else {
      const filler = LEADING_FILLER.find((phrase) => startsWith(tokens, phrase) && tokens.length > phrase.length);
      if (filler !== undefined) {
        tokens = tokens.slice(filler.length);
        changed = true;
      }
    }
  }
  for (let changed = true; changed; ) {
    const filler = TRAILING_FILLER.find((phrase) => endsWith(tokens, phrase) && tokens.length > phrase.length);
    changed = filler !== undefined;
    if (filler !== undefined) tokens = tokens.slice(0, tokens.length - filler.length);
  }
  return { text: tokens.join(' '), tokens, woke };
}
