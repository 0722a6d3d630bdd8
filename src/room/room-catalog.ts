/**
 * What the whole room can play: this tab's library plus the catalogs its peers send (tracks
 * they hold, with tags). A track found only in a peer's catalog plays like any other: the
 * speakers that need it fetch it through the track exchange.
 */
import { MAX_CATALOG_ENTRIES, type CatalogEntry } from '../sync/catalog-messages.js';
import type { RoomMessage } from '../sync/protocol.js';
import type { RoomExtension, RoomLinks } from './room-extension.js';

/** Events: `change` when the room's tracks may differ. */
export class RoomCatalog extends EventTarget implements RoomExtension {
  private readonly byPeer = new Map<string, readonly CatalogEntry[]>();
  private sentKey = '';

  /** `local()` lists this tab's complete tracks. */
  constructor(private readonly links: RoomLinks, private readonly local: () => readonly CatalogEntry[]) {
    super();
  }

  /** This tab's tracks first, then the peers' (each track once). */
  tracks(): CatalogEntry[] {
    const seen = new Map<string, CatalogEntry>();
    for (const list of [this.local(), ...this.byPeer.values()]) {
      for (const t of list) if (!seen.has(t.trackId)) seen.set(t.trackId, t);
    }
    return [...seen.values()];
  }

  /** The library may have changed: tell every peer when its list of tracks did. */
  libraryChanged(): void {
    const key = this.local().map((t) => `${t.trackId}:${t.title}:${t.artist}:${t.album}`).join('|');
    if (key === this.sentKey) return;
    this.sentKey = key;
    this.links.broadcast(this.ownCatalog());
    this.changed();
  }

  message(peerId: string, message: RoomMessage): void {
    if (message.type !== 'catalog') return;
    this.byPeer.set(peerId, message.tracks);
    this.changed();
  }

  peerUp(peerId: string): void {
    this.links.send(peerId, this.ownCatalog());
  }

  peerDown(peerId: string): void {
    if (this.byPeer.delete(peerId)) this.changed();
  }

  private ownCatalog(): RoomMessage {
    const tracks = this.local().slice(0, MAX_CATALOG_ENTRIES).map(({ trackId, title, artist, album, durationSec }) => ({ trackId, title, artist, album, durationSec }));
    return { type: 'catalog', tracks };
  }

  private changed(): void {
    this.dispatchEvent(new Event('change'));
  }
}
