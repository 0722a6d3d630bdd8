import { expect, fixture, html } from '@open-wc/testing';
import '../../src/components/tutti-sync-dashboard.js';
import type { SyncDashboard, SyncRow } from '../../src/components/tutti-sync-dashboard.js';
import { plotGeometry } from '../../src/components/error-plot.js';
import { IDLE_PLAYOUT_REPORT, type PlayoutReport } from '../../src/sync/playout-report.js';

const report = (fields: Partial<PlayoutReport>): PlayoutReport => ({ ...IDLE_PLAYOUT_REPORT, zoneId: 'main', phase: 'playing', ...fields });

/** `count` samples one second apart ending at shared 100 000 ms, error from `errorAt(i)`. */
const history = (count: number, errorAt: (i: number) => number) =>
  Array.from({ length: count }, (_, i) => ({ atSharedMs: 100_000 - (count - 1 - i) * 1000, errorMs: errorAt(i) }));

const rows: SyncRow[] = [
  {
    peerId: 'p-self', name: 'Kitchen', isSelf: true, isLeader: true, connected: true, remote: false,
    report: report({ errorMs: 0.08, outputLatencyMs: 42.25, trimMs: 1.5, ratePpm: 12.34, rateChanges: 3, reschedules: 1 }),
    rttMs: null, clockUncertaintyMs: 0.0123, history: history(5, (i) => (i % 2 === 0 ? 0.21 : -0.1)),
  },
  {
    peerId: 'p-den', name: 'Den', isSelf: false, isLeader: false, connected: true, remote: false,
    report: report({ errorMs: -0.6, outputLatencyMs: 10, trimMs: -2, ratePpm: -40, rateChanges: 0, reschedules: 0 }),
    rttMs: 0.523, clockUncertaintyMs: 0.05, history: history(61, (i) => -0.01 * i),
  },
  {
    peerId: 'p-hall', name: 'Hall', isSelf: false, isLeader: false, connected: true, remote: false,
    report: report({ errorMs: 3.456, outputLatencyMs: null }), rttMs: 1.5, clockUncertaintyMs: null, history: [],
  },
  {
    peerId: 'p-phone', name: 'Phone', isSelf: false, isLeader: false, connected: true, remote: true,
    report: null, rttMs: 4, clockUncertaintyMs: 0.3, history: [],
  },
];

async function dashboard(value: readonly SyncRow[]): Promise<SyncDashboard> {
  const el = await fixture<SyncDashboard>(html`<tutti-sync-dashboard .rows=${value}></tutti-sync-dashboard>`);
  await Promise.all([...el.shadowRoot!.querySelectorAll('tutti-error-plot')].map((p) => p.updateComplete));
  return el;
}

const cell = (el: SyncDashboard, peerId: string, cls: string): Element =>
  el.shadowRoot!.querySelector(`tr[data-peer="${peerId}"] .${cls}`)!;
const cellText = (el: SyncDashboard, peerId: string, cls: string): string => cell(el, peerId, cls).textContent!.replace(/\s+/g, ' ').trim();

