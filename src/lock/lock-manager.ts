/**
 * The lock manager: lockers, lock requests and releases under strict two-phase locking, for
 * one thread that may have several transactions open at once (Berkeley DB's `lock_id`,
 * `lock_get`, `lock_put`, `lock_vec(PUT_ALL)`, `lock_stat`).
 *
 * Layer: lock (rank 2). Imports only src/util.
 *
 * Policy: a request that conflicts with a lock held by an unrelated locker is refused at
 * once. The only code that could release that lock runs on the asking thread, so waiting
 * would never end. By default the refusal throws `DeadlockError` (abort the transaction,
 * then retry it); with `{ noWait: true }` it throws `LockNotGrantedError` (BDB's
 * `DB_LOCK_NOWAIT`); `tryGet` returns undefined instead of throwing.
 *
 * Invariants:
 * 1. A request is granted iff no lock on the object held by a locker other than the
 *    requester and its ancestors conflicts with the requested mode. This is Berkeley DB's
 *    nested-transaction rule: a child never conflicts with its parent or grandparent, while
 *    siblings, and a parent asking for what its child holds, do conflict.
 * 2. Requests are re-entrant: one lock per (locker, object) whose mode set is the union of
 *    the modes asked for since the last downgrade and whose count is the number of grants
 *    not given back. A mode the set already covers is granted without a check; any other
 *    mode is an upgrade, granted when invariant 1 allows it.
 * 3. A refused request changes nothing but the statistics.
 * 4. Ids assigned by `createLocker` are in [1, 2^31); ids in [2^31, 2^32) are left for
 *    transactions, which pass their own (Berkeley DB's transaction locker ids).
 * 5. A locker can be freed only when it holds no locks and has no live children.
 * 6. The hot path (the locker already holds a covering lock) allocates nothing; a new
 *    grant allocates one lock record; strings are built only for errors and dumps.
 */

import {
  DeadlockError,
  InvalidArgumentError,
  LockNotGrantedError,
  lockerId as toLockerId,
  type LockerId,
} from '../util/index.js';
import { checkLockTable } from './lock-invariants.js';
import { LockCounters, type LockStats } from './lock-stats.js';
import { Lock, LockTable, heldBy, type LockHandle, type LockObject } from './lock-table.js';
import { Locker } from './locker.js';
import { modeBit, modesOf, setConflicts, setCovers } from './mode-sets.js';
import { isRequestableMode, lockModeName, type LockMode } from './modes.js';

/** Construction options of a {@link LockManager}. */
export interface LockManagerOptions {
  /** Names an object in error messages and in `lockList` (default: the number itself). */
  readonly describeObject?: (objectId: number) => string;
}

/** Options of one lock request. */
export interface LockRequestOptions {
  /** Refuse a conflict with `LockNotGrantedError` instead of `DeadlockError`. */
  readonly noWait?: boolean;
}

/** One row of `lockList()`, like a line of `db_stat -Co`. */
export interface LockInfo {
  readonly lockerId: LockerId;
  readonly objectId: number;
  readonly objectName: string;
  /** A mode at least as strong as every mode in `modes`. */
  readonly mode: LockMode;
  readonly modes: readonly LockMode[];
  readonly count: number;
}

/** The highest id `createLocker` assigns by itself; higher ids belong to transactions. */
const AUTO_LOCKER_ID_MAX = 0x7fffffff;
/** Locker ids are u32 values, as in Berkeley DB. */
const LOCKER_ID_MAX = 0xffffffff;

function formatLocker(id: number): string {
  return typeof id === 'number' ? `0x${id.toString(16)}` : String(id);
}

function isObjectId(objectId: number): boolean {
  return Number.isSafeInteger(objectId) && objectId >= 0;
}

/** The first lock on `lockObject` that forbids `locker`'s request for `mode`, if any. */
function findBlocker(lockObject: LockObject, locker: Locker, mode: LockMode): Lock | undefined {
  const holders = lockObject.holders;
  for (let i = 0; i < holders.length; i++) {
    const lock = holders[i]!;
    if (lock.owner === locker || !setConflicts(lock.modes, mode)) continue;
    if (!locker.hasAncestor(lock.owner)) return lock;
  }
  return undefined;
}

