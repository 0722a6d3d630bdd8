/**
 * The latencies a speaker heard lately (the rules' latency plus the fine offset, ms) that its
 * readings confirmed, on the current render line: the fine latency follows readings rising back
 * to one as a return, not a ramp ({@link FineLatencyOptions.returnMemoryMs}). Pure.
 */
import type { FineLatencyOptions } from './output-fine-latency-options.js';
import type { Milliseconds } from './units.js';

export class HeardLatencies {
  /** Oldest first. */
  private heard: { readonly atMs: Milliseconds; readonly latencyMs: Milliseconds }[] = [];

  constructor(private readonly o: Pick<FineLatencyOptions, 'returnMemoryMs'>) {}

  /** Forgets those heard more than `returnMemoryMs` before `atMs`. */
  prune(atMs: Milliseconds): void {
    this.heard = this.heard.filter((h) => atMs - h.atMs <= this.o.returnMemoryMs);
  }

  /** `latencyMs` was heard at `atMs`, confirmed by the readings. */
  add(atMs: Milliseconds, latencyMs: Milliseconds): void {
    this.heard.push({ atMs, latencyMs });
  }

  /** How far the highest latency kept lies above `latencyMs`, ms (0 when none does). */
  aboveMs(latencyMs: Milliseconds): Milliseconds {
    return Math.max(0, ...this.heard.map((h) => h.latencyMs - latencyMs));
  }

  clear(): void {
    this.heard = [];
  }
}
