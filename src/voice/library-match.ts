/**
 * Matches a play query against the library: artists (→ all their tracks, by album then title),
 * albums (→ their tracks in library order), titles (→ that track) or "anything" (→ the whole
 * library in order). The library's names are prepared once per track list (`libraryIndex`).
 * Pure: no browser globals.
 */
import type { ControlTrack } from '../features/room-control.js';
import { NameScorer, prepareName, wordSimilarity, type PreparedName } from './fuzzy-match.js';
import type { PlayMatch, PlayQuery } from './voice-intent.js';
import { compareText } from '../sync/text-order.js';

/** Below this, a query does not name an artist, album or title. */
export const QUERY_MIN_SCORE = 0.65;

/** A set of tracks a query can name, with how well it does (0..1). */
export interface LibraryChoice {
  readonly match: PlayMatch;
  readonly label: string;
  readonly trackIds: readonly string[];
  readonly score: number;
}

interface Entry {
  readonly label: string;
  readonly name: PreparedName;
  readonly trackIds: readonly string[];
}
/** An album or title with the artist(s) it is by. */
interface ByEntry extends Entry {
  readonly by: readonly PreparedName[];
}

/** Entries of one kind with their words indexed, so a query only scores names that share a word or sound. */
interface EntryList<T extends Entry> {
  readonly entries: readonly T[];
  /** Each word → the entries whose names have it. */
  readonly postings: ReadonlyMap<string, readonly number[]>;
  /** Each run-together sound key → the entries with it. */
  readonly keys: ReadonlyMap<string, readonly number[]>;
}

/** The library's artists, albums and titles, names prepared and indexed for matching. */
export interface LibraryIndex {
  readonly allTrackIds: readonly string[];
  readonly artists: EntryList<Entry>;
  readonly albums: EntryList<ByEntry>;
  readonly titles: EntryList<ByEntry>;
}

function push(map: Map<string, number[]>, key: string, id: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [id]);
  else if (list[list.length - 1] !== id) list.push(id);
}

function entryList<T extends Entry>(entries: readonly T[]): EntryList<T> {
  const postings = new Map<string, number[]>();
  const keys = new Map<string, number[]>();
  entries.forEach((entry, id) => {
    for (const word of entry.name.tokens) push(postings, word, id);
    push(keys, entry.name.joinedKey, id);
  });
  return { entries, postings, keys };
}

/** Whether one word contains the other at an end ("down" / "downstair"): a split or joined word. */
function overlaps(a: string, b: string): boolean {
  if (Math.min(a.length, b.length) < 3) return false;
  return a.startsWith(b) || b.startsWith(a) || a.endsWith(b) || b.endsWith(a);
}

/** Per entry list: each spoken word seen → ids of entries with a word alike or overlapping it. */
const wordCandidates = new WeakMap<EntryList<Entry>, Map<string, readonly number[]>>();
/** Spoken words remembered per list before the memory starts over. */
const MAX_REMEMBERED_WORDS = 2000;

function entriesNear(list: EntryList<Entry>, token: string): readonly number[] {
  let memory = wordCandidates.get(list);
  if (memory === undefined) wordCandidates.set(list, (memory = new Map()));
  let ids = memory.get(token);
  if (ids !== undefined) return ids;
  const found: number[] = [];
  for (const [word, postings] of list.postings) {
    if (word === token || overlaps(token, word) || wordSimilarity(token, word) >= CANDIDATE_WORD_SCORE) found.push(...postings);
  }
  if (memory.size >= MAX_REMEMBERED_WORDS) memory.clear();
  memory.set(token, (ids = found));
  return ids;
}

/** Ids of entries worth scoring: a word alike or overlapping a spoken word, or the same run-together sound. */
function candidates(list: EntryList<Entry>, spoken: PreparedName): Set<number> {
  const ids = new Set<number>(list.keys.get(spoken.joinedKey) ?? []);
  for (const token of spoken.tokens) for (const id of entriesNear(list, token)) ids.add(id);
  return ids;
}

/** A name is scored only if some word of it is at least this alike to a spoken word (or overlaps it). */
const CANDIDATE_WORD_SCORE = 0.6;

/** Ties between equally good readings go to artist, then album, then title. */
const KIND_ORDER: Readonly<Record<PlayMatch, number>> = { library: 0, artist: 0, album: -0.001, title: -0.002 };
const byAlbumThenTitle = (a: ControlTrack, b: ControlTrack): number => compareText(a.album, b.album) || compareText(a.title, b.title);

