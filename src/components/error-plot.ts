/** A tiny sparkline of one speaker's playout error over the last minute, centred on zero. */
import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Milliseconds } from '../sync/units.js';

/** One sample: the playout error (ms, positive = late) observed at a shared time (ms). */
export interface ErrorSample {
  readonly atSharedMs: Milliseconds;
  readonly errorMs: Milliseconds;
}

/** The y axis always spans at least ±this, ms, so tiny noise does not fill the plot. */
export const MIN_ERROR_SPAN_MS: Milliseconds = 0.5;
/** Time the plot covers, ms. */
export const PLOT_WINDOW_MS: Milliseconds = 60_000;
/** The drawing box, in SVG user units (matches the viewBox). */
const WIDTH = 120;
const HEIGHT = 28;
const PAD = 2;

/** What to draw: an SVG path (one point per finite sample), the largest |error| and the y span (ms). */
export interface PlotGeometry {
  readonly path: string;
  readonly pointCount: number;
  readonly maxAbsErrorMs: Milliseconds;
  readonly spanMs: Milliseconds;
}

/**
 * Lays samples out in a WIDTH×HEIGHT box: x covers `windowMs` ending at the newest sample
 * (older samples widen it), y is symmetric around zero with a span of max(|error|, MIN_ERROR_SPAN_MS).
 * Non-finite samples are skipped.
 */
export function plotGeometry(samples: readonly ErrorSample[], windowMs: Milliseconds = PLOT_WINDOW_MS): PlotGeometry {
  const finite = samples.filter((s) => Number.isFinite(s.atSharedMs) && Number.isFinite(s.errorMs));
  let newestMs = -Infinity;
  let oldestMs = Infinity;
  let maxAbsErrorMs = 0;
  for (const s of finite) {
    newestMs = Math.max(newestMs, s.atSharedMs);
    oldestMs = Math.min(oldestMs, s.atSharedMs);
    maxAbsErrorMs = Math.max(maxAbsErrorMs, Math.abs(s.errorMs));
  }
  const spanMs = Math.max(MIN_ERROR_SPAN_MS, maxAbsErrorMs);
  const startMs = Math.min(oldestMs, newestMs - windowMs);
  const widthMs = newestMs - startMs;
  const mid = HEIGHT / 2;
  const path = finite
    .map((s, i) => {
      const x = widthMs > 0 ? ((s.atSharedMs - startMs) / widthMs) * WIDTH : WIDTH;
      const y = mid - (s.errorMs / spanMs) * (mid - PAD);
      return `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(2)}`;
    })
    .join(' ');
  return { path, pointCount: finite.length, maxAbsErrorMs, spanMs };
}

@customElement('tutti-error-plot')
export class ErrorPlot extends LitElement {
  static override styles = css`
    :host { display: inline-block; width: 7.5rem; height: 1.75rem; vertical-align: middle; }
    svg { width: 100%; height: 100%; display: block; overflow: visible; }
    .zero { stroke: currentColor; stroke-opacity: 0.35; stroke-width: 0.5; }
    .line { fill: none; stroke: currentColor; stroke-width: 1; vector-effect: non-scaling-stroke; }
  `;

  /** The samples, oldest first; re-renders only when the array itself changes. */
  @property({ attribute: false }) samples: readonly ErrorSample[] = [];

  override render() {
    const g = plotGeometry(this.samples);
    const label =
      g.pointCount === 0
        ? 'error over the last 60 s: no data yet'
        : `error over the last 60 s: max ${g.maxAbsErrorMs.toFixed(2)} ms (scale ±${g.spanMs.toFixed(2)} ms)`;
    return html`<svg role="img" aria-label=${label} viewBox="0 0 120 28" preserveAspectRatio="none">
      <line class="zero" x1="0" x2=${WIDTH} y1=${HEIGHT / 2} y2=${HEIGHT / 2}></line>
      ${g.pointCount === 0 ? nothing : svg`<path class="line" d=${g.path}></path>`}
    </svg>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tutti-error-plot': ErrorPlot;
  }
}
