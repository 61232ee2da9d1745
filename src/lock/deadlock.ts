/**
 * Deadlock detection over a waits-for graph (Berkeley DB's `lock_detect`). The single-thread
 * lock manager never waits, so it refuses a conflicting request at once instead; this
 * detector is for schedulers that do let lockers wait (worker threads, simulations).
 *
 * Layer: lock (rank 2). Imports only src/util.
 *
 * Invariants:
 * 1. The input is not modified.
 * 2. Every cycle of the graph contains at least one victim, and each victim lies on a cycle
 *    that remained after the earlier victims' requests were rejected: one victim per cycle,
 *    as in Berkeley DB, so two disjoint cycles give two victims.
 * 3. The work is bounded: at most one pass per locker, each O(lockers + edges).
 */

import { AssertionError, InvalidArgumentError, type LockerId } from '../util/index.js';

/**
 * Which locker of a cycle gives up: `'youngest'` (the highest id, Berkeley DB's
 * `DB_LOCK_YOUNGEST`, so long transactions eventually finish), `'oldest'` (the lowest id), or
 * a function choosing one member of the cycle it is given.
 */
export type VictimPolicy = 'youngest' | 'oldest' | ((cycle: readonly LockerId[]) => LockerId);

/** One cycle of `graph` as a list of lockers, each waiting for the next; or undefined. */
function findCycle(graph: ReadonlyMap<LockerId, readonly LockerId[]>): LockerId[] | undefined {
  const ON_PATH = 1;
  const DONE = 2;
  const state = new Map<LockerId, number>();
  for (const start of graph.keys()) {
    if (state.has(start)) continue;
    const path: LockerId[] = [start];
    const nextEdge: number[] = [0];
    state.set(start, ON_PATH);
    while (path.length > 0) {
      const top = path.length - 1;
      const node = path[top]!;
      const edges = graph.get(node) ?? [];
      const edge = nextEdge[top]!;
      if (edge >= edges.length) {
        state.set(node, DONE);
        path.pop();
        nextEdge.pop();
        continue;
      }
      nextEdge[top] = edge + 1;
      const target = edges[edge]!;
      const seen = state.get(target);
      if (seen === ON_PATH) return path.slice(path.indexOf(target));
      if (seen === undefined) {
        state.set(target, ON_PATH);
        path.push(target);
        nextEdge.push(0);
      }
    }
  }
  return undefined;
}

function chooseVictim(cycle: readonly LockerId[], policy: VictimPolicy): LockerId {
  if (typeof policy === 'function') {
    const victim = policy(cycle);
    if (!cycle.includes(victim)) {
      throw new InvalidArgumentError(`victim ${victim} is not on the cycle ${cycle.join('->')}`);
    }
    return victim;
  }
  let victim = cycle[0]!;
  for (const locker of cycle) {
    if (policy === 'youngest' ? locker > victim : locker < victim) victim = locker;
  }
  return victim;
}

/**
 * The lockers whose pending requests must be rejected to break every cycle of `waitsFor`
 * (locker -> lockers it waits for). Victims are chosen one cycle at a time; a victim's
 * outgoing edges are then dropped, since its rejected request no longer waits.
 * Complexity: O(victims x (lockers + edges)).
 */
export function findDeadlockVictims(
  waitsFor: ReadonlyMap<LockerId, readonly LockerId[]>,
  policy: VictimPolicy = 'youngest',
): LockerId[] {
  const graph = new Map<LockerId, readonly LockerId[]>(waitsFor);
  const victims: LockerId[] = [];
  // Bounded: each pass removes one locker's edges, so at most graph.size passes find cycles.
  for (let pass = 0; pass <= waitsFor.size; pass++) {
    const cycle = findCycle(graph);
    if (cycle === undefined) return victims;
    const victim = chooseVictim(cycle, policy);
    victims.push(victim);
    graph.delete(victim);
  }
  throw new AssertionError('deadlock detection did not converge');
}
