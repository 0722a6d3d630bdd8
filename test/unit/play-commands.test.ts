import { expect } from '@open-wc/testing';
import { advanceIfEnded, applyCommand, type CommandResult } from '../../src/sync/play-commands.js';
import { decodePlayState } from '../../src/sync/play-state-codec.js';
import {
  emptyRoomPlayState,
  zoneOfSpeaker,
  zonePositionSec,
  type PlayCommand,
  type QueueEntry,
  type RoomPlayState,
  type ZoneState,
} from '../../src/sync/play-state.js';
import { Rng } from '../sim/rng.js';

const track = (n: number, durationSec = 180): QueueEntry => ({
  trackId: n.toString(16).padStart(64, '0'),
  title: `Track ${n}`,
  artist: 'Tutti',
  durationSec,
});
const QUEUE = [track(1), track(2), track(3)];

/** Apply a command that must succeed. */
function run(state: RoomPlayState, command: PlayCommand, nowSharedMs: number, startLeadMs = 0): RoomPlayState {
  const result = applyCommand(state, command, { nowSharedMs, startLeadMs });
  expect(result.error, `${command.type} failed`).to.equal(undefined);
  return result.state;
}

/** Apply a command that must fail, leaving the very same state. */
function refuse(state: RoomPlayState, command: PlayCommand, nowSharedMs = 0): string {
  const result: CommandResult = applyCommand(state, command, { nowSharedMs, startLeadMs: 100 });
  expect(result.error, `${command.type} should fail`).to.be.a('string');
  expect(result.state).to.equal(state);
  return result.error as string;
}

const zoneOf = (state: RoomPlayState, zoneId: string): ZoneState => state.zones[zoneId] as ZoneState;

/** A room with speakers spk1, spk2 in zone "living" and spk3 in "kitchen". */
function room(): RoomPlayState {
  let s = emptyRoomPlayState();
  s = run(s, { type: 'moveSpeaker', speakerId: 'spk1', toZoneId: 'living' }, 0);
  s = run(s, { type: 'moveSpeaker', speakerId: 'spk2', toZoneId: 'living' }, 0);
  return run(s, { type: 'moveSpeaker', speakerId: 'spk3', toZoneId: 'kitchen' }, 0);
}

/** Zone "living" playing QUEUE from track `index`, position 0 heard at shared 5 000 ms. */
const playing = (index = 0): RoomPlayState => run(room(), { type: 'play', zoneId: 'living', queue: QUEUE, index }, 4_000, 1_000);

