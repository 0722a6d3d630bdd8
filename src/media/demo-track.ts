/**
 * The built-in demo track: a generative, music-like stereo piece that every speaker synthesizes
 * locally, so a new room can play immediately without transferring audio.
 *
 * Invariants:
 * - Deterministic and bit-identical across JS engines for the same options. Every module it uses
 *   follows the rule in `exact-math.ts`: only exactly-rounded IEEE-754 operations and integer ops,
 *   never `Math.sin/cos/exp/log/pow/tanh` or `**`. The output bytes are its content id (SHA-256),
 *   so any change to the synthesis changes every room's demo track id.
 * - Independent of `chunkFrames`: chunked and one-shot renders produce identical samples.
 * - Not periodic within any 0.5 s window (humanized drum timing, fresh noise per hit, a random
 *   noise bed), so recordings can be aligned by cross-correlation without ambiguity.
 * - Peak ≤ −1 dBFS (soft limiter with ceiling 0.89).
 */
import { composeDemoScore, type ScoreEvent } from './demo-score.js';
import { createVoice } from './demo-instruments.js';
import { deriveSeed } from './deterministic-rng.js';
import { NoiseBedVoice } from './noise-bed.js';
import type { Voice } from './voice.js';
import { DEMO_TRACK_DEFAULTS, DEMO_TRACK_METADATA } from './demo-track-info.js';
import { WavPcm16Writer } from './wav.js';

export { DEMO_TRACK_ALBUM, DEMO_TRACK_ARTIST, DEMO_TRACK_DEFAULTS, DEMO_TRACK_METADATA, DEMO_TRACK_TITLE } from './demo-track-info.js';

/** Rendering options; all optional. */
export interface DemoTrackOptions {
  /** Integer sample rate, 8000 … 192000 Hz. */
  readonly sampleRateHz?: number;
  /** Length in seconds, > 0 (rounded to whole frames). */
  readonly durationSec?: number;
  /** Composition seed (uint32). */
  readonly seed?: number;
  /** Frames per yielded chunk, ≥ 1. Does not affect the samples. */
  readonly chunkFrames?: number;
}

/** A block of rendered stereo audio. */
export interface DemoTrackChunk {
  /** Absolute index of the chunk's first frame. */
  readonly startFrame: number;
  /** Frames in this chunk (= left.length = right.length). */
  readonly frameCount: number;
  /** Frames in the whole track. */
  readonly totalFrames: number;
  readonly left: Float32Array;
  readonly right: Float32Array;
}

/** Progress of {@link renderDemoTrackWavSteps}. */
export interface DemoTrackProgress {
  readonly renderedFrames: number;
  readonly totalFrames: number;
  /** The frames [firstFrame, runEndFrame) are in the file so far (rendered first, from the position asked for). */
  readonly firstFrame: number;
  readonly runEndFrame: number;
}

/** Where to start rendering the WAV (see {@link renderDemoTrackWavSteps}). */
export interface DemoWavOrder {
  /** Render from this track position first (rounded down to a whole 10 ms), then the start, s. */
  readonly firstSec?: number;
}

/**
 * A voice is silent for good this long after its note ends, s: at most 6 time constants of the
 * slowest decay or release of the instruments (1.2 s), with room to spare.
 */
const MAX_TAIL_SEC = 10;

/** Linear master gain applied to the summed voices. */
const MASTER_GAIN = 1;
/** Soft limiter: linear up to the knee, then a rational curve approaching the ceiling (< −1 dBFS). */
const LIMITER_KNEE = 0.7;
const LIMITER_CEILING = 0.89;
const FADE_IN_SEC = 0.01;
const FADE_OUT_MAX_SEC = 4;
/** Noise bed level (linear), crackles per second and crackle level (linear). */
const NOISE_BED_GAIN = 0.1;
const CRACKLES_PER_SEC = 4;
const CRACKLE_LEVEL = 0.25;

function resolveOptions(options: DemoTrackOptions): Required<DemoTrackOptions> {
  const resolved = { ...DEMO_TRACK_DEFAULTS, ...options };
  const { sampleRateHz, durationSec, chunkFrames } = resolved;
  if (!Number.isInteger(sampleRateHz) || sampleRateHz < 8000 || sampleRateHz > 192000) {
    throw new RangeError(`sampleRateHz must be an integer in 8000..192000, got ${sampleRateHz}`);
  }
  if (!(durationSec > 0) || !Number.isFinite(durationSec)) throw new RangeError(`durationSec must be > 0, got ${durationSec}`);
  if (!Number.isInteger(chunkFrames) || chunkFrames < 1) throw new RangeError(`chunkFrames must be a positive integer, got ${chunkFrames}`);
  return { ...resolved, seed: resolved.seed >>> 0 };
}

