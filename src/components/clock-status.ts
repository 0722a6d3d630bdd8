/** The one-line clock status of the Speakers section. Pure. */
import type { ClockState } from '../sync/clock-sync.js';

/**
 * "this device keeps the clock" on the leader; "clock in sync ± x ms" once converged; while
 * converging (or converging again after a burst of delayed replies), how well it is known so far.
 */
export function clockStatusText(clock: Pick<ClockState, 'converged' | 'uncertaintyMs'>, keepsClock: boolean): string {
  if (keepsClock) return 'this device keeps the clock';
  if (clock.converged) return `clock in sync ± ${clock.uncertaintyMs.toFixed(3)} ms`;
  return Number.isFinite(clock.uncertaintyMs) ? `syncing clock (± ${clock.uncertaintyMs.toFixed(3)} ms so far)…` : 'syncing clock…';
}
