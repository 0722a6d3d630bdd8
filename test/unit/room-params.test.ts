import { expect } from '@open-wc/testing';
import { makeRoomId, parseRoomParams } from '../../src/sync/room-params.js';
import { makePeerId, makeSpeakerId, parsePeerId, roomPeerIds } from '../../src/sync/peer-ids.js';
import { Rng } from '../sim/rng.js';

describe('room params', () => {
  it('reads room, name, role and clock injection', () => {
    const p = parseRoomParams('?room=Kitchen1&name=%20Den%20&role=remote&clockOffsetMs=-2500.5&clockRatePpm=150');
    expect(p).to.include({ roomId: 'kitchen1', name: 'Den', role: 'remote', clockOffsetMs: -2500.5, clockRatePpm: 150 });
    expect(p.problems).to.deep.equal([]);
  });

  it('ignores invalid values and says why', () => {
    const p = parseRoomParams('room=a-b&role=dj&clockRatePpm=abc&clockOffsetMs=1e20');
    expect(p.roomId).to.equal(null);
    expect(p.role).to.equal('speaker');
    expect(p.clockRatePpm).to.equal(0);
    expect(p.clockOffsetMs).to.equal(0);
    expect(p.problems).to.have.length(4);
  });

  it('defaults: no room, no name, speaker, local signaling', () => {
    expect(parseRoomParams('')).to.include({ roomId: null, name: null, role: 'speaker', signaling: 'local', debug: false, resume: false });
    expect(parseRoomParams('?resume=1').resume).to.equal(true);
  });

  it('reads the output diagnostics: output timing, how the frame counter reports, and the timing log', () => {
    expect(parseRoomParams('')).to.include({ outputTiming: 'cross-checked', frameCounter: 'shared', timingLog: false });
    expect(parseRoomParams('?timingLog=1').timingLog).to.equal(true);
    expect(parseRoomParams('?timingLog=yes').timingLog).to.equal(false);
    expect(parseRoomParams('?outputTiming=readings&frameCounter=message')).to.include({ outputTiming: 'readings', frameCounter: 'message' });
    expect(parseRoomParams('?frameCounter=bogus').frameCounter).to.equal('shared');
  });

  it('reads a hidden output delay within 0 … 1000 ms, and reports one out of range', () => {
    expect(parseRoomParams('').hiddenDelayMs).to.equal(0);
    expect(parseRoomParams('?hiddenDelayMs=7.25').hiddenDelayMs).to.equal(7.25);
    for (const bad of ['-1', '1001', 'abc']) {
      const params = parseRoomParams(`?hiddenDelayMs=${bad}`);
      expect(params.hiddenDelayMs, bad).to.equal(0);
      expect(params.problems.join(), bad).to.include('hiddenDelayMs');
    }
  });

  it('makes valid room ids', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 100; i++) expect(parseRoomParams(`room=${makeRoomId(() => rng.next())}`).roomId).to.not.equal(null);
  });
});

describe('peer ids', () => {
  it('round-trips and filters a listing by room', () => {
    const rng = new Rng(2);
    const speaker = makeSpeakerId(() => rng.next());
    const id = makePeerId('abc', speaker);
    expect(parsePeerId(id)).to.deep.equal({ roomId: 'abc', speakerId: speaker });
    const listing = [id, makePeerId('abcd', speaker), 'tutti-abc', 'other', 42, makePeerId('abc', 'zzzzzz'), id];
    expect(roomPeerIds(listing, 'abc')).to.deep.equal([id, 'tutti-abc-zzzzzz'].sort());
  });

  it('rejects ids that are not Tutti ids', () => {
    for (const bad of ['tutti-a-b-c', 'tutti--abcd', 'x-abc-abcdef', 'tutti-abc-ABCDEF', 'tutti-abc-ab']) {
      expect(parsePeerId(bad), bad).to.equal(null);
    }
  });
});