/** Frames per channel of the track rendered with `options`. */
export function demoTrackFrameCount(options: DemoTrackOptions = {}): number {
  const { sampleRateHz, durationSec } = resolveOptions(options);
  return Math.max(1, Math.round(durationSec * sampleRateHz));
}

function limit(sample: number): number {
  const magnitude = Math.abs(sample);
  if (magnitude <= LIMITER_KNEE) return sample;
  const over = magnitude - LIMITER_KNEE;
  const room = LIMITER_CEILING - LIMITER_KNEE;
  const limited = LIMITER_KNEE + (over * room) / (over + room);
  return sample < 0 ? -limited : limited;
}

/** Stateful synthesis of consecutive blocks of the track. */
class DemoTrackRenderer {
  readonly totalFrames: number;
  private readonly events: ScoreEvent[];
  private readonly mixLeft: Float64Array;
  private readonly mixRight: Float64Array;
  private readonly fadeInFrames: number;
  private readonly fadeOutFrames: number;
  private active: Voice[];
  private nextEvent = 0;
  private renderedFrames = 0;

  constructor(private readonly options: Required<DemoTrackOptions>) {
    const { sampleRateHz, durationSec, seed, chunkFrames } = options;
    this.totalFrames = demoTrackFrameCount(options);
    this.events = composeDemoScore(seed, durationSec);
    const crackleChance = CRACKLES_PER_SEC / sampleRateHz;
    this.active = [new NoiseBedVoice(deriveSeed(seed, 0xbed), sampleRateHz, this.totalFrames, NOISE_BED_GAIN, crackleChance, CRACKLE_LEVEL)];
    this.mixLeft = new Float64Array(chunkFrames);
    this.mixRight = new Float64Array(chunkFrames);
    this.fadeInFrames = Math.max(1, Math.round(FADE_IN_SEC * sampleRateHz));
    this.fadeOutFrames = Math.max(1, Math.round(Math.min(FADE_OUT_MAX_SEC, durationSec / 4) * sampleRateHz));
  }

  /**
   * Continue from `frame` (before anything was rendered) with exactly the state a render from the
   * start would have there: the noise bed runs through the skipped frames, and so does every voice
   * still sounding at `frame`; voices silent by then are not rendered. Each voice keeps its own
   * state, so leaving the silent ones out changes nothing after `frame` (at 20 s into the demo, 198
   * voices held 165 s of audio to run through, most of it of notes already over).
   */
  skipTo(frame: number): void {
    if (this.renderedFrames !== 0 || !Number.isInteger(frame) || frame < 0 || frame > this.totalFrames) throw new RangeError(`cannot skip to ${frame}`);
    const { sampleRateHz, chunkFrames } = this.options;
    const voices: Voice[] = [...this.active];
    for (; this.nextEvent < this.events.length; this.nextEvent++) {
      const event = this.events[this.nextEvent] as ScoreEvent;
      if (Math.round(event.startSec * sampleRateHz) >= frame) break;
      if ((event.startSec + event.durationSec + MAX_TAIL_SEC) * sampleRateHz < frame) continue;
      const voice = createVoice(event, sampleRateHz);
      if (voice.endFrame > frame) voices.push(voice);
    }
    const { mixLeft, mixRight } = this;
    this.active = voices.filter((voice) => {
      for (let at = voice.startFrame; at < frame; at += chunkFrames) {
        if (!voice.render(mixLeft, mixRight, at, Math.min(chunkFrames, frame - at))) return false;
      }
      return true;
    });
    this.renderedFrames = frame;
  }

