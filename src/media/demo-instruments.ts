/**
 * Instrument patches of the demo track and the factory turning score events into voices.
 * Per-hit variations (drum pitch and decay, note phase) come from each event's own seed.
 * Engine-independent: see the rule in `exact-math.ts`.
 */
import type { ScoreEvent } from './demo-score.js';
import { DeterministicRng } from './deterministic-rng.js';
import { NoiseDrumVoice, SweptSineVoice, type NoiseDrumPatch } from './drum-voices.js';
import { buildWavetable, centsToRatio, midiToHz } from './exact-math.js';
import { FmVoice, WavetableVoice, type FmPatch, type WavetablePatch } from './synth-voices.js';
import type { Voice } from './voice.js';

/** Band-limited sawtooth spectrum: `count` harmonics with amplitudes 1/h. */
function sawHarmonics(count: number): number[] {
  return Array.from({ length: count }, (_, i) => 1 / (i + 1));
}

const BASS: WavetablePatch = {
  table: buildWavetable(sawHarmonics(10)),
  envelope: { attackSec: 0.004, decaySec: 0.15, sustainLevel: 0.25, releaseSec: 0.04 },
  detuneCents: 0,
  filter: { cutoffStartHz: 2200, cutoffEndHz: 320, cutoffDecaySec: 0.07 },
};

/** Mellow saw, unfiltered for speed: amplitudes 1/h up to the 4th harmonic, then 4/h² (darker). */
const PAD: WavetablePatch = {
  table: buildWavetable(sawHarmonics(12).map((amplitude, i) => (i < 4 ? amplitude : (amplitude * 4) / (i + 1)))),
  envelope: { attackSec: 0.5, decaySec: 1.2, sustainLevel: 0.75, releaseSec: 0.25 },
  detuneCents: 0,
};

const KEYS: FmPatch = {
  envelope: { attackSec: 0.003, decaySec: 0.3, sustainLevel: 0.15, releaseSec: 0.08 },
  ratio: 1,
  indexStart: 0.35,
  indexEnd: 0.04,
  indexDecaySec: 0.25,
};

const ARP: FmPatch = {
  envelope: { attackSec: 0.002, decaySec: 0.1, sustainLevel: 0, releaseSec: 0.05 },
  ratio: 3,
  indexStart: 0.22,
  indexEnd: 0,
  indexDecaySec: 0.07,
};

const LEAD: FmPatch = {
  envelope: { attackSec: 0.015, decaySec: 0.3, sustainLevel: 0.7, releaseSec: 0.1 },
  ratio: 1,
  indexStart: 0.32,
  indexEnd: 0.14,
  indexDecaySec: 0.4,
  vibrato: { depthCents: 16, rateHz: 5.3, fadeInSec: 0.35 },
};

const SNARE: NoiseDrumPatch = {
  filterHz: 1900, damping: 1.3, bandLevel: 0.9, highLevel: 0.5,
  attackSec: 0.0005, decaySec: 0.07, toneHz: 190, toneLevel: 0.7, toneDecaySec: 0.045,
};
const HAT: NoiseDrumPatch = {
  filterHz: 7000, damping: 1, bandLevel: 0.2, highLevel: 0.9,
  attackSec: 0.0003, decaySec: 0.018, toneHz: 0, toneLevel: 0, toneDecaySec: 0.01,
};
const OPEN_HAT: NoiseDrumPatch = { ...HAT, decaySec: 0.11 };
const SHAKER: NoiseDrumPatch = {
  filterHz: 5200, damping: 1.6, bandLevel: 0.7, highLevel: 0.3,
  attackSec: 0.012, decaySec: 0.03, toneHz: 0, toneLevel: 0, toneDecaySec: 0.01,
};

/** Mix level of each instrument (linear, before the master gain). */
export const INSTRUMENT_GAINS = {
  bass: 0.3,
  pad: 0.07,
  keys: 0.1,
  arp: 0.085,
  lead: 0.16,
  kick: 0.8,
  snare: 0.38,
  hat: 0.2,
  openHat: 0.13,
  tom: 0.4,
  shaker: 0.11,
} as const;

/** The voice for one score event at `sampleRateHz`. */
export function createVoice(event: ScoreEvent, sampleRateHz: number): Voice {
  const rng = new DeterministicRng(event.seed);
  const startFrame = Math.round(event.startSec * sampleRateHz);
  const velocity = event.velocity * INSTRUMENT_GAINS[event.instrument];
  const hit = { startFrame, velocity, pan: event.pan, seed: event.seed };
  const note = { startFrame, velocity, pan: event.pan, durationSec: event.durationSec, phase: rng.next() };
  switch (event.instrument) {
    case 'bass':
      return new WavetableVoice(BASS, { ...note, frequencyHz: midiToHz(event.midi) }, sampleRateHz);
    case 'pad':
      return new WavetableVoice(PAD, { ...note, frequencyHz: midiToHz(event.midi) * centsToRatio(rng.range(-8, 8)) }, sampleRateHz);
    case 'keys':
      return new FmVoice(KEYS, { ...note, frequencyHz: midiToHz(event.midi) }, sampleRateHz);
    case 'arp':
      return new FmVoice(ARP, { ...note, frequencyHz: midiToHz(event.midi) }, sampleRateHz);
    case 'lead':
      return new FmVoice(LEAD, { ...note, frequencyHz: midiToHz(event.midi) }, sampleRateHz);
    case 'kick': {
      const startHz = rng.range(140, 175);
      const patch = { startHz, endHz: rng.range(44, 52), sweepSec: rng.range(0.025, 0.045), decaySec: rng.range(0.08, 0.12), clickLevel: 0.3 };
      return new SweptSineVoice(patch, hit, sampleRateHz);
    }
    case 'tom': {
      const endHz = midiToHz(event.midi) * rng.range(0.97, 1.03);
      return new SweptSineVoice({ startHz: endHz * 1.6, endHz, sweepSec: 0.05, decaySec: 0.17, clickLevel: 0.1 }, hit, sampleRateHz);
    }
    case 'snare':
      return new NoiseDrumVoice({ ...SNARE, toneHz: rng.range(180, 200), decaySec: rng.range(0.06, 0.08) }, hit, sampleRateHz);
    case 'hat':
      return new NoiseDrumVoice({ ...HAT, decaySec: rng.range(0.014, 0.024) }, hit, sampleRateHz);
    case 'openHat':
      return new NoiseDrumVoice(OPEN_HAT, hit, sampleRateHz);
    case 'shaker':
      return new NoiseDrumVoice({ ...SHAKER, filterHz: rng.range(4500, 6000) }, hit, sampleRateHz);
  }
}
