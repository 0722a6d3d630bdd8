import { expect } from '@open-wc/testing';
import { applyCommand } from '../../src/sync/play-commands.js';
import {
  decodeCommand,
  decodePlayState,
  decodeSpeakerMix,
  decodeZoneState,
  mergePlayState,
  mergeZone,
  type Decoded,
} from '../../src/sync/play-state-codec.js';
import { emptyRoomPlayState, type PlayCommand, type QueueEntry, type RoomPlayState, type ZoneState } from '../../src/sync/play-state.js';
import { Rng } from '../sim/rng.js';

const track = (n: number, durationSec = 200): QueueEntry => ({
  trackId: n.toString(16).padStart(64, 'a'),
  title: `Track ${n}`,
  artist: 'Tutti',
  durationSec,
});

function apply(state: RoomPlayState, command: PlayCommand, nowSharedMs = 1_000): RoomPlayState {
  const result = applyCommand(state, command, { nowSharedMs, startLeadMs: 150 });
  expect(result.error).to.equal(undefined);
  return result.state;
}

/** Two zones: "living" playing a 3-track queue, "kitchen" paused. */
function sample(): RoomPlayState {
  let s = emptyRoomPlayState();
  s = apply(s, { type: 'moveSpeaker', speakerId: 'spk1', toZoneId: 'living' });
  s = apply(s, { type: 'moveSpeaker', speakerId: 'spk2', toZoneId: 'kitchen' });
  s = apply(s, { type: 'play', zoneId: 'living', queue: [track(1), track(2), track(3)], index: 1 });
  s = apply(s, { type: 'play', zoneId: 'kitchen', queue: [track(4)] });
  return apply(s, { type: 'pause', zoneId: 'kitchen' }, 5_000);
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const value = <T>(decoded: Decoded<T>): T => {
  expect(decoded.ok, decoded.ok ? '' : decoded.reason).to.equal(true);
  return (decoded as { value: T }).value;
};
const reason = (decoded: Decoded<unknown>): string => {
  expect(decoded.ok).to.equal(false);
  return (decoded as { reason: string }).reason;
};

describe('decodePlayState', () => {
  it('accepts a reducer state after a JSON round trip, unchanged', () => {
    expect(value(decodePlayState(clone(sample())))).to.deep.equal(sample());
  });

  it('strips unknown fields at every level', () => {
    const raw = clone(sample()) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    raw.extra = 1;
    raw.zones.living.evil = '<script>';
    raw.zones.living.queue[0].art = 'x';
    expect(value(decodePlayState(raw))).to.deep.equal(sample());
  });

  it('refuses states breaking a bound, a type or an invariant', () => {
    type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const broken: ((s: Raw) => void)[] = [
      (s) => (s.version = 2),
      (s) => (s.zones = []),
      (s) => (s.zones.living.status = 'rewinding'),
      (s) => (s.zones.living.volume = 1.01),
      (s) => (s.zones.living.revision = 1.5),
      (s) => (s.zones.living.startSharedMs = Infinity),
      (s) => (s.zones.living.startSharedMs = NaN),
      (s) => (s.zones.living.currentIndex = 3),
      (s) => (s.zones.living.currentIndex = -2),
      (s) => (s.zones.living.startPositionSec = 200),
      (s) => (s.zones.kitchen.pausedPositionSec = 300),
      (s) => (s.zones.living.members = []),
      (s) => (s.zones.living.members = ['spk1', 'spk1']),
      (s) => (s.zones.kitchen.members = ['spk1']),
      (s) => (s.zones.living.members = ['SPK1']),
      (s) => (s.zones.living.queue[1].trackId = 'A'.repeat(64)),
      (s) => (s.zones.living.queue[1].trackId = 'a'.repeat(63)),
      (s) => (s.zones.living.queue[1].title = 't'.repeat(201)),
      (s) => (s.zones.living.queue[1].artist = null),
      (s) => (s.zones.living.queue[1].durationSec = 0),
      (s) => (s.zones.living.queue = Array.from({ length: 501 }, () => track(1))),
      (s) => (s.zones.extra = { ...s.zones.kitchen, members: [] }),
      (s) => (s.zones.living.zoneId = 'kitchen'),
      (s) => {
        for (let i = 0; i < 15; i++) s.zones[`z${i}`] = { ...s.zones.kitchen, zoneId: `z${i}`, members: [], status: 'stopped' };
      },
    ];
    for (const [i, breakIt] of broken.entries()) {
      const raw = clone(sample()) as Raw;
      breakIt(raw);
      expect(decodePlayState(raw).ok, `case ${i}`).to.equal(false);
    }
    expect(reason(decodePlayState(null))).to.match(/object/);
  });

  it('accepts 16 zones and a 500-entry queue', () => {
    let s = emptyRoomPlayState();
    for (let i = 0; i < 16; i++) s = apply(s, { type: 'moveSpeaker', speakerId: `spk${i}`, toZoneId: `z${i}` });
    s = apply(s, { type: 'play', zoneId: 'z0', queue: Array.from({ length: 500 }, (_, i) => track(i)) });
    expect(value(decodePlayState(clone(s)))).to.deep.equal(s);
  });

  it('refuses sparse arrays (holes are not skipped)', () => {
    const raw = clone(sample()) as unknown as { zones: { living: { members: unknown[] } } };
    raw.zones.living.members = [, 'spk1'];
    expect(reason(decodePlayState(raw))).to.match(/member/);
  });

  it('never throws on hostile objects', () => {
    const trap = { get version(): number { throw new Error('boom'); } };
    expect(reason(decodePlayState(trap))).to.equal('malformed input');
    const proxy = new Proxy({}, { ownKeys: () => { throw new Error('boom'); } });
    expect(decodePlayState({ version: 1, zones: proxy }).ok).to.equal(false);
  });
});

describe('decodeCommand', () => {
  it('accepts every command type and keeps only known fields', () => {
    const commands: PlayCommand[] = [
      { type: 'play', zoneId: 'living', queue: [track(1)], index: 0 },
      { type: 'play', zoneId: 'living' },
      { type: 'pause', zoneId: 'living' },
      { type: 'resume', zoneId: 'living' },
      { type: 'seek', zoneId: 'living', positionSec: 12.5 },
      { type: 'next', zoneId: 'living' },
      { type: 'previous', zoneId: 'living' },
      { type: 'enqueue', zoneId: 'living', entries: [track(2)] },
      { type: 'removeFromQueue', zoneId: 'living', index: 4 },
      { type: 'setVolume', zoneId: 'living', volume: 0 },
      { type: 'moveSpeaker', speakerId: 'spk1', toZoneId: null },
      { type: 'stop', zoneId: 'living' },
    ];
    for (const command of commands) {
      expect(value(decodeCommand({ ...command, junk: [1, 2] }))).to.deep.equal(command);
    }
  });

  it('refuses malformed commands', () => {
    const bad: unknown[] = [
      undefined,
      'play',
      { type: 'play' },
      { type: 'dance', zoneId: 'living' },
      { type: 'pause', zoneId: 'Living Room' },
      { type: 'seek', zoneId: 'living', positionSec: -1 },
      { type: 'seek', zoneId: 'living', positionSec: '5' },
      { type: 'setVolume', zoneId: 'living', volume: NaN },
      { type: 'play', zoneId: 'living', queue: [] },
      { type: 'play', zoneId: 'living', index: 1.5 },
      { type: 'enqueue', zoneId: 'living', entries: [] },
      { type: 'enqueue', zoneId: 'living', entries: [{ ...track(1), trackId: 'nope' }] },
      { type: 'removeFromQueue', zoneId: 'living', index: -1 },
      { type: 'moveSpeaker', speakerId: 'spk1' },
      { type: 'moveSpeaker', speakerId: 'spk1', toZoneId: '' },
    ];
    for (const [i, command] of bad.entries()) expect(decodeCommand(command).ok, `case ${i}`).to.equal(false);
  });
});

describe('decodeSpeakerMix', () => {
  it('accepts 0..1 volumes with a boolean muted flag', () => {
    expect(value(decodeSpeakerMix({ volume: 0.5, muted: true, x: 1 }))).to.deep.equal({ volume: 0.5, muted: true });
    expect(decodeSpeakerMix({ volume: 2, muted: false }).ok).to.equal(false);
    expect(decodeSpeakerMix({ volume: 1, muted: 'no' }).ok).to.equal(false);
  });
});

/** A random JSON-ish value, biased towards values that are almost valid. */
function randomValue(rng: Rng, depth = 0): unknown {
  const leaves: unknown[] = [null, undefined, true, 0, -1, 1, 0.5, 1.5, 500, -0, NaN, Infinity, 1e308, '', 'x', 'spk1',
    'living', 'playing', 'moveSpeaker', 'seek', 'a'.repeat(64), 'é'.repeat(201), rng.uniform(-1e6, 1e6), rng.int(-3, 600)];
  if (depth > 2 || rng.chance(0.6)) return rng.pick(leaves);
  if (rng.chance(0.5)) return Array.from({ length: rng.int(0, 4) }, () => randomValue(rng, depth + 1));
  return Object.fromEntries(Array.from({ length: rng.int(0, 4) }, () => [rng.pick(['type', 'zoneId', 'x', 'queue', 'zones']), randomValue(rng, depth + 1)]));
}

/** `value` with one random node somewhere inside it deleted, replaced or added. */
function mutate(input: unknown, rng: Rng): unknown {
  const root = structuredClone(input);
  let node = root;
  for (let d = 0; d < 6; d++) {
    if (typeof node !== 'object' || node === null) return randomValue(rng);
    const holder = node as Record<string, unknown>;
    const keys = Object.keys(holder);
    const key = keys.length === 0 || rng.chance(0.1) ? 'extra' : rng.pick(keys);
    const child = holder[key];
    if (typeof child !== 'object' || child === null || rng.chance(0.25)) {
      if (rng.chance(0.3)) delete holder[key];
      else holder[key] = randomValue(rng);
      return root;
    }
    node = child;
  }
  return root;
}

/** Decoding is total and idempotent: accepted values decode again to themselves. */
function checkTotal<T>(decode: (v: unknown) => Decoded<T>, input: unknown): boolean {
  const decoded = decode(input);
  if (!decoded.ok) {
    expect(decoded.reason).to.be.a('string');
    return false;
  }
  expect(value(decode(decoded.value))).to.deep.equal(decoded.value);
  expect(clone(value(decode(clone(decoded.value))))).to.deep.equal(clone(decoded.value));
  return true;
}

describe('codec fuzz', () => {
  it('never throws, and everything accepted re-validates (4 000 inputs)', () => {
    const rng = new Rng(7);
    const states = [sample(), clone(sample())];
    const commands: unknown[] = [{ type: 'seek', zoneId: 'living', positionSec: 3 }, { type: 'play', zoneId: 'x', queue: [track(1)] }];
    let accepted = 0;
    for (let i = 0; i < 4_000; i++) {
      const kind = i % 4;
      if (kind === 0) accepted += Number(checkTotal(decodePlayState, mutate(rng.pick(states), rng)));
      if (kind === 1) accepted += Number(checkTotal(decodeCommand, mutate(rng.pick(commands), rng)));
      if (kind === 2) accepted += Number(checkTotal(decodeZoneState, mutate(sample().zones.living, rng)));
      if (kind === 3) checkTotal<unknown>(rng.chance(0.5) ? decodePlayState : decodeCommand, randomValue(rng));
    }
    expect(accepted).to.be.greaterThan(300);
  });
});

describe('mergeZone', () => {
  const zone = (revision: number): ZoneState => ({ ...(sample().zones.living as ZoneState), revision });

  it('takes only strictly newer revisions', () => {
    const local = zone(5);
    expect(mergeZone(undefined, local)).to.equal(local);
    expect(mergeZone(local, zone(4))).to.equal(local);
    expect(mergeZone(local, zone(5))).to.equal(local);
    const newer = zone(6);
    expect(mergeZone(local, newer)).to.equal(newer);
  });

  it('converges to the newest state whatever the delivery order, with duplicates', () => {
    const rng = new Rng(3);
    const history: RoomPlayState[] = [sample()];
    for (let i = 0; i < 20; i++) {
      const last = history[history.length - 1] as RoomPlayState;
      const zoneId = rng.pick(['living', 'kitchen']);
      history.push(apply(last, { type: 'setVolume', zoneId, volume: i / 20 }, 2_000 + i));
    }
    const newest = history[history.length - 1] as RoomPlayState;
    for (let trial = 0; trial < 20; trial++) {
      const deliveries = [...history, ...history.filter(() => rng.chance(0.3))]
        .map((s) => ({ s, key: rng.next() }))
        .sort((a, b) => a.key - b.key);
      let local = emptyRoomPlayState();
      for (const { s } of deliveries) local = mergePlayState(local, value(decodePlayState(clone(s))));
      expect(local).to.deep.equal(newest);
    }
  });
});