/** Lockers and their page (or any numeric object) locks for one environment. */
export class LockManager {
  private readonly lockers = new Map<number, Locker>();
  private readonly table = new LockTable();
  private readonly counters = new LockCounters();
  private readonly describeObject: (objectId: number) => string;
  private nextLockerId = 1;
  /** The locker of the latest call: consecutive requests mostly come from one txn. */
  private recentLocker: Locker | undefined;
  /** The lock that refused the latest request, kept until its error is built. */
  private blocker: Lock | undefined;

  constructor(options: LockManagerOptions = {}) {
    this.describeObject = options.describeObject ?? String;
  }

  /** Lockers now live. */
  get lockerCount(): number {
    return this.lockers.size;
  }

  /** Locks now held: one per (locker, object) pair. */
  get lockCount(): number {
    return this.table.lockCount;
  }

  /** Objects now locked. */
  get objectCount(): number {
    return this.table.objects.size;
  }

  /**
   * Creates a locker (`lock_id`). `parent` makes it a nested transaction's locker. `id`
   * chooses its id (a transaction passes its own, in [2^31, 2^32)); by default the next free
   * id in [1, 2^31) is used. Throws `InvalidArgumentError` for an unknown parent or an id
   * that is invalid or in use.
   */
  createLocker(parent?: LockerId, id?: LockerId): LockerId {
    const parentLocker = parent === undefined ? undefined : this.lockerOf(parent);
    let newId: LockerId;
    if (id === undefined) {
      newId = this.allocateLockerId();
    } else {
      if (!Number.isInteger(id) || id < 1 || id > LOCKER_ID_MAX) {
        throw new InvalidArgumentError(`locker id must be an integer in [1, 2^32): ${id}`);
      }
      if (this.lockers.has(id)) {
        throw new InvalidArgumentError(`locker ${formatLocker(id)} already exists`);
      }
      newId = id;
    }
    this.lockers.set(newId, new Locker(newId, parentLocker));
    if (parentLocker !== undefined) parentLocker.childCount++;
    if (this.lockers.size > this.counters.maxLockers) this.counters.maxLockers = this.lockers.size;
    return newId;
  }

  /** Frees a locker (`lock_id_free`). REQUIRES: it holds no locks and has no live children. */
  freeLocker(id: LockerId): void {
    const locker = this.lockerOf(id);
    if (locker.locks.length > 0) {
      throw new InvalidArgumentError(
        `locker ${formatLocker(id)} still holds ${locker.locks.length} locks`);
    }
    if (locker.childCount > 0) {
      throw new InvalidArgumentError(
        `locker ${formatLocker(id)} still has ${locker.childCount} live child lockers`);
    }
    this.lockers.delete(id);
    if (locker.parent !== undefined) locker.parent.childCount--;
    if (this.recentLocker === locker) this.recentLocker = undefined;
  }

  /** True when `id` names a live locker. */
  hasLocker(id: LockerId): boolean {
    return this.lockers.has(id);
  }

  /** The parent of a live locker, or undefined for a top-level one. */
  parentOf(id: LockerId): LockerId | undefined {
    return this.lockerOf(id).parent?.id;
  }

  /**
   * Grants `locker` a lock of `mode` on `objectId` (a non-negative safe integer), or throws:
   * `DeadlockError` when an unrelated locker holds a conflicting lock, `LockNotGrantedError`
   * instead with `{ noWait: true }`, `InvalidArgumentError` for an unknown locker, mode NG or
   * a bad object id. Complexity: O(holders of the object); allocation-free when the locker
   * already holds a covering lock.
   */
  get(locker: LockerId, objectId: number, mode: LockMode, opts?: LockRequestOptions): LockHandle {
    const lock = this.acquire(locker, objectId, mode);
    if (lock !== undefined) return lock;
    throw this.refusal(locker, objectId, mode, opts?.noWait === true);
  }

