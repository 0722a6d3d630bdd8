/**
 * A simulated audio device, renderer and main thread feeding an {@link OutputTiming}: frame reports
 * with heavy-tailed arrival delays, getOutputTimestamp() readings (with ramps, steps, wander and
 * start-up garbage), underruns and suspends; the truth (when each frame is heard) is known exactly.
 */
import { OutputTiming, type OutputTimingOptions } from '../../src/sync/output-timing.js';
import { teeTimingInputs, type OutputTimingInputs } from '../../src/sync/output-timing-log.js';
import { Rng } from './rng.js';

export const SR = 44_100;
export const QUANTUM = 128;

/** A simulated audio device + renderer + main thread. Times in ms of the performance clock. */
export interface SimOptions {
  seed: number;
  durationMs: number;
  /** The audio clock runs this much faster than performance time, ppm. */
  skewPpm: number;
  callbackFrames: number;
  /** Render envelope → heard, ms (device latency). */
  latencyMs: number;
  /** Heavy-tailed main-thread delay of worklet messages, up to ~5 ms (and rare 20 ms blocks). */
  jitter: 'heavy' | 'none';
  /** performance.now() resolution, ms. */
  resolutionMs: number;
  readingEveryMs: number;
  /** Also read this long after the last reading while the timing wants readings (as BrowserAudioOutput does), ms. */
  readingsOnDemandMs?: number;
  readingJitterMs: number;
  /** Frame counter posts every this many quanta. */
  postEvery: number;
  /** The readings ramp upward from this time at this rate (the Chromium bug), ms and ms/s. */
  ramp?: { fromMs: number; msPerSec: number };
  /** The real latency steps (new output route). */
  step?: { atMs: number; deltaMs: number };
  /** The real latency (heard and read alike) grows by deltaMs from fromMs to untilMs, then stays. */
  latencyRise?: { fromMs: number; untilMs: number; deltaMs: number };
  /** The real latency (heard and read alike) wanders: a sine of this amplitude and period, ms. */
  latencyWave?: { amplitudeMs: number; periodMs: number };
  /** The real latency (heard and read alike) moves by `deltaMs`, linear between these points (held before the first and after the last), ms. */
  latencyPath?: readonly { atMs: number; deltaMs: number }[];
  /** From `atMs` on, frames are rendered `deltaMs` later and heard at the same time (a render buffer shrank). */
  renderShift?: { atMs: number; deltaMs: number };
  /** The context is suspended for a while. */
  suspend?: { atMs: number; forMs: number };
  /** At these times the output falls `underrunMs` behind (frames rendered after it are heard later). */
  underruns?: readonly number[];
  underrunMs?: number;
  /** Whether the estimator is told the underrun count (as Chromium's playbackStats do; default true). */
  underrunCounter?: boolean;
  /** The browser counts underruns, but not these output moves (the counter stays 0). */
  uncountedUnderruns?: boolean;
  /** Also given every input the timing is given, in order (a TimingInputLog, say). */
  tap?: OutputTimingInputs;
  /** Called with the timing after each reading it was given. */
  onReading?: (timing: OutputTiming) => void;
  /** Readings before `untilMs` are off by `offsetMs` (garbage at start-up). */
  badStart?: { untilMs: number; offsetMs: number };
  /** Readings in [fromMs, untilMs) are off by offsetMs (transients, e.g. after an underrun). */
  wander?: readonly { fromMs: number; untilMs: number; offsetMs: number }[];
  /** Options of the estimator under test. */
  timing?: Partial<OutputTimingOptions>;
}

const BASE: SimOptions = {
  seed: 1, durationMs: 120_000, skewPpm: 0, callbackFrames: 441, latencyMs: 40, jitter: 'heavy', resolutionMs: 0.005,
  readingEveryMs: 250, readingJitterMs: 0.05, postEvery: 1,
};

