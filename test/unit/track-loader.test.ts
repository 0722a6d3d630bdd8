import { expect } from '@open-wc/testing';
import { QUICK_PART_SEC, TrackLoader } from '../../src/audio/track-loader.js';
import { audioEndSec } from '../../src/audio/track-audio.js';
import { encodeWavPcm16 } from '../../src/media/wav.js';

const RATE_HZ = 8_000;
const TRACK_SEC = 60;
/** A minute of a ramp that says where it is: sample i holds (i mod 8000) / 10000. */
const WAV = encodeWavPcm16([Float32Array.from({ length: RATE_HZ * TRACK_SEC }, (_, i) => (i % RATE_HZ) / 10_000)], RATE_HZ);

/**
 * A loader whose decode of the whole file waits for `release()` (parts decode at once), counting
 * the reads of the track's bytes.
 */
function heldLoader(bytes: Uint8Array) {
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const real = new OfflineAudioContext(1, RATE_HZ, RATE_HZ);
  const context = {
    decodeAudioData: async (data: ArrayBuffer): Promise<AudioBuffer> => {
      if (data.byteLength === bytes.byteLength) await held;
      return real.decodeAudioData(data);
    },
  } as unknown as BaseAudioContext;
  const counter = { reads: 0 };
  const loader = new TrackLoader(context, async () => {
    counter.reads++;
    return bytes;
  }, () => undefined);
  return { loader, release, counter };
}

describe('TrackLoader.quickPart', () => {
  it('decodes the part from the start position while the whole track still decodes, then gives way to the whole', async () => {
    const { loader, release, counter } = heldLoader(WAV);
    loader.want('t');
    expect(loader.audio).to.equal(null);
    await loader.quickPart('t', 30);
    const part = loader.audio!;
    expect(loader.state?.kind).to.equal('decoding');
    expect(counter.reads, 'the part shares the decode\'s read').to.equal(1);
    expect(part.startSec).to.be.within(29.7, 30);
    expect(audioEndSec(part)).to.be.closeTo(part.startSec + QUICK_PART_SEC, 0.01);
    expect(part.trackDurationSec).to.equal(TRACK_SEC);
    // Its first sample is the track's sample at its start position.
    const first = Math.round(part.startSec * RATE_HZ);
    expect(part.buffer.getChannelData(0)[0]).to.be.closeTo((first % RATE_HZ) / 10_000, 1e-4);
    release();
    await new Promise<void>((resolve) => {
      const poll = (): void => (loader.state?.kind === 'ready' ? resolve() : void setTimeout(poll, 10));
      poll();
    });
    expect(loader.audio!.startSec).to.equal(0);
    expect(loader.audio!.buffer.duration).to.be.closeTo(TRACK_SEC, 0.01);
    loader.dispose();
  });

  it('does nothing for a file that is not a sliceable WAV, a track not wanted, or one already decoded', async () => {
    const notWav = heldLoader(Uint8Array.from({ length: 4_000 }, (_, i) => i % 251));
    notWav.loader.want('t');
    await notWav.loader.quickPart('t', 1);
    expect(notWav.loader.audio).to.equal(null);
    await notWav.loader.quickPart('other', 1);
    expect(notWav.loader.audio).to.equal(null);
    notWav.loader.dispose();

    let reads = 0;
    const decoded = new TrackLoader(new OfflineAudioContext(1, RATE_HZ, RATE_HZ), async () => {
      reads++;
      return WAV;
    }, () => undefined);
    decoded.preload(['t']);
    while (!decoded.decodedTrackIds.includes('t')) await new Promise((resolve) => setTimeout(resolve, 10));
    decoded.want('t');
    await decoded.quickPart('t', 5);
    expect(reads, 'decoded ahead: no second read for a part').to.equal(1);
    while (decoded.state?.kind !== 'ready') await new Promise((resolve) => setTimeout(resolve, 10));
    expect(decoded.audio!.startSec).to.equal(0);
    decoded.dispose();
  });
});
