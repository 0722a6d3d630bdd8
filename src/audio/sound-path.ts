/**
 * Where a speaker's sound goes on its way out: the context's destination, or first through a
 * hidden delay (RoomParams.hiddenDelayMs). The output's frame counter and getOutputTimestamp()
 * see only the destination, so the delay is as invisible to the output timing as the delay of a
 * Bluetooth speaker or a receiver is in the real world: acoustic calibration has to hear it.
 */
import type { Milliseconds } from '../sync/units.js';

/**
 * The node to connect the sound to: `context.destination` when `hiddenDelayMs` ≤ 0, else a
 * DelayNode of exactly `hiddenDelayMs` (an integer number of frames plays back sample-exact)
 * that feeds the destination.
 */
export function soundPath(context: BaseAudioContext, hiddenDelayMs: Milliseconds): AudioNode {
  if (hiddenDelayMs <= 0) return context.destination;
  const delay = context.createDelay(hiddenDelayMs / 1000);
  delay.delayTime.value = hiddenDelayMs / 1000;
  delay.connect(context.destination);
  return delay;
}