function groupBy(tracks: readonly ControlTrack[], keyOf: (track: ControlTrack) => string): ControlTrack[][] {
  const groups = new Map<string, ControlTrack[]>();
  for (const track of tracks) {
    const key = keyOf(track);
    if (key === '') continue;
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [track]);
    else list.push(track);
  }
  return [...groups.values()];
}

/** The last index made, kept while the library stays the same (RoomControl may hand out fresh arrays). */
let lastIndex: { tracks: readonly ControlTrack[]; signature: string; index: LibraryIndex } | null = null;

const signatureOf = (tracks: readonly ControlTrack[]): string =>
  tracks.map((track) => `${track.trackId}\u0001${track.title}\u0001${track.artist}\u0001${track.album}`).join('\u0002');

/** The index of a track list; reused while the list's contents stay the same. */
export function libraryIndex(tracks: readonly ControlTrack[]): LibraryIndex {
  if (lastIndex?.tracks === tracks) return lastIndex.index;
  const signature = signatureOf(tracks);
  if (lastIndex?.signature === signature) {
    lastIndex.tracks = tracks;
    return lastIndex.index;
  }
  const artistNames = new Map<string, PreparedName>();
  const artistName = (artist: string): PreparedName => {
    let name = artistNames.get(artist);
    if (name === undefined) artistNames.set(artist, (name = prepareName(artist)));
    return name;
  };
  const index: LibraryIndex = {
    allTrackIds: tracks.map((track) => track.trackId),
    artists: entryList(
      groupBy(tracks, (track) => artistName(track.artist).joined).map((list) => ({
        label: list[0]!.artist,
        name: artistName(list[0]!.artist),
        trackIds: [...list].sort(byAlbumThenTitle).map((track) => track.trackId),
      })),
    ),
    albums: entryList(
      groupBy(tracks, (track) => prepareName(track.album).joined).map((list) => ({
        label: list[0]!.album,
        name: prepareName(list[0]!.album),
        trackIds: list.map((track) => track.trackId),
        by: [...new Set(list.map((track) => track.artist))].map(artistName),
      })),
    ),
    titles: entryList(
      tracks.map((track) => ({
        label: track.artist === '' ? track.title : `${track.title} by ${track.artist}`,
        name: prepareName(track.title),
        trackIds: [track.trackId],
        by: [artistName(track.artist)],
      })),
    ),
  };
  lastIndex = { tracks, signature, index };
  return index;
}

/** Library choices for `query`, best first (at most `limit`), each at least QUERY_MIN_SCORE. */
export function matchLibrary(query: PlayQuery, index: LibraryIndex, scorer: NameScorer = new NameScorer(), limit = 3): LibraryChoice[] {
  if (query.words === null) {
    return index.allTrackIds.length === 0 ? [] : [{ match: 'library', label: 'music', trackIds: index.allTrackIds, score: 1 }];
  }
  const spoken = prepareName(query.words);
  const bySpoken = query.byArtist === null ? null : prepareName(query.byArtist);
  const artistScores = new Map<PreparedName, number>();
  /** How well "by …" names one of the entry's artists (1 without "by"); 0 below the floor. */
  const byScore = (entry: ByEntry): number => {
    if (bySpoken === null) return 1;
    let best = 0;
    for (const artist of entry.by) {
      let score = artistScores.get(artist);
      if (score === undefined) artistScores.set(artist, (score = scorer.score(bySpoken, artist)));
      best = Math.max(best, score);
    }
    return best >= QUERY_MIN_SCORE ? best : 0;
  };
  const choices: LibraryChoice[] = [];
  const add = (match: PlayMatch, entry: Entry, score: number): void => {
    if (score >= QUERY_MIN_SCORE) choices.push({ match, label: entry.label, trackIds: entry.trackIds, score: Math.min(1, score) + KIND_ORDER[match] });
  };
  const addBy = (match: PlayMatch, entry: ByEntry): void => {
    const by = byScore(entry);
    if (by === 0) return;
    const score = scorer.score(spoken, entry.name);
    add(match, entry, bySpoken === null ? score : (score + by) / 2);
  };
  const each = <T extends Entry>(list: EntryList<T>, visit: (entry: T) => void): void => {
    for (const id of candidates(list, spoken)) visit(list.entries[id]!);
  };
  if (bySpoken === null && (query.field === 'any' || query.field === 'artist')) each(index.artists, (artist) => add('artist', artist, scorer.score(spoken, artist.name)));
  if (query.field === 'any' || query.field === 'album') each(index.albums, (album) => addBy('album', album));
  if (query.field === 'any' || query.field === 'title') each(index.titles, (title) => addBy('title', title));
  return choices.sort((a, b) => b.score - a.score).slice(0, limit);
}