  /** Like `get`, but a conflict returns undefined (counted as not granted) instead of throwing. */
  tryGet(locker: LockerId, objectId: number, mode: LockMode): LockHandle | undefined {
    const lock = this.acquire(locker, objectId, mode);
    if (lock === undefined) {
      this.blocker = undefined;
      this.counters.notGranted++;
    }
    return lock;
  }

  /**
   * Gives back one reference of a handle from `get` (`lock_put`); the lock is freed when its
   * count reaches 0. Throws `InvalidArgumentError` for a stale or foreign handle.
   */
  put(handle: LockHandle): void {
    if (!(handle instanceof Lock) || handle.count === 0 ||
      this.table.objects.get(handle.objectId) !== handle.lockObject ||
      handle.lockObject.holders[handle.slot] !== handle) {
      throw new InvalidArgumentError('lock handle is stale or belongs to another lock manager');
    }
    this.dropReference(handle);
  }

  /**
   * Gives back one reference of `locker`'s lock on `objectId`, freeing the lock when its
   * count reaches 0. Returns false when the locker holds no lock there.
   */
  release(locker: LockerId, objectId: number): boolean {
    const lock = this.lockOf(this.lockerOf(locker), objectId);
    if (lock === undefined) return false;
    this.dropReference(lock);
    return true;
  }

  /** Frees every lock of `locker` whatever its count (commit or abort); returns how many. */
  releaseAll(locker: LockerId): number {
    const released = this.table.removeAll(this.lockerOf(locker));
    this.counters.releases += released;
    return released;
  }

  /**
   * Child transaction commit: every lock of `child` passes to its parent, merged with the
   * parent's own lock on the same object (mode sets united, counts added). The child keeps
   * existing and holds nothing. Throws `InvalidArgumentError` for a top-level locker.
   */
  inheritToParent(child: LockerId): void {
    const locker = this.lockerOf(child);
    if (locker.parent === undefined) {
      throw new InvalidArgumentError(`locker ${formatLocker(child)} has no parent to inherit`);
    }
    this.table.inherit(locker, locker.parent);
  }

  /**
   * Replaces the modes `locker` holds on `objectId` by the weaker `mode` (`lock_downgrade`,
   * e.g. WRITE to WWRITE or READ). Throws `InvalidArgumentError` when no lock is held there
   * or when the held modes do not cover `mode`.
   */
  downgrade(locker: LockerId, objectId: number, mode: LockMode): void {
    if (!isRequestableMode(mode)) {
      throw new InvalidArgumentError(`cannot downgrade to lock mode ${lockModeName(mode)}`);
    }
    const lock = this.lockOf(this.lockerOf(locker), objectId);
    if (lock === undefined) {
      throw new InvalidArgumentError(
        `locker ${formatLocker(locker)} holds no lock on ${this.nameOf(objectId)}`);
    }
    if (!setCovers(lock.modes, mode)) {
      throw new InvalidArgumentError(
        `cannot downgrade ${lockModeName(lock.mode)} to ${lockModeName(mode)}`);
    }
    lock.modes = modeBit(mode);
    this.counters.downgrades++;
  }

  /** The strongest mode `locker` holds on `objectId`, or undefined. Complexity: O(holders). */
  holds(locker: LockerId, objectId: number): LockMode | undefined {
    return this.lockOf(this.lockerOf(locker), objectId)?.mode;
  }

  /** The counters and sizes of `lock_stat`. */
  stats(): LockStats {
    const c = this.counters;
    return {
      requests: c.requests,
      grants: c.grants,
      upgrades: c.upgrades,
      downgrades: c.downgrades,
      releases: c.releases,
      deadlocks: c.deadlocks,
      notGranted: c.notGranted,
      conflicts: c.deadlocks + c.notGranted,
      locks: this.table.lockCount,
      maxLocks: this.table.lockCountMax,
      objects: this.table.objects.size,
      maxObjects: this.table.objectCountMax,
      lockers: this.lockers.size,
      maxLockers: c.maxLockers,
    };
  }

