/**
 * Throughput sanity print, not a timed assertion: TPC-B-shaped transactions (about ten page
 * lock requests each, several of them re-requests of pages already held) followed by
 * releaseAll, and the pure re-entrant fast path. The numbers are printed for the lead; the
 * test only checks that the table ends empty and consistent.
 */
import { describe, expect, it } from 'vitest';
import { LockManager, LockMode, pageLockObject } from '../../../src/lock/index.js';
import { lockerId } from '../../../src/util/index.js';

const { READ, WRITE } = LockMode;
const DURATION_MS = 300;

/** One TPC-B-like transaction: account, teller and branch updates plus a history append. */
function transaction(manager: LockManager, txn: number, random: () => number): number {
  const locker = manager.createLocker(undefined, lockerId(0x80000000 + (txn % 0x7fffffff)));
  const account = pageLockObject(1, 2 + Math.floor(random() * 10_000));
  const teller = pageLockObject(2, 2 + Math.floor(random() * 10));
  const branch = pageLockObject(3, 2);
  manager.get(locker, pageLockObject(1, 1), READ);
  manager.get(locker, account, READ);
  manager.get(locker, account, WRITE);
  manager.get(locker, pageLockObject(2, 1), READ);
  manager.get(locker, teller, READ);
  manager.get(locker, teller, WRITE);
  manager.get(locker, pageLockObject(3, 1), READ);
  manager.get(locker, branch, WRITE);
  manager.get(locker, pageLockObject(4, 1 + (txn >> 6)), WRITE);
  manager.get(locker, pageLockObject(1, 1), READ);
  const released = manager.releaseAll(locker);
  manager.freeLocker(locker);
  return released;
}

describe('LockManager throughput (printed, not asserted)', () => {
  it('runs get + releaseAll cycles', () => {
    const manager = new LockManager();
    let state = 12345;
    const random = (): number => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state / 0x80000000;
    };
    for (let i = 0; i < 20_000; i++) transaction(manager, i, random);
    let txns = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < DURATION_MS) {
      for (let i = 0; i < 1000; i++) transaction(manager, txns++, random);
      elapsed = performance.now() - start;
    }
    const perSecond = Math.round((txns / elapsed) * 1000);
    console.log(`lock: ${perSecond} TPC-B-shaped txns/s (10 requests + releaseAll each), ` +
      `${Math.round(perSecond * 10 / 1e6 * 10) / 10}M requests/s`);
    expect(manager.lockCount).toBe(0);
    manager.checkInvariants();
  });

  it('runs the re-entrant fast path', () => {
    const manager = new LockManager();
    const locker = manager.createLocker();
    const pages = Array.from({ length: 8 }, (_, i) => pageLockObject(7, i + 1));
    for (const page of pages) manager.get(locker, page, WRITE);
    let requests = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < DURATION_MS) {
      for (let i = 0; i < 100_000; i++) manager.get(locker, pages[i & 7]!, READ);
      requests += 100_000;
      elapsed = performance.now() - start;
    }
    console.log(`lock: ${Math.round((requests / elapsed) / 1000 * 10) / 10}M fast-path ` +
      'requests/s (locker already holds a covering lock)');
    expect(manager.releaseAll(locker)).toBe(8);
    manager.checkInvariants();
  });
});
