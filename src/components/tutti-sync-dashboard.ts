/**
 * A live table of every speaker's sync: playout phase and error, clock uncertainty, RTT, output
 * latency, trim, drift-correction rate and counts, and a sparkline of the last minute's error.
 * Re-rendered a few times a second, so rows are keyed and the plots redraw only on new history.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { PlayoutReport } from '../sync/playout-report.js';
import type { Milliseconds } from '../sync/units.js';
import type { ErrorSample } from './error-plot.js';
import { PHASE_TEXT, QUALITY_TEXT, errorQuality, formatMs, formatSigned } from './playout-format.js';
import './error-plot.js';

/** One speaker as the dashboard shows it. Numbers are ms unless named otherwise; null = unknown. */
export interface SyncRow {
  readonly peerId: string;
  readonly name: string;
  readonly isSelf: boolean;
  readonly isLeader: boolean;
  readonly connected: boolean;
  /** A remote-only member: controls the room, plays no audio. */
  readonly remote: boolean;
  /** Its latest playout report; null: none yet. */
  readonly report: PlayoutReport | null;
  /** Round trip to that speaker, ms. */
  readonly rttMs: Milliseconds | null;
  /** 1σ of its clock offset estimate, ms. */
  readonly clockUncertaintyMs: Milliseconds | null;
  /** Its playout error over the last ~60 s, oldest first. */
  readonly history: readonly ErrorSample[];
}

const DASH = '–';

@customElement('tutti-sync-dashboard')
export class SyncDashboard extends LitElement {
  static override styles = css`
    :host { display: block; }
    .scroll { overflow-x: auto; }
    table { border-collapse: collapse; font-size: 0.85rem; font-variant-numeric: tabular-nums; width: 100%; }
    caption { text-align: start; font-weight: 600; padding-bottom: 0.4rem; }
    th, td { padding: 0.3rem 0.5rem; border-bottom: 1px solid color-mix(in srgb, CanvasText 15%, Canvas); white-space: nowrap; }
    thead th { text-align: start; font-weight: 600; }
    td.num { text-align: end; }
    tbody th { text-align: start; font-weight: 600; }
    tr.self { background: color-mix(in srgb, #4b55c9 10%, Canvas); }
    .badge { font-size: 0.7rem; padding: 0.05rem 0.4rem; border-radius: 1rem; background: #4b55c9; color: white; }
    .good { color: light-dark(#1a6b2d, #7ee2a0); }
    .fair { color: light-dark(#6f4a00, #f5c45e); }
    .bad { color: light-dark(#a8281c, #ff8a7a); font-weight: 600; }
    .quality { font-size: 0.75rem; }
  `;

  /** One row per speaker, self first. */
  @property({ attribute: false }) rows: readonly SyncRow[] = [];

  override render() {
    return html`<div class="scroll" role="region" aria-labelledby="caption" tabindex="0">
      <table>
        <caption id="caption">Sync</caption>
        <thead>
          <tr>
            ${['Speaker', 'State', 'Error', 'Clock ±', 'RTT', 'Output latency', 'Trim', 'Rate', 'Corrections', 'Last 60 s'].map(
              (h) => html`<th scope="col">${h}</th>`,
            )}
          </tr>
        </thead>
        <tbody>
          ${repeat(this.rows, (row) => row.peerId, (row) => this.renderRow(row))}
        </tbody>
      </table>
    </div>`;
  }

  private renderRow(row: SyncRow) {
    const report = row.remote ? null : row.report;
    return html`<tr class=${row.isSelf ? 'self' : ''} data-peer=${row.peerId}>
      <th scope="row">
        ${row.name}${row.isSelf ? html` <small>(this device)</small>` : nothing}${row.isLeader ? html` <span class="badge">leader</span>` : nothing}
      </th>
      <td class="state">${stateText(row)}</td>
      <td class="num error-cell">${report === null ? DASH : errorCell(report.errorMs)}</td>
      <td class="num clock">${row.clockUncertaintyMs === null ? DASH : `±${row.clockUncertaintyMs.toFixed(3)} ms`}</td>
      <td class="num rtt">${row.isSelf ? DASH : formatMs(row.rttMs, 2)}</td>
      <td class="num latency">${report === null ? DASH : formatMs(report.outputLatencyMs, 1)}</td>
      <td class="num trim">${report === null ? DASH : formatSigned(report.trimMs, 1, 'ms')}</td>
      <td class="num rate">${report === null ? DASH : formatSigned(report.ratePpm, 1, 'ppm')}</td>
      <td class="num corrections">${report === null ? DASH : `${report.rateChanges} rate · ${report.reschedules} resync`}</td>
      <td class="plot">${row.remote ? DASH : html`<tutti-error-plot .samples=${row.history}></tutti-error-plot>`}</td>
    </tr>`;
  }
}

/** The State column: remote, disconnected, waiting, or the reported phase (with an error's message). */
function stateText(row: SyncRow): string {
  if (row.remote) return 'remote (no audio)';
  if (!row.connected && !row.isSelf) return 'disconnected';
  if (row.report === null) return 'no report yet';
  const phase = PHASE_TEXT[row.report.phase];
  return row.report.phase === 'error' && row.report.message !== null ? `${phase}: ${row.report.message}` : phase;
}

/** The Error column: signed value coloured by magnitude, plus the words for it. */
function errorCell(errorMs: Milliseconds | null) {
  if (errorMs === null) return DASH;
  const quality = errorQuality(errorMs);
  return html`<span class=${`value ${quality}`}>${formatSigned(errorMs, 2, 'ms')}</span> <span class=${`quality ${quality}`}>${QUALITY_TEXT[quality]}</span>`;
}

declare global {
  interface HTMLElementTagNameMap {
    'tutti-sync-dashboard': SyncDashboard;
  }
}
