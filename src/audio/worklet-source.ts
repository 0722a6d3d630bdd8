/**
 * AudioWorklet processors, as one module source loaded from a Blob URL (no build step):
 * - `tutti-frame-counter` reports `currentFrame` every render quantum (output timing). Given a
 *   SharedArrayBuffer (`processorOptions.shared`, laid out as {@link SHARED_FRAME_LAYOUT}), it
 *   writes the frame there under a sequence lock and wakes the waiter (`Atomics.notify`): nothing
 *   on the real-time thread allocates or queues a task. Without one, or once sent `{ port }`, it
 *   posts the frame every `every` quanta on its own port or on that one (`{ port: null }`: its
 *   own). postMessage allocates on the render thread: in pages whose worker churned memory, a
 *   counter that posted underran 34 times in 10 one-minute runs, one writing shared memory 2 times
 *   in 5 (one that only counted: 5 in 7);
 * - `tutti-tap` posts each quantum of its first input channel with its frame (tests, diagnostics).
 */
export const FRAME_COUNTER_PROCESSOR = 'tutti-frame-counter';
export const TAP_PROCESSOR = 'tutti-tap';

/**
 * The frame counter's shared memory: Int32 `sequence` at index 0 (odd while a write is under
 * way, bumped twice per quantum, and the `Atomics.notify` address), Float64 `frame` at index 1
 * (byte 8). A reader takes the frame when the sequence is even and the same before and after.
 */
export const SHARED_FRAME_LAYOUT = { bytes: 16, sequenceIndex: 0, frameIndex: 1 } as const;

export const WORKLET_SOURCE = `
class FrameCounter extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = options.processorOptions || {};
    this.every = Math.max(1, o.every || 1);
    this.count = 0;
    this.out = this.port;
    this.sequence = o.shared ? new Int32Array(o.shared) : null;
    this.frame = o.shared ? new Float64Array(o.shared) : null;
    this.port.onmessage = (e) => {
      if (!e.data || !('port' in e.data)) return;
      this.out = e.data.port || this.port;
      this.sequence = null;
    };
  }
  process() {
    if (this.sequence !== null) {
      Atomics.add(this.sequence, ${SHARED_FRAME_LAYOUT.sequenceIndex}, 1);
      this.frame[${SHARED_FRAME_LAYOUT.frameIndex}] = currentFrame;
      Atomics.add(this.sequence, ${SHARED_FRAME_LAYOUT.sequenceIndex}, 1);
      Atomics.notify(this.sequence, ${SHARED_FRAME_LAYOUT.sequenceIndex});
    } else if (this.count++ % this.every === 0) {
      this.out.postMessage(currentFrame);
    }
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
