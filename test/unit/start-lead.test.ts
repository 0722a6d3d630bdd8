import { expect } from '@open-wc/testing';
import { DEFAULT_START_LEAD_OPTIONS, startLeadMs } from '../../src/sync/start-lead.js';

describe('startLeadMs', () => {
  it('is the minimum on a fast LAN', () => {
    expect(startLeadMs([{ rttMs: 1, outputLatencyMs: 10 }, { rttMs: 2, outputLatencyMs: 20 }])).to.equal(DEFAULT_START_LEAD_OPTIONS.minLeadMs);
  });

  it('covers the slowest speaker: its round trip plus output latency plus the margin', () => {
    const lead = startLeadMs([{ rttMs: 2, outputLatencyMs: 30 }, { rttMs: 90, outputLatencyMs: 45 }]);
    expect(lead).to.equal(90 + 45 + DEFAULT_START_LEAD_OPTIONS.marginMs);
  });

  it('prefers the clock\'s prompt round trip to the smoothed ping one, which remembers busy moments', () => {
    const o = DEFAULT_START_LEAD_OPTIONS;
    expect(startLeadMs([{ rttMs: 68, promptRttMs: 3, outputLatencyMs: 54 }])).to.equal(3 + 54 + o.marginMs);
    expect(startLeadMs([{ rttMs: 68, promptRttMs: null, outputLatencyMs: 54 }])).to.equal(68 + 54 + o.marginMs);
    expect(startLeadMs([{ rttMs: 68, promptRttMs: Number.NaN, outputLatencyMs: 54 }])).to.equal(68 + 54 + o.marginMs);
  });

  it('assumes conservative values for speakers not measured yet, and ignores garbage', () => {
    const unknown = startLeadMs([{ rttMs: null, outputLatencyMs: null }]);
    const garbage = startLeadMs([{ rttMs: Number.NaN, outputLatencyMs: -5 }]);
    const o = DEFAULT_START_LEAD_OPTIONS;
    expect(unknown).to.equal(Math.max(o.minLeadMs, o.unknownRttMs + o.unknownOutputLatencyMs + o.marginMs));
    expect(garbage).to.equal(unknown);
  });

  it('is capped: a Bluetooth speaker far behind joins late instead of delaying everyone', () => {
    expect(startLeadMs([{ rttMs: 5, outputLatencyMs: 2_000 }])).to.equal(DEFAULT_START_LEAD_OPTIONS.maxLeadMs);
  });

  it('with no speakers returns the minimum', () => {
    expect(startLeadMs([], { minLeadMs: 150 })).to.equal(150);
  });
});
