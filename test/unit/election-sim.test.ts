import { expect } from '@open-wc/testing';
import type { PeerId } from '../../src/sync/election.js';
import { agreedLeader, leadersSince, roomLeader, switchesSince } from '../sim/mesh-checks.js';
import { MeshSim } from '../sim/mesh-sim.js';

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const FIVE = ['n0', 'n1', 'n2', 'n3', 'n4'];

/** Every simulation of the current test; their invariant violations are checked after it. */
const sims: MeshSim[] = [];

function newSim(options: ConstructorParameters<typeof MeshSim>[0]): MeshSim {
  const sim = new MeshSim(options);
  sims.push(sim);
  return sim;
}

afterEach(() => {
  const violations = sims.flatMap((sim) => sim.violations);
  sims.length = 0;
  expect(violations, 'invariants (terms never decrease, only live leaders followed)').to.deep.equal([]);
});

/** A room where `ids` joined in order, settled and agreed on `ids[0]`. */
function settledRoom(seed: number, ids: readonly PeerId[], options: ConstructorParameters<typeof MeshSim>[0] = { seed }): MeshSim {
  const sim = newSim({ ...options, seed });
  sim.joinInOrder(ids, 700);
  sim.run(ids.length * 700 + 4000);
  expect(roomLeader(sim), `seed ${seed}: settled leader`).to.equal(ids[0]);
  return sim;
}

/** Simulated ms until every open tab agrees on a leader other than `old`, or null after `maxMs`. */
function failover(sim: MeshSim, old: PeerId, maxMs = 5000): number | null {
  return sim.runUntil(() => {
    const leader = roomLeader(sim);
    return leader !== null && leader !== old;
  }, maxMs);
}

describe('election in a simulated mesh: joining', () => {
  for (const n of [3, 7]) {
    it(`${n} tabs joining one by one follow the first, in join order`, () => {
      for (const seed of SEEDS) {
        const ids = Array.from({ length: n }, (_, i) => `t${(n - i) * 7}`);
        const sim = settledRoom(seed, ids);
        expect(leadersSince(sim, -1), `seed ${seed}: nobody else ever led`).to.deep.equal([ids[0]]);
        expect(sim.election(ids[0] as PeerId).succession()).to.deep.equal(ids);
        expect(sim.election(ids[0] as PeerId).term).to.equal(1);
      }
    });
  }

  it('5 tabs joining an empty room at the same instant agree on one leader', () => {
    for (const seed of SEEDS) {
      const sim = newSim({ seed });
      for (const id of ['e', 'c', 'a', 'd', 'b']) sim.join(id);
      const agreedMs = sim.runUntil(() => roomLeader(sim) !== null, 5000);
      expect(agreedMs, `seed ${seed}`).to.not.equal(null);
      expect(sim.leaders()).to.have.length(1);
      const since = sim.nowMs;
      sim.run(10_000);
      expect(sim.leaders()).to.have.length(1);
      expect(switchesSince(sim, since), `seed ${seed}: stable`).to.equal(0);
    }
  });

  it('a joiner does not steal leadership, whatever its id', () => {
    for (const seed of SEEDS) {
      const sim = settledRoom(seed, ['m5', 'm3', 'm7']);
      const since = sim.nowMs;
      sim.join('a0');
      sim.run(1000);
      sim.join('z9');
      sim.run(6000);
      expect(roomLeader(sim), `seed ${seed}`).to.equal('m5');
      expect(leadersSince(sim, -1), `seed ${seed}: no joiner ever led`).to.deep.equal(['m5']);
      expect(switchesSince(sim, since)).to.equal(0);
      expect(sim.election('a0').term).to.equal(1);
    }
  });

  it('a joiner whose links came up late, and which claimed alone meanwhile, yields to the room', () => {
    for (const seed of SEEDS) {
      const sim = settledRoom(seed, ['m5', 'm3', 'm7']);
      sim.join('a0');
      for (const id of ['m5', 'm3', 'm7']) sim.cut('a0', id);
      const aloneMs = sim.runUntil(() => sim.election('a0').isLeader, 10_000);
      expect(aloneMs, `seed ${seed}: the joiner claimed alone`).to.not.equal(null);
      expect(sim.election('a0').term, 'in the same term as the room (and with a lower id)').to.equal(sim.election('m5').term);
      const since = sim.nowMs;
      sim.heal();
      const mergedMs = sim.runUntil(() => roomLeader(sim) !== null, 10_000);
      expect(mergedMs, `seed ${seed}: one leader after the links came up`).to.not.equal(null);
      expect(roomLeader(sim), `seed ${seed}: the room keeps its leader`).to.equal('m5');
      const followedJoiner = ['m5', 'm3', 'm7'].filter((id) => sim.history(id).some((c) => c.leaderId === 'a0' && c.atMs > since));
      expect(followedJoiner, `seed ${seed}: nobody in the room followed the joiner`).to.deep.equal([]);
    }
  });
});

describe('election in a simulated mesh: a joiner linked to the followers before the leader', () => {
  for (const cutMs of [3000, 10_000]) {
    it(`waits for the leader (link up after ${cutMs / 1000} s) instead of claiming`, () => {
      for (const seed of SEEDS) {
        const sim = settledRoom(seed, ['m5', 'm3', 'm7']);
        const since = sim.nowMs;
        sim.join('a0');
        sim.cut('a0', 'm5');
        sim.run(cutMs);
        expect(sim.election('a0').leaderId, `seed ${seed}: no claim while the followers name a leader it cannot hear`).to.equal(null);
        sim.heal();
        sim.run(5000);
        expect(roomLeader(sim), `seed ${seed}`).to.equal('m5');
        expect(leadersSince(sim, since), `seed ${seed}: no new leader`).to.deep.equal([]);
      }
    });
  }
});

