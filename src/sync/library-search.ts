/**
 * Library search: case- and diacritics-insensitive, every query word must occur (as a substring)
 * in the track's title, artist or album. Pure: no browser globals.
 */
import type { LibraryTrack } from './library-track.js';

/** Lower-cases, strips combining marks (é → e, ß stays ß), folds compatibility forms (ﬁ → fi). */
export function foldForSearch(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The query's words, folded; empty for a blank query. */
export function queryWords(query: string): string[] {
  return foldForSearch(query).split(/\s+/).filter((word) => word !== '');
}

/** Tracks whose title, artist or album contain every word of `query`, in their given order; all of them for a blank query. */
export function searchTracks(tracks: readonly LibraryTrack[], query: string): readonly LibraryTrack[] {
  const words = queryWords(query);
  if (words.length === 0) return tracks;
  return tracks.filter((track) => {
    const haystack = foldForSearch(`${track.title}\n${track.artist}\n${track.album}`);
    return words.every((word) => haystack.includes(word));
  });
}