describe('applyCommand: transport', () => {
  it('play starts the chosen entry from 0 at now + lead', () => {
    const z = zoneOf(playing(1), 'living');
    expect(z).to.include({ status: 'playing', currentIndex: 1, startSharedMs: 5_000, startPositionSec: 0 });
    expect(z.queue).to.deep.equal(QUEUE);
    expect(z.revision).to.equal(zoneOf(room(), 'living').revision + 1);
  });

  it('pause records the position heard on the shared clock', () => {
    const z = zoneOf(run(playing(), { type: 'pause', zoneId: 'living' }, 10_000), 'living');
    expect(z).to.include({ status: 'paused', pausedPositionSec: 5, currentIndex: 0 });
  });

  it('pause before the scheduled start keeps the start position', () => {
    const z = zoneOf(run(playing(), { type: 'pause', zoneId: 'living' }, 4_500), 'living');
    expect(z.pausedPositionSec).to.equal(0);
  });

  it('resume restarts at now + lead from the paused position', () => {
    let s = run(playing(), { type: 'pause', zoneId: 'living' }, 10_000);
    s = run(s, { type: 'resume', zoneId: 'living' }, 60_000, 250);
    const z = zoneOf(s, 'living');
    expect(z).to.include({ status: 'playing', startSharedMs: 60_250, startPositionSec: 5 });
    expect(zonePositionSec(z, 62_250)).to.equal(7);
  });

  it('seek while playing restarts at now + lead; while paused it moves the pause position', () => {
    const s = run(playing(), { type: 'seek', zoneId: 'living', positionSec: 42 }, 20_000, 300);
    expect(zoneOf(s, 'living')).to.include({ status: 'playing', startSharedMs: 20_300, startPositionSec: 42 });
    const paused = run(s, { type: 'pause', zoneId: 'living' }, 30_000);
    const sought = run(paused, { type: 'seek', zoneId: 'living', positionSec: 10 }, 40_000);
    expect(zoneOf(sought, 'living')).to.include({ status: 'paused', pausedPositionSec: 10 });
  });

  it('next starts the following entry at now + lead, and stops at the end of the queue', () => {
    let s = run(playing(), { type: 'next', zoneId: 'living' }, 20_000, 200);
    expect(zoneOf(s, 'living')).to.include({ currentIndex: 1, startSharedMs: 20_200, startPositionSec: 0 });
    s = run(playing(2), { type: 'next', zoneId: 'living' }, 20_000);
    expect(zoneOf(s, 'living')).to.include({ status: 'stopped', currentIndex: -1 });
    expect(zoneOf(s, 'living').queue).to.have.length(3);
  });

  it('next while paused stays paused at the start of the next entry', () => {
    const s = run(run(playing(), { type: 'pause', zoneId: 'living' }, 10_000), { type: 'next', zoneId: 'living' }, 11_000);
    expect(zoneOf(s, 'living')).to.include({ status: 'paused', currentIndex: 1, pausedPositionSec: 0 });
  });

  it('previous goes back within 3 s and restarts the track after 3 s', () => {
    const within = run(playing(1), { type: 'previous', zoneId: 'living' }, 7_000, 100);
    expect(zoneOf(within, 'living')).to.include({ currentIndex: 0, startSharedMs: 7_100, startPositionSec: 0 });
    const atThree = run(playing(1), { type: 'previous', zoneId: 'living' }, 8_000);
    expect(zoneOf(atThree, 'living').currentIndex).to.equal(0);
    const after = run(playing(1), { type: 'previous', zoneId: 'living' }, 8_001, 100);
    expect(zoneOf(after, 'living')).to.include({ currentIndex: 1, startSharedMs: 8_101, startPositionSec: 0 });
    const first = run(playing(0), { type: 'previous', zoneId: 'living' }, 6_000, 100);
    expect(zoneOf(first, 'living')).to.include({ currentIndex: 0, startSharedMs: 6_100 });
  });

  it('previous while paused uses the paused position', () => {
    const paused = run(playing(1), { type: 'pause', zoneId: 'living' }, 15_000);
    const s = run(paused, { type: 'previous', zoneId: 'living' }, 99_000);
    expect(zoneOf(s, 'living')).to.include({ status: 'paused', currentIndex: 1, pausedPositionSec: 0 });
  });

  it('stop keeps the queue and current entry; play() then restarts that entry', () => {
    let s = run(playing(1), { type: 'stop', zoneId: 'living' }, 9_000);
    expect(zoneOf(s, 'living')).to.include({ status: 'stopped', currentIndex: 1, startSharedMs: 0 });
    expect(run(s, { type: 'stop', zoneId: 'living' }, 9_500)).to.equal(s);
    s = run(s, { type: 'play', zoneId: 'living' }, 10_000, 50);
    expect(zoneOf(s, 'living')).to.include({ status: 'playing', currentIndex: 1, startSharedMs: 10_050 });
  });

  it('setVolume changes only the volume; the same volume is a no-op', () => {
    const s = run(playing(), { type: 'setVolume', zoneId: 'living', volume: 0.25 }, 9_000);
    expect(zoneOf(s, 'living')).to.deep.equal({ ...zoneOf(playing(), 'living'), volume: 0.25, revision: zoneOf(s, 'living').revision });
    expect(run(s, { type: 'setVolume', zoneId: 'living', volume: 0.25 }, 9_000)).to.equal(s);
  });
});

describe('applyCommand: queue', () => {
  it('enqueue appends without touching playback', () => {
    const before = zoneOf(playing(), 'living');
    const z = zoneOf(run(playing(), { type: 'enqueue', zoneId: 'living', entries: [track(9)] }, 9_000), 'living');
    expect(z.queue.map((e) => e.title)).to.deep.equal(['Track 1', 'Track 2', 'Track 3', 'Track 9']);
    expect(z).to.include({ startSharedMs: before.startSharedMs, currentIndex: 0, revision: before.revision + 1 });
  });

  it('removing an entry before the current one shifts the index; removing the current one plays the next', () => {
    const earlier = zoneOf(run(playing(1), { type: 'removeFromQueue', zoneId: 'living', index: 0 }, 9_000), 'living');
    expect(earlier).to.include({ currentIndex: 0, startSharedMs: 5_000 });
    expect(earlier.queue[0]?.title).to.equal('Track 2');
    const current = zoneOf(run(playing(1), { type: 'removeFromQueue', zoneId: 'living', index: 1 }, 9_000, 100), 'living');
    expect(current).to.include({ currentIndex: 1, startSharedMs: 9_100, startPositionSec: 0 });
    expect(current.queue[1]?.title).to.equal('Track 3');
    const last = zoneOf(run(playing(2), { type: 'removeFromQueue', zoneId: 'living', index: 2 }, 9_000), 'living');
    expect(last).to.include({ status: 'stopped', currentIndex: -1 });
  });

  it('refuses to grow a queue past 500 entries', () => {
    const full = run(room(), { type: 'play', zoneId: 'living', queue: Array.from({ length: 500 }, (_, i) => track(i)) }, 0);
    expect(refuse(full, { type: 'enqueue', zoneId: 'living', entries: [track(1)] })).to.match(/full/);
  });
});

