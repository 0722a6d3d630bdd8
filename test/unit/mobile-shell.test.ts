import { expect } from '@open-wc/testing';
import { preferPlaybackAudioSession } from '../../src/shell/audio-session.js';
import { MediaKeepAlive, type KeepAliveElement } from '../../src/shell/media-keepalive.js';

/** A media element whose play() the test settles. */
class FakeElement implements KeepAliveElement {
  loop = false;
  src = '';
  paused = true;
  plays = 0;
  refuse = false;
  loads = 0;
  play(): Promise<void> {
    this.plays++;
    if (this.refuse) return Promise.reject(new Error('NotAllowedError: no user gesture'));
    this.paused = false;
    return Promise.resolve();
  }
  pause(): void {
    this.paused = true;
  }
  removeAttribute(name: string): void {
    if (name === 'src') this.src = '';
  }
  load(): void {
    this.loads++;
  }
}

describe('MediaKeepAlive', () => {
  it('loops a silent WAV, plays while playing and pauses otherwise', async () => {
    const element = new FakeElement();
    const keepAlive = new MediaKeepAlive(element);
    expect(element.loop).to.equal(true);
    const bytes = new Uint8Array(await (await fetch(element.src)).arrayBuffer());
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).to.equal('RIFF');
    expect(bytes.subarray(44).every((b) => b === 0), 'silent').to.equal(true);
    keepAlive.setPlaying(true);
    await Promise.resolve();
    expect(element.paused).to.equal(false);
    keepAlive.setPlaying(true);
    expect(element.plays, 'no second play() while playing').to.equal(1);
    keepAlive.setPlaying(false);
    expect(element.paused).to.equal(true);
    keepAlive.dispose();
    expect(element.src).to.equal('');
    expect(element.loads).to.equal(1);
  });

  it('keeps a refusal (no gesture yet) as lastError and tries again on the next call', async () => {
    const element = new FakeElement();
    element.refuse = true;
    const keepAlive = new MediaKeepAlive(element);
    keepAlive.setPlaying(true);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(keepAlive.lastError).to.match(/no user gesture/);
    element.refuse = false;
    keepAlive.setPlaying(true);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(element.paused).to.equal(false);
    expect(keepAlive.lastError).to.equal(null);
    keepAlive.dispose();
  });
});

describe('preferPlaybackAudioSession', () => {
  it("sets the 'playback' type where the API exists, and does nothing elsewhere", () => {
    const session = { type: 'auto' };
    expect(preferPlaybackAudioSession({ audioSession: session } as unknown as Navigator)).to.equal(true);
    expect(session.type).to.equal('playback');
    expect(preferPlaybackAudioSession({} as Navigator)).to.equal(false);
  });
});
