import { expect } from '@open-wc/testing';
import { RoomCatalog } from '../../src/room/room-catalog.js';
import { RoomSession } from '../../src/room/room-session.js';
import type { CatalogEntry } from '../../src/sync/catalog-messages.js';
import { makePeerId } from '../../src/sync/peer-ids.js';
import { decodeMessage, encodeMessage, type RoomMessage } from '../../src/sync/protocol.js';
import { MemoryHub } from '../fakes/memory-transport.js';

const entry = (c: string, title: string, artist: string): CatalogEntry => ({ trackId: c.repeat(64), title, artist, album: '', durationSec: 100 });

describe('RoomCatalog', () => {
  const sessions: RoomSession[] = [];
  afterEach(() => sessions.splice(0).forEach((s) => s.dispose()));

  it('gives every tab the tracks its peers hold, follows library changes and forgets a peer that leaves', async () => {
    const hub = new MemoryHub();
    const libraries: Record<string, CatalogEntry[]> = { aaaaaa: [entry('a', 'Crash Into Me', 'Dave Matthews Band')], bbbbbb: [entry('b', 'So What', 'Miles Davis')] };
    const catalogs = Object.keys(libraries).map((id) => {
      const session = new RoomSession({ roomId: 'cat', name: id, role: 'speaker', transport: hub.create(makePeerId('cat', id)), now: () => performance.now() });
      sessions.push(session);
      const catalog = new RoomCatalog(session, () => libraries[id]!);
      session.addExtension(catalog);
      void session.start();
      return catalog;
    });
    const [a, b] = catalogs as [RoomCatalog, RoomCatalog];
    const titles = (c: RoomCatalog): string[] => c.tracks().map((t) => t.title);
    const until = async (what: string, check: () => boolean): Promise<void> => {
      const start = performance.now();
      while (!check()) {
        if (performance.now() - start > 20_000) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await until('both catalogs', () => titles(a).length === 2 && titles(b).length === 2);
    expect(titles(a)).to.deep.equal(['Crash Into Me', 'So What']);
    libraries.bbbbbb!.push(entry('c', 'Blue in Green', 'Miles Davis'));
    b.libraryChanged();
    await until('the new track', () => titles(a).includes('Blue in Green'));
    sessions[1]!.sayGoodbye();
    await until('b gone', () => titles(a).length === 1);
  });

  it('refuses malformed catalogs at the protocol boundary', () => {
    const good: RoomMessage = { type: 'catalog', tracks: [entry('a', 'T', 'A')] };
    expect(decodeMessage(encodeMessage(good)).ok).to.equal(true);
    for (const tracks of [[{ ...entry('a', 'T', 'A'), durationSec: -1 }], [{ ...entry('a', '', 'A') }], [{ ...entry('a', 'T', 'A'), trackId: 'nope' }], 'x']) {
      const decoded = decodeMessage(JSON.stringify({ v: 1, type: 'catalog', tracks }));
      expect(decoded.ok, JSON.stringify(tracks)).to.equal(false);
    }
  });
});
