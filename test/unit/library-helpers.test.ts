import { expect } from '@open-wc/testing';
import { audioMimeType, isQuotaError, sniffAudioMimeType } from '../../src/sync/library-format.js';
import { bytesKey, parseKey, parseStoredCover, partialChunkKey, partialProgressKey, trackKey } from '../../src/sync/library-keys.js';
import { foldForSearch, searchTracks } from '../../src/sync/library-search.js';
import { cleanTagText, compareTracks, formatBytes, formatDuration, MAX_TAG_CHARS, parseLibraryTrack, titleFromFileName, type LibraryTrack } from '../../src/sync/library-track.js';

const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);

function track(overrides: Partial<LibraryTrack>): LibraryTrack {
  return { trackId: ID_A, title: 'Song', artist: '', album: '', durationSec: 60, sizeBytes: 1000, mimeType: 'audio/mpeg', addedAtMs: 1, source: 'file', hasCover: false, ...overrides };
}

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('library helpers', () => {
  it('cleans tag text: trims, flattens whitespace and control characters, caps without splitting a surrogate pair', () => {
    expect(cleanTagText('  Hello \n\t World\u0000 ')).to.equal('Hello World');
    expect(cleanTagText(42)).to.equal('');
    expect(cleanTagText('x'.repeat(500))).to.have.length(MAX_TAG_CHARS);
    const emoji = `${'x'.repeat(MAX_TAG_CHARS - 1)}😀`;
    expect(cleanTagText(emoji)).to.equal('x'.repeat(MAX_TAG_CHARS - 1));
  });

  it('derives a title from a file name', () => {
    expect(titleFromFileName('music/Artist - Song.mp3')).to.equal('Artist - Song');
    expect(titleFromFileName('C:\\x\\.hidden')).to.equal('.hidden');
    expect(titleFromFileName('noext')).to.equal('noext');
    expect(titleFromFileName(undefined)).to.equal('');
  });

  it('formats durations and sizes', () => {
    expect(formatDuration(0)).to.equal('0:00');
    expect(formatDuration(65.9)).to.equal('1:05');
    expect(formatDuration(3725)).to.equal('1:02:05');
    expect(formatDuration(Number.NaN)).to.equal('–:––');
    expect(formatBytes(200_000_000)).to.equal('200 MB');
    expect(formatBytes(1_500_000)).to.equal('1.5 MB');
    expect(formatBytes(830_400)).to.equal('830 kB');
    expect(formatBytes(12)).to.equal('12 bytes');
  });

  it('searches case- and diacritics-insensitively; every word must match title, artist or album', () => {
    const tracks = [
      track({ trackId: ID_A, title: 'Crazy in Love', artist: 'Beyoncé', album: 'Dangerously in Love' }),
      track({ trackId: ID_B, title: 'Ace of Spades', artist: 'Motörhead', album: 'Ace of Spades' }),
    ];
    expect(foldForSearch('ÉCOLE ﬁn')).to.equal('ecole fin');
    expect(searchTracks(tracks, 'beyonce').map((t) => t.trackId)).to.deep.equal([ID_A]);
    expect(searchTracks(tracks, 'MOTORHEAD spades').map((t) => t.trackId)).to.deep.equal([ID_B]);
    expect(searchTracks(tracks, 'love motorhead')).to.deep.equal([]);
    expect(searchTracks(tracks, '  ')).to.equal(tracks);
    expect(searchTracks(tracks, 'in love').map((t) => t.trackId)).to.deep.equal([ID_A]);
  });

  it('orders tracks by addedAtMs, then title, then id', () => {
    const list = [track({ trackId: ID_B, title: 'B', addedAtMs: 2 }), track({ trackId: ID_A, title: 'Z', addedAtMs: 1 }), track({ trackId: ID_A, title: 'A', addedAtMs: 2 })];
    expect([...list].sort(compareTracks).map((t) => t.title)).to.deep.equal(['Z', 'A', 'B']);
  });

  it('validates stored records, dropping malformed ones', () => {
    const good = track({});
    expect(parseLibraryTrack({ ...good, extra: 1 })).to.deep.equal(good);
    expect(parseLibraryTrack({ ...good, title: '   ' })?.title).to.equal('Untitled');
    for (const bad of [null, 'x', { ...good, trackId: 'A'.repeat(64) }, { ...good, durationSec: 0 }, { ...good, sizeBytes: 0 }, { ...good, source: 'web' }, { ...good, hasCover: 1 }]) {
      expect(parseLibraryTrack(bad)).to.equal(undefined);
    }
    const hostile = new Proxy({}, { get: () => { throw new Error('boom'); } });
    expect(parseLibraryTrack(hostile)).to.equal(undefined);
  });

  it('names and parses storage keys', () => {
    expect(parseKey(trackKey(ID_A))).to.deep.equal({ kind: 'track', trackId: ID_A });
    expect(parseKey(bytesKey(ID_A))).to.deep.equal({ kind: 'bytes', trackId: ID_A });
    expect(parseKey(partialChunkKey(ID_B, 3))).to.deep.equal({ kind: 'partial', trackId: ID_B });
    expect(parseKey(partialProgressKey(ID_B))).to.deep.equal({ kind: 'partial', trackId: ID_B });
    for (const other of [`track:${ID_A}x`, 'device', 7, `partial:${ID_A}`, `bytes:${'A'.repeat(64)}`]) expect(parseKey(other)).to.equal(undefined);
    expect(parseStoredCover({ mimeType: 'image/png', bytes: new Uint8Array(1) })?.mimeType).to.equal('image/png');
    expect(parseStoredCover({ mimeType: 'text/html', bytes: new Uint8Array(1) })).to.equal(undefined);
  });

  it('sniffs audio containers, then trusts an audio/* declared type, then the extension', () => {
    expect(sniffAudioMimeType(ascii('RIFF\0\0\0\0WAVEfmt '))).to.equal('audio/wav');
    expect(sniffAudioMimeType(ascii('fLaC'))).to.equal('audio/flac');
    expect(sniffAudioMimeType(ascii('OggS'))).to.equal('audio/ogg');
    expect(sniffAudioMimeType(ascii('ID3\u0004'))).to.equal('audio/mpeg');
    expect(sniffAudioMimeType(ascii('\0\0\0\u0020ftypM4A '))).to.equal('audio/mp4');
    expect(sniffAudioMimeType(new Uint8Array([0xff, 0xfb, 0x90]))).to.equal('audio/mpeg');
    expect(sniffAudioMimeType(new Uint8Array([0xff, 0xf1, 0x50]))).to.equal('audio/aac');
    expect(sniffAudioMimeType(ascii('hello'))).to.equal(undefined);
    expect(audioMimeType(ascii('hello'), 'audio/x-custom', 'a.mp3')).to.equal('audio/x-custom');
    expect(audioMimeType(ascii('hello'), 'text/plain', 'a.OPUS')).to.equal('audio/ogg');
    expect(audioMimeType(ascii('hello'), '', 'a.txt')).to.equal('application/octet-stream');
  });

  it('recognises quota errors, bare or wrapped', () => {
    expect(isQuotaError(new DOMException('full', 'QuotaExceededError'))).to.equal(true);
    expect(isQuotaError({ name: 'AbortError', inner: { name: 'NS_ERROR_DOM_QUOTA_REACHED' } })).to.equal(true);
    expect(isQuotaError(new Error('write failed', { cause: new DOMException('x', 'QuotaExceededError') }))).to.equal(true);
    expect(isQuotaError(new Error('The quota has been exceeded.'))).to.equal(true);
    expect(isQuotaError(new DOMException('nope', 'AbortError'))).to.equal(false);
    expect(isQuotaError(undefined)).to.equal(false);
    const loop: { name: string; cause?: unknown } = { name: 'Error' };
    loop.cause = loop;
    expect(isQuotaError(loop)).to.equal(false);
  });
});
