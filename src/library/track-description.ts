/**
 * Describing an imported file: the decode check (is it audio this browser plays, how long) and
 * its tags, cleaned into a `LibraryTrack`. A file that does not decode is refused; unreadable tags
 * are not fatal (the title falls back to the file name).
 */
import { audioMimeType } from '../sync/library-format.js';
import { cleanTagText, titleFromFileName, UNTITLED, type LibraryTrack, type LibrarySource } from '../sync/library-track.js';
import type { ProbeAudio } from './audio-probe.js';
import { ImportPhase, notAudio, type ImportProgress } from './import-steps.js';
import type { ReadTags, TrackTags } from './tag-reader.js';

/** What is known about a file before it is described. */
export interface ImportSubject {
  /** Name used in messages. */
  readonly name: string;
  readonly fileName: string | undefined;
  /** MIME type the file claimed ('' when none). */
  readonly declaredType: string;
  readonly source: Exclude<LibrarySource, 'demo'>;
}

/** Services and clock for `describeTrack`. */
export interface DescribeServices {
  readonly probeAudio: ProbeAudio;
  readonly readTags: ReadTags;
  /** `addedAtMs` of the new track, epoch ms. */
  readonly nowMs: number;
}

export type Description = { ok: true; track: LibraryTrack; cover: TrackTags['cover'] } | { ok: false; reason: string };

/** Decode check, then tags. Never rejects. */
export async function describeTrack(bytes: Uint8Array, trackId: string, subject: ImportSubject, services: DescribeServices, onProgress?: ImportProgress): Promise<Description> {
  const mimeType = audioMimeType(bytes, subject.declaredType, subject.fileName);
  let durationSec: number;
  try {
    onProgress?.(ImportPhase.decoding, 0);
    durationSec = (await services.probeAudio(bytes)).durationSec;
    if (!(durationSec > 0) || !Number.isFinite(durationSec)) throw new Error(`bad duration ${durationSec}`);
    onProgress?.(ImportPhase.decoding, 1);
  } catch {
    return { ok: false, reason: notAudio(subject.name) };
  }
  let tags: TrackTags = {};
  try {
    onProgress?.(ImportPhase.tags, 0);
    tags = await services.readTags(bytes, mimeType);
    onProgress?.(ImportPhase.tags, 1);
  } catch (error) {
    console.warn(`[tutti] library: no tags read from "${subject.name}"`, error);
  }
  const cover = tags.cover !== undefined && tags.cover.bytes instanceof Uint8Array && /^image\/[\w.+-]+$/.test(tags.cover.mimeType) ? tags.cover : undefined;
  const track: LibraryTrack = Object.freeze({
    trackId,
    title: cleanTagText(tags.title) || titleFromFileName(subject.fileName) || UNTITLED,
    artist: cleanTagText(tags.artist),
    album: cleanTagText(tags.album),
    durationSec,
    sizeBytes: bytes.length,
    mimeType,
    addedAtMs: services.nowMs,
    source: subject.source,
    hasCover: cover !== undefined,
  });
  return { ok: true, track, cover };
}
