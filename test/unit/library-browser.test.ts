import { expect } from '@open-wc/testing';
import { openBrowserLibrary } from '../../src/library/browser-library.js';
import { DEMO_TRACK_ID, DemoWorkerRenderer, renderDemoTrackOnMainThread } from '../../src/library/demo-track-render.js';
import { IdbKeyValueStore, MemoryKeyValueStore } from '../../src/library/key-value-store.js';
import { sha256Hex } from '../../src/library/sha256.js';
import { encodeWavPcm16 } from '../../src/media/wav.js';

/** Pinned in test/unit/demo-track.test.ts (DEMO_TRACK_SHA256); the library's copy must agree. */
const DEMO_TRACK_SHA256 = '67715e65125d6675df5f8263ff09021d3a8e47880eef60aff242069786f53dcf';

/** A fresh database (wtr also runs Chromium with a fresh profile; idb-keyval keeps connections open, so no deleteDatabase). */
const DB_NAME = `tutti-library-test-${Date.now()}-${Math.floor(Math.random() * 1e9)}`;

/** 0.5 s of a 440 Hz stereo tone at 22.05 kHz with INFO tags. */
function toneWav(): Uint8Array {
  const frames = 11025;
  const left = new Float32Array(frames);
  for (let i = 0; i < frames; i++) left[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / 22050);
  return encodeWavPcm16([left, left.slice()], 22050, { title: 'Test Tone', artist: 'Oscillator', album: 'Lab' });
}

describe('TrackLibrary in the browser (IndexedDB, Web Audio, music-metadata, Worker)', () => {
  it('imports a real WAV with its INFO tags and decoded duration, keeps it across a reopen, and refuses garbage', async () => {
    const library = await openBrowserLibrary(new IdbKeyValueStore(DB_NAME, 'tracks'));
    const wav = toneWav();
    const outcome = await library.importFile(new File([wav as Uint8Array<ArrayBuffer>], 'tone.wav', { type: 'audio/wav' }));
    expect(outcome.ok, outcome.ok ? '' : outcome.reason).to.equal(true);
    if (!outcome.ok) return;
    expect(outcome.track).to.deep.include({ title: 'Test Tone', artist: 'Oscillator', album: 'Lab', mimeType: 'audio/wav', sizeBytes: wav.length, source: 'file' });
    expect(outcome.track.durationSec).to.be.closeTo(0.5, 0.001);

    const garbage = new Uint8Array(4096).map((_, i) => (i * 7919) % 251);
    const refused = await library.importFile(new File([garbage], 'noise.mp3', { type: 'audio/mpeg' }));
    expect(refused).to.deep.equal({ ok: false, reason: '"noise.mp3" is not an audio file this browser can play.' });
    library.dispose();

    const reopened = await openBrowserLibrary(new IdbKeyValueStore(DB_NAME, 'tracks'));
    expect(reopened.tracks()).to.deep.equal([outcome.track]);
    expect(await reopened.readBytes(outcome.track.trackId)).to.deep.equal(wav);
    reopened.dispose();
  });

  it('renders the demo track in a worker, with progress, to the pinned content id', async () => {
    expect(DEMO_TRACK_ID).to.equal(DEMO_TRACK_SHA256);
    const library = await openBrowserLibrary(new MemoryKeyValueStore());
    const fractions: number[] = [];
    const startMs = performance.now();
    const track = await library.ensureDemoTrack((phase, fraction) => {
      if (phase === 'generating') fractions.push(fraction);
    });
    console.log(`demo track via worker: generated, hashed and stored in ${(performance.now() - startMs).toFixed(0)} ms`);
    expect(track).to.deep.include({ trackId: DEMO_TRACK_SHA256, title: 'Tutti Demo', artist: 'Tutti', album: 'Built-in', source: 'demo' });
    expect(fractions.length).to.be.greaterThan(10);
    expect(fractions.at(-1)).to.equal(1);
    expect([...fractions].sort((a, b) => a - b)).to.deep.equal(fractions);
    expect(library.has(DEMO_TRACK_SHA256)).to.equal(true);
  });

  it('the worker (started ahead) keeps the main thread free while rendering', async () => {
    const renderer = new DemoWorkerRenderer();
    renderer.warm();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const startMs = performance.now();
    const bytes = await renderer.render(() => undefined);
    renderer.dispose();
    const elapsedMs = performance.now() - startMs;
    clearInterval(timer);
    console.log(`demo track render in worker: ${elapsedMs.toFixed(0)} ms, ${ticks} main-thread timer ticks`);
    expect(bytes.length).to.be.greaterThan(30_000_000);
    expect(ticks).to.be.greaterThan(elapsedMs / 10 / 4);
  });

  it('the main-thread fallback renders the same bytes, yielding between slices', async () => {
    const fractions: number[] = [];
    const startMs = performance.now();
    const bytes = await renderDemoTrackOnMainThread((fraction) => fractions.push(fraction));
    console.log(`demo track render on the main thread: ${(performance.now() - startMs).toFixed(0)} ms in ${fractions.length + 1} slices`);
    expect(await sha256Hex(bytes)).to.equal(DEMO_TRACK_SHA256);
    expect(fractions.length).to.be.greaterThan(2);
  });
});
