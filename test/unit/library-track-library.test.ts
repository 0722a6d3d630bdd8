import { expect } from '@open-wc/testing';
import type { ProbeAudio } from '../../src/library/audio-probe.js';
import { DEMO_TRACK_ID, type RenderDemoTrack } from '../../src/library/demo-track-render.js';
import { MemoryKeyValueStore, type KeyValueStore } from '../../src/library/key-value-store.js';
import { sha256Hex } from '../../src/library/sha256.js';
import type { ReadTags, TrackTags } from '../../src/library/tag-reader.js';
import { TrackLibrary, type ImportPhase, type TrackLibraryOptions } from '../../src/library/track-library.js';
import { bytesKey, trackKey } from '../../src/sync/library-keys.js';
import { MAX_TRACK_BYTES } from '../../src/sync/track-manifest.js';

/**
 * Fake audio format: "AUDIO" + JSON `{ durationSec, tags }`. The fake probe decodes only that; the
 * fake tag reader returns `tags` (cover bytes given as a number array).
 */
function fakeAudio(durationSec: number, tags: Record<string, unknown> = {}, salt = ''): Uint8Array {
  return new TextEncoder().encode(`AUDIO${JSON.stringify({ durationSec, tags, salt })}`);
}
function fakePayload(bytes: Uint8Array): { durationSec: number; tags: Record<string, unknown> } {
  const text = new TextDecoder().decode(bytes);
  if (!text.startsWith('AUDIO')) throw new Error('EncodingError: unable to decode');
  return JSON.parse(text.slice(5)) as { durationSec: number; tags: Record<string, unknown> };
}
const fakeProbe: ProbeAudio = async (bytes) => ({ durationSec: fakePayload(bytes).durationSec });
const fakeTags: ReadTags = async (bytes) => {
  const { tags } = fakePayload(bytes);
  const cover = Array.isArray(tags.cover) ? { mimeType: 'image/png', bytes: new Uint8Array(tags.cover as number[]) } : undefined;
  return { ...tags, cover } as TrackTags;
};
const file = (bytes: Uint8Array, name: string, type = ''): File => new File([bytes as Uint8Array<ArrayBuffer>], name, { type });

/** Store whose writes fail with `error` while `failing` is set (e.g. a full disk). */
class FailingStore extends MemoryKeyValueStore {
  failing = false;
  constructor(private readonly error: unknown) {
    super();
  }
  override async setMany(entries: readonly (readonly [string, unknown])[]): Promise<void> {
    if (this.failing) throw this.error;
    return super.setMany(entries);
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => undefined, (error: unknown) => error);
}

interface Harness {
  library: TrackLibrary;
  store: KeyValueStore;
  changes: () => number;
  demoRenders: () => number;
}

async function openLibrary(store: KeyValueStore = new MemoryKeyValueStore(), extra: Partial<TrackLibraryOptions> = {}): Promise<Harness> {
  let renders = 0;
  let clockMs = 1_000;
  const renderDemo: RenderDemoTrack = async (onProgress) => {
    renders++;
    onProgress(0.5);
    await Promise.resolve();
    onProgress(1);
    return fakeAudio(180, { title: 'ignored' }, 'demo');
  };
  const library = await TrackLibrary.open({ store, hash: sha256Hex, probeAudio: fakeProbe, readTags: fakeTags, renderDemo, nowMs: () => clockMs++, ...extra });
  let changes = 0;
  library.addEventListener('change', () => changes++);
  return { library, store, changes: () => changes, demoRenders: () => renders };
}