describe('election in a simulated mesh: failover', () => {
  it('leader goodbye: the next in succession leads, agreed within 2 s', () => {
    for (const seed of SEEDS) {
      const sim = settledRoom(seed, FIVE);
      const successor = sim.election('n0').succession()[1] as PeerId;
      sim.run(sim.rng.uniform(0, 300));
      sim.leave('n0');
      const ms = failover(sim, 'n0');
      expect(ms, `seed ${seed}`).to.not.equal(null);
      expect(ms as number).to.be.at.most(2000);
      expect(roomLeader(sim)).to.equal(successor);
      expect(sim.election(successor).term).to.equal(2);
    }
  });

  for (const n of [2, 3, 5]) {
    it(`leader crash (silent) in a room of ${n}: new leader agreed within 2 s`, () => {
      for (const seed of SEEDS) {
        const sim = settledRoom(seed, FIVE.slice(0, n));
        const successor = sim.election('n0').succession()[1] as PeerId;
        sim.run(sim.rng.uniform(0, 300));
        sim.crash('n0');
        const ms = failover(sim, 'n0');
        expect(ms, `seed ${seed}`).to.not.equal(null);
        expect(ms as number, `seed ${seed}`).to.be.at.most(2000);
        expect(roomLeader(sim)).to.equal(successor);
        sim.run(5000);
        expect(roomLeader(sim), `seed ${seed}: stays`).to.equal(successor);
      }
    });
  }

  it('leader and its successor crash together: the third takes over', () => {
    for (const seed of SEEDS) {
      const sim = settledRoom(seed, FIVE);
      const [, second, third] = sim.election('n0').succession() as [PeerId, PeerId, PeerId];
      sim.crash('n0');
      sim.crash(second);
      expect(failover(sim, 'n0'), `seed ${seed}`).to.not.equal(null);
      sim.run(2000);
      expect(roomLeader(sim)).to.equal(third);
    }
  });

  it('mixed tick cadences (50–300 ms) still fail over within 2 s', () => {
    for (const seed of SEEDS) {
      const sim = newSim({ seed });
      FIVE.forEach((id, i) => sim.at(i * 700, () => sim.join(id, [50, 300, 100, 200, 300][i])));
      sim.run(8000);
      expect(roomLeader(sim)).to.equal('n0');
      sim.crash('n0');
      const ms = failover(sim, 'n0');
      expect(ms as number, `seed ${seed}`).to.be.at.most(2000);
    }
  });
});

describe('election in a simulated mesh: partitions, loss, reloads', () => {
  for (const [label, durationMs] of [['short (links survive)', 3000], ['long (links fail, redial)', 9000]] as const) {
    it(`partition {A,B} | {C,D,E}, ${label}: a leader per side, then one after healing`, () => {
      const ids = ['a', 'b', 'c', 'd', 'e'];
      for (const seed of SEEDS) {
        const sim = settledRoom(seed, ids);
        sim.partition([['a', 'b'], ['c', 'd', 'e']]);
        const splitMs = sim.runUntil(() => agreedLeader(sim, ['a', 'b']) === 'a' && agreedLeader(sim, ['c', 'd', 'e']) === 'c', 3000);
        expect(splitMs, `seed ${seed}: each side leads itself`).to.not.equal(null);
        sim.run(durationMs);
        expect(sim.leaders()).to.deep.equal(['a', 'c']);
        sim.heal();
        const healMs = sim.runUntil(() => roomLeader(sim) !== null, 5000);
        expect(healMs, `seed ${seed}: converged`).to.not.equal(null);
        expect(roomLeader(sim), 'the newer term wins; A and B follow').to.equal('c');
        sim.run(5000);
        expect(roomLeader(sim)).to.equal('c');
      }
    });
  }

  it('20 % message loss: one stable leader (at most one change per minute)', () => {
    for (const seed of SEEDS.slice(0, 5)) {
      const sim = settledRoom(seed, FIVE, { seed, lossRate: 0.2 });
      const since = sim.nowMs;
      sim.run(60_000);
      expect(sim.leaders(), `seed ${seed}`).to.have.length(1);
      expect(switchesSince(sim, since), `seed ${seed}: switches`).to.be.at.most(FIVE.length);
      expect(new Set(sim.liveIds().map((id) => sim.election(id).term)).size).to.equal(1);
    }
  });

  for (const goodbye of [true, false]) {
    it(`reload of a follower (${goodbye ? 'with' : 'without'} goodbye): same leader, it follows again`, () => {
      for (const seed of SEEDS) {
        const sim = settledRoom(seed, FIVE);
        const since = sim.nowMs;
        sim.reload('n2', goodbye);
        sim.run(8000);
        expect(roomLeader(sim), `seed ${seed}`).to.equal('n0');
        expect(leadersSince(sim, since)).to.deep.equal([]);
        expect(sim.election('n2').term).to.equal(1);
      }
    });

    it(`reload of the leader (${goodbye ? 'with' : 'without'} goodbye): the successor leads, the reloaded tab follows`, () => {
      for (const seed of SEEDS) {
        const sim = settledRoom(seed, FIVE);
        const successor = sim.election('n0').succession()[1] as PeerId;
        const since = sim.nowMs;
        sim.reload('n0', goodbye);
        const ms = sim.runUntil(() => roomLeader(sim) === successor && sim.liveIds().length === 5, 8000);
        expect(ms, `seed ${seed}`).to.not.equal(null);
        if (goodbye) expect(ms as number).to.be.at.most(3000);
        sim.run(5000);
        expect(roomLeader(sim)).to.equal(successor);
        expect(leadersSince(sim, since), `seed ${seed}`).to.deep.equal([successor]);
      }
    });
  }
});
