/**
 * The lock table: lock records linked both from the locked object and from their locker, so
 * a request scans only the object's few holders and a commit frees a locker's locks without
 * any lookup.
 *
 * Layer: lock (rank 2). Imports only src/util.
 *
 * Invariants:
 * 1. An object is in `objects` iff it has at least one holder, and `holders[i].slot === i`.
 * 2. A live lock (count >= 1) is in exactly one object's `holders` and in its owner's
 *    `locks` at `ownerSlot`; a locker has at most one lock per object.
 * 3. A live lock's mode set is not empty.
 * 4. A released lock has count 0 and is never reused, so a stale handle is detectable.
 * 5. `lockCount` is the number of live locks; `lockCountMax`/`objectCountMax` are the peaks.
 * 6. Emptied objects are kept for reuse (at most `SPARE_OBJECTS_MAX`), so steady traffic
 *    allocates one lock record per new (locker, object) pair and nothing else.
 */

import { assert, type LockerId } from '../util/index.js';
import type { Locker } from './locker.js';
import { strongestMode, type ModeSet } from './mode-sets.js';
import type { LockMode } from './modes.js';

/** What `LockManager.get` returns: a granted lock, valid until it is released. */
export interface LockHandle {
  /** The locker that holds the lock (its parent's after `inheritToParent`). */
  readonly lockerId: LockerId;
  /** The locked object. */
  readonly objectId: number;
  /** A mode at least as strong as every mode the locker asked for on this object. */
  readonly mode: LockMode;
  /** References: grants to this locker on this object not yet given back; 0 once freed. */
  readonly count: number;
}

/** One locker's lock on one object. */
export class Lock implements LockHandle {
  /** References still held; 0 once the lock is freed. */
  count = 1;

  constructor(
    /** The holding locker. Changes only when a child's lock passes to its parent. */
    public owner: Locker,
    readonly objectId: number,
    readonly lockObject: LockObject,
    /** Every mode granted to `owner` on this object. */
    public modes: ModeSet,
    /** Index in `lockObject.holders`. */
    public slot: number,
    /** Index in `owner.locks`. */
    public ownerSlot: number,
  ) {}

  get lockerId(): LockerId {
    return this.owner.id;
  }

  get mode(): LockMode {
    return strongestMode(this.modes);
  }
}

/** A locked object: its id and the locks held on it. */
export class LockObject {
  id = 0;
  readonly holders: Lock[] = [];
}

/**
 * Spare objects kept for reuse. A transaction of a TPC-B-like workload locks about ten
 * pages and frees them all at commit; 1024 covers many such transactions at once while
 * bounding what an idle table keeps alive.
 */
const SPARE_OBJECTS_MAX = 1024;

/** The lock held by `owner` on `lockObject`, if any. Complexity: O(holders). */
export function heldBy(lockObject: LockObject, owner: Locker): Lock | undefined {
  const holders = lockObject.holders;
  for (let i = 0; i < holders.length; i++) {
    const lock = holders[i]!;
    if (lock.owner === owner) return lock;
  }
  return undefined;
}

/** The per-object table of lock records. */
export class LockTable {
  /** Locked objects by object id. */
  readonly objects = new Map<number, LockObject>();
  lockCount = 0;
  lockCountMax = 0;
  objectCountMax = 0;
  private readonly spareObjects: LockObject[] = [];

  /**
   * Records a new lock of `owner` on `objectId` with mode set `modes`. `lockObject` is the
   * object's current entry, or undefined when the object is not locked yet.
   * REQUIRES: `owner` holds no lock on the object. Complexity: O(1).
   */
  add(owner: Locker, objectId: number, lockObject: LockObject | undefined, modes: ModeSet): Lock {
    let target = lockObject;
    if (target === undefined) {
      target = this.spareObjects.pop() ?? new LockObject();
      target.id = objectId;
      this.objects.set(objectId, target);
      if (this.objects.size > this.objectCountMax) this.objectCountMax = this.objects.size;
    }
    const lock = new Lock(owner, objectId, target, modes, target.holders.length,
      owner.locks.length);
    target.holders.push(lock);
    owner.locks.push(lock);
    if (++this.lockCount > this.lockCountMax) this.lockCountMax = this.lockCount;
    return lock;
  }

  /** Frees one live lock whatever its count. Complexity: O(1). */
  remove(lock: Lock): void {
    this.unlinkFromObject(lock);
    const locks = lock.owner.locks;
    assert(locks[lock.ownerSlot] === lock, 'lock table: a live lock is not at its owner slot');
    const last = locks.pop()!;
    if (last !== lock) {
      locks[lock.ownerSlot] = last;
      last.ownerSlot = lock.ownerSlot;
    }
    lock.count = 0;
    this.lockCount--;
  }

  /** Frees every lock of `owner`; returns how many. Complexity: O(locks of owner). */
  removeAll(owner: Locker): number {
    const locks = owner.locks;
    const released = locks.length;
    for (let i = 0; i < released; i++) {
      const lock = locks[i]!;
      this.unlinkFromObject(lock);
      lock.count = 0;
    }
    locks.length = 0;
    this.lockCount -= released;
    return released;
  }

  /**
   * Gives every lock of `child` to `parent`: a lock on an object the parent already locks is
   * merged into the parent's (mode sets united, counts added); any other lock changes owner.
   * Complexity: O(locks of child x holders per object).
   */
  inherit(child: Locker, parent: Locker): void {
    assert(child.parent === parent, 'lock table: locks inherited by a locker that is no parent');
    const locks = child.locks;
    for (let i = 0; i < locks.length; i++) {
      const lock = locks[i]!;
      const existing = heldBy(lock.lockObject, parent);
      if (existing === undefined) {
        lock.owner = parent;
        lock.ownerSlot = parent.locks.length;
        parent.locks.push(lock);
        continue;
      }
      existing.modes |= lock.modes;
      existing.count += lock.count;
      this.unlinkFromObject(lock);
      lock.count = 0;
      this.lockCount--;
    }
    locks.length = 0;
  }

  /** Removes `lock` from its object's holders, retiring the object when it empties. */
  private unlinkFromObject(lock: Lock): void {
    const lockObject = lock.lockObject;
    const holders = lockObject.holders;
    assert(holders[lock.slot] === lock, 'lock table: a live lock is not at its holder slot');
    const last = holders.pop()!;
    if (last !== lock) {
      holders[lock.slot] = last;
      last.slot = lock.slot;
    }
    if (holders.length > 0) return;
    this.objects.delete(lockObject.id);
    if (this.spareObjects.length < SPARE_OBJECTS_MAX) this.spareObjects.push(lockObject);
  }
}
