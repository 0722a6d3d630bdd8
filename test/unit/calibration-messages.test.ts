import { expect } from '@open-wc/testing';
import { MAX_PROBE_GAIN } from '../../src/sync/calibration-messages.js';
import { decodeMessage, encodeMessage, PROTOCOL_VERSION, type RoomMessage } from '../../src/sync/protocol.js';

const valid: RoomMessage[] = [
  { type: 'calibrate-probe', runId: 3, seed: 193, atSharedMs: 123_456.5, gain: 0.15 },
  { type: 'calibrate-probe-ack', runId: 3, seed: 193, error: null, trimMs: -2.5, correctionMs: 12.25 },
  { type: 'calibrate-probe-ack', runId: 3, seed: 193, error: 'sound is blocked', trimMs: 0, correctionMs: 0 },
  { type: 'calibrate-apply', runId: 3, correctionMs: 250.125 },
  { type: 'calibrate-applied', runId: 3, correctionMs: 250.125, error: null },
];

const raw = (fields: Record<string, unknown>): string => JSON.stringify({ v: PROTOCOL_VERSION, ...fields });

describe('calibration messages', () => {
  it('round-trip', () => {
    for (const message of valid) expect(decodeMessage(encodeMessage(message))).to.deep.equal({ ok: true, message });
  });

  it('refuse out-of-range or malformed fields, never throwing', () => {
    const bad = [
      { type: 'calibrate-probe', runId: 1, seed: 1, atSharedMs: 1, gain: MAX_PROBE_GAIN + 0.01 },
      { type: 'calibrate-probe', runId: 1, seed: 1, atSharedMs: 1, gain: 0 },
      { type: 'calibrate-probe', runId: 1, seed: -1, atSharedMs: 1, gain: 0.1 },
      { type: 'calibrate-probe', runId: 1, seed: 2 ** 33, atSharedMs: 1, gain: 0.1 },
      { type: 'calibrate-probe', runId: 1.5, seed: 1, atSharedMs: 1, gain: 0.1 },
      { type: 'calibrate-probe', runId: 1, seed: 1, atSharedMs: 'soon', gain: 0.1 },
      { type: 'calibrate-apply', runId: 1, correctionMs: 5000 },
      { type: 'calibrate-apply', runId: 1, correctionMs: null },
      { type: 'calibrate-probe-ack', runId: 1, seed: 1, error: 'x'.repeat(201), trimMs: 0, correctionMs: 0 },
      { type: 'calibrate-applied', runId: 1, correctionMs: 1 },
    ];
    for (const fields of bad) expect(decodeMessage(raw(fields)).ok, JSON.stringify(fields)).to.equal(false);
  });

  it('drop unknown extra fields', () => {
    const decoded = decodeMessage(raw({ type: 'calibrate-apply', runId: 2, correctionMs: 1, evil: true }));
    expect(decoded).to.deep.equal({ ok: true, message: { type: 'calibrate-apply', runId: 2, correctionMs: 1 } });
  });
});