  /** Renders the next block (up to `chunkFrames`) into `left`/`right`; returns its frame count (0 at the end). */
  renderNext(left: Float32Array, right: Float32Array): number {
    const { sampleRateHz, chunkFrames } = this.options;
    const startFrame = this.renderedFrames;
    const frameCount = Math.min(chunkFrames, this.totalFrames - startFrame);
    const { mixLeft, mixRight, events } = this;
    mixLeft.fill(0);
    mixRight.fill(0);
    for (; this.nextEvent < events.length; this.nextEvent++) {
      const event = events[this.nextEvent] as ScoreEvent;
      if (Math.round(event.startSec * sampleRateHz) >= startFrame + frameCount) break;
      this.active.push(createVoice(event, sampleRateHz));
    }
    this.active = this.active.filter((voice) => voice.render(mixLeft, mixRight, startFrame, frameCount));
    this.master(left, right, startFrame, frameCount);
    this.renderedFrames += frameCount;
    return frameCount;
  }

  /** Master gain, fades and soft limiter from the mix buses into the float outputs. */
  private master(left: Float32Array, right: Float32Array, startFrame: number, frameCount: number): void {
    const { mixLeft, mixRight, fadeInFrames, fadeOutFrames, totalFrames } = this;
    for (let i = 0; i < frameCount; i++) {
      const frame = startFrame + i;
      let gain = MASTER_GAIN;
      if (frame < fadeInFrames) gain *= frame / fadeInFrames;
      const framesLeft = totalFrames - frame;
      if (framesLeft < fadeOutFrames) gain *= framesLeft / fadeOutFrames;
      left[i] = limit((mixLeft[i] as number) * gain);
      right[i] = limit((mixRight[i] as number) * gain);
    }
  }
}

/**
 * Renders the track chunk by chunk; each chunk is a fresh pair of arrays the caller may keep.
 * Cheap to start: composing the score takes milliseconds; synthesis happens as chunks are pulled.
 */
export function* generateDemoTrackChunks(options: DemoTrackOptions = {}): Generator<DemoTrackChunk, void, undefined> {
  const resolved = resolveOptions(options);
  const renderer = new DemoTrackRenderer(resolved);
  const { totalFrames } = renderer;
  for (let startFrame = 0; startFrame < totalFrames; ) {
    const frameCount = Math.min(resolved.chunkFrames, totalFrames - startFrame);
    const left = new Float32Array(frameCount);
    const right = new Float32Array(frameCount);
    renderer.renderNext(left, right);
    yield { startFrame, frameCount, totalFrames, left, right };
    startFrame += frameCount;
  }
}

/**
 * Renders the track as a 16-bit stereo PCM WAV, yielding progress after each chunk and returning
 * the file bytes (for a Worker that reports progress). With `order.firstSec`, the frames from that
 * position to the end come first (a late joiner plays them while the rest renders), then the
 * start; the bytes are the same either way. `writer` exposes the file as it fills.
 */
export function* renderDemoTrackWavSteps(options: DemoTrackOptions = {}, order: DemoWavOrder = {}): Generator<DemoTrackProgress & { readonly writer: WavPcm16Writer }, Uint8Array, undefined> {
  const resolved = resolveOptions(options);
  const tail = new DemoTrackRenderer(resolved);
  const { totalFrames } = tail;
  const rate = resolved.sampleRateHz;
  const firstFrame = Math.min(totalFrames, Math.max(0, Math.floor(Math.floor((order.firstSec ?? 0) * 100) * (rate / 100))));
  const writer = new WavPcm16Writer({ channelCount: 2, sampleRateHz: rate, frameCount: totalFrames, info: DEMO_TRACK_METADATA });
  const left = new Float32Array(resolved.chunkFrames);
  const right = new Float32Array(resolved.chunkFrames);
  tail.skipTo(firstFrame);
  let runEndFrame = firstFrame;
  while (runEndFrame < totalFrames) {
    const count = tail.renderNext(left, right);
    writer.writeAt(runEndFrame, [left, right], count);
    runEndFrame += count;
    yield { renderedFrames: writer.framesWritten, totalFrames, firstFrame, runEndFrame, writer };
  }
  const head = new DemoTrackRenderer(resolved);
  for (let frame = 0; frame < firstFrame; ) {
    const count = Math.min(head.renderNext(left, right), firstFrame - frame);
    writer.writeAt(frame, [left, right], count);
    frame += count;
    yield { renderedFrames: writer.framesWritten, totalFrames, firstFrame, runEndFrame, writer };
  }
  return writer.bytes;
}

/** Renders the whole track as a 16-bit stereo PCM WAV file (≈ 31.8 MB for the 180 s default). */
export function renderDemoTrackWav(options: DemoTrackOptions = {}): Uint8Array {
  const steps = renderDemoTrackWavSteps(options);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}
