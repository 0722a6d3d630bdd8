import { expect } from '@open-wc/testing';
import {
  decodeMessage,
  encodeMessage,
  MAX_MESSAGE_CHARS,
  PROTOCOL_VERSION,
  type RoomMessage,
} from '../../src/sync/protocol.js';
import { Rng } from '../sim/rng.js';

const valid: RoomMessage[] = [
  { type: 'heartbeat', term: 3, leaderId: 'tutti-room1-abc', succession: ['tutti-room1-abc', 'tutti-room1-def'] },
  { type: 'heartbeat', term: 0, leaderId: null, succession: [] },
  { type: 'status', name: 'Kitchen', role: 'speaker', clock: null },
  { type: 'status', name: 'Phone', role: 'remote', clock: { offsetMs: -12.5, uncertaintyMs: 0.02, rttMs: 0.4, converged: true } },
  { type: 'bye' },
  { type: 'ping', seq: 7, sentMs: 1234.5 },
  { type: 'pong', seq: 7, sentMs: 1234.5 },
  { type: 'clock-ping', seq: 1, t0: 99.25 },
  { type: 'clock-pong', seq: 1, t0: 99.25, t1: 5000.1, t2: 5000.2 },
];

/** A random JSON-ish value, sometimes deeply nested, sometimes huge. */
function randomValue(rng: Rng, depth = 0): unknown {
  const kind = rng.int(0, depth > 3 ? 6 : 9);
  switch (kind) {
    case 0: return null;
    case 1: return rng.chance(0.5);
    case 2: return rng.pick([0, -1, 1e308, -0, 3.5, 2 ** 53, NaN, Infinity]);
    case 3: return rng.uniform(-1e6, 1e6);
    case 4: return 'x'.repeat(rng.int(0, 200));
    case 5: return rng.pick(['', 'heartbeat', 'status', 'tutti-a-b', '__proto__', 'constructor', '\u0000', '🎵']);
    case 6: return rng.int(-5, 5);
    case 7: return Array.from({ length: rng.int(0, 5) }, () => randomValue(rng, depth + 1));
    default: {
      const obj: Record<string, unknown> = {};
      for (let i = rng.int(0, 5); i > 0; i--) obj[rng.pick(['v', 'type', 'term', 'name', 'seq', 't0', 'clock', 'x'])] = randomValue(rng, depth + 1);
      return obj;
    }
  }
}

/** Mutate one field of a valid encoded message. */
function mutate(rng: Rng, message: RoomMessage): string {
  const record: Record<string, unknown> = JSON.parse(encodeMessage(message));
  const keys = Object.keys(record);
  const op = rng.int(0, 3);
  if (op === 0) record[rng.pick(keys)] = randomValue(rng);
  else if (op === 1) delete record[rng.pick(keys)];
  else if (op === 2) record[`extra${rng.int(0, 9)}`] = randomValue(rng);
  else {
    const text = JSON.stringify(record);
    const at = rng.int(0, text.length - 1);
    return text.slice(0, at) + String.fromCharCode(rng.int(0, 127)) + text.slice(at + 1);
  }
  return JSON.stringify(record);
}

describe('protocol', () => {
  it('round-trips every valid message type', () => {
    for (const message of valid) {
      const decoded = decodeMessage(encodeMessage(message));
      expect(decoded.ok, JSON.stringify(decoded)).to.equal(true);
      if (decoded.ok) expect(decoded.message).to.deep.equal(message);
    }
  });

  it('stamps the protocol version', () => {
    expect(JSON.parse(encodeMessage({ type: 'bye' })).v).to.equal(PROTOCOL_VERSION);
  });

  it('drops wrong versions, unknown types, non-strings, oversize and bad JSON with a reason', () => {
    const cases: Array<[unknown, RegExp]> = [
      [JSON.stringify({ v: 99, type: 'bye' }), /version/],
      [JSON.stringify({ v: PROTOCOL_VERSION, type: 'launch-missiles' }), /unknown message type/],
      [JSON.stringify({ v: PROTOCOL_VERSION, type: 'toString' }), /unknown message type/],
      [new ArrayBuffer(8), /JSON string/],
      [42, /JSON string/],
      ['{"v":1,', /not valid JSON/],
      ['[1,2]', /not a JSON object/],
      [JSON.stringify({ v: 1, type: 'status', name: 'x'.repeat(MAX_MESSAGE_CHARS), role: 'speaker', clock: null }), /exceeds/],
      [JSON.stringify({ v: 1, type: 'ping', seq: -1, sentMs: 0 }), /ping\.seq/],
      [JSON.stringify({ v: 1, type: 'status', name: '  ', role: 'speaker', clock: null }), /status\.name/],
      [JSON.stringify({ v: 1, type: 'heartbeat', term: 1, leaderId: 'a b', succession: [] }), /heartbeat\.leaderId/],
      [JSON.stringify({ v: 1, type: 'heartbeat', term: 1, leaderId: null, succession: Array(65).fill('p') }), /at most 64/],
    ];
    for (const [input, reason] of cases) {
      const decoded = decodeMessage(input);
      expect(decoded.ok).to.equal(false);
      if (!decoded.ok) expect(decoded.reason).to.match(reason);
    }
  });

  it('strips unknown fields, also inside nested objects', () => {
    const decoded = decodeMessage(
      JSON.stringify({ v: 1, type: 'status', name: 'Den', role: 'speaker', evil: 1, clock: { offsetMs: 1, uncertaintyMs: 1, rttMs: null, converged: false, extra: 'x' } }),
    );
    expect(decoded.ok).to.equal(true);
    if (decoded.ok) {
      expect(decoded.message).to.not.have.property('evil');
      expect((decoded.message as { clock: object }).clock).to.not.have.property('extra');
    }
  });

  it('never throws on 20 000 random and mutated inputs, and everything it accepts re-validates', () => {
    const rng = new Rng(20261128);
    let accepted = 0;
    for (let i = 0; i < 20000; i++) {
      const input = i % 2 === 0 ? JSON.stringify(randomValue(rng)) ?? 'undefined' : mutate(rng, rng.pick(valid));
      const decoded = decodeMessage(input);
      if (decoded.ok) {
        accepted++;
        const again = decodeMessage(encodeMessage(decoded.message));
        expect(again.ok, input).to.equal(true);
        if (again.ok) expect(again.message).to.deep.equal(decoded.message);
      } else {
        expect(decoded.reason).to.be.a('string').and.not.equal('');
      }
    }
    expect(accepted).to.be.greaterThan(100);
  });
});