describe('advanceIfEnded', () => {
  it('starts the next entry gaplessly at start + remaining duration', () => {
    let s = run(playing(), { type: 'seek', zoneId: 'living', positionSec: 60 }, 10_000, 500);
    expect(advanceIfEnded(s, 130_499)).to.equal(s);
    s = advanceIfEnded(s, 130_500);
    expect(zoneOf(s, 'living')).to.include({ currentIndex: 1, startSharedMs: 130_500, startPositionSec: 0 });
  });

  it('skips several short ended tracks at once and stops after the last', () => {
    let s = run(room(), { type: 'play', zoneId: 'living', queue: [track(1, 2), track(2, 3), track(3, 4)] }, 0);
    const before = zoneOf(s, 'living').revision;
    s = advanceIfEnded(s, 6_000);
    expect(zoneOf(s, 'living')).to.include({ currentIndex: 2, startSharedMs: 5_000, revision: before + 1 });
    s = advanceIfEnded(s, 9_000);
    expect(zoneOf(s, 'living')).to.include({ status: 'stopped', currentIndex: -1 });
  });

  it('runs before a command, so pause after a track end pauses the next track', () => {
    const s = run(playing(), { type: 'pause', zoneId: 'living' }, 5_000 + 180_000 + 7_000);
    expect(zoneOf(s, 'living')).to.include({ status: 'paused', currentIndex: 1, pausedPositionSec: 7 });
  });
});

describe('applyCommand: zones', () => {
  it('two zones play different queues independently', () => {
    let s = run(playing(), { type: 'play', zoneId: 'kitchen', queue: [track(7), track(8)] }, 6_000, 400);
    const living = zoneOf(s, 'living');
    expect(zoneOf(s, 'kitchen')).to.include({ status: 'playing', startSharedMs: 6_400 });
    s = run(s, { type: 'pause', zoneId: 'kitchen' }, 8_400);
    expect(zoneOf(s, 'living')).to.equal(living);
    expect(zoneOf(s, 'kitchen').pausedPositionSec).to.equal(2);
    s = run(s, { type: 'next', zoneId: 'living' }, 9_000);
    expect(zoneOf(s, 'kitchen')).to.include({ status: 'paused', currentIndex: 0 });
  });

  it('a speaker moved into a playing zone joins its schedule; the zone it left keeps playing', () => {
    const before = playing();
    const s = run(before, { type: 'moveSpeaker', speakerId: 'spk3', toZoneId: 'living' }, 20_000);
    const living = zoneOf(s, 'living');
    const old = zoneOf(before, 'living');
    expect(living).to.deep.equal({ ...old, members: ['spk1', 'spk2', 'spk3'], revision: old.revision + 1 });
    expect(zoneOf(s, 'kitchen').members).to.deep.equal([]);
    expect(zoneOfSpeaker(s, 'spk3')).to.equal('living');
    const moved = run(s, { type: 'moveSpeaker', speakerId: 'spk1', toZoneId: 'kitchen' }, 21_000);
    expect(zoneOf(moved, 'living')).to.include({ status: 'playing', startSharedMs: 5_000 });
  });

  it('an emptied zone stops; moving to null leaves every zone; a new zone id creates the zone', () => {
    let s = run(playing(), { type: 'moveSpeaker', speakerId: 'spk1', toZoneId: null }, 9_000);
    expect(zoneOf(s, 'living').status).to.equal('playing');
    s = run(s, { type: 'moveSpeaker', speakerId: 'spk2', toZoneId: 'patio' }, 9_000);
    expect(zoneOf(s, 'living')).to.include({ status: 'stopped', currentIndex: 0 });
    expect(zoneOf(s, 'patio')).to.include({ status: 'stopped', revision: 1 });
    expect(zoneOf(s, 'patio').members).to.deep.equal(['spk2']);
    expect(zoneOfSpeaker(s, 'spk1')).to.equal(null);
    expect(run(s, { type: 'moveSpeaker', speakerId: 'spk2', toZoneId: 'patio' }, 9_000)).to.equal(s);
  });

  it('refuses a 17th zone', () => {
    let s = emptyRoomPlayState();
    for (let i = 0; i < 16; i++) s = run(s, { type: 'moveSpeaker', speakerId: `spk${i}`, toZoneId: `z${i}` }, 0);
    expect(refuse(s, { type: 'moveSpeaker', speakerId: 'spkx', toZoneId: 'z16' })).to.match(/zones/);
  });
});

