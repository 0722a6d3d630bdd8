/**
 * `catalog`: the tracks a member has complete in its library, with the tags people ask for them
 * by (voice: "play Dave Matthews Band" on a tab that never stored that track). Sent to each peer
 * when its link opens and to all when the library changes; at most {@link MAX_CATALOG_ENTRIES}.
 */
import { decode, list, matching, need, num, record, text, type Decoded } from './decode-checks.js';
import { MAX_DURATION_SEC, TRACK_ID_PATTERN } from './play-state.js';
import { fromDecoded, type FieldSpec } from './protocol-fields.js';

/** Most tracks one catalog message lists (≈ 300 bytes each, well under the message limit). */
export const MAX_CATALOG_ENTRIES = 500;

/** One track as the room knows it. Invariant: `0 < durationSec ≤ MAX_DURATION_SEC`. */
export interface CatalogEntry {
  readonly trackId: string;
  readonly title: string;
  readonly artist: string;
  readonly album: string;
  readonly durationSec: number;
}

export interface CatalogMessage {
  type: 'catalog';
  tracks: CatalogEntry[];
}

function entry(v: unknown): CatalogEntry {
  const r = record(v, 'catalog entry');
  const title = text(r.title, 'title');
  need(title.trim() !== '', 'title must not be empty');
  return {
    trackId: matching(r.trackId, TRACK_ID_PATTERN, 'trackId'),
    title,
    artist: text(r.artist, 'artist'),
    album: text(r.album, 'album'),
    durationSec: num(r.durationSec, Number.MIN_VALUE, MAX_DURATION_SEC, 'durationSec'),
  };
}

/** Decode an untrusted list of catalog entries. */
export function decodeCatalog(v: unknown): Decoded<CatalogEntry[]> {
  return decode(() => list(v, 0, MAX_CATALOG_ENTRIES, 'tracks').map(entry));
}

export const catalogSchemas: { readonly catalog: Readonly<Record<string, FieldSpec>> } = {
  catalog: { tracks: fromDecoded(decodeCatalog) },
};
