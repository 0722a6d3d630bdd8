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
  it('dials higher ids at once and lower ones only after two rounds without a link', () => {
    const { transport, calls } = recordingTransport(new Set());
    const keeper = new MeshKeeper('b', transport, () => undefined);
    keeper.reconcile(['b'], { alive: new Set(), known: [] });
    expect(calls, 'alone').to.deep.equal([]);
    keeper.reconcile(['b', 'd'], { alive: new Set(), known: [] });
    expect(calls, 'first round with another peer: dials it').to.deep.equal(['dial d']);
    for (const round of [1, 2, 3]) {
      for (const id of ['c', 'd']) transport.hangUp(id);
      calls.length = 0;
      keeper.reconcile(['a', 'b', 'c', 'd'], { alive: new Set(), known: [] });
      expect(calls, `round ${round}`).to.deep.equal(round === 3 ? ['dial a', 'dial c', 'dial d'] : ['dial c', 'dial d']);
    }
  });

  it('dials every listed peer in its first round (the room hears of a joiner only at its next discovery)', () => {
    const { transport, calls } = recordingTransport(new Set(['c']));
    const keeper = new MeshKeeper('b', transport, () => undefined);
    keeper.reconcile(['a', 'b', 'c', 'd'], { alive: new Set(), known: [] });
    expect(calls).to.deep.equal(['dial a', 'dial d']);
    transport.hangUp('a');
    calls.length = 0;
    keeper.reconcile(['a', 'b', 'c', 'd'], { alive: new Set(), known: [] });
    expect(calls, 'second round: the lower id waits again').to.deep.equal([]);
  });

  it('forgets a silent peer that signaling no longer lists', () => {
    const forgotten: string[] = [];
    const { transport, calls } = recordingTransport(new Set(['a']));
    new MeshKeeper('b', transport, (id) => forgotten.push(id)).reconcile(['b'], { alive: new Set(), known: ['a'] });
    expect(calls).to.deep.equal(['hangUp a']);
    expect(forgotten).to.deep.equal(['a']);
  });

  it('leaves links alone while their peers are listed, even when a peer is briefly silent', () => {
    const { transport, calls } = recordingTransport(new Set(['a', 'c']));
    new MeshKeeper('b', transport, () => undefined).reconcile(['a', 'b', 'c'], { alive: new Set(['c']), known: ['a', 'c'] });
    expect(calls).to.deep.equal([]);
  });
});
