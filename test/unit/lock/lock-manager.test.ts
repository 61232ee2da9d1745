/**
 * LockManager behaviour for top-level lockers: sharing, conflicts and how they are reported,
 * re-entrancy, upgrades, releases, handles, downgrades, statistics and lockers' life cycle.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  LockManager,
  LockMode,
  describePageLockObject,
  pageLockObject,
  type LockHandle,
} from '../../../src/lock/index.js';
import {
  DeadlockError,
  InvalidArgumentError,
  LockNotGrantedError,
  lockerId,
  type LockerId,
} from '../../../src/util/index.js';

const { READ, WRITE, IWRITE, IREAD, WWRITE, NG } = LockMode;
const PAGE_7 = pageLockObject(1, 7);
const PAGE_8 = pageLockObject(1, 8);

let manager: LockManager;

function setup(): { a: LockerId; b: LockerId } {
  manager = new LockManager({ describeObject: describePageLockObject });
  return { a: manager.createLocker(), b: manager.createLocker() };
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

afterEach(() => {
  manager.checkInvariants();
});

describe('LockManager: sharing and conflicts', () => {
  it('lets two lockers share READ', () => {
    const { a, b } = setup();
    manager.get(a, PAGE_7, READ);
    manager.get(b, PAGE_7, READ);
    expect(manager.holds(a, PAGE_7)).toBe(READ);
    expect(manager.holds(b, PAGE_7)).toBe(READ);
    expect(manager.lockCount).toBe(2);
    expect(manager.objectCount).toBe(1);
  });

  it('refuses WRITE over another locker\'s READ with a DeadlockError naming both', () => {
    const { a, b } = setup();
    manager.get(a, PAGE_7, READ);
    const error = catchError(() => manager.get(b, PAGE_7, WRITE));
    expect(error).toBeInstanceOf(DeadlockError);
    const deadlock = error as DeadlockError;
    expect(deadlock.code).toBe('DEADLOCK');
    expect(deadlock.detail).toEqual({ lockerId: b, holderId: a, objectName: 'file 1 page 7' });
    expect(deadlock.message).toContain('file 1 page 7');
    expect(deadlock.message).toContain('WRITE');
    expect(manager.holds(b, PAGE_7)).toBeUndefined();
    expect(manager.stats().deadlocks).toBe(1);
  });

});

describe('LockManager: reporting conflicts', () => {
  it('refuses READ over another locker\'s WRITE', () => {
    const { a, b } = setup();
    manager.get(a, PAGE_7, WRITE);
    expect(() => manager.get(b, PAGE_7, READ)).toThrow(DeadlockError);
    manager.get(b, PAGE_8, READ);
  });

  it('reports LockNotGrantedError when asked for no-wait semantics', () => {
    const { a, b } = setup();
    manager.get(a, PAGE_7, WRITE);
    const error = catchError(() => manager.get(b, PAGE_7, WRITE, { noWait: true }));
    expect(error).toBeInstanceOf(LockNotGrantedError);
    expect((error as LockNotGrantedError).code).toBe('LOCK_NOT_GRANTED');
    expect((error as Error).message).toContain('file 1 page 7');
    expect(manager.stats().notGranted).toBe(1);
    expect(manager.stats().deadlocks).toBe(0);
  });

  it('tryGet returns undefined on a conflict and changes nothing', () => {
    const { a, b } = setup();
    manager.get(a, PAGE_7, WRITE);
    const before = manager.lockList();
    expect(manager.tryGet(b, PAGE_7, READ)).toBeUndefined();
    expect(manager.lockList()).toEqual(before);
    expect(manager.tryGet(b, PAGE_8, READ)?.mode).toBe(READ);
  });

  it('uses the number as the object name by default', () => {
    manager = new LockManager();
    const a = manager.createLocker();
    const b = manager.createLocker();
    manager.get(a, 42, WRITE);
    const error = catchError(() => manager.get(b, 42, READ)) as DeadlockError;
    expect(error.detail.objectName).toBe('42');
  });

  it('survives a describeObject callback that throws', () => {
    manager = new LockManager({ describeObject: () => { throw new Error('boom'); } });
    const a = manager.createLocker();
    const b = manager.createLocker();
    manager.get(a, 5, WRITE);
    expect((catchError(() => manager.get(b, 5, WRITE)) as DeadlockError).detail.objectName)
      .toBe('5');
  });

  it('grants intention locks together and refuses READ over IWRITE', () => {
    const { a, b } = setup();
    manager.get(a, PAGE_7, IWRITE);
    manager.get(b, PAGE_7, IREAD);
    manager.get(b, PAGE_7, IWRITE);
    expect(() => manager.get(b, PAGE_7, READ)).toThrow(DeadlockError);
  });
});

describe('LockManager: re-entrancy and upgrades', () => {
  it('counts a repeated request instead of adding a lock (LCK-06)', () => {
    const { a } = setup();
    const first = manager.get(a, PAGE_7, READ);
    const second = manager.get(a, PAGE_7, READ);
    expect(second).toBe(first);
    expect(first.count).toBe(2);
    expect(manager.lockCount).toBe(1);
    expect(manager.lockList()).toMatchObject([{ lockerId: a, objectId: PAGE_7, count: 2 }]);
  });

  it('grants READ to a WRITE holder as a re-entrant request', () => {
    const { a } = setup();
    manager.get(a, PAGE_7, WRITE);
    const handle = manager.get(a, PAGE_7, READ);
    expect(handle.mode).toBe(WRITE);
    expect(handle.count).toBe(2);
    expect(manager.stats().upgrades).toBe(0);
  });

  it('upgrades a sole reader to writer', () => {
    const { a, b } = setup();
    manager.get(a, PAGE_7, READ);
    manager.get(a, PAGE_7, WRITE);
    expect(manager.holds(a, PAGE_7)).toBe(WRITE);
    expect(manager.stats().upgrades).toBe(1);
    expect(() => manager.get(b, PAGE_7, READ)).toThrow(DeadlockError);
  });

  it('refuses an upgrade while another locker reads, keeping the READ', () => {
    const { a, b } = setup();
    manager.get(a, PAGE_7, READ);
    manager.get(b, PAGE_7, READ);
    const error = catchError(() => manager.get(a, PAGE_7, WRITE)) as DeadlockError;
    expect(error).toBeInstanceOf(DeadlockError);
    expect(error.detail).toMatchObject({ lockerId: a, holderId: b });
    expect(manager.holds(a, PAGE_7)).toBe(READ);
    expect(manager.release(b, PAGE_7)).toBe(true);
    manager.get(a, PAGE_7, WRITE);
    expect(manager.holds(a, PAGE_7)).toBe(WRITE);
  });

  it('unites incomparable modes: READ plus IWRITE behaves as both', () => {
    const { a, b } = setup();
    manager.get(a, PAGE_7, READ);
    manager.get(a, PAGE_7, IWRITE);
    expect(manager.lockList()[0]?.modes).toEqual([READ, IWRITE]);
    expect(manager.holds(a, PAGE_7)).toBe(WRITE);
    expect(() => manager.get(b, PAGE_7, READ)).toThrow(DeadlockError);
    expect(() => manager.get(b, PAGE_7, IREAD)).not.toThrow();
  });
});

describe('LockManager: releasing', () => {
  it('release drops one reference at a time', () => {
    const { a, b } = setup();
    manager.get(a, PAGE_7, WRITE);
    manager.get(a, PAGE_7, WRITE);
    expect(manager.release(a, PAGE_7)).toBe(true);
    expect(manager.holds(a, PAGE_7)).toBe(WRITE);
    expect(manager.release(a, PAGE_7)).toBe(true);
    expect(manager.holds(a, PAGE_7)).toBeUndefined();
    expect(manager.release(a, PAGE_7)).toBe(false);
    manager.get(b, PAGE_7, WRITE);
  });

  it('releaseAll frees everything and lets the other locker proceed', () => {
    const { a, b } = setup();
    for (let pgno = 1; pgno <= 20; pgno++) manager.get(a, pageLockObject(1, pgno), WRITE);
    manager.get(a, PAGE_7, WRITE);
    expect(() => manager.get(b, PAGE_7, READ)).toThrow(DeadlockError);
    expect(manager.releaseAll(a)).toBe(20);
    expect(manager.lockCount).toBe(0);
    expect(manager.objectCount).toBe(0);
    for (let pgno = 1; pgno <= 20; pgno++) manager.get(b, pageLockObject(1, pgno), WRITE);
    expect(manager.lockCount).toBe(20);
    expect(manager.releaseAll(a)).toBe(0);
  });

});

describe('LockManager: handles and downgrades', () => {
  it('put gives back one reference of a handle and rejects stale handles', () => {
    const { a, b } = setup();
    const handle = manager.get(a, PAGE_7, WRITE);
    manager.get(a, PAGE_7, WRITE);
    manager.put(handle);
    expect(handle.count).toBe(1);
    manager.put(handle);
    expect(handle.count).toBe(0);
    expect(() => manager.put(handle)).toThrow(InvalidArgumentError);
    manager.get(b, PAGE_7, READ);
    expect(() => manager.put(handle)).toThrow(InvalidArgumentError);
    const fake: LockHandle = { lockerId: a, objectId: PAGE_7, mode: READ, count: 1 };
    expect(() => manager.put(fake)).toThrow(InvalidArgumentError);
    const other = new LockManager();
    const c = other.createLocker();
    expect(() => manager.put(other.get(c, PAGE_7, READ))).toThrow(InvalidArgumentError);
  });

  it('handles stay valid while other locks on the object come and go', () => {
    const { a, b } = setup();
    const c = manager.createLocker();
    const ha = manager.get(a, PAGE_7, READ);
    manager.get(b, PAGE_7, READ);
    const hc = manager.get(c, PAGE_7, READ);
    manager.put(ha);
    manager.checkInvariants();
    manager.put(hc);
    expect(manager.lockList().map((row) => row.lockerId)).toEqual([b]);
  });

  it('downgrades WRITE to READ so that other readers may proceed', () => {
    const { a, b } = setup();
    manager.get(a, PAGE_7, WRITE);
    manager.downgrade(a, PAGE_7, READ);
    expect(manager.holds(a, PAGE_7)).toBe(READ);
    manager.get(b, PAGE_7, READ);
    expect(() => manager.downgrade(a, PAGE_7, WRITE)).toThrow(InvalidArgumentError);
    expect(() => manager.downgrade(a, PAGE_8, READ)).toThrow(InvalidArgumentError);
    expect(() => manager.downgrade(a, PAGE_7, NG)).toThrow(InvalidArgumentError);
    expect(manager.stats().downgrades).toBe(1);
  });

  it('downgrades WRITE to WWRITE, which READ_UNCOMMITTED may share', () => {
    const { a, b } = setup();
    manager.get(a, PAGE_7, WRITE);
    manager.downgrade(a, PAGE_7, WWRITE);
    manager.get(b, PAGE_7, LockMode.READ_UNCOMMITTED);
    expect(() => manager.get(b, PAGE_7, READ)).toThrow(DeadlockError);
  });
});

describe('LockManager: lockers', () => {
  it('assigns ids below 2^31 and accepts transaction ids above', () => {
    manager = new LockManager();
    const first = manager.createLocker();
    expect(first).toBe(1);
    const txn = manager.createLocker(undefined, lockerId(0x80000001));
    expect(txn).toBe(0x80000001);
    expect(manager.hasLocker(txn)).toBe(true);
    expect(() => manager.createLocker(undefined, txn)).toThrow(InvalidArgumentError);
    expect(() => manager.createLocker(undefined, lockerId(0))).toThrow(InvalidArgumentError);
    expect(() => manager.createLocker(undefined, lockerId(2 ** 32))).toThrow(InvalidArgumentError);
    manager.get(txn, PAGE_7, WRITE);
    const error = catchError(() => manager.get(first, PAGE_7, READ)) as DeadlockError;
    expect(error.message).toContain('0x80000001');
    manager.releaseAll(txn);
  });

  it('frees only lockers without locks or children', () => {
    const { a } = setup();
    manager.get(a, PAGE_7, READ);
    expect(() => manager.freeLocker(a)).toThrow(InvalidArgumentError);
    manager.releaseAll(a);
    const child = manager.createLocker(a);
    expect(() => manager.freeLocker(a)).toThrow(InvalidArgumentError);
    manager.freeLocker(child);
    manager.freeLocker(a);
    expect(manager.hasLocker(a)).toBe(false);
    expect(() => manager.get(a, PAGE_7, READ)).toThrow(InvalidArgumentError);
    expect(() => manager.freeLocker(a)).toThrow(InvalidArgumentError);
    expect(manager.lockerCount).toBe(1);
  });

  it('rejects bad modes and object ids before counting a request', () => {
    const { a } = setup();
    expect(() => manager.get(a, PAGE_7, NG)).toThrow(InvalidArgumentError);
    expect(() => manager.get(a, PAGE_7, 9 as LockMode)).toThrow(InvalidArgumentError);
    expect(() => manager.get(a, -1, READ)).toThrow(InvalidArgumentError);
    expect(() => manager.get(a, 1.5, READ)).toThrow(InvalidArgumentError);
    expect(() => manager.get(a, 2 ** 53, READ)).toThrow(InvalidArgumentError);
    expect(() => manager.get(lockerId(999), PAGE_7, READ)).toThrow(InvalidArgumentError);
    expect(manager.stats().requests).toBe(0);
  });
});

describe('LockManager: statistics', () => {
  it('counts requests, grants, conflicts, releases and peaks (lock_stat)', () => {
    const { a, b } = setup();
    manager.get(a, PAGE_7, READ);
    manager.get(a, PAGE_7, READ);
    manager.get(a, PAGE_8, WRITE);
    manager.get(b, PAGE_7, READ);
    expect(() => manager.get(b, PAGE_8, READ)).toThrow(DeadlockError);
    expect(() => manager.get(b, PAGE_8, READ, { noWait: true })).toThrow(LockNotGrantedError);
    manager.release(a, PAGE_7);
    manager.releaseAll(a);
    expect(manager.stats()).toEqual({
      requests: 6, grants: 4, upgrades: 0, downgrades: 0, releases: 3, deadlocks: 1,
      notGranted: 1, conflicts: 2, locks: 1, maxLocks: 3, objects: 1, maxObjects: 2,
      lockers: 2, maxLockers: 2,
    });
  });

  it('shows a WRITE held until commit and gone after it (LCK-12)', () => {
    const { a } = setup();
    manager.get(a, PAGE_7, WRITE);
    expect(manager.lockList()).toEqual([{
      lockerId: a, objectId: PAGE_7, objectName: 'file 1 page 7', mode: WRITE,
      modes: [WRITE], count: 1,
    }]);
    manager.releaseAll(a);
    expect(manager.lockList()).toEqual([]);
  });
});

describe('page lock objects', () => {
  it('pack file and page into one safe integer', () => {
    expect(pageLockObject(1, 7)).toBe(2 ** 32 + 7);
    expect(describePageLockObject(pageLockObject(3, 17))).toBe('file 3 page 17');
    expect(describePageLockObject(5)).toBe('object 5');
    expect(Number.isSafeInteger(pageLockObject(2 ** 21 - 1, 2 ** 32 - 1))).toBe(true);
    manager = new LockManager();
  });
});
