/**
 * AudioWorklet processors, as one module source loaded from a Blob URL (no build step):
 * - `tutti-frame-counter` posts `currentFrame` every `every` render quanta (output timing), on its
 *   own port or on a port it is sent (`{ port }`; `{ port: null }` goes back to its own);
 * - `tutti-tap` posts each quantum of its first input channel with its frame (tests, diagnostics).
 */
export const FRAME_COUNTER_PROCESSOR = 'tutti-frame-counter';
export const TAP_PROCESSOR = 'tutti-tap';

export const WORKLET_SOURCE = `
class FrameCounter extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.every = Math.max(1, (options.processorOptions && options.processorOptions.every) || 1);
    this.count = 0;
    this.out = this.port;
    this.port.onmessage = (e) => {
      if (e.data && 'port' in e.data) this.out = e.data.port || this.port;
    };
  }
  process() {
    if (this.count++ % this.every === 0) this.out.postMessage(currentFrame);
    return true;
  }
}
class Tap extends AudioWorkletProcessor {
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    const samples = channel ? channel.slice() : new Float32Array(128);
    this.port.postMessage({ frame: currentFrame, samples }, [samples.buffer]);
    return true;
  }
}
registerProcessor('${FRAME_COUNTER_PROCESSOR}', FrameCounter);
registerProcessor('${TAP_PROCESSOR}', Tap);
`;
