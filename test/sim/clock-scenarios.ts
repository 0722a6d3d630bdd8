import type { Milliseconds } from '../../src/sync/units.js';
import type { ClockScenario } from './clock-scenario.js';
import { scaleJitter, type DirectionConfig } from './delay-model.js';
import { Rng } from './rng.js';
import type { SimClockConfig } from './sim-clock.js';

/** Wired LAN, one direction: 0.15 ms minimum, sub-ms jitter (RTT jitter ~0.3–1 ms). */
export const WIRED_LAN: DirectionConfig = {
  baseMs: 0.15,
  coreMeanMs: 0.06,
  tailProb: 0.05,
  tailMedianMs: 0.25,
  tailSigma: 0.5,
  tailMaxMs: 0.8,
  spikeProb: 0.001,
  spikeMinMs: 1,
  spikeMaxMs: 5,
  lossProb: 0.001,
};

/**
 * Wi-Fi, backward (leader → follower) direction: 1 ms minimum, exponential core plus a heavy
 * log-normal tail so one-way delays range ~1–20 ms, 1.5 % spikes of 80–120 ms, 1 % loss. The
 * forward direction is this with 20 % more jitter ({@link WIFI_FORWARD}).
 */
export const WIFI_BACKWARD: DirectionConfig = {
  baseMs: 1,
  coreMeanMs: 0.8,
  tailProb: 0.3,
  tailMedianMs: 3,
  tailSigma: 0.9,
  tailMaxMs: 16,
  spikeProb: 0.015,
  spikeMinMs: 80,
  spikeMaxMs: 120,
  lossProb: 0.01,
};

/** Wi-Fi forward direction: the variable part is 20 % larger than backward. */
export const WIFI_FORWARD: DirectionConfig = scaleJitter(WIFI_BACKWARD, 1.2);

/**
 * Chromium tabs on one busy machine (loopback), backward (leader → follower): 0.665 ms minimum,
 * exponential core (most mass near the minimum), a moderate event-loop tail. Modelled on a
 * recorded trace (test/fixtures/live-clock-trace.json).
 */
export const CHROMIUM_BACKWARD: DirectionConfig = {
  baseMs: 0.665,
  coreMeanMs: 0.6,
  tailProb: 0.1,
  tailMedianMs: 1.5,
  tailSigma: 0.8,
  tailMaxMs: 10,
  spikeProb: 0.005,
  spikeMinMs: 5,
  spikeMaxMs: 20,
  lossProb: 0,
};

/**
 * The forward direction of {@link CHROMIUM_BACKWARD}: the same minimum, but gamma(3) core jitter,
 * so near-minimum delays are rare (p10 ≈ 0.3 ms above the minimum instead of ≈ 0.06).
 */
export const CHROMIUM_FORWARD: DirectionConfig = { ...CHROMIUM_BACKWARD, coreMeanMs: 0.9, coreShape: 3 };

/** Options of the preset scenarios. */
export interface ScenarioOptions {
  /** Simulated length, ms. */
  readonly durationMs: Milliseconds;
}

/** A clock with a random offset (±3 h), skew within ±`maxSkewPpm`, optional slow wander. */
export function randomClock(rng: Rng, maxSkewPpm: number, wanderPpm = 0): SimClockConfig {
  return {
    offsetMs: rng.uniform(-3, 3) * 3_600_000,
    skewPpm: rng.uniform(-maxSkewPpm, maxSkewPpm),
    wanderPpm,
    wanderPeriodMs: rng.uniform(10, 30) * 60_000,
    wanderPhase: rng.uniform(0, 2 * Math.PI),
    resolutionMs: 0.005,
  };
}

function base(name: string, seed: number, options: ScenarioOptions, forward: DirectionConfig, backward: DirectionConfig): ClockScenario {
  const rng = new Rng(seed ^ 0x5eed);
  return {
    name,
    durationMs: options.durationMs,
    forward,
    backward,
    authorityClock: randomClock(rng, 200, 1),
    followerClock: randomClock(rng, 200, 1),
    stalls: null,
    processing: { minMs: 0.02, maxMs: 0.3 },
    joinAtMs: 1_000,
    sampleEveryMs: 100,
  };
}

/** Wired LAN, both clocks skewed up to ±200 ppm with ±1 ppm wander. */
export function wiredLanScenario(seed: number, options: ScenarioOptions): ClockScenario {
  return base('wired LAN', seed, options, WIRED_LAN, WIRED_LAN);
}

/** Wi-Fi as in {@link WIFI_BACKWARD}/{@link WIFI_FORWARD}, ±200 ppm skew, ±1 ppm wander. */
export function wifiScenario(seed: number, options: ScenarioOptions): ClockScenario {
  return base('Wi-Fi', seed, options, WIFI_FORWARD, WIFI_BACKWARD);
}

/** Wi-Fi where the follower's clock jumps by +1.5 s (sleep/wake) at 40 % of the run. */
export function wifiJumpScenario(seed: number, options: ScenarioOptions): ClockScenario {
  const s = base('Wi-Fi + clock jump', seed, options, WIFI_FORWARD, WIFI_BACKWARD);
  return { ...s, followerClock: { ...s.followerClock, jumps: [{ atMs: options.durationMs * 0.4, deltaMs: 1_500 }] } };
}

/**
 * LAN whose minimum delays differ by 0.2 ms (0.25 forward, 0.05 back): no two-way protocol can
 * see this; the expected error is half of it, 0.1 ms.
 */
export function asymmetricScenario(seed: number, options: ScenarioOptions): ClockScenario {
  return base('fixed asymmetry 0.2 ms', seed, options, { ...WIRED_LAN, baseMs: 0.25 }, { ...WIRED_LAN, baseMs: 0.05 });
}

/** LAN under CPU load: both tabs stall 60 ms every ~10 s, heavier jitter tail. */
export function highLoadScenario(seed: number, options: ScenarioOptions): ClockScenario {
  const loaded: DirectionConfig = { ...WIRED_LAN, tailProb: 0.15, tailMedianMs: 0.6, tailSigma: 1, tailMaxMs: 5 };
  return { ...base('high load (60 ms stalls)', seed, options, loaded, loaded), stalls: { meanIntervalMs: 10_000, durationMs: 60 } };
}

/**
 * Chromium loopback where the two directions share their minimum delay but not their shape near
 * it ({@link CHROMIUM_FORWARD}/{@link CHROMIUM_BACKWARD}): a two-way protocol can be unbiased here,
 * but per-bucket minima sit higher above the minimum forward than backward.
 */
export function skewedShapeScenario(seed: number, options: ScenarioOptions): ClockScenario {
  return base('same min, forward gamma(3) / back exp', seed, options, CHROMIUM_FORWARD, CHROMIUM_BACKWARD);
}

/** Wi-Fi with 100 µs clock resolution (page not cross-origin isolated). */
export function wifiCoarseClockScenario(seed: number, options: ScenarioOptions): ClockScenario {
  const s = base('Wi-Fi, 0.1 ms clock resolution', seed, options, WIFI_FORWARD, WIFI_BACKWARD);
  return {
    ...s,
    authorityClock: { ...s.authorityClock, resolutionMs: 0.1 },
    followerClock: { ...s.followerClock, resolutionMs: 0.1 },
  };
}
