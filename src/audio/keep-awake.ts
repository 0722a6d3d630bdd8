/**
 * Keeps a WebAudio output on its real device. Chromium hands an output that has rendered exact
 * zeros for 30 s to a fake, timer-driven sink (SilentSinkSuspender) and re-opens the device when
 * sound starts again. In bench:sync that switch made every speaker 100–400 ms late at the moment
 * the music started, until the output mapping restarted and noticed. An output that is never
 * exactly silent never switches.
 */

/**
 * Level of the constant played, linear: −180 dBFS, zero after any conversion to 16 or 24 bits,
 * far above float32's denormals (≈1e-38), so no stage flushes it to an exact zero.
 */
export const KEEP_AWAKE_LEVEL = 1e-9;

/** Starts a constant of {@link KEEP_AWAKE_LEVEL} into `context.destination`; disconnect it to stop. */
export function keepOutputAwake(context: BaseAudioContext): ConstantSourceNode {
  const node = new ConstantSourceNode(context, { offset: KEEP_AWAKE_LEVEL });
  node.connect(context.destination);
  node.start();
  return node;
}
