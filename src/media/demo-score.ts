/**
 * The generative score of the built-in demo track: a seeded chord progression in C major / A minor
 * with bass, pad, keys, arpeggio and lead parts, plus drums and a shaker at humanized (randomly
 * jittered) times. Pure and engine-independent: see the rule in `exact-math.ts`.
 */
import { DeterministicRng } from './deterministic-rng.js';

/** Instruments the renderer knows how to voice. */
export const Instrument = {
  bass: 'bass',
  pad: 'pad',
  keys: 'keys',
  arp: 'arp',
  lead: 'lead',
  kick: 'kick',
  snare: 'snare',
  hat: 'hat',
  openHat: 'openHat',
  tom: 'tom',
  shaker: 'shaker',
} as const;

/** One of {@link Instrument}'s values. */
export type InstrumentId = (typeof Instrument)[keyof typeof Instrument];

/** A note or hit. Pitch is ignored by the drums. */
export interface ScoreEvent {
  readonly instrument: InstrumentId;
  /** Onset in seconds from the track start (≥ 0). */
  readonly startSec: number;
  /** How long the note is held, in seconds (> 0). */
  readonly durationSec: number;
  /** Integer MIDI note number. */
  readonly midi: number;
  /** Linear gain 0..1, relative to the instrument's level. */
  readonly velocity: number;
  /** −1 (left) … +1 (right). */
  readonly pan: number;
  /** Seed for the event's own noise, phase and variations (uint32). */
  readonly seed: number;
}

/** Tempo of the demo track in beats per minute. */
export const DEMO_TEMPO_BPM = 98;

const SCALE_SEMITONES = [0, 2, 4, 5, 7, 9, 11] as const;
const PENTATONIC_DEGREES = [0, 1, 2, 4, 5] as const;
/** Chord roots as 0-based degrees of C major, one chord per bar. */
const PROGRESSIONS = [
  [5, 3, 0, 4],
  [0, 5, 3, 4],
  [5, 1, 4, 0],
  [3, 4, 2, 5],
  [5, 4, 3, 4],
  [1, 4, 0, 5],
] as const;

/** MIDI note of a C-major scale degree (any integer; degree 0 = middle C = 60). */
function degreeToMidi(degree: number): number {
  const octave = Math.floor(degree / 7);
  return 60 + 12 * octave + (SCALE_SEMITONES[degree - 7 * octave] as number);
}

/** The pitch class of `midi` moved into [low, low + 12). */
function intoRange(midi: number, low: number): number {
  return low + ((((midi - low) % 12) + 12) % 12);
}

/** Section flags for one bar. */
interface BarPlan {
  readonly drums: 0 | 1 | 2;
  readonly bass: boolean;
  readonly keys: boolean;
  readonly arp: boolean;
  readonly lead: boolean;
}

const SECTION_CYCLE: readonly { bars: number; plan: BarPlan }[] = [
  { bars: 8, plan: { drums: 2, bass: true, keys: true, arp: false, lead: true } },
  { bars: 8, plan: { drums: 2, bass: true, keys: false, arp: true, lead: true } },
  { bars: 8, plan: { drums: 2, bass: true, keys: true, arp: true, lead: false } },
  { bars: 4, plan: { drums: 1, bass: false, keys: false, arp: false, lead: true } },
];
const INTRO: BarPlan = { drums: 1, bass: false, keys: true, arp: false, lead: false };
const OUTRO: BarPlan = { drums: 1, bass: true, keys: true, arp: false, lead: false };

function planBar(bar: number, barCount: number): BarPlan {
  if (bar >= barCount - 2) return OUTRO;
  if (bar < 4) return bar < 2 ? INTRO : { ...INTRO, bass: true, drums: 2 };
  const cycleBars = SECTION_CYCLE.reduce((sum, section) => sum + section.bars, 0);
  let within = (bar - 4) % cycleBars;
  for (const section of SECTION_CYCLE) {
    if (within < section.bars) return section.plan;
    within -= section.bars;
  }
  return OUTRO;
}