describe('applyCommand: refusals', () => {
  it('returns an error and the same state for invalid commands', () => {
    const s = playing();
    refuse(s, { type: 'pause', zoneId: 'garage' });
    refuse(s, { type: 'pause', zoneId: 'constructor' });
    refuse(s, { type: 'seek', zoneId: 'living', positionSec: 180 });
    refuse(s, { type: 'seek', zoneId: 'living', positionSec: -1 });
    refuse(s, { type: 'seek', zoneId: 'kitchen', positionSec: 1 });
    refuse(s, { type: 'resume', zoneId: 'living' });
    refuse(s, { type: 'pause', zoneId: 'kitchen' });
    refuse(s, { type: 'next', zoneId: 'kitchen' });
    refuse(s, { type: 'previous', zoneId: 'kitchen' });
    refuse(s, { type: 'play', zoneId: 'kitchen' });
    refuse(s, { type: 'play', zoneId: 'living', index: 3 });
    refuse(s, { type: 'play', zoneId: 'living', queue: [] });
    refuse(s, { type: 'removeFromQueue', zoneId: 'living', index: 3 });
    refuse(s, { type: 'setVolume', zoneId: 'living', volume: 1.5 });
    refuse(s, { type: 'moveSpeaker', speakerId: 'X', toZoneId: 'living' });
    refuse(s, { type: 'dance', zoneId: 'living' } as unknown as PlayCommand);
    const empty = run(room(), { type: 'moveSpeaker', speakerId: 'spk3', toZoneId: null }, 0);
    refuse(empty, { type: 'play', zoneId: 'kitchen', queue: QUEUE });
    const bad = applyCommand(s, { type: 'stop', zoneId: 'living' }, { nowSharedMs: NaN, startLeadMs: 0 });
    expect(bad).to.deep.equal({ state: s, error: 'invalid context' });
  });
});

/** Freeze a value and everything in it, so any mutation throws (modules are strict). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

function randomCommand(rng: Rng): PlayCommand {
  const zoneId = rng.pick(['living', 'kitchen', 'patio']);
  const entries = Array.from({ length: rng.int(1, 4) }, () => track(rng.int(0, 99), rng.uniform(1, 20)));
  return rng.pick<PlayCommand>([
    { type: 'play', zoneId, queue: entries, index: rng.int(0, 4) },
    { type: 'play', zoneId },
    { type: rng.pick(['pause', 'resume', 'next', 'previous', 'stop'] as const), zoneId },
    { type: 'seek', zoneId, positionSec: rng.uniform(0, 20) },
    { type: 'enqueue', zoneId, entries },
    { type: 'removeFromQueue', zoneId, index: rng.int(0, 5) },
    { type: 'setVolume', zoneId, volume: rng.uniform(0, 1) },
    { type: 'moveSpeaker', speakerId: rng.pick(['spk1', 'spk2', 'spk3', 'spk4']), toZoneId: rng.chance(0.2) ? null : zoneId },
  ]);
}

describe('applyCommand: random sequences', () => {
  it('keeps every invariant: valid states, +1 revisions on change, untouched zones, no mutation', () => {
    const rng = new Rng(20_240);
    let state = deepFreeze(emptyRoomPlayState());
    let nowMs = 0;
    let applied = 0;
    const seen = new Set<string>();
    for (let step = 0; step < 3_000; step++) {
      nowMs += rng.exponential(2_000);
      const result = applyCommand(state, randomCommand(rng), { nowSharedMs: nowMs, startLeadMs: rng.uniform(0, 500) });
      const next = deepFreeze(rng.chance(0.2) ? advanceIfEnded(result.state, nowMs) : result.state);
      if (result.error !== undefined) expect(result.state).to.equal(state);
      else applied += 1;
      Object.values(next.zones).forEach((z) => seen.add(z.status));
      for (const [zoneId, zone] of Object.entries(next.zones)) {
        const old = state.zones[zoneId];
        if (zone === old) continue;
        expect(zone.revision - (old?.revision ?? 0), `zone ${zoneId} at step ${step}`).to.be.within(1, 3);
        expect(zone).to.not.deep.equal({ ...old, revision: zone.revision });
      }
      const decoded = decodePlayState(JSON.parse(JSON.stringify(next)));
      expect(decoded.ok, `step ${step}: ${decoded.ok ? '' : decoded.reason}`).to.equal(true);
      state = next;
    }
    expect(Object.keys(state.zones).sort()).to.deep.equal(['kitchen', 'living', 'patio']);
    expect(applied).to.be.within(1_000, 2_900);
    expect([...seen].sort()).to.deep.equal(['paused', 'playing', 'stopped']);
  });
});
