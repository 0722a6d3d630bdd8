/**
 * Pitched voices of the demo-track synthesizer: a wavetable voice (bass, pad) and a two-operator
 * FM voice (keys, arpeggio, lead). Engine-independent: see the rule in `exact-math.ts`.
 */
import { SINE_TABLE, centsToRatio, decayPerSample, onePoleCoefficient, panGains, readTable } from './exact-math.js';
import { Envelope, type EnvelopeShape, type Voice } from './voice.js';

/** Parameters shared by the pitched voices. */
export interface PitchedNote {
  readonly startFrame: number;
  readonly frequencyHz: number;
  readonly durationSec: number;
  /** Linear gain 0..1. */
  readonly velocity: number;
  /** −1 (left) … +1 (right). */
  readonly pan: number;
  /** Initial oscillator phase in turns, 0 ≤ phase < 1 (seeded by the score). */
  readonly phase: number;
}

/** Vibrato that fades in after the note starts. */
export interface Vibrato {
  readonly depthCents: number;
  readonly rateHz: number;
  readonly fadeInSec: number;
}

/** Cutoff of two cascaded one-pole low-passes, gliding exponentially from start to end. */
export interface FilterSweep {
  readonly cutoffStartHz: number;
  readonly cutoffEndHz: number;
  /** Time constant of the glide. */
  readonly cutoffDecaySec: number;
}

/** Wavetable voice: one or two detuned oscillators, optionally into a swept low-pass (see {@link FilterSweep}). */
export interface WavetablePatch {
  readonly table: Float64Array;
  readonly envelope: EnvelopeShape;
  /** Second oscillator detune (the first is detuned by the negative); 0 for a single oscillator. */
  readonly detuneCents: number;
  /** Absent: the table's spectrum is used as is (cheaper). */
  readonly filter?: FilterSweep;
}

/** Two-operator phase-modulation voice. */
export interface FmPatch {
  readonly envelope: EnvelopeShape;
  /** Modulator frequency / carrier frequency. */
  readonly ratio: number;
  /** Phase-modulation depth in turns at note start (0 … 1), decaying toward `indexEnd`. */
  readonly indexStart: number;
  readonly indexEnd: number;
  readonly indexDecaySec: number;
  readonly vibrato?: Vibrato;
}

/** Bass and pad voice (see {@link WavetablePatch}). */
export class WavetableVoice implements Voice {
  readonly startFrame: number;
  readonly endFrame: number;
  private readonly envelope: Envelope;
  private readonly gainLeft: number;
  private readonly gainRight: number;
  private readonly incrementA: number;
  private readonly incrementB: number;
  private readonly cutoffEnd: number;
  private readonly cutoffK: number;
  private readonly filtered: boolean;
  private phaseA: number;
  private phaseB: number;
  private cutoff: number;
  private lowA = 0;
  private lowB = 0;

  constructor(private readonly patch: WavetablePatch, note: PitchedNote, sampleRateHz: number) {
    this.startFrame = note.startFrame;
    this.envelope = new Envelope(patch.envelope, note.durationSec, sampleRateHz);
    this.endFrame = note.startFrame + this.envelope.lengthFrames;
    const pan = panGains(note.pan);
    const twoOscillators = patch.detuneCents !== 0;
    const gain = twoOscillators ? note.velocity / 2 : note.velocity;
    this.gainLeft = gain * pan.left;
    this.gainRight = gain * pan.right;
    const increment = note.frequencyHz / sampleRateHz;
    this.incrementA = increment * centsToRatio(-patch.detuneCents);
    this.incrementB = twoOscillators ? increment * centsToRatio(patch.detuneCents) : 0;
    this.phaseA = note.phase;
    this.phaseB = twoOscillators ? (note.phase + 0.37) % 1 : 0;
    const filter = patch.filter;
    this.filtered = filter !== undefined;
    this.cutoff = filter === undefined ? 0 : onePoleCoefficient(filter.cutoffStartHz, sampleRateHz);
    this.cutoffEnd = filter === undefined ? 0 : onePoleCoefficient(filter.cutoffEndHz, sampleRateHz);
    this.cutoffK = filter === undefined ? 0 : decayPerSample(filter.cutoffDecaySec, sampleRateHz);
  }

