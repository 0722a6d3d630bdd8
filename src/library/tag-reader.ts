/**
 * Reading title, artist, album and cover art from a file's tags with music-metadata, loaded on
 * first use (dynamic `import()`), so the parser is its own chunk and not in the first-load bundle.
 */

/** Tags found in a file; every field optional and untrusted (the caller cleans them). */
export interface TrackTags {
  readonly title?: string;
  readonly artist?: string;
  readonly album?: string;
  readonly cover?: { readonly mimeType: string; readonly bytes: Uint8Array };
}

/** Reads tags from `bytes` (a file of `mimeType`). Rejects when the tags cannot be parsed. */
export type ReadTags = (bytes: Uint8Array, mimeType: string) => Promise<TrackTags>;

/** Largest cover image kept; bigger ones are skipped (the track still imports). */
export const MAX_COVER_BYTES = 4 * 1000 * 1000;

/** music-metadata's `parseBuffer` (tags only: no duration scan), its most likely cover picked by `selectCover`. */
export const readTagsWithMusicMetadata: ReadTags = async (bytes, mimeType) => {
  const { parseBuffer, selectCover } = await import('music-metadata');
  const { common } = await parseBuffer(bytes, { mimeType, size: bytes.length }, { duration: false, skipPostHeaders: true });
  const picture = selectCover(common.picture);
  const cover =
    picture !== null && /^image\/[\w.+-]+$/i.test(picture.format) && picture.data.length > 0 && picture.data.length <= MAX_COVER_BYTES
      ? { mimeType: picture.format.toLowerCase(), bytes: picture.data }
      : undefined;
  return { title: common.title, artist: common.artist ?? common.albumartist, album: common.album, cover };
};
