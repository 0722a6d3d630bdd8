/**
 * This device's speaker settings (volume, mute, manual latency trim), persisted with idb-keyval so
 * a reload keeps them. Behind an interface so tests and private modes can use memory.
 */
import { createStore, get, set, type UseStore } from 'idb-keyval';
import { DEFAULT_SPEAKER_SETTINGS, sanitizeSettings, type SpeakerSettings } from '../sync/speaker-plan.js';

export interface SpeakerSettingsStore {
  load(): Promise<SpeakerSettings>;
  save(settings: SpeakerSettings): Promise<void>;
}

const KEY = 'speaker-settings';

/** IndexedDB database `tutti-settings`, store `kv`. */
export class IdbSpeakerSettingsStore implements SpeakerSettingsStore {
  private readonly store: UseStore = createStore('tutti-settings', 'kv');

  async load(): Promise<SpeakerSettings> {
    return sanitizeSettings(await get<unknown>(KEY, this.store));
  }

  async save(settings: SpeakerSettings): Promise<void> {
    await set(KEY, settings, this.store);
  }
}

/** Settings in memory. */
export class MemorySpeakerSettingsStore implements SpeakerSettingsStore {
  constructor(private settings: SpeakerSettings = DEFAULT_SPEAKER_SETTINGS) {}

  async load(): Promise<SpeakerSettings> {
    return this.settings;
  }

  async save(settings: SpeakerSettings): Promise<void> {
    this.settings = settings;
  }
}
