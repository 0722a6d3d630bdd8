/**
 * The "play …" part of the grammar: "play <query> [in|on <place> | everywhere]", where the query
 * may name an artist ("songs by X"), an album ("the album X"), a title ("the song X", "X by Y") or
 * just "some music". Pure: no browser globals.
 */
import { PREPOSITIONS, splitTarget } from './target-phrase.js';
import type { PlayQuery, ScoredIntent } from './voice-intent.js';

const PLAY_PREFIXES = [
  'play', 'play me', 'play us', 'put on', 'throw on', 'listen to', 'hear', 'lets hear', 'let me hear', 'let us hear', 'start playing',
  'queue', 'queue up', 'shuffle', 'lets listen to', 'i want to listen to', 'can we hear', 'give me', 'spin', 'blast', 'play some', 'put some',
].map((phrase) => phrase.split(' ')).sort((a, b) => b.length - a.length);

const DETERMINERS = ['some', 'me some', 'us some', 'a bit of', 'a little bit of', 'a little', 'a few', 'more'].map((phrase) => phrase.split(' ')).sort((a, b) => b.length - a.length);

/** Queries that mean "anything from the library". */
const WHOLE_LIBRARY = new Set([
  'music', 'something', 'anything', 'everything', 'all', 'songs', 'song', 'all songs', 'all music', 'all my music', 'my music', 'my library', 'library',
  'the library', 'tunes', 'some tunes', 'a song', 'a random song', 'random music', 'random songs', 'random song', 'my songs', 'all the songs',
  'all the music', 'whatever', 'stuff', 'random', 'all tracks', 'all the tracks', 'my collection', 'the music', 'good music', 'some good music',
  'something good', 'something nice', 'anything you like', 'whatever you like', 'tracks', 'my tracks', 'everything in my library', 'all of it',
]);

const FIELD_PREFIXES: readonly { readonly words: readonly string[]; readonly field: PlayQuery['field'] }[] = [
  ...['songs by', 'something by', 'music by', 'anything by', 'tracks by', 'stuff by', 'everything by', 'some songs by', 'a song by', 'all songs by', 'the artist', 'artist', 'the band', 'all of', 'more by', 'something from', 'songs from', 'music from']
    .map((phrase) => ({ words: phrase.split(' '), field: 'artist' as const })),
  ...['the album', 'album', 'the record', 'record', 'the album called', 'the album named', 'the whole album', 'whole album'].map((phrase) => ({ words: phrase.split(' '), field: 'album' as const })),
  ...['the song', 'song', 'the track', 'track', 'the song called', 'the song named', 'the track called', 'the tune'].map((phrase) => ({ words: phrase.split(' '), field: 'title' as const })),
].sort((a, b) => b.words.length - a.words.length);

/** Score of reading "beyonce halo" / "halo beyonce" as a title with its artist, without "by". */
const ARTIST_TITLE_SCORE = 0.9;

function startsWith(tokens: readonly string[], phrase: readonly string[]): boolean {
  return phrase.length <= tokens.length && phrase.every((word, i) => tokens[i] === word);
}

/** Readings of a query body ("the album kind of blue", "so what by miles davis", "music"). */
export function parseQuery(tokens: readonly string[]): { query: PlayQuery; score: number }[] {
  const determiner = DETERMINERS.find((phrase) => startsWith(tokens, phrase) && tokens.length > phrase.length);
  const body = determiner === undefined ? tokens : tokens.slice(determiner.length);
  const text = body.join(' ');
  if (text === '') return [];
  if (WHOLE_LIBRARY.has(text)) return [{ query: { words: null, field: 'any', byArtist: null }, score: 1 }];
  const readings: { query: PlayQuery; score: number }[] = [{ query: { words: text, field: 'any', byArtist: null }, score: 1 }];
  const prefix = FIELD_PREFIXES.find((candidate) => startsWith(body, candidate.words) && body.length > candidate.words.length);
  if (prefix !== undefined) readings.push({ query: { words: body.slice(prefix.words.length).join(' '), field: prefix.field, byArtist: null }, score: 1 });
  const suffix = /^(.+) (?:songs|music|tracks|album)$/.exec(text);
  if (suffix !== null) readings.push({ query: { words: suffix[1]!, field: text.endsWith('album') ? 'album' : 'artist', byArtist: null }, score: 1 });
  for (let i = 1; i < body.length && prefix === undefined; i++) {
    readings.push({ query: { words: body.slice(i).join(' '), field: 'title', byArtist: body.slice(0, i).join(' ') }, score: ARTIST_TITLE_SCORE });
    readings.push({ query: { words: body.slice(0, i).join(' '), field: 'title', byArtist: body.slice(i).join(' ') }, score: ARTIST_TITLE_SCORE });
  }
  body.forEach((word, i) => {
    if (word !== 'by' || i === 0 || i === body.length - 1) return;
    const what = body.slice(0, i);
    const field = FIELD_PREFIXES.find((candidate) => startsWith(what, candidate.words) && what.length > candidate.words.length);
    const words = field === undefined ? what : what.slice(field.words.length);
    if (words.length === 0 || WHOLE_LIBRARY.has(words.join(' '))) return;
    readings.push({ query: { words: words.join(' '), field: field?.field === 'album' ? 'album' : field?.field === 'title' ? 'title' : 'any', byArtist: body.slice(i + 1).join(' ') }, score: 1 });
  });
  return readings;
}

/** Every reading of "play …" (tokens normalized), including bare "play [place]" as resume. */
export function parsePlay(tokens: readonly string[]): ScoredIntent[] {
  const prefix = PLAY_PREFIXES.find((phrase) => startsWith(tokens, phrase));
  if (prefix === undefined) return [];
  const rest = tokens.slice(prefix.length);
  const readings: ScoredIntent[] = [];
  for (const split of splitTarget(rest, true)) {
    if (split.body.length === 0) {
      if (prefix[0] === 'play') readings.push({ intent: { kind: 'transport', action: 'resume', target: split.target }, score: split.score });
      continue;
    }
    const hedge = split.target.kind === 'default' && PREPOSITIONS.has(split.body[0]!) ? 0.97 : 1;
    for (const { query, score } of parseQuery(split.body)) {
      readings.push({ intent: { kind: 'play', query, target: split.target }, score: score * split.score * hedge });
    }
  }
  return readings;
}
