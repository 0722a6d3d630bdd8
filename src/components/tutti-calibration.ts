/**
 * Acoustic calibration panel: the "Calibrate speakers" button, progress while a run records,
 * analyses and verifies, the results per speaker (measured delay, correction, residual) and
 * clear errors. Renders from properties; asks for a run with a `calibrate-request` event.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { CalibrationPhase, type CalibrationReport } from '../room/calibration-runner.js';

/** The person asked to calibrate the room's speakers from this device. */
export class CalibrateRequestEvent extends Event {
  static readonly type = 'calibrate-request';
  constructor() {
    super(CalibrateRequestEvent.type, { bubbles: true, composed: true });
  }
}

const STEPS: Partial<Record<CalibrationPhase, { label: string; value: number }>> = {
  [CalibrationPhase.microphone]: { label: 'Starting the microphone…', value: 0.1 },
  [CalibrationPhase.measuring]: { label: 'Listening to each speaker…', value: 0.3 },
  [CalibrationPhase.applying]: { label: 'Applying corrections…', value: 0.55 },
  [CalibrationPhase.verifying]: { label: 'Verifying…', value: 0.75 },
};

const ms = (value: number | null, signed = false): string =>
  value === null ? '–' : `${signed && value > 0 ? '+' : ''}${value.toFixed(value !== 0 && Math.abs(value) < 1 ? 3 : 2)} ms`;

@customElement('tutti-calibration')
export class TuttiCalibration extends LitElement {
  static override styles = css`
    :host { display: block; margin-top: 1rem; }
    h2 { font-size: 1.1rem; margin: 0 0 0.4rem; }
    p { margin: 0.3rem 0; }
    progress { width: 100%; }
    table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: 0.9rem; }
    th, td { text-align: left; padding: 0.2rem 0.4rem; }
    td.num, th.num { text-align: right; }
    .error { color: #c0392b; }
    .ok { color: #1e8449; }
    small { opacity: 0.8; }
  `;

  @property({ attribute: false }) phase: CalibrationPhase = CalibrationPhase.idle;
  /** The latest run's result on this device, or null. */
  @property({ attribute: false }) report: CalibrationReport | null = null;
  /** This device's calibration correction in force, ms; null when it is not a speaker. */
  @property({ attribute: false }) localCorrectionMs: number | null = null;
  /** Speakers in the room that can be calibrated. */
  @property({ attribute: false }) speakerCount = 0;

  private get running(): boolean {
    return STEPS[this.phase] !== undefined;
  }

  override render() {
    const step = STEPS[this.phase];
    return html`<section aria-label="Calibration">
      <h2>Calibration</h2>
      <p><small>Plays a short sound on each speaker and listens with this device's microphone to line up their real output delays.</small></p>
      <button ?disabled=${this.running || this.speakerCount < 2} @click=${this.onClick}>Calibrate speakers</button>
      ${this.speakerCount < 2 ? html`<small> needs two speakers in the room</small>` : nothing}
      ${step === undefined ? nothing : html`<p role="status">${step.label}</p><progress aria-label="Calibration progress" max="1" .value=${step.value}></progress>`}
      ${this.running || this.report === null ? nothing : this.renderReport(this.report)}
      ${this.localCorrectionMs === null ? nothing : html`<p class="local"><small>This speaker's calibration correction: ${ms(this.localCorrectionMs, true)}</small></p>`}
    </section>`;
  }

  private renderReport(report: CalibrationReport) {
    return html`<p role=${report.ok ? 'status' : 'alert'} class=${report.ok ? 'ok' : 'error'} data-outcome=${report.ok ? 'ok' : 'failed'}>${report.message}</p>
      <table aria-label="Calibration results">
        <thead><tr><th>Speaker</th><th class="num">Measured delay</th><th class="num">Correction</th><th class="num">Residual</th></tr></thead>
        <tbody>
          ${report.rows.map(
            (r) => html`<tr data-speaker=${r.speakerId}>
              <td>${r.name}${r.error === null ? nothing : html`<br /><small class="error">${r.error}</small>`}</td>
              <td class="num">${ms(r.measuredDelayMs)}</td>
              <td class="num">${ms(r.correctionMs)}</td>
              <td class="num">${ms(r.residualMs, true)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      <p><small>Run took ${(report.durationMs / 1000).toFixed(1)} s.</small></p>`;
  }

  private onClick(): void {
    this.dispatchEvent(new CalibrateRequestEvent());
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tutti-calibration': TuttiCalibration;
  }
  interface HTMLElementEventMap {
    'calibrate-request': CalibrateRequestEvent;
  }
}
