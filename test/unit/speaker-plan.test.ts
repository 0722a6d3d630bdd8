import { expect } from '@open-wc/testing';
import { newZone, type ZoneState } from '../../src/sync/play-state.js';
import { planForZone, sanitizeSettings, tracksToFetch, DEFAULT_SPEAKER_SETTINGS } from '../../src/sync/speaker-plan.js';

const entry = (c: string, durationSec = 100) => ({ trackId: c.repeat(64), title: c, artist: '', durationSec });

function zone(over: Partial<ZoneState>): ZoneState {
  return { ...newZone('room'), members: ['aaaaaa'], queue: [entry('a'), entry('b', 50), entry('c')], ...over };
}

describe('planForZone', () => {
  it('is silent without a zone, when stopped, or with no current entry', () => {
    expect(planForZone(null, DEFAULT_SPEAKER_SETTINGS)).to.equal(null);
    expect(planForZone(zone({ status: 'stopped', currentIndex: 0 }), DEFAULT_SPEAKER_SETTINGS)).to.equal(null);
  });

  it('carries the schedule of the current entry and the gain of zone × speaker', () => {
    const plan = planForZone(zone({ status: 'playing', currentIndex: 1, startSharedMs: 5000, startPositionSec: 3, volume: 0.5 }), { volume: 0.4, muted: false });
    expect(plan).to.deep.equal({
      zoneId: 'room', trackId: 'b'.repeat(64), status: 'playing', startSharedMs: 5000, startPositionSec: 3,
      pausedPositionSec: 0, durationSec: 50, gain: 0.2, channel: 'both',
    });
    expect(planForZone(zone({ status: 'paused', currentIndex: 0, pausedPositionSec: 7 }), { volume: 1, muted: true })?.gain).to.equal(0);
    expect(planForZone(zone({ status: 'playing', currentIndex: 1 }), { volume: 1, muted: false }, 'left')?.channel, 'a stereo pair half').to.equal('left');
  });
});

describe('tracksToFetch', () => {
  it('is the current entry and the next one', () => {
    expect(tracksToFetch(zone({ status: 'playing', currentIndex: 1 }))).to.deep.equal(['b'.repeat(64), 'c'.repeat(64)]);
    expect(tracksToFetch(zone({ currentIndex: 2 }))).to.deep.equal(['c'.repeat(64)]);
    expect(tracksToFetch(zone({ currentIndex: -1 }))).to.deep.equal([]);
  });
});

describe('sanitizeSettings', () => {
  it('keeps valid values and replaces bad ones with defaults', () => {
    expect(sanitizeSettings({ volume: 0.3, muted: true, trimMs: -12.5 })).to.deep.equal({ volume: 0.3, muted: true, trimMs: -12.5 });
    expect(sanitizeSettings({ volume: 3, muted: 'yes', trimMs: 1e9 })).to.deep.equal(DEFAULT_SPEAKER_SETTINGS);
    expect(sanitizeSettings(undefined)).to.deep.equal(DEFAULT_SPEAKER_SETTINGS);
  });
});