export interface SimResult {
  /** |estimate − truth| of the heard time of the newest rendered frame, sampled every 250 ms after `fromMs`. */
  errors: { atMs: number; errorMs: number; sdMs: number; confirmed: boolean; contradicted: boolean; startable: boolean }[];
  /** Callback time at which the timing first was ready, ms (null: never). */
  readyAtMs: number | null;
  /** The same while not ready (sdMs is finite on a young line that maps coarsely after a restart). */
  youngErrors: { atMs: number; errorMs: number; sdMs: number; contradicted: boolean; startable: boolean; confirmed: boolean }[];
  timing: OutputTiming;
  verdicts: Record<string, number>;
}

export function delay(rng: Rng, kind: SimOptions['jitter']): number {
  if (kind === 'none') return 0.05;
  const u = rng.next();
  if (u < 0.6) return rng.uniform(0.02, 0.3);
  if (u < 0.9) return rng.uniform(0.3, 2);
  if (u < 0.998) return Math.min(5, 2 + rng.exponential(1));
  return rng.uniform(5, 20);
}

/** Runs the simulation; heard(frame) is the truth, known exactly. */
export function simulate(partial: Partial<SimOptions>): SimResult {
  const o = { ...BASE, ...partial };
  const rng = new Rng(o.seed);
  const timing = new OutputTiming({ ...o.timing, sampleRateHz: SR });
  /** The timing's inputs other than readings (whose verdicts are counted), to the tap too. */
  const inputs = o.tap === undefined ? timing : teeTimingInputs(timing, o.tap);
  // Readings off by an offset over a time range: garbage at start-up, then any wander.
  const offsets = [...(o.badStart === undefined ? [] : [{ fromMs: Number.NEGATIVE_INFINITY, ...o.badStart }]), ...(o.wander ?? [])];
  const framesPerMs = (SR / 1000) * (1 + o.skewPpm * 1e-6);
  const quantize = (ms: number) => Math.floor(ms / o.resolutionMs) * o.resolutionMs;
  const startMs = 1_000;
  let shiftMs = 0; // added to heard and callback times (suspend) for frames consumed after it
  let latencyMs = o.latencyMs;
  const heard = (frame: number) => startMs + shiftMs + frame / framesPerMs + latencyMs;
  let consumed = 0;
  let rendered = 0;
  let quanta = 0;
  let lastArrival = 0;
  let nextReadingMs = startMs + 50;
  let lastReadMs = Number.NEGATIVE_INFINITY;
  let readyAtMs: number | null = null;
  const onDemand = o.readingsOnDemandMs;
  /** When the next reading is due at callback time `cbMs`: on the reading period's grid, or at once while the timing wants one. */
  const dueMs = (cbMs: number): number => (onDemand !== undefined && timing.wantsReadings && lastReadMs + onDemand <= cbMs ? Math.min(nextReadingMs, cbMs) : nextReadingMs);
  const errors: SimResult['errors'] = [];
  const youngErrors: SimResult['youngErrors'] = [];
  const verdicts: Record<string, number> = {};
  let suspended = false;
  let underrunsDone = 0;
  for (;;) {
    const cbMs = startMs + shiftMs + consumed / framesPerMs;
    if (cbMs > startMs + o.durationMs) break;
    if (o.suspend !== undefined && !suspended && cbMs >= o.suspend.atMs) {
      suspended = true;
      shiftMs += o.suspend.forMs;
      inputs.noteResumed(startMs + shiftMs + consumed / framesPerMs);
      continue;
    }
    if (o.underruns !== undefined && underrunsDone < o.underruns.length && cbMs >= o.underruns[underrunsDone]!) {
      underrunsDone++;
      shiftMs += o.underrunMs ?? 5;
      continue;
    }
    if (o.underrunCounter !== false) inputs.addUnderrunCount(o.uncountedUnderruns === true ? 0 : underrunsDone, cbMs);
    if (o.step !== undefined && cbMs >= o.step.atMs && latencyMs === o.latencyMs) latencyMs += o.step.deltaMs;
    const rise = o.latencyRise;
    if (rise !== undefined) latencyMs = o.latencyMs + rise.deltaMs * Math.min(1, Math.max(0, (cbMs - rise.fromMs) / (rise.untilMs - rise.fromMs)));
    const wave = o.latencyWave;
    if (wave !== undefined) latencyMs = o.latencyMs + wave.amplitudeMs * Math.sin((2 * Math.PI * (cbMs - startMs)) / wave.periodMs);
    if (o.latencyPath !== undefined) latencyMs = o.latencyMs + pathAt(o.latencyPath, cbMs);
    if (readyAtMs === null && timing.ready) readyAtMs = cbMs;
    while (dueMs(cbMs) <= cbMs) {
      const atMs = dueMs(cbMs);
      const frame = consumed - o.callbackFrames;
      if (frame > 0) {
        const ramp = (o.ramp !== undefined && atMs > o.ramp.fromMs ? ((atMs - o.ramp.fromMs) / 1000) * o.ramp.msPerSec : 0)
          + offsets.reduce((sum, w) => sum + (atMs >= w.fromMs && atMs < w.untilMs ? w.offsetMs : 0), 0);
        const reading = {
          contextTimeSec: frame / SR,
          performanceTimeMs: heard(frame) + rng.normal(0, o.readingJitterMs) + ramp,
          readAtMs: atMs,
          outputLatencySec: (latencyMs + ramp) / 1000,
        };
        const v = timing.addReading(reading);
        o.tap?.addReading(reading);
        o.onReading?.(timing);
        verdicts[v] = (verdicts[v] ?? 0) + 1;
        if (timing.ready) {
          const newest = rendered;
          const truth = heard(newest);
          errors.push({ atMs, errorMs: timing.contextToPerfMs(newest / SR) - truth, sdMs: timing.uncertaintyMs, confirmed: timing.confirmed, contradicted: timing.contradicted, startable: timing.startable });
        } else {
          youngErrors.push({ atMs, errorMs: timing.contextToPerfMs(rendered / SR) - heard(rendered), sdMs: timing.uncertaintyMs, contradicted: timing.contradicted, startable: timing.startable, confirmed: timing.confirmed });
        }
      }
      lastReadMs = atMs;
      if (atMs === nextReadingMs) nextReadingMs += o.readingEveryMs;
    }
    let k = 0;
    while (rendered < consumed + o.callbackFrames) {
      const renderMs = cbMs + 0.03 * k++ + (o.renderShift !== undefined && cbMs >= o.renderShift.atMs ? o.renderShift.deltaMs : 0);
      if (quanta++ % o.postEvery === 0) {
        lastArrival = Math.max(lastArrival, renderMs + delay(rng, o.jitter));
        inputs.addFrames({ frame: rendered, arrivalPerfMs: quantize(lastArrival) });
      }
      rendered += QUANTUM;
    }
    consumed += o.callbackFrames;
  }
  return { errors, youngErrors, timing, verdicts, readyAtMs };
}

