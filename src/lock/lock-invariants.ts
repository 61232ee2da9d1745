/**
 * The full consistency walk of the lock table (`LockManager.checkInvariants`), in the spirit
 * of bbolt's tx_check: slow, exhaustive, and run by tests after every step.
 *
 * Layer: lock (rank 2). Imports only src/util.
 *
 * Invariants checked (each violation throws `AssertionError` naming it):
 * 1. Lockers: registered under their own id; a parent is registered; `childCount` matches.
 * 2. Every lock in a locker's list is live, points back to that locker at its slot, has a
 *    non-empty valid mode set, and is the holder at its slot of the object registered
 *    under its object id.
 * 3. Every registered object is non-empty; each holder is live, registered under the same
 *    object, owned by a registered locker that lists it; no locker holds two locks there.
 * 4. No two locks on one object, held by lockers of which neither is the other's ancestor,
 *    have modes that conflict in both directions. (One direction alone can be legal: WRITE
 *    may be granted after WAIT, and a later WAIT then conflicts with the WRITE.)
 * 5. The lock count equals both the sum over lockers and the sum over objects, and the
 *    peaks are at least the current sizes.
 */

import { AssertionError } from '../util/index.js';
import type { Lock, LockTable } from './lock-table.js';
import type { Locker } from './locker.js';
import { modesOf } from './mode-sets.js';
import { LOCK_MODE_COUNT, conflicts, lockModeName } from './modes.js';

const MODE_SET_LIMIT = 1 << LOCK_MODE_COUNT;

function fail(message: string): never {
  throw new AssertionError(`lock table: ${message}`);
}

/** Invariants 1 and 2; returns the number of locks listed by lockers. */
function checkLockers(lockers: ReadonlyMap<number, Locker>, table: LockTable): number {
  const children = new Map<Locker, number>();
  let lockTotal = 0;
  for (const [id, locker] of lockers) {
    if (locker.id !== id) fail(`locker ${locker.id} registered under id ${id}`);
    const parent = locker.parent;
    if (parent !== undefined) {
      if (lockers.get(parent.id) !== parent) fail(`locker ${id} has a freed parent ${parent.id}`);
      children.set(parent, (children.get(parent) ?? 0) + 1);
    }
    locker.locks.forEach((lock, slot) => {
      const where = `lock ${slot} of locker ${id} on object ${lock.objectId}`;
      if (lock.owner !== locker) fail(`${where} is owned by locker ${lock.owner.id}`);
      if (lock.ownerSlot !== slot) fail(`${where} records owner slot ${lock.ownerSlot}`);
      if (!(lock.count >= 1)) fail(`${where} is listed but has count ${lock.count}`);
      if (lock.modes <= 1 || lock.modes >= MODE_SET_LIMIT || (lock.modes & 1) !== 0) {
        fail(`${where} has invalid mode set ${lock.modes}`);
      }
      if (table.objects.get(lock.objectId) !== lock.lockObject) {
        fail(`${where} points at an object that is not registered under its id`);
      }
      if (lock.lockObject.holders[lock.slot] !== lock) fail(`${where} is not at its holder slot`);
    });
    lockTotal += locker.locks.length;
  }
  for (const locker of lockers.values()) {
    const expected = children.get(locker) ?? 0;
    if (locker.childCount !== expected) {
      fail(`locker ${locker.id} counts ${locker.childCount} children, ${expected} are live`);
    }
  }
  return lockTotal;
}

/** Invariant 3 for one object; returns its number of holders. */
function checkObject(lockers: ReadonlyMap<number, Locker>, id: number, table: LockTable): number {
  const lockObject = table.objects.get(id)!;
  if (lockObject.id !== id) fail(`object ${lockObject.id} registered under id ${id}`);
  const holders = lockObject.holders;
  if (holders.length === 0) fail(`object ${id} is registered with no holders`);
  const owners = new Set<Locker>();
  holders.forEach((lock, slot) => {
    const where = `holder ${slot} of object ${id}`;
    if (lock.slot !== slot) fail(`${where} records slot ${lock.slot}`);
    if (!(lock.count >= 1)) fail(`${where} has count ${lock.count}`);
    if (lock.objectId !== id || lock.lockObject !== lockObject) fail(`${where} names another`);
    const owner = lock.owner;
    if (lockers.get(owner.id) !== owner) fail(`${where} is owned by freed locker ${owner.id}`);
    if (owner.locks[lock.ownerSlot] !== lock) fail(`${where} is not listed by its locker`);
    if (owners.has(owner)) fail(`locker ${owner.id} holds two locks on object ${id}`);
    owners.add(owner);
  });
  checkHolderPairs(id, lockObject.holders);
  return holders.length;
}

/** Invariant 4 for the holders of one object. */
function checkHolderPairs(id: number, holders: readonly Lock[]): void {
  for (let a = 0; a < holders.length; a++) {
    for (let b = a + 1; b < holders.length; b++) {
      const first = holders[a]!;
      const second = holders[b]!;
      if (first.owner.hasAncestor(second.owner) || second.owner.hasAncestor(first.owner)) {
        continue;
      }
      for (const x of modesOf(first.modes)) {
        for (const y of modesOf(second.modes)) {
          if (!conflicts(x, y) || !conflicts(y, x)) continue;
          fail(`object ${id}: unrelated lockers ${first.owner.id} (${lockModeName(x)}) and ` +
            `${second.owner.id} (${lockModeName(y)}) hold conflicting locks`);
        }
      }
    }
  }
}

/** Runs every check; throws `AssertionError` at the first violation. */
export function checkLockTable(lockers: ReadonlyMap<number, Locker>, table: LockTable): void {
  const listed = checkLockers(lockers, table);
  let held = 0;
  for (const id of table.objects.keys()) held += checkObject(lockers, id, table);
  if (listed !== table.lockCount || held !== table.lockCount) {
    fail(`lock count ${table.lockCount}, lockers list ${listed}, objects hold ${held}`);
  }
  if (table.lockCountMax < table.lockCount) fail('maxLocks is below the current lock count');
  if (table.objectCountMax < table.objects.size) {
    fail('maxObjects is below the current object count');
  }
}
