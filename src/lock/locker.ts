/**
 * A locker: the identity locks are held by (a transaction, a nested transaction or a
 * non-transactional cursor), with its place in a nested-transaction family.
 *
 * Layer: lock (rank 2). Imports only src/util.
 *
 * Invariants:
 * 1. `parent` never changes and names a locker that was live when this one was created; a
 *    locker with live children cannot be freed, so the parent chain is finite and live.
 * 2. `locks[i].ownerSlot === i` and `locks[i].owner === this` for every i.
 * 3. `childCount` is the number of live lockers whose `parent` is this one.
 */

import type { LockerId } from '../util/index.js';
import type { Lock } from './lock-table.js';

/** One locker of the lock manager. Internal: callers see only its `LockerId`. */
export class Locker {
  /** Live child lockers (nested transactions) whose parent is this one. */
  childCount = 0;
  /** Every lock this locker holds, one per locked object. */
  readonly locks: Lock[] = [];

  constructor(
    readonly id: LockerId,
    readonly parent: Locker | undefined,
  ) {}

  /**
   * True when `other` is this locker's parent, grandparent, ... A request never conflicts
   * with a lock held by an ancestor (Berkeley DB's nested-transaction rule).
   * Complexity: O(nesting depth); O(1) for a top-level locker.
   */
  hasAncestor(other: Locker): boolean {
    for (let p = this.parent; p !== undefined; p = p.parent) {
      if (p === other) return true;
    }
    return false;
  }
}
