/**
 * The room's groups as this device last saw them, persisted with idb-keyval per room (database
 * `tutti-settings`, store `kv`, key `groups:<roomId>`), so groups come back when a room reopens
 * after every tab closed. Storage is untrusted: a copy that fails validation loads as empty.
 * Saves are coalesced: at most one write in flight, and only the latest state is written next.
 */
import { createStore, get, set, type UseStore } from 'idb-keyval';
import { decodeRoomGroups } from '../sync/group-codec.js';
import { emptyRoomGroups, type RoomGroups } from '../sync/group-state.js';

export interface GroupStore {
  load(): Promise<RoomGroups>;
  /** Queue a save of `state` (resolves when it, or a later state, is written). */
  save(state: RoomGroups): Promise<void>;
}

/** Coalescing writer over any async `write`. */
class CoalescedWriter {
  private latest: RoomGroups | null = null;
  private flight: Promise<void> | null = null;

  constructor(private readonly write: (state: RoomGroups) => Promise<void>) {}

  save(state: RoomGroups): Promise<void> {
    this.latest = state;
    this.flight ??= this.drain().finally(() => (this.flight = null));
    return this.flight;
  }

  private async drain(): Promise<void> {
    while (this.latest !== null) {
      const next = this.latest;
      this.latest = null;
      await this.write(next);
    }
  }
}

export class IdbGroupStore implements GroupStore {
  private readonly store: UseStore = createStore('tutti-settings', 'kv');
  private readonly writer = new CoalescedWriter((state) => set(this.key, state, this.store));
  private readonly key: string;

  constructor(roomId: string) {
    this.key = `groups:${roomId}`;
  }

  async load(): Promise<RoomGroups> {
    const decoded = decodeRoomGroups(await get<unknown>(this.key, this.store));
    return decoded.ok ? decoded.value : emptyRoomGroups();
  }

  save(state: RoomGroups): Promise<void> {
    return this.writer.save(state);
  }
}

/** Groups in memory (tests, private modes). */
export class MemoryGroupStore implements GroupStore {
  constructor(private state: RoomGroups = emptyRoomGroups()) {}

  async load(): Promise<RoomGroups> {
    return this.state;
  }

  async save(state: RoomGroups): Promise<void> {
    this.state = state;
  }
}
