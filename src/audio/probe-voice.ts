/**
 * A one-shot mono signal (a calibration probe) at an exact context time, with its own gain,
 * straight into `destination`; cleans up after itself when it ends.
 */
import type { Seconds } from '../sync/units.js';

export function playOneShot(context: BaseAudioContext, destination: AudioNode, samples: Float32Array<ArrayBuffer>, sampleRateHz: number, whenSec: Seconds, gain: number): void {
  const buffer = context.createBuffer(1, samples.length, sampleRateHz);
  buffer.copyToChannel(samples, 0);
  const source = new AudioBufferSourceNode(context, { buffer });
  const level = new GainNode(context, { gain });
  source.connect(level).connect(destination);
  source.onended = () => level.disconnect();
  source.start(whenSec);
}
