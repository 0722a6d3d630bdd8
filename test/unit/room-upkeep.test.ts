import { expect } from '@open-wc/testing';
import { encodeMessage, type RoomMessage } from '../../src/sync/protocol.js';
import { MessageIntake } from '../../src/room/message-intake.js';
import { RoomUpkeep, STATUS_INTERVAL_MS } from '../../src/room/room-upkeep.js';

/** An upkeep whose messages are recorded as (to, type[, seq]) lines; `*` = broadcast. */
function recorded(heartbeatMs = 300): { upkeep: RoomUpkeep; sent: string[] } {
  const sent: string[] = [];
  const line = (to: string, m: RoomMessage): string => (m.type === 'ping' ? `${to} ping ${m.seq}@${m.sentMs}` : `${to} ${m.type}`);
  const upkeep = new RoomUpkeep(
    {
      heartbeat: () => ({ type: 'heartbeat', term: 1, leaderId: 'a', succession: ['a'] }),
      status: () => ({ type: 'status', name: 'Kitchen', role: 'speaker', clock: null }) as unknown as RoomMessage,
      broadcast: (m) => sent.push(line('*', m)),
      sendTo: (to, m) => sent.push(line(to, m)),
    },
    heartbeatMs,
  );
  return { upkeep, sent };
}

describe('RoomUpkeep', () => {
  it('sends heartbeats at their interval and status with a ping once a second', () => {
    const { upkeep, sent } = recorded(300);
    const statusTicks: number[] = [];
    for (let t = 0; t <= 2000; t += 100) if (upkeep.tick(t)) statusTicks.push(t);
    expect(sent.filter((s) => s === '* heartbeat')).to.have.length(7);
    expect(statusTicks).to.deep.equal([0, STATUS_INTERVAL_MS, 2 * STATUS_INTERVAL_MS]);
    expect(sent.filter((s) => s.startsWith('* ping'))).to.deep.equal(['* ping 1@0', '* ping 2@1000', '* ping 3@2000']);
  });

  it('greets a new link with heartbeat, status and the next ping; a rename sends the status at the next tick', () => {
    const { upkeep, sent } = recorded();
    upkeep.tick(0);
    sent.length = 0;
    upkeep.greet('b', 50);
    expect(sent).to.deep.equal(['b heartbeat', 'b status', 'b ping 2@50']);
    sent.length = 0;
    expect(upkeep.tick(100)).to.equal(false);
    upkeep.statusChanged();
    expect(upkeep.tick(200)).to.equal(true);
    expect(sent).to.deep.equal(['* status', '* ping 3@200']);
  });
});

describe('MessageIntake', () => {
  it('passes valid messages and counts the ones it drops, with the latest reason', () => {
    const intake = new MessageIntake();
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      expect(intake.accept('b', encodeMessage({ type: 'bye' }))?.type).to.equal('bye');
      expect(intake.accept('b', '{not json')).to.equal(null);
      expect(intake.accept('c', JSON.stringify({ ...JSON.parse(encodeMessage({ type: 'bye' })), type: 'no-such-type' }))).to.equal(null);
    } finally {
      console.warn = warn;
    }
    expect(intake.dropped.count).to.equal(2);
    expect(intake.dropped.lastReason).to.match(/^c: /);
  });
});
