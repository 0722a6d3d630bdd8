import { expect } from '@open-wc/testing';
import { DEFAULT_SEEK_OFFSET_SEC, mediaActionCommand, nowPlaying } from '../../src/sync/media-controls.js';
import { newZone, type ZoneState } from '../../src/sync/play-state.js';
import { backgroundWarning, isAppleMobile } from '../../src/sync/background-risk.js';

const T1 = { trackId: 'a'.repeat(64), title: 'One', artist: 'Band', durationSec: 200 };
const T2 = { trackId: 'b'.repeat(64), title: 'Two', artist: 'Band', durationSec: 100 };

/** A zone playing T1 from 30 s at shared time 10 000 ms (so at 20 000 ms it is at 40 s). */
function playing(): ZoneState {
  return { ...newZone('main'), members: ['s1'], queue: [T1, T2], currentIndex: 0, status: 'playing', startSharedMs: 10_000, startPositionSec: 30, revision: 3 };
}
const paused = (): ZoneState => ({ ...playing(), status: 'paused', pausedPositionSec: 50 });
const stopped = (): ZoneState => ({ ...playing(), status: 'stopped', currentIndex: 0, startSharedMs: 0, startPositionSec: 0 });

describe('nowPlaying', () => {
  it('shows the current track with its position extrapolated on the shared clock', () => {
    expect(nowPlaying(playing(), 20_000)).to.deep.equal({ trackId: T1.trackId, title: 'One', artist: 'Band', durationSec: 200, positionSec: 40, status: 'playing' });
  });
  it('shows the pause position when paused, nothing when stopped or without a zone', () => {
    expect(nowPlaying(paused(), 99_000)?.positionSec).to.equal(50);
    expect(nowPlaying(paused(), 99_000)?.status).to.equal('paused');
    expect(nowPlaying(stopped(), 20_000)).to.equal(null);
    expect(nowPlaying(null, 20_000)).to.equal(null);
  });
  it('never reports a position past the end of the track', () => {
    expect(nowPlaying(playing(), 10_000 + 500_000)?.positionSec).to.equal(200);
  });
});

describe('mediaActionCommand', () => {
  it('maps play/pause to resume/pause according to the zone, and ignores no-ops', () => {
    expect(mediaActionCommand('pause', playing(), 20_000)).to.deep.equal({ type: 'pause' });
    expect(mediaActionCommand('pause', paused(), 20_000)).to.equal(null);
    expect(mediaActionCommand('play', paused(), 20_000)).to.deep.equal({ type: 'resume' });
    expect(mediaActionCommand('play', playing(), 20_000)).to.equal(null);
    expect(mediaActionCommand('play', stopped(), 20_000)).to.deep.equal({ type: 'play' });
    expect(mediaActionCommand('play', newZone('empty'), 20_000)).to.equal(null);
    expect(mediaActionCommand('play', null, 20_000)).to.equal(null);
  });
  it('maps next/previous/stop', () => {
    expect(mediaActionCommand('nexttrack', playing(), 0)).to.deep.equal({ type: 'next' });
    expect(mediaActionCommand('previoustrack', paused(), 0)).to.deep.equal({ type: 'previous' });
    expect(mediaActionCommand('nexttrack', newZone('empty'), 0)).to.equal(null);
    expect(mediaActionCommand('stop', playing(), 0)).to.deep.equal({ type: 'stop' });
    expect(mediaActionCommand('stop', stopped(), 0)).to.equal(null);
  });
  it('seeks to a time, clamps before 0, and treats the end as next', () => {
    expect(mediaActionCommand('seekto', playing(), 20_000, { seekTimeSec: 120.5 })).to.deep.equal({ type: 'seek', positionSec: 120.5 });
    expect(mediaActionCommand('seekto', paused(), 20_000, { seekTimeSec: 200 })).to.deep.equal({ type: 'next' });
    expect(mediaActionCommand('seekto', playing(), 20_000, {})).to.equal(null);
    expect(mediaActionCommand('seekto', stopped(), 20_000, { seekTimeSec: 5 })).to.equal(null);
  });
  it('skips backward and forward from the current position by the offset or the default', () => {
    expect(mediaActionCommand('seekforward', playing(), 20_000, { seekOffsetSec: 5 })).to.deep.equal({ type: 'seek', positionSec: 45 });
    expect(mediaActionCommand('seekbackward', playing(), 20_000)).to.deep.equal({ type: 'seek', positionSec: 40 - DEFAULT_SEEK_OFFSET_SEC });
    expect(mediaActionCommand('seekbackward', paused(), 0, { seekOffsetSec: 80 })).to.deep.equal({ type: 'seek', positionSec: 0 });
    expect(mediaActionCommand('seekforward', paused(), 0, { seekOffsetSec: 150 })).to.deep.equal({ type: 'next' });
  });
});

describe('backgroundWarning', () => {
  const desktop = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36';
  const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
  const ipad = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
  const android = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36';
  const facts = (userAgent: string, maxTouchPoints = 0, wakeLockSupported = true, stoppedInBackground = false) => ({ userAgent, maxTouchPoints, wakeLockSupported, stoppedInBackground });

  it('says nothing on a desktop or an Android phone with Wake Lock', () => {
    expect(backgroundWarning(facts(desktop))).to.equal(null);
    expect(backgroundWarning(facts(android, 5))).to.equal(null);
  });
  it('warns on iPhone and iPadOS (a Mac user agent with touch), not on a Mac', () => {
    expect(isAppleMobile(ipad, 5)).to.equal(true);
    expect(isAppleMobile(ipad, 0)).to.equal(false);
    expect(backgroundWarning(facts(iphone, 5))).to.match(/screen locks/);
    expect(backgroundWarning(facts(ipad, 5))).to.match(/iPhone and iPad/);
  });
  it('warns on a mobile without Wake Lock, and reports an observed stop above all', () => {
    expect(backgroundWarning(facts(android, 5, false))).to.match(/cannot keep the screen awake/);
    expect(backgroundWarning(facts(desktop, 0, true, true))).to.match(/stopped Tutti while it was in the background/);
  });
});
