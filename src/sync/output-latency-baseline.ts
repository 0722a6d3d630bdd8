/**
 * The output latency in use by {@link OutputTiming}: the median implied latency of its anchor
 * readings against the render line (recomputed while the anchors lie within the line's fit span,
 * frozen after), plus the steps taken since. A render restart keeps a latency from enough
 * anchors (frozen) and forgets one from fewer. Pure.
 */
import { median } from './median.js';
import type { RenderClock } from './output-render-clock.js';
import type { Milliseconds } from './units.js';

/** A reading kept for the baseline: context time and when it is heard, ms. */
export interface Anchor {
  readonly ctxMs: Milliseconds;
  readonly perfMs: Milliseconds;
}

/** Latency (ms) and its 1σ. */
export interface BaselineLatency {
  readonly ms: Milliseconds;
  readonly sdMs: Milliseconds;
}

export class LatencyBaseline {
  private anchors: Anchor[] = [];
  /** The anchors' latency, cached per render-line version and count of restarts and shifts. */
  private cached: (BaselineLatency & { version: number; breaks: number }) | null = null;
  /** The anchors still lie on the current line (else their latency is frozen). */
  private liveAnchors = true;
  /** Steps taken on top of the anchors' latency, ms. */
  private adjustMs = 0;

  /** @param windowMs the render line's fit span, ms (anchors older than 0.8 of it freeze the latency). */
  constructor(
    private readonly render: RenderClock,
    private readonly windowMs: Milliseconds,
  ) {}

  /** Anchor readings kept. */
  get size(): number {
    return this.anchors.length;
  }

  /** The anchors lie on the current line (a latency kept through a restart is frozen). */
  get live(): boolean {
    return this.liveAnchors;
  }

  /** The latency in use, ms (NaN without anchors). */
  get latencyMs(): Milliseconds {
    const base = this.state();
    return base === null ? Number.NaN : base.ms + this.adjustMs;
  }

  /** Another reading for the baseline. */
  add(anchor: Anchor): void {
    this.anchors.push(anchor);
  }

  /** Move the latency in use by `deltaMs` (a step or a steady run of rejected readings). */
  adjust(deltaMs: Milliseconds): void {
    this.adjustMs += deltaMs;
  }

  /** Start over from these anchors (empty: a fresh baseline is taken from the next readings). */
  replace(anchors: Anchor[]): void {
    this.anchors = anchors;
    this.cached = null;
    this.liveAnchors = true;
    this.adjustMs = 0;
  }

  /** The render line restarted: keep the latency of `minAnchors` or more anchors (frozen), else forget it. */
  lineRestarted(minAnchors: number): void {
    if (this.cached !== null && this.anchors.length >= minAnchors) {
      this.liveAnchors = false;
      return;
    }
    this.anchors = [];
    this.cached = null;
  }

  /** Latency of the anchors (without the adjustments), recomputed against the current line while they are in its fit span. */
  state(): BaselineLatency | null {
    if (this.anchors.length === 0) return null;
    const breaks = this.render.breaks;
    const cached = this.cached;
    if (!this.liveAnchors || (cached !== null && cached.version === this.render.version && cached.breaks === breaks)) return cached;
    const oldest = this.anchors[0]?.ctxMs ?? 0;
    if (cached !== null && this.render.newestFrameMs - oldest > 0.8 * this.windowMs) {
      this.liveAnchors = false;
      return cached;
    }
    const values = this.anchors.map((a) => a.perfMs - this.render.timeToPerfMs(a.ctxMs));
    const mid = median(values);
    const spread = 1.4826 * median(values.map((v) => Math.abs(v - mid)));
    this.cached = { version: this.render.version, breaks, ms: mid, sdMs: (1.25 * spread) / Math.sqrt(values.length) };
    return this.cached;
  }
}
