import { expect } from '@open-wc/testing';
import type { PeerId } from '../../src/sync/election.js';
import { allComponentsAgree, components, fullyConnected, switchesSince } from '../sim/mesh-checks.js';
import { MeshSim } from '../sim/mesh-sim.js';

const CHAOS_SEEDS = 100;
const CHAOS_MS = 20_000;
const MAX_TABS = 8;
const TICK_CADENCES_MS = [50, 100, 100, 200, 300];

interface ChaosResult {
  /** Simulated ms from "links complete, no more events" until every component agreed. */
  convergeMs: number | null;
  /** Leader switches in the 5 s after that (should be none). */
  laterSwitches: number;
}

/** Random partition of `ids` into 2 or 3 non-empty groups. */
function randomGroups(sim: MeshSim, ids: readonly PeerId[]): PeerId[][] {
  const shuffled = ids
    .map((id) => ({ id, key: sim.rng.next() }))
    .sort((a, b) => a.key - b.key)
    .map((entry) => entry.id);
  const count = Math.min(shuffled.length, sim.rng.int(2, 3));
  return Array.from({ length: count }, (_, g) => shuffled.filter((_, i) => i % count === g));
}

/** One random run: joins (single and simultaneous), leaves, crashes, reloads, partitions, heals, loss. */
function chaos(seed: number): ChaosResult {
  const sim = new MeshSim({ seed });
  const rng = sim.rng;
  let nextId = 0;
  let groups: PeerId[][] | null = null;
  const join = (): void => {
    const id = `p${String(nextId++).padStart(2, '0')}`;
    sim.join(id, rng.pick(TICK_CADENCES_MS));
    if (groups === null) return;
    rng.pick(groups).push(id);
    sim.partition(groups);
  };
  const together = rng.chance(0.5);
  for (let i = rng.int(2, 5); i > 0; i--) sim.at(together ? 0 : rng.uniform(0, 2000), join);
  sim.run(2500);
  while (sim.nowMs < 2500 + CHAOS_MS) {
    sim.run(rng.exponential(1200));
    const live = sim.liveIds();
    const roll = rng.next();
    if (live.length === 0 || (roll < 0.2 && live.length < MAX_TABS)) {
      for (let i = rng.chance(0.3) ? 3 : 1; i > 0 && sim.liveIds().length < MAX_TABS; i--) join();
    } else if (roll < 0.3) sim.leave(rng.pick(live));
    else if (roll < 0.4) sim.crash(rng.pick(live));
    else if (roll < 0.5) sim.reload(rng.pick(live), rng.chance(0.5), rng.uniform(100, 1500));
    else if (roll < 0.65) {
      groups = randomGroups(sim, live);
      sim.partition(groups);
    } else if (roll < 0.8) {
      groups = null;
      sim.heal();
    } else sim.lossRate = rng.chance(0.5) ? 0 : rng.uniform(0, 0.1);
  }
  if (rng.chance(0.5)) sim.heal();
  sim.lossRate = 0;
  sim.run(1600);
  expect(sim.runUntil(() => fullyConnected(sim), 20_000, 50), `seed ${seed}: links complete`).to.not.equal(null);
  const convergeMs = sim.runUntil(() => allComponentsAgree(sim), 3000, 10);
  const since = sim.nowMs;
  sim.run(5000);
  expect(sim.violations, `seed ${seed}: invariants`).to.deep.equal([]);
  expect(allComponentsAgree(sim), `seed ${seed}: still one leader per component ${JSON.stringify(components(sim))}`).to.equal(true);
  return { convergeMs, laterSwitches: switchesSince(sim, since) };
}

describe('election chaos (seeded)', () => {
  it(`${CHAOS_SEEDS} random runs: within 3 s of a stable network every component has one agreed leader`, () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= CHAOS_SEEDS; seed++) {
      const { convergeMs, laterSwitches } = chaos(seed);
      if (convergeMs === null) failures.push(`seed ${seed}: no agreement within 3 s`);
      if (laterSwitches > 0) failures.push(`seed ${seed}: ${laterSwitches} switches after agreement`);
    }
    expect(failures).to.deep.equal([]);
  });

  it('is deterministic per seed', () => {
    const runs = [chaos(7), chaos(7)];
    expect(runs[0]).to.deep.equal(runs[1]);
  });
});
