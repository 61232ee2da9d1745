/**
 * The waits-for deadlock detector (LCK-07): one victim per cycle, several cycles give several
 * victims, and the victim policy decides which member of a cycle gives up.
 */
import { describe, expect, it } from 'vitest';
import { findDeadlockVictims } from '../../../src/lock/index.js';
import { InvalidArgumentError, lockerId, type LockerId } from '../../../src/util/index.js';

function graph(edges: Record<number, number[]>): Map<LockerId, LockerId[]> {
  return new Map(Object.entries(edges).map(([from, to]) =>
    [lockerId(Number(from)), to.map(lockerId)]));
}

describe('findDeadlockVictims', () => {
  it('finds nothing in an acyclic graph', () => {
    expect(findDeadlockVictims(graph({}))).toEqual([]);
    expect(findDeadlockVictims(graph({ 1: [2], 2: [3], 4: [3] }))).toEqual([]);
  });

  it('rejects exactly one request of the 3-way cycle (pages 2, 3, 4)', () => {
    const waits = graph({ 1: [2], 2: [3], 3: [1] });
    expect(findDeadlockVictims(waits)).toEqual([3]);
    expect(findDeadlockVictims(waits, 'oldest')).toEqual([1]);
    expect(waits.get(lockerId(3))).toEqual([1]);
  });

  it('gives two victims for two disjoint cycles', () => {
    const victims = findDeadlockVictims(graph({ 1: [2], 2: [1], 5: [6], 6: [7], 7: [5] }));
    expect([...victims].sort()).toEqual([2, 7]);
  });

  it('breaks overlapping cycles through one shared locker with one victim', () => {
    expect(findDeadlockVictims(graph({ 1: [2, 3], 2: [9], 3: [9], 9: [1] }))).toEqual([9]);
  });

  it('treats a locker waiting for itself as a cycle', () => {
    expect(findDeadlockVictims(graph({ 4: [4] }))).toEqual([4]);
  });

  it('accepts a custom policy and checks its choice', () => {
    const waits = graph({ 1: [2], 2: [3], 3: [1] });
    expect(findDeadlockVictims(waits, (cycle) => cycle[1]!)).toHaveLength(1);
    expect(() => findDeadlockVictims(waits, () => lockerId(42))).toThrow(InvalidArgumentError);
  });
});