/**
 * Composes the demo track's score. Deterministic in (`seed`, `durationSec`); events are sorted by
 * onset (ties keep creation order) and none starts after `durationSec`.
 */
export function composeDemoScore(seed: number, durationSec: number): ScoreEvent[] {
  const root = new DeterministicRng(seed);
  const harmony = root.fork(1);
  const rngs = { bass: root.fork(2), keys: root.fork(3), arp: root.fork(4), lead: root.fork(5), drums: root.fork(6) };
  const shakerRng = root.fork(7);
  const beatSec = 60 / DEMO_TEMPO_BPM;
  const barSec = 4 * beatSec;
  const barCount = Math.ceil(durationSec / barSec);
  const events: ScoreEvent[] = [];
  const add = (rng: DeterministicRng, event: Omit<ScoreEvent, 'seed'>, jitterSdSec: number): void => {
    const startSec = Math.max(0, event.startSec + rng.gaussianish(jitterSdSec));
    if (startSec < durationSec) events.push({ ...event, startSec, seed: rng.nextUint32() });
  };
  let progression: readonly number[] = PROGRESSIONS[0];
  let leadDegree = 7;
  for (let bar = 0; bar < barCount; bar++) {
    if (bar % 4 === 0) progression = harmony.pick(PROGRESSIONS);
    const plan = planBar(bar, barCount);
    const barStartSec = bar * barSec;
    const at = (beats: number): number => barStartSec + beats * beatSec;
    const chordDegree = progression[bar % 4] as number;
    const withSeventh = harmony.chance(0.5);
    const chord = [0, 2, 4, ...(withSeventh ? [6] : [])].map((step) => degreeToMidi(chordDegree + step));
    for (const [index, note] of chord.entries()) {
      const pad = { instrument: Instrument.pad, startSec: barStartSec, durationSec: barSec + 0.1 };
      add(harmony, { ...pad, midi: intoRange(note, 55), velocity: harmony.range(0.7, 1), pan: index % 2 === 0 ? -0.5 : 0.5 }, 0.03);
    }
    if (plan.bass) {
      const r = rngs.bass;
      const rootNote = intoRange(chord[0] as number, 33);
      for (let beats = 0; beats < 4; beats += 0.5) {
        if (beats > 0 && !r.chance(beats % 1 === 0 ? 0.6 : 0.35)) continue;
        const midi = r.chance(0.2) ? rootNote + 12 : r.chance(0.15) ? rootNote + 7 : rootNote;
        const lengthBeats = r.pick([0.4, 0.5, 0.9]);
        add(r, { instrument: Instrument.bass, startSec: at(beats), durationSec: lengthBeats * beatSec, midi, velocity: r.range(0.75, 1), pan: 0 }, 0.004);
      }
    }
    if (plan.keys) {
      const r = rngs.keys;
      const hits = r.pick([[0.5, 1.5, 2.5, 3.5], [0, 1.5, 3], [0.5, 2, 2.75], [0, 0.75, 2.5, 3.25]]);
      for (const beats of hits) {
        const onsetSec = at(beats) + r.gaussianish(0.01);
        for (const note of chord) {
          const strumSec = r.range(0, 0.014);
          add(r, { instrument: Instrument.keys, startSec: onsetSec + strumSec, durationSec: r.range(0.2, 0.5) * beatSec, midi: intoRange(note, 60), velocity: r.range(0.5, 0.9), pan: r.range(-0.4, 0.4) }, 0);
        }
      }
    }
    if (plan.arp) {
      const r = rngs.arp;
      let step = r.int(0, 5);
      for (let sixteenth = 0; sixteenth < 16; sixteenth++) {
        step = Math.min(7, Math.max(0, step + r.pick([-2, -1, 1, 1, 2])));
        if (r.chance(0.15)) continue;
        const midi = intoRange(chord[step % chord.length] as number, 64) + (step >= chord.length ? 12 : 0);
        add(r, { instrument: Instrument.arp, startSec: at(sixteenth / 4), durationSec: 0.2 * beatSec, midi, velocity: r.range(0.4, 1), pan: r.range(-0.6, 0.6) }, 0.005);
      }
    }
    if (plan.lead && bar % 4 !== 3) {
      const r = rngs.lead;
      let eighth = r.int(0, 2);
      while (eighth < 8) {
        const lengthEighths = r.pick([1, 1, 2, 2, 3, 4]);
        if (!r.chance(0.2)) {
          leadDegree = Math.min(12, Math.max(3, leadDegree + r.pick([-2, -1, -1, 0, 1, 1, 2, 3, -3])));
          const octave = Math.floor(leadDegree / 5);
          const midi = 57 + 12 * octave + (SCALE_SEMITONES[PENTATONIC_DEGREES[leadDegree - 5 * octave] as number] as number);
          add(r, { instrument: Instrument.lead, startSec: at(eighth / 2), durationSec: lengthEighths * 0.45 * beatSec, midi, velocity: r.range(0.7, 1), pan: 0.15 }, 0.008);
        }
        eighth += lengthEighths;
      }
    }
    composeDrums(rngs.drums, plan.drums, bar % 8 === 7, at, add);
  }
  for (let t = shakerRng.range(0, 0.2); t < durationSec; t += shakerRng.range(0.07, 0.45)) {
    add(shakerRng, { instrument: Instrument.shaker, startSec: t, durationSec: 0.05, midi: 0, velocity: shakerRng.range(0.3, 1), pan: shakerRng.range(-0.8, 0.8) }, 0);
  }
  return events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.startSec - b.event.startSec || a.index - b.index)
    .map(({ event }) => event);
}

