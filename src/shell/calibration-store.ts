/**
 * This device's acoustic calibration correction per output route, persisted with idb-keyval so a
 * reload or rejoin keeps it (database `tutti-calibration`, store `kv`, key `correction:<route>`).
 *
 * The route key: what Chromium exposes about the output in use. The page plays to the default
 * output (no setSinkId), and `navigator.mediaDevices.enumerateDevices()` lists an `audiooutput`
 * entry with deviceId "default" whose label names the actual device ("Default - AirPods Pro") —
 * but labels (and deviceIds) are empty strings until the page has been granted a media
 * permission, and `AudioContext.sinkId` is '' for the default output. So the key is
 * `default:<label>` when the label is exposed, else `default`. A correction is saved under both
 * its route key and `default`; loading prefers the route key: with labels, each calibrated route
 * keeps its own correction (a route never calibrated falls back to the last calibration saved);
 * without labels, the last calibration applies (routes cannot be told apart).
 */
import { createStore, get, set, type UseStore } from 'idb-keyval';
import { MAX_CORRECTION_MS } from '../sync/calibration-plan.js';
import type { Milliseconds } from '../sync/units.js';

/** Route key used when nothing about the output is exposed. */
export const DEFAULT_ROUTE = 'default';

export interface CalibrationStore {
  /** The saved correction for `route` (or, failing that, the default route), ms; null when none. */
  load(route: string): Promise<Milliseconds | null>;
  save(route: string, correctionMs: Milliseconds): Promise<void>;
}

interface SavedCorrection {
  readonly correctionMs: Milliseconds;
  /** Date.now() when saved. */
  readonly savedAt: number;
}

/** A stored value is used only if it is a sane correction. */
function sanitize(value: unknown): Milliseconds | null {
  if (typeof value !== 'object' || value === null) return null;
  const ms = (value as { correctionMs?: unknown }).correctionMs;
  return typeof ms === 'number' && Number.isFinite(ms) && Math.abs(ms) <= MAX_CORRECTION_MS ? ms : null;
}

/** The current output route's key (see the module comment). */
export async function currentOutputRoute(): Promise<string> {
  try {
    const devices = await navigator.mediaDevices?.enumerateDevices?.();
    const output = devices?.find((d) => d.kind === 'audiooutput' && d.deviceId === 'default') ?? devices?.find((d) => d.kind === 'audiooutput' && d.label !== '');
    return output !== undefined && output.label !== '' ? `default:${output.label.slice(0, 120)}` : DEFAULT_ROUTE;
  } catch {
    return DEFAULT_ROUTE;
  }
}

/** IndexedDB-backed store. */
export class IdbCalibrationStore implements CalibrationStore {
  private readonly store: UseStore = createStore('tutti-calibration', 'kv');

  async load(route: string): Promise<Milliseconds | null> {
    return sanitize(await get<unknown>(`correction:${route}`, this.store)) ?? sanitize(await get<unknown>(`correction:${DEFAULT_ROUTE}`, this.store));
  }

  async save(route: string, correctionMs: Milliseconds): Promise<void> {
    const value: SavedCorrection = { correctionMs, savedAt: Date.now() };
    await set(`correction:${route}`, value, this.store);
    if (route !== DEFAULT_ROUTE) await set(`correction:${DEFAULT_ROUTE}`, value, this.store);
  }
}

/** Corrections in memory (tests, private modes). */
export class MemoryCalibrationStore implements CalibrationStore {
  private readonly saved = new Map<string, Milliseconds>();

  async load(route: string): Promise<Milliseconds | null> {
    return this.saved.get(route) ?? this.saved.get(DEFAULT_ROUTE) ?? null;
  }

  async save(route: string, correctionMs: Milliseconds): Promise<void> {
    this.saved.set(route, correctionMs);
    this.saved.set(DEFAULT_ROUTE, correctionMs);
  }
}
