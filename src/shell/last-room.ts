/**
 * The room this device was last in, persisted with idb-keyval (IndexedDB), so that opening the
 * app's start URL (`/`, e.g. from the home screen) reopens it. Behind an interface so tests can use memory.
 */
import { createStore, get, set, type UseStore } from 'idb-keyval';
import { ROOM_ID_PATTERN } from '../sync/room-params.js';

/** Remembers one room id. */
export interface LastRoomStore {
  /** The last room id, or null if none (or the saved value is not a valid room id). */
  load(): Promise<string | null>;
  save(roomId: string): Promise<void>;
}

const KEY = 'last-room';

/** The IndexedDB-backed store (database `tutti-last-room`, store `kv`). */
export class IdbLastRoom implements LastRoomStore {
  private readonly store: UseStore = createStore('tutti-last-room', 'kv');

  async load(): Promise<string | null> {
    const saved = await get<unknown>(KEY, this.store);
    return typeof saved === 'string' && ROOM_ID_PATTERN.test(saved) ? saved : null;
  }

  async save(roomId: string): Promise<void> {
    await set(KEY, roomId, this.store);
  }
}

/** A store in memory (tests, or when IndexedDB is unavailable). */
export class MemoryLastRoom implements LastRoomStore {
  constructor(private roomId: string | null = null) {}

  async load(): Promise<string | null> {
    return this.roomId;
  }

  async save(roomId: string): Promise<void> {
    this.roomId = roomId;
  }
}
