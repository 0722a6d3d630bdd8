import { expect } from '@open-wc/testing';
import { MeshKeeper } from '../../src/room/mesh-keeper.js';
import type { RoomTransport } from '../../src/shell/room-transport.js';

/** A transport that only records what the keeper asks of it. */
function recordingTransport(links: Set<string>): { transport: RoomTransport; calls: string[] } {
  const calls: string[] = [];
  const transport = {
    selfId: 'b',
    hasLink: (id: string) => links.has(id),
    dial: (id: string) => {
      calls.push(`dial ${id}`);
      links.add(id);
    },
    hangUp: (id: string) => {
      calls.push(`hangUp ${id}`);
      links.delete(id);
    },
  } as unknown as RoomTransport;
  return { transport, calls };
}

describe('MeshKeeper', () => {
  it('dials lower-ranked peers at once and the others after one round without a link', () => {
    const { transport, calls } = recordingTransport(new Set());
    const keeper = new MeshKeeper('b', transport, () => undefined);
    keeper.reconcile(['a', 'b', 'c'], { alive: new Set(), known: [] });
    expect(calls).to.deep.equal(['dial c']);
    transport.hangUp('c');
    calls.length = 0;
    keeper.reconcile(['a', 'b', 'c'], { alive: new Set(), known: [] });
    expect(calls).to.deep.equal(['dial a', 'dial c']);
  });

  it('forgets a silent peer that signaling no longer lists', () => {
    const forgotten: string[] = [];
    const { transport, calls } = recordingTransport(new Set(['a']));
    new MeshKeeper('b', transport, (id) => forgotten.push(id)).reconcile(['b'], { alive: new Set(), known: ['a'] });
    expect(calls).to.deep.equal(['hangUp a']);
    expect(forgotten).to.deep.equal(['a']);
  });

  it('replaces a stale link to a listed peer that went silent, and leaves live links alone', () => {
    const { transport, calls } = recordingTransport(new Set(['a', 'c']));
    new MeshKeeper('b', transport, () => undefined).reconcile(['a', 'b', 'c'], { alive: new Set(['c']), known: ['a', 'c'] });
    expect(calls).to.deep.equal(['hangUp a', 'dial a']);
  });
});