  /** Every held lock, ordered by object then locker (a `db_stat -Co` dump). */
  lockList(): LockInfo[] {
    const rows: LockInfo[] = [];
    for (const lockObject of this.table.objects.values()) {
      const objectName = this.nameOf(lockObject.id);
      for (const lock of lockObject.holders) {
        rows.push({
          lockerId: lock.lockerId, objectId: lock.objectId, objectName, mode: lock.mode,
          modes: modesOf(lock.modes), count: lock.count,
        });
      }
    }
    return rows.sort((a, b) => a.objectId - b.objectId || a.lockerId - b.lockerId);
  }

  /** Walks the whole table; throws `AssertionError` describing the first violation. */
  checkInvariants(): void {
    checkLockTable(this.lockers, this.table);
  }

  /** Grants or refuses one request; on refusal records the blocking lock and returns undefined. */
  private acquire(lockerId: LockerId, objectId: number, mode: LockMode): Lock | undefined {
    if (!isRequestableMode(mode)) {
      throw new InvalidArgumentError(`cannot request lock mode ${lockModeName(mode)}`);
    }
    const locker = this.lockerOf(lockerId);
    const counters = this.counters;
    const lockObject = this.table.objects.get(objectId);
    if (lockObject === undefined) {
      if (!isObjectId(objectId)) {
        throw new InvalidArgumentError(`lock object id must be a safe integer >= 0: ${objectId}`);
      }
      counters.requests++;
      counters.grants++;
      return this.table.add(locker, objectId, undefined, modeBit(mode));
    }
    counters.requests++;
    const own = heldBy(lockObject, locker);
    if (own !== undefined && setCovers(own.modes, mode)) {
      // Covered: no check needed. Recording the bit keeps `modes` the exact union asked for.
      own.modes |= modeBit(mode);
      own.count++;
      counters.grants++;
      return own;
    }
    const blocker = findBlocker(lockObject, locker, mode);
    if (blocker !== undefined) {
      this.blocker = blocker;
      return undefined;
    }
    counters.grants++;
    if (own === undefined) return this.table.add(locker, objectId, lockObject, modeBit(mode));
    own.modes |= modeBit(mode);
    own.count++;
    counters.upgrades++;
    return own;
  }

  /** The error for the refused request just made; counts it. */
  private refusal(lockerId: LockerId, objectId: number, mode: LockMode, noWait: boolean): Error {
    const blocker = this.blocker!;
    this.blocker = undefined;
    const objectName = this.nameOf(objectId);
    const holderId = blocker.lockerId;
    const message = `locker ${formatLocker(lockerId)} requested ${lockModeName(mode)} on ` +
      `${objectName}, which locker ${formatLocker(holderId)} holds ${lockModeName(blocker.mode)}`;
    if (noWait) {
      this.counters.notGranted++;
      return new LockNotGrantedError(`lock not granted: ${message}`);
    }
    this.counters.deadlocks++;
    return new DeadlockError(
      `deadlock: ${message}; waiting would hang this thread, so abort the transaction and retry`,
      { lockerId, holderId, objectName });
  }

  private dropReference(lock: Lock): void {
    this.counters.releases++;
    if (--lock.count === 0) this.table.remove(lock);
  }

  private lockOf(locker: Locker, objectId: number): Lock | undefined {
    const lockObject = this.table.objects.get(objectId);
    return lockObject === undefined ? undefined : heldBy(lockObject, locker);
  }

  private lockerOf(id: LockerId): Locker {
    const recent = this.recentLocker;
    if (recent !== undefined && recent.id === id) return recent;
    const locker = this.lockers.get(id);
    if (locker === undefined) throw new InvalidArgumentError(`unknown locker ${formatLocker(id)}`);
    this.recentLocker = locker;
    return locker;
  }

  private allocateLockerId(): LockerId {
    for (let tries = 0; tries < AUTO_LOCKER_ID_MAX; tries++) {
      const id = this.nextLockerId;
      this.nextLockerId = id >= AUTO_LOCKER_ID_MAX ? 1 : id + 1;
      if (!this.lockers.has(id)) return toLockerId(id);
    }
    throw new InvalidArgumentError('every locker id is in use');
  }

  private nameOf(objectId: number): string {
    try {
      return this.describeObject(objectId);
    } catch {
      return String(objectId);
    }
  }
}