describe('<tutti-sync-dashboard>', () => {
  it('renders a captioned table with the column headers and one row per speaker', async () => {
    const el = await dashboard(rows);
    const table = el.shadowRoot!.querySelector('table')!;
    expect(table.caption!.textContent).to.equal('Sync');
    expect([...table.querySelectorAll('thead th[scope="col"]')].map((th) => th.textContent)).to.deep.equal([
      'Speaker', 'State', 'Error', 'Clock ±', 'RTT', 'Output latency', 'Trim', 'Rate', 'Corrections', 'Last 60 s',
    ]);
    const rowHeads = [...table.querySelectorAll('tbody th[scope="row"]')].map((th) => th.textContent!.replace(/\s+/g, ' ').trim());
    expect(rowHeads).to.deep.equal(['Kitchen (this device) leader', 'Den', 'Hall', 'Phone']);
    await expect(el).shadowDom.to.be.accessible();
  });

  it('formats the numbers of each speaker', async () => {
    const el = await dashboard(rows);
    expect(cellText(el, 'p-self', 'state')).to.equal('Playing');
    expect(cellText(el, 'p-self', 'error-cell')).to.equal('+0.08 ms in sync');
    expect(cellText(el, 'p-self', 'clock')).to.equal('±0.012 ms');
    expect(cellText(el, 'p-self', 'rtt')).to.equal('–');
    expect(cellText(el, 'p-self', 'latency')).to.equal('42.3 ms');
    expect(cellText(el, 'p-self', 'trim')).to.equal('+1.5 ms');
    expect(cellText(el, 'p-self', 'rate')).to.equal('+12.3 ppm');
    expect(cellText(el, 'p-self', 'corrections')).to.equal('3 rate · 1 resync');
    expect(cellText(el, 'p-den', 'rtt')).to.equal('0.52 ms');
    expect(cellText(el, 'p-den', 'trim')).to.equal('−2.0 ms');
    expect(cellText(el, 'p-den', 'rate')).to.equal('−40.0 ppm');
    expect(cellText(el, 'p-hall', 'latency')).to.equal('–');
    expect(cellText(el, 'p-hall', 'clock')).to.equal('–');
  });

  it('classes the error by magnitude and says it in words too', async () => {
    const el = await dashboard(rows);
    const quality = (peerId: string) => {
      const value = cell(el, peerId, 'error-cell').querySelector('.value')!;
      return [[...value.classList].filter((c) => c !== 'value'), cell(el, peerId, 'error-cell').querySelector('.quality')!.textContent];
    };
    expect(quality('p-self')).to.deep.equal([['good'], 'in sync']);
    expect(quality('p-den')).to.deep.equal([['fair'], 'slightly off']);
    expect(quality('p-hall')).to.deep.equal([['bad'], 'drifting']);
    expect(cellText(el, 'p-den', 'error-cell')).to.contain('−0.60 ms');
    expect(cellText(el, 'p-hall', 'error-cell')).to.contain('+3.46 ms');
  });

  it('plots one point per history sample, labelled with the largest error', async () => {
    const el = await dashboard(rows);
    const svgOf = (peerId: string) => cell(el, peerId, 'plot').querySelector('tutti-error-plot')!.shadowRoot!.querySelector('svg')!;
    const points = (peerId: string) => (svgOf(peerId).querySelector('path')!.getAttribute('d')!.match(/[ML]/g) ?? []).length;
    expect(points('p-self')).to.equal(5);
    expect(points('p-den')).to.equal(61);
    expect(svgOf('p-self').getAttribute('role')).to.equal('img');
    expect(svgOf('p-self').getAttribute('aria-label')).to.contain('error over the last 60 s: max 0.21 ms');
    expect(svgOf('p-den').getAttribute('aria-label')).to.contain('max 0.60 ms');
    expect(svgOf('p-self').querySelector('line.zero')).not.to.equal(null);
    expect(svgOf('p-hall').querySelector('path')).to.equal(null);
    expect(svgOf('p-hall').getAttribute('aria-label')).to.contain('no data');
  });

  it('scales the plot around zero with a span of at least ±0.5 ms', () => {
    const small = plotGeometry(history(3, () => 0.1));
    expect(small.spanMs).to.equal(0.5);
    const big = plotGeometry([{ atSharedMs: 0, errorMs: -2 }, { atSharedMs: 60_000, errorMs: 2 }]);
    expect(big.spanMs).to.equal(2);
    expect(big.path).to.equal('M0.0,26.00 L120.0,2.00');
    const zero = plotGeometry([{ atSharedMs: 5, errorMs: 0 }]);
    expect(zero.path).to.equal('M120.0,14.00');
  });

  it('shows remote members as "remote (no audio)" without audio numbers or a plot', async () => {
    const el = await dashboard(rows);
    expect(cellText(el, 'p-phone', 'state')).to.equal('remote (no audio)');
    expect(cellText(el, 'p-phone', 'error-cell')).to.equal('–');
    expect(cellText(el, 'p-phone', 'rtt')).to.equal('4.00 ms');
    expect(cell(el, 'p-phone', 'plot').querySelector('tutti-error-plot')).to.equal(null);
  });

  it('shows disconnected and not-yet-reporting speakers, and updates with new rows', async () => {
    const el = await dashboard(rows);
    el.rows = [{ ...rows[1]!, connected: false }, { ...rows[2]!, report: null }];
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('tbody tr').length).to.equal(2);
    expect(cellText(el, 'p-den', 'state')).to.equal('disconnected');
    expect(cellText(el, 'p-hall', 'state')).to.equal('no report yet');
    expect(cellText(el, 'p-hall', 'error-cell')).to.equal('–');
  });
});