describe('TrackLibrary (memory storage, fake decoder)', () => {
  it('imports a file: hashes it, decodes, reads tags and cover, stores, lists and reports progress', async () => {
    const { library, changes } = await openLibrary();
    const bytes = fakeAudio(125.5, { title: '  Blue  Song ', artist: 'Ann', album: 'Sea', cover: [1, 2, 3] });
    const phases: ImportPhase[] = [];
    const outcome = await library.importFile(file(bytes, 'blue.mp3', 'audio/mpeg'), (phase) => {
      if (phases.at(-1) !== phase) phases.push(phase);
    });
    expect(outcome.ok).to.equal(true);
    if (!outcome.ok) return;
    expect(outcome.duplicate).to.equal(false);
    expect(outcome.track).to.deep.include({ trackId: await sha256Hex(bytes), title: 'Blue Song', artist: 'Ann', album: 'Sea', durationSec: 125.5, sizeBytes: bytes.length, mimeType: 'audio/mpeg', source: 'file', hasCover: true });
    expect(phases).to.deep.equal(['reading', 'hashing', 'decoding', 'tags', 'storing']);
    expect(library.tracks()).to.deep.equal([outcome.track]);
    expect(library.has(outcome.track.trackId)).to.equal(true);
    expect(changes()).to.equal(1);
    expect(await library.readBytes(outcome.track.trackId)).to.deep.equal(bytes);
    const cover = await library.cover(outcome.track.trackId);
    expect(cover?.type).to.equal('image/png');
    expect(new Uint8Array(await cover!.arrayBuffer())).to.deep.equal(new Uint8Array([1, 2, 3]));
  });

  it('falls back to the file name for the title, empty artist/album; trims and caps tags at 200 chars', async () => {
    const { library } = await openLibrary();
    const plain = await library.importFile(file(fakeAudio(3), 'My Track.final.ogg'));
    expect(plain.ok && plain.track).to.deep.include({ title: 'My Track.final', artist: '', album: '', hasCover: false });
    const long = await library.importFile(file(fakeAudio(3, { title: 'x'.repeat(300), artist: ` ${'y'.repeat(250)}` }), 'long.wav'));
    expect(long.ok && long.track.title.length).to.equal(200);
    expect(long.ok && long.track.artist).to.equal('y'.repeat(200));
    expect(await library.cover(long.ok ? long.track.trackId : '')).to.equal(undefined);
  });

  it('recognises a duplicate (same bytes, any name) without storing or announcing it again', async () => {
    const { library, changes } = await openLibrary();
    const bytes = fakeAudio(10, { title: 'Once' });
    const first = await library.importFile(file(bytes, 'a.mp3'));
    const [second, third] = await Promise.all([library.importFile(file(bytes, 'b.mp3')), library.importFile(file(bytes, 'c.mp3'))]);
    expect(second).to.deep.equal({ ok: true, track: first.ok && first.track, duplicate: true });
    expect(third).to.deep.equal(second);
    expect(library.tracks()).to.have.length(1);
    expect(changes()).to.equal(1);
  });

  it('shares one import between concurrent imports of the same bytes', async () => {
    const { library } = await openLibrary();
    const bytes = fakeAudio(10);
    const outcomes = await Promise.all([library.importFile(file(bytes, 'a.mp3')), library.importFile(file(bytes, 'a.mp3'))]);
    expect(outcomes.map((o) => o.ok && o.duplicate)).to.deep.equal([false, true]);
    expect(library.tracks()).to.have.length(1);
  });

  it('refuses a file the browser cannot decode, naming it, and stores nothing', async () => {
    const { library, store, changes } = await openLibrary();
    const outcome = await library.importFile(file(new TextEncoder().encode('hello, not music'), 'x.txt', 'text/plain'));
    expect(outcome).to.deep.equal({ ok: false, reason: '"x.txt" is not an audio file this browser can play.' });
    expect(await store.keys()).to.deep.equal([]);
    expect(library.tracks()).to.deep.equal([]);
    expect(changes()).to.equal(0);
  });

  it('refuses empty files and files over MAX_TRACK_BYTES before reading them', async () => {
    const { library } = await openLibrary();
    const huge = { size: MAX_TRACK_BYTES + 1, name: 'huge.flac', type: 'audio/flac', stream: () => { throw new Error('must not be read'); } } as unknown as File;
    const tooLarge = await library.importFile(huge);
    expect(tooLarge.ok).to.equal(false);
    expect(!tooLarge.ok && tooLarge.reason).to.equal('"huge.flac" is 200 MB; the largest track Tutti accepts is 200 MB.');
    expect(await library.importFile(file(new Uint8Array(0), 'empty.mp3'))).to.deep.equal({ ok: false, reason: '"empty.mp3" is empty.' });
  });

  it('turns a quota error into "Storage is full" and leaves no half-written track', async () => {
    for (const error of [new DOMException('Quota exceeded', 'QuotaExceededError'), { name: 'AbortError', inner: { name: 'NS_ERROR_DOM_QUOTA_REACHED' } }]) {
      const store = new FailingStore(error);
      const { library, changes } = await openLibrary(store);
      store.failing = true;
      const bytes = fakeAudio(10, { cover: [9] });
      const outcome = await library.importFile(file(bytes, 'big.mp3'));
      expect(outcome.ok).to.equal(false);
      expect(!outcome.ok && outcome.reason).to.match(/^Storage is full: "big\.mp3"/);
      expect(await store.keys()).to.deep.equal([]);
      expect(library.tracks()).to.deep.equal([]);
      expect(changes()).to.equal(0);
      store.failing = false;
      expect((await library.importFile(file(bytes, 'big.mp3'))).ok).to.equal(true);
    }
  });

  it('reports other storage errors as such', async () => {
    const store = new FailingStore(new DOMException('disk on fire', 'UnknownError'));
    const { library } = await openLibrary(store);
    store.failing = true;
    expect(await library.importFile(file(fakeAudio(1), 'a.mp3'))).to.deep.equal({ ok: false, reason: 'Could not save "a.mp3": disk on fire' });
  });

  it('searches title, artist and album ignoring case and diacritics; all words must match', async () => {
    const { library } = await openLibrary();
    await library.importFile(file(fakeAudio(1, { title: 'Déjà Vu', artist: 'Beyoncé', album: 'B’Day' }), 'a.mp3'));
    await library.importFile(file(fakeAudio(1, { title: 'Ace of Spades', artist: 'Motörhead' }), 'b.mp3'));
    expect(library.search('deja beyonce').map((t) => t.title)).to.deep.equal(['Déjà Vu']);
    expect(library.search('MOTORHEAD').map((t) => t.title)).to.deep.equal(['Ace of Spades']);
    expect(library.search('deja motorhead')).to.deep.equal([]);
    expect(library.search('')).to.have.length(2);
  });

  it('removes a track with its bytes, cover and partial data', async () => {
    const { library, store, changes } = await openLibrary();
    const outcome = await library.importFile(file(fakeAudio(1, { cover: [1] }), 'a.mp3'));
    const trackId = outcome.ok ? outcome.track.trackId : '';
    await library.savePartialProgress(trackId, { stale: true });
    await library.remove(trackId);
    expect(library.has(trackId)).to.equal(false);
    expect(library.tracks()).to.deep.equal([]);
    expect(await library.readBytes(trackId)).to.equal(undefined);
    expect(await store.keys()).to.deep.equal([]);
    expect(changes()).to.equal(2);
    await library.remove(trackId);
    expect(changes()).to.equal(2);
  });

  it('keeps partial download chunks and progress across a reopen, and drops them on request', async () => {
    const { library, store } = await openLibrary();
    const trackId = 'c'.repeat(64);
    const progress = { trackId, chunkCount: 3, doneBitmap: new Uint8Array([0b101]) };
    await library.savePartialChunk(trackId, 0, new Uint8Array([1, 2]));
    await library.savePartialChunk(trackId, 2, new Uint8Array([7, 8, 9]).subarray(1));
    await library.savePartialProgress(trackId, progress);
    library.dispose();
    const reopened = (await openLibrary(store)).library;
    expect(await reopened.loadPartialChunk(trackId, 0)).to.deep.equal(new Uint8Array([1, 2]));
    expect(await reopened.loadPartialChunk(trackId, 2)).to.deep.equal(new Uint8Array([8, 9]));
    expect(await reopened.loadPartialChunk(trackId, 1)).to.equal(undefined);
    expect(await reopened.loadPartialProgress(trackId)).to.deep.equal(progress);
    await reopened.dropPartial(trackId);
    expect(await reopened.loadPartialChunk(trackId, 0)).to.equal(undefined);
    expect(await reopened.loadPartialProgress(trackId)).to.equal(undefined);
    expect(await store.keys()).to.deep.equal([]);
    expect(await rejection(reopened.savePartialChunk('nope', 0, new Uint8Array(1)))).to.be.instanceOf(RangeError);
    expect(await rejection(reopened.loadPartialChunk(trackId, 1.5))).to.be.instanceOf(RangeError);
  });

  it('imports peer bytes only when they hash to the expected id, then drops the partial download', async () => {
    const { library } = await openLibrary();
    const bytes = fakeAudio(42, { title: 'From a peer' });
    const trackId = await sha256Hex(bytes);
    await library.savePartialChunk(trackId, 0, bytes.subarray(0, 4));
    const wrong = await library.importBytes(bytes, 'peer', 'd'.repeat(64), 'song.mp3');
    expect(wrong.ok).to.equal(false);
    expect(!wrong.ok && wrong.reason).to.contain('does not match');
    expect(await library.importBytes(bytes, 'peer', 'not-an-id')).to.deep.equal({ ok: false, reason: '"downloaded track" has an invalid track id.' });
    const corrupt = new TextEncoder().encode('garbage');
    expect((await library.importBytes(corrupt, 'peer', await sha256Hex(corrupt), 'g.mp3')).ok).to.equal(false);
    const outcome = await library.importBytes(bytes, 'peer', trackId);
    expect(outcome.ok && outcome.track).to.deep.include({ trackId, title: 'From a peer', source: 'peer', durationSec: 42 });
    expect(await library.loadPartialChunk(trackId, 0)).to.equal(undefined);
  });

  it('reloads the index from storage and clears what a crash left half-written', async () => {
    const { library, store } = await openLibrary();
    const outcome = await library.importFile(file(fakeAudio(5, { title: 'Kept' }), 'a.mp3'));
    const trackId = outcome.ok ? outcome.track.trackId : '';
    const orphanId = 'e'.repeat(64);
    const byteless = 'f'.repeat(64);
    await store.setMany([
      [bytesKey(orphanId), new Uint8Array(3)],
      [trackKey(byteless), { ...(outcome.ok ? outcome.track : {}), trackId: byteless }],
      [trackKey('1'.repeat(64)), { junk: true }],
      [`partial:${trackId}:chunk:0`, new Uint8Array(1)],
      ['someone-else', 1],
    ]);
    const reopened = (await openLibrary(store)).library;
    expect(reopened.tracks().map((t) => t.title)).to.deep.equal(['Kept']);
    expect((await store.keys()).sort()).to.deep.equal([bytesKey(trackId), 'someone-else', trackKey(trackId)].sort());
  });

  it('generates the demo track once for concurrent callers, with progress to each, and keeps it', async () => {
    const demoTrackId = await sha256Hex(fakeAudio(180, { title: 'ignored' }, 'demo'));
    const { library, demoRenders, store } = await openLibrary(new MemoryKeyValueStore(), { demoTrackId });
    const seen: [string, string][] = [];
    const [a, b] = await Promise.all([
      library.ensureDemoTrack((phase) => seen.push(['a', phase])),
      library.ensureDemoTrack((phase) => seen.push(['b', phase])),
    ]);
    expect(a).to.equal(b);
    expect(demoRenders()).to.equal(1);
    expect(a).to.deep.include({ title: 'Tutti Demo', artist: 'Tutti', album: 'Built-in', source: 'demo', mimeType: 'audio/wav', durationSec: 180 });
    expect(seen.filter(([who, phase]) => who === 'b' && phase === 'generating').length).to.be.greaterThan(0);
    expect(seen.some(([who, phase]) => who === 'a' && phase === 'storing')).to.equal(true);
    expect(library.tracks()).to.deep.equal([a]);
    expect(await library.ensureDemoTrack()).to.equal(a);
    expect(demoRenders()).to.equal(1);
    expect(a.trackId).to.equal(demoTrackId);
    expect(await (await openLibrary(store, { demoTrackId })).library.ensureDemoTrack()).to.deep.equal(a);
  });

  it('renders the demo once even when it hashes differently from the expected id', async () => {
    const { library, demoRenders } = await openLibrary(new MemoryKeyValueStore(), { demoTrackId: DEMO_TRACK_ID });
    const first = await library.ensureDemoTrack();
    expect(first.trackId).not.to.equal(DEMO_TRACK_ID);
    expect(await library.ensureDemoTrack()).to.equal(first);
    expect(demoRenders()).to.equal(1);
  });
});
