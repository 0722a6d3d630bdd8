/**
 * The small key-value interface the track library stores everything in, with an IndexedDB
 * implementation (idb-keyval) and an in-memory one (tests, or when IndexedDB is unavailable).
 */
import { createStore, delMany, getMany, keys, setMany, type UseStore } from 'idb-keyval';

/** String-keyed storage of structured-cloneable values. `setMany`/`deleteMany` are atomic: all or nothing. */
export interface KeyValueStore {
  get(key: string): Promise<unknown>;
  getMany(keys: readonly string[]): Promise<unknown[]>;
  setMany(entries: readonly (readonly [string, unknown])[]): Promise<void>;
  deleteMany(keys: readonly string[]): Promise<void>;
  /** Every key; non-string keys (another writer's) may appear and must be ignored by callers. */
  keys(): Promise<unknown[]>;
}

/** Database and object store the library uses in IndexedDB. */
export const LIBRARY_DB_NAME = 'tutti-library';
export const LIBRARY_STORE_NAME = 'tracks';

/** IndexedDB via idb-keyval; each `setMany`/`deleteMany` is one transaction (atomic). */
export class IdbKeyValueStore implements KeyValueStore {
  private readonly store: UseStore;

  constructor(dbName = LIBRARY_DB_NAME, storeName = LIBRARY_STORE_NAME) {
    this.store = createStore(dbName, storeName);
  }

  async get(key: string): Promise<unknown> {
    return (await getMany([key], this.store))[0];
  }

  getMany(keyList: readonly string[]): Promise<unknown[]> {
    return getMany([...keyList], this.store);
  }

  setMany(entries: readonly (readonly [string, unknown])[]): Promise<void> {
    return setMany(entries.map(([key, value]) => [key, value]), this.store);
  }

  deleteMany(keyList: readonly string[]): Promise<void> {
    return delMany([...keyList], this.store);
  }

  keys(): Promise<unknown[]> {
    return keys(this.store);
  }
}

/** In memory; values are structured-cloned in and out, as IndexedDB would. */
export class MemoryKeyValueStore implements KeyValueStore {
  private readonly map = new Map<string, unknown>();

  async get(key: string): Promise<unknown> {
    return structuredClone(this.map.get(key));
  }

  async getMany(keyList: readonly string[]): Promise<unknown[]> {
    return keyList.map((key) => structuredClone(this.map.get(key)));
  }

  async setMany(entries: readonly (readonly [string, unknown])[]): Promise<void> {
    const cloned = entries.map(([key, value]) => [key, structuredClone(value)] as const);
    for (const [key, value] of cloned) this.map.set(key, value);
  }

  async deleteMany(keyList: readonly string[]): Promise<void> {
    for (const key of keyList) this.map.delete(key);
  }

  async keys(): Promise<unknown[]> {
    return [...this.map.keys()];
  }
}
