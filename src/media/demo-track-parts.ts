/**
 * Parts of the demo track while it renders from a position (see `renderDemoTrackWavSteps` with
 * `firstSec`): WAV files of their own holding the frames rendered so far from that position,
 * offered as they grow (`sync/part-growth.ts`). Pure: used by the demo worker and its main-thread
 * fallback alike.
 */
import { partWorthOffering, type OfferedPart } from '../sync/part-growth.js';
import type { DemoTrackProgress } from './demo-track.js';
import type { WavPcm16Writer } from './wav.js';
import { readWavLayout, wavSlice, type WavDataLayout } from './wav-slice.js';

/** A part of the demo track rendered so far: a WAV of its own from track position `startSec`. */
export interface DemoPart {
  readonly startSec: number;
  /** Track position just after its last frame, s. */
  readonly endSec: number;
  /** Length of the whole track, s. */
  readonly durationSec: number;
  readonly bytes: Uint8Array;
}

export class DemoPartCutter {
  private layout: WavDataLayout | null = null;
  private offered: OfferedPart = null;

  /** The next part worth offering after this render step, or null. */
  next(step: DemoTrackProgress & { readonly writer: WavPcm16Writer }): DemoPart | null {
    const { writer, firstFrame, runEndFrame, totalFrames } = step;
    this.layout ??= readWavLayout(writer.bytes.subarray(0, writer.byteOfFrame(0)), writer.bytes.byteLength);
    const layout = this.layout;
    if (layout === null) return null;
    const rate = layout.sampleRateHz;
    if (!partWorthOffering(this.offered, firstFrame / rate, runEndFrame / rate, totalFrames / rate)) return null;
    const from = writer.byteOfFrame(firstFrame);
    const slice = wavSlice(layout, { offsetBytes: from, bytes: writer.bytes.subarray(from, writer.byteOfFrame(runEndFrame)) });
    if (slice === null) return null;
    this.offered = { startSec: slice.startSec, endSec: slice.endSec };
    return { ...slice, durationSec: totalFrames / rate };
  }
}