/** The path's value at `atMs`: linear between its points, held outside them, ms. */
function pathAt(path: readonly { atMs: number; deltaMs: number }[], atMs: number): number {
  const next = path.findIndex((p) => p.atMs > atMs);
  if (next === -1) return path[path.length - 1]?.deltaMs ?? 0;
  if (next === 0) return path[0]!.deltaMs;
  const a = path[next - 1]!;
  const b = path[next]!;
  return a.deltaMs + ((b.deltaMs - a.deltaMs) * (atMs - a.atMs)) / (b.atMs - a.atMs);
}

/**
 * From when on (ms) every estimate after `afterMs`, ready or young, meets `ok` to the end of the run
 * (NaN: the last one does not).
 */
export function goodSinceMs(result: SimResult, afterMs: number, ok: (p: SimResult['youngErrors'][number]) => boolean): number {
  const points = [...result.errors, ...result.youngErrors].filter((e) => e.atMs > afterMs).sort((a, b) => a.atMs - b.atMs);
  let since = Number.NaN;
  for (const p of points) since = ok(p) ? (Number.isNaN(since) ? p.atMs : since) : Number.NaN;
  return since;
}

export function maxAbsAfter(result: SimResult, fromMs: number): number {
  return Math.max(...result.errors.filter((e) => e.atMs >= fromMs).map((e) => Math.abs(e.errorMs)));
}

export function p95AbsAfter(result: SimResult, fromMs: number): number {
  const sorted = result.errors.filter((e) => e.atMs >= fromMs).map((e) => Math.abs(e.errorMs)).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length * 0.95)] ?? Number.NaN;
}