type AddEvent = (rng: DeterministicRng, event: Omit<ScoreEvent, 'seed'>, jitterSdSec: number) => void;

/** One bar of drums: 0 = none, 1 = light (hats, sparse kick), 2 = full groove; `fill` ends a section. */
function composeDrums(r: DeterministicRng, level: 0 | 1 | 2, fill: boolean, at: (beats: number) => number, add: AddEvent): void {
  if (level === 0) return;
  const hit = (instrument: InstrumentId, beats: number, velocity: number, pan: number, jitterSdSec: number): void =>
    add(r, { instrument, startSec: at(beats), durationSec: 0.1, midi: 0, velocity, pan }, jitterSdSec);
  const hatStep = level === 2 && r.chance(0.5) ? 0.25 : 0.5;
  for (let beats = 0; beats < 4; beats += hatStep) {
    if (r.chance(0.1)) continue;
    const open = beats % 1 === 0.5 && r.chance(0.12);
    hit(open ? Instrument.openHat : Instrument.hat, beats, (beats % 1 === 0 ? 0.8 : 0.5) * r.range(0.6, 1), 0.3, 0.006);
  }
  if (level === 1) {
    if (r.chance(0.5)) hit(Instrument.kick, 0, r.range(0.6, 0.8), 0, 0.003);
    return;
  }
  for (const beats of [0, 2]) hit(Instrument.kick, beats, r.range(0.85, 1), 0, 0.003);
  for (const beats of [1.5, 2.5, 3.5]) if (r.chance(0.25)) hit(Instrument.kick, beats, r.range(0.6, 0.85), 0, 0.003);
  for (const beats of [1, 3]) hit(Instrument.snare, beats, r.range(0.85, 1), 0.05, 0.004);
  for (let sixteenth = 0; sixteenth < 16; sixteenth++) {
    if (sixteenth % 4 !== 0 && r.chance(0.08)) hit(Instrument.snare, sixteenth / 4, r.range(0.15, 0.3), 0.05, 0.006);
  }
  if (fill) {
    for (const [index, midi] of [52, 48, 45, 41].entries()) {
      const tom = { instrument: Instrument.tom, startSec: at(3 + index / 4), durationSec: 0.1, midi };
      add(r, { ...tom, velocity: r.range(0.6, 0.9), pan: 0.4 - 0.25 * index }, 0.006);
    }
  }
}
