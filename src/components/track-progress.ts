/** One labelled progress bar, e.g. "Receiving Song Title 45 %". */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';

/** `fraction` (0…1) as a whole percentage, clamped; NaN counts as 0. */
export const percentOf = (fraction: number): number => Math.round(Math.min(1, Math.max(0, Number.isNaN(fraction) ? 0 : fraction)) * 100);

@customElement('tutti-track-progress')
export class TrackProgress extends LitElement {
  static override styles = css`
    :host { display: grid; grid-template-columns: 1fr auto; gap: 0.2rem 0.6rem; align-items: center; font-size: 0.85rem; }
    progress { grid-column: 1 / -1; width: 100%; height: 0.5rem; accent-color: #4b55c9; }
    .percent { font-variant-numeric: tabular-nums; opacity: 0.8; }
  `;

  /** What is in progress, e.g. "Receiving Song Title". */
  @property() label = '';
  /** Done fraction, 0…1. */
  @property({ type: Number }) fraction = 0;

  override render() {
    const percent = percentOf(this.fraction);
    return html`<span class="label">${this.label}</span><span class="percent" aria-hidden="true">${percent} %</span>
      <progress max="100" .value=${percent} aria-label=${`${this.label} ${percent} %`}></progress>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tutti-track-progress': TrackProgress;
  }
}
