/**
 * This device's identity, persisted with idb-keyval (IndexedDB): a stable speaker id and the
 * speaker name the person chose. Behind an interface so tests can use memory.
 */
import { createStore, get, set, type UseStore } from 'idb-keyval';
import { makeSpeakerId, SPEAKER_ID_PATTERN } from '../sync/peer-ids.js';

export interface DeviceRecord {
  speakerId: string;
  /** null until the person names this speaker. */
  name: string | null;
}

export interface DeviceStore {
  load(): Promise<DeviceRecord>;
  saveName(name: string): Promise<void>;
}

const KEY = 'device';

/** The IndexedDB-backed store (database `tutti`, store `device`). */
export class IdbDeviceStore implements DeviceStore {
  private readonly store: UseStore = createStore('tutti-device', 'kv');

  async load(): Promise<DeviceRecord> {
    const saved = await get<unknown>(KEY, this.store);
    if (isDeviceRecord(saved)) return saved;
    const fresh: DeviceRecord = { speakerId: makeSpeakerId(Math.random), name: null };
    await set(KEY, fresh, this.store);
    return fresh;
  }

  async saveName(name: string): Promise<void> {
    const current = await this.load();
    await set(KEY, { ...current, name }, this.store);
  }
}

/** A store in memory (tests, or when IndexedDB is unavailable, e.g. some private modes). */
export class MemoryDeviceStore implements DeviceStore {
  constructor(private record: DeviceRecord = { speakerId: makeSpeakerId(Math.random), name: null }) {}

  async load(): Promise<DeviceRecord> {
    return { ...this.record };
  }

  async saveName(name: string): Promise<void> {
    this.record = { ...this.record, name };
  }
}

function isDeviceRecord(value: unknown): value is DeviceRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.speakerId === 'string' && SPEAKER_ID_PATTERN.test(r.speakerId) && (r.name === null || typeof r.name === 'string');
}
