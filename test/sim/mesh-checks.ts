/**
 * Properties of a `MeshSim` run that the election tests assert: agreement per component of the
 * network, link completeness, and how often tabs changed their mind.
 */
import type { PeerId } from '../../src/sync/election.js';
import { compareIds } from '../../src/sync/succession.js';
import type { MeshSim } from './mesh-sim.js';

/** The leader all of `ids` follow at the same term (and which leads itself), or null. */
export function agreedLeader(sim: MeshSim, ids: readonly PeerId[]): PeerId | null {
  const first = ids[0] === undefined ? null : sim.election(ids[0]);
  const leader = first?.leaderId ?? null;
  if (first === null || leader === null || !ids.includes(leader) || !sim.election(leader).isLeader) return null;
  const agree = ids.every((id) => sim.election(id).leaderId === leader && sim.election(id).term === first.term);
  return agree ? leader : null;
}

/** The leader every open tab agrees on, or null. */
export function roomLeader(sim: MeshSim): PeerId | null {
  return agreedLeader(sim, sim.liveIds());
}

/** Open tabs grouped by reachability over uncut links, each group sorted. */
export function components(sim: MeshSim): PeerId[][] {
  const pending = new Set(sim.liveIds());
  const result: PeerId[][] = [];
  for (const seed of pending) {
    const component = [seed];
    pending.delete(seed);
    for (let i = 0; i < component.length; i++) {
      for (const other of [...pending]) {
        if (sim.isCut(component[i] as PeerId, other)) continue;
        pending.delete(other);
        component.push(other);
      }
    }
    result.push(component.sort(compareIds));
  }
  return result;
}

/** Every component has exactly one leader and all its members follow it at its term. */
export function allComponentsAgree(sim: MeshSim): boolean {
  return components(sim).every((c) => agreedLeader(sim, c) !== null && c.filter((id) => sim.election(id).isLeader).length === 1);
}

/** Within every component, every two tabs have an open link to each other's current incarnation. */
export function fullyConnected(sim: MeshSim): boolean {
  return components(sim).every((c) => c.every((a) => c.every((b) => a === b || sim.linked(a, b))));
}

/** How often open tabs switched to a different (non-null) leader after `sinceMs`, summed. */
export function switchesSince(sim: MeshSim, sinceMs: number): number {
  let switches = 0;
  for (const id of sim.liveIds()) {
    let last: PeerId | null = null;
    for (const change of sim.history(id)) {
      if (change.leaderId === null) continue;
      if (change.atMs > sinceMs && last !== null && change.leaderId !== last) switches++;
      last = change.leaderId;
    }
  }
  return switches;
}

/** How many (leaderId, term) changes open tabs saw after `sinceMs`, summed (null blips included). */
export function changesSince(sim: MeshSim, sinceMs: number): number {
  return sim.liveIds().reduce((sum, id) => sum + sim.history(id).filter((c) => c.atMs > sinceMs).length, 0);
}

/** Every tab that led at some point after `sinceMs` (in its current incarnation), sorted. */
export function leadersSince(sim: MeshSim, sinceMs: number): PeerId[] {
  const led = sim.liveIds().filter((id) => sim.history(id).some((c) => c.leaderId === id && c.atMs > sinceMs));
  return led.sort(compareIds);
}
