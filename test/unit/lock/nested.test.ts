/**
 * Nested-transaction families (Berkeley DB reference guide, "Nested transactions"; LCK-08):
 * a child never conflicts with its ancestors, siblings conflict with each other, and a
 * committing child's locks pass to its parent ("anti-inheritance").
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LockManager, LockMode } from '../../../src/lock/index.js';
import { DeadlockError, InvalidArgumentError, type LockerId } from '../../../src/util/index.js';

const { READ, WRITE } = LockMode;
const A = 100;
const B = 200;

let manager = new LockManager();

afterEach(() => {
  manager.checkInvariants();
});

function family(): { parent: LockerId; c1: LockerId; c2: LockerId } {
  manager = new LockManager();
  const parent = manager.createLocker();
  return { parent, c1: manager.createLocker(parent), c2: manager.createLocker(parent) };
}

describe('nested lockers: conflicts', () => {
  it('let a child lock what its parent holds', () => {
    const { parent, c1 } = family();
    manager.get(parent, A, WRITE);
    manager.get(c1, A, WRITE);
    expect(manager.holds(c1, A)).toBe(WRITE);
    expect(manager.lockCount).toBe(2);
    expect(manager.parentOf(c1)).toBe(parent);
    expect(manager.parentOf(parent)).toBeUndefined();
  });

  it('let a grandchild lock what its grandparent holds', () => {
    const { parent, c1 } = family();
    const grandchild = manager.createLocker(c1);
    manager.get(parent, A, WRITE);
    manager.get(grandchild, A, READ);
    manager.get(c1, B, WRITE);
    manager.get(grandchild, B, WRITE);
  });

  it('make siblings conflict, even on what their parent holds (the seed example)', () => {
    const { parent, c1, c2 } = family();
    manager.get(parent, A, WRITE);
    manager.get(c1, A, WRITE);
    const error = (() => {
      try {
        manager.get(c2, A, WRITE);
      } catch (e) {
        return e as DeadlockError;
      }
      throw new Error('expected a conflict');
    })();
    expect(error).toBeInstanceOf(DeadlockError);
    expect(error.detail).toMatchObject({ lockerId: c2, holderId: c1 });
    manager.get(c1, B, WRITE);
    expect(() => manager.get(c2, B, READ)).toThrow(DeadlockError);
    // C1 commits: its locks pass to T1, and C2 may now lock both A and B.
    manager.inheritToParent(c1);
    manager.freeLocker(c1);
    expect(manager.holds(parent, B)).toBe(WRITE);
    manager.get(c2, B, WRITE);
    manager.get(c2, A, WRITE);
  });

  it('make a parent conflict with what its live child holds', () => {
    const { parent, c1 } = family();
    manager.get(c1, A, WRITE);
    expect(() => manager.get(parent, A, READ)).toThrow(DeadlockError);
  });

  it('keep unrelated lockers out of a family\'s locks', () => {
    const { parent, c1 } = family();
    const other = manager.createLocker();
    manager.get(parent, A, READ);
    manager.get(c1, B, READ);
    expect(() => manager.get(other, A, WRITE)).toThrow(DeadlockError);
    expect(() => manager.get(other, B, WRITE)).toThrow(DeadlockError);
    manager.get(other, A, READ);
  });

});

describe('inheritance to the parent', () => {
  it('merges inherited locks with the parent\'s: modes united, counts added', () => {
    const { parent, c1 } = family();
    manager.get(parent, A, READ);
    manager.get(c1, A, WRITE);
    manager.get(c1, A, WRITE);
    manager.get(c1, B, READ);
    manager.inheritToParent(c1);
    expect(manager.holds(c1, A)).toBeUndefined();
    expect(manager.lockList()).toMatchObject([
      { lockerId: parent, objectId: A, mode: WRITE, modes: [READ, WRITE], count: 3 },
      { lockerId: parent, objectId: B, mode: READ, count: 1 },
    ]);
    expect(manager.lockCount).toBe(2);
    manager.checkInvariants();
    expect(manager.releaseAll(parent)).toBe(2);
  });

  it('keeps handles of moved locks valid and of merged locks stale', () => {
    const { parent, c1 } = family();
    manager.get(parent, A, READ);
    const merged = manager.get(c1, A, WRITE);
    const moved = manager.get(c1, B, WRITE);
    manager.inheritToParent(c1);
    expect(moved.lockerId).toBe(parent);
    expect(() => manager.put(merged)).toThrow(InvalidArgumentError);
    manager.put(moved);
    expect(manager.holds(parent, B)).toBeUndefined();
  });

  it('leaves the parent\'s locks alone when a child aborts', () => {
    const { parent, c1, c2 } = family();
    manager.get(parent, A, WRITE);
    manager.get(c1, A, WRITE);
    manager.get(c1, B, WRITE);
    expect(manager.releaseAll(c1)).toBe(2);
    expect(manager.holds(parent, A)).toBe(WRITE);
    manager.get(c2, B, WRITE);
  });

  it('is refused for a top-level locker', () => {
    const { parent } = family();
    expect(() => manager.inheritToParent(parent)).toThrow(InvalidArgumentError);
  });
});
