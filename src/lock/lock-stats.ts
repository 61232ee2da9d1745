/**
 * Lock subsystem statistics, after Berkeley DB's `lock_stat` (`DB_LOCK_STAT`).
 *
 * Layer: lock (rank 2). Imports nothing.
 *
 * Invariants:
 * 1. Counters only grow; `requests = grants + deadlocks + notGranted` (a request that
 *    throws `InvalidArgumentError` is not counted at all).
 * 2. `upgrades <= grants`.
 */

/** A snapshot of the lock manager's counters and sizes. */
export interface LockStats {
  /** Lock requests (`get`/`tryGet`), granted or not (`st_nrequests`). */
  readonly requests: number;
  /** Requests granted, including re-entrant ones that only bumped a count. */
  readonly grants: number;
  /** Grants that added a mode to a lock the locker already held (`st_nupgrade`). */
  readonly upgrades: number;
  /** `downgrade` calls (`st_ndowngrade`). */
  readonly downgrades: number;
  /** References given back by `put`/`release`, plus locks freed by `releaseAll`. */
  readonly releases: number;
  /** Requests refused with `DeadlockError` (`st_ndeadlocks`). */
  readonly deadlocks: number;
  /** Requests refused with `LockNotGrantedError` or by `tryGet` (`st_nnowaits`). */
  readonly notGranted: number;
  /** All refused requests: `deadlocks + notGranted`. */
  readonly conflicts: number;
  /** Locks held now: one per (locker, object) pair (`st_nlocks`). */
  readonly locks: number;
  /** The most locks ever held at once (`st_maxnlocks`). */
  readonly maxLocks: number;
  /** Objects locked now (`st_nobjects`). */
  readonly objects: number;
  /** The most objects ever locked at once (`st_maxnobjects`). */
  readonly maxObjects: number;
  /** Live lockers (`st_nlockers`). */
  readonly lockers: number;
  /** The most lockers ever live at once (`st_maxnlockers`). */
  readonly maxLockers: number;
}

/** The manager's running counters. */
export class LockCounters {
  requests = 0;
  grants = 0;
  upgrades = 0;
  downgrades = 0;
  releases = 0;
  deadlocks = 0;
  notGranted = 0;
  maxLockers = 0;
}