  render(left: Float64Array, right: Float64Array, chunkStartFrame: number, frameCount: number): boolean {
    const from = Math.max(0, this.startFrame - chunkStartFrame);
    const to = Math.min(frameCount, this.endFrame - chunkStartFrame);
    if (to <= from) return this.endFrame > chunkStartFrame + frameCount;
    const envelope = this.envelope.fill(to - from);
    const table = this.patch.table;
    const { incrementA, incrementB, cutoffEnd, cutoffK, filtered, gainLeft, gainRight } = this;
    const twoOscillators = incrementB !== 0;
    let { phaseA, phaseB, cutoff, lowA, lowB } = this;
    for (let i = from; i < to; i++) {
      phaseA += incrementA;
      if (phaseA >= 1) phaseA -= 1;
      let raw = readTable(table, phaseA);
      if (twoOscillators) {
        phaseB += incrementB;
        if (phaseB >= 1) phaseB -= 1;
        raw += readTable(table, phaseB);
      }
      if (filtered) {
        cutoff = cutoffEnd + (cutoff - cutoffEnd) * cutoffK;
        lowA += cutoff * (raw - lowA);
        lowB += cutoff * (lowA - lowB);
        raw = lowB;
      }
      const sample = raw * (envelope[i - from] as number);
      left[i] = (left[i] as number) + sample * gainLeft;
      right[i] = (right[i] as number) + sample * gainRight;
    }
    this.phaseA = phaseA;
    this.phaseB = phaseB;
    this.cutoff = cutoff;
    this.lowA = lowA;
    this.lowB = lowB;
    return this.endFrame > chunkStartFrame + frameCount;
  }
}

/** Keys, arpeggio and lead voice (see {@link FmPatch}). */
export class FmVoice implements Voice {
  readonly startFrame: number;
  readonly endFrame: number;
  private readonly envelope: Envelope;
  private readonly gainLeft: number;
  private readonly gainRight: number;
  private readonly carrierIncrement: number;
  private readonly modulatorIncrement: number;
  private readonly indexEnd: number;
  private readonly indexK: number;
  private readonly vibratoDepth: number;
  private readonly vibratoIncrement: number;
  private readonly vibratoFadeStep: number;
  private carrier: number;
  private modulator = 0;
  private index: number;
  private vibratoPhase = 0;
  private vibratoAmount = 0;

  constructor(patch: FmPatch, note: PitchedNote, sampleRateHz: number) {
    this.startFrame = note.startFrame;
    this.envelope = new Envelope(patch.envelope, note.durationSec, sampleRateHz);
    this.endFrame = note.startFrame + this.envelope.lengthFrames;
    const pan = panGains(note.pan);
    this.gainLeft = note.velocity * pan.left;
    this.gainRight = note.velocity * pan.right;
    this.carrierIncrement = note.frequencyHz / sampleRateHz;
    this.modulatorIncrement = this.carrierIncrement * patch.ratio;
    this.carrier = note.phase;
    this.index = patch.indexStart;
    this.indexEnd = patch.indexEnd;
    this.indexK = decayPerSample(patch.indexDecaySec, sampleRateHz);
    const vibrato = patch.vibrato;
    this.vibratoDepth = vibrato === undefined ? 0 : centsToRatio(vibrato.depthCents) - 1;
    this.vibratoIncrement = vibrato === undefined ? 0 : vibrato.rateHz / sampleRateHz;
    this.vibratoFadeStep = vibrato === undefined ? 0 : 1 / Math.max(1, vibrato.fadeInSec * sampleRateHz);
  }

  render(left: Float64Array, right: Float64Array, chunkStartFrame: number, frameCount: number): boolean {
    const from = Math.max(0, this.startFrame - chunkStartFrame);
    const to = Math.min(frameCount, this.endFrame - chunkStartFrame);
    if (to <= from) return this.endFrame > chunkStartFrame + frameCount;
    const envelope = this.envelope.fill(to - from);
    const { carrierIncrement, modulatorIncrement, indexEnd, indexK, vibratoDepth, vibratoIncrement, vibratoFadeStep } = this;
    const { gainLeft, gainRight } = this;
    let { carrier, modulator, index, vibratoPhase, vibratoAmount } = this;
    for (let i = from; i < to; i++) {
      let pitch = 1;
      if (vibratoDepth !== 0) {
        vibratoPhase += vibratoIncrement;
        if (vibratoPhase >= 1) vibratoPhase -= 1;
        vibratoAmount = Math.min(1, vibratoAmount + vibratoFadeStep);
        pitch += vibratoDepth * vibratoAmount * readTable(SINE_TABLE, vibratoPhase);
      }
      carrier += carrierIncrement * pitch;
      if (carrier >= 1) carrier -= 1;
      modulator += modulatorIncrement * pitch;
      if (modulator >= 1) modulator -= Math.floor(modulator);
      index = indexEnd + (index - indexEnd) * indexK;
      let phase = carrier + index * readTable(SINE_TABLE, modulator);
      phase -= Math.floor(phase);
      const sample = readTable(SINE_TABLE, phase) * (envelope[i - from] as number);
      left[i] = (left[i] as number) + sample * gainLeft;
      right[i] = (right[i] as number) + sample * gainRight;
    }
    this.carrier = carrier;
    this.modulator = modulator;
    this.index = index;
    this.vibratoPhase = vibratoPhase;
    this.vibratoAmount = vibratoAmount;
    return this.endFrame > chunkStartFrame + frameCount;
  }
}
