/** The one-line clock status of the Speakers section. Pure. */

/** The part of this tab's clock state the status line shows (uncertainty: 1σ, ms; ∞ without estimate). */
export interface ClockStatusInput {
  readonly converged: boolean;
  readonly uncertaintyMs: number;
}

/**
 * "this device keeps the clock" on the leader; "clock in sync ± x ms" once converged; while
 * converging (or converging again after a burst of delayed replies), how well it is known so far.
 */
export function clockStatusText(clock: ClockStatusInput, keepsClock: boolean): string {
  if (keepsClock) return 'this device keeps the clock';
  if (clock.converged) return `clock in sync ± ${clock.uncertaintyMs.toFixed(3)} ms`;
  return Number.isFinite(clock.uncertaintyMs) ? `syncing clock (± ${clock.uncertaintyMs.toFixed(3)} ms so far)…` : 'syncing clock…';
}
