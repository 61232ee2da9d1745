/**
 * The lock layer (rank 2): lock modes and the Berkeley DB conflict matrix, the lock manager
 * (lockers, page locks, nested-transaction families, strict two-phase locking for one
 * thread), page lock object ids, and a waits-for deadlock detector.
 * Every other layer imports these through this file.
 */
export {
  LOCK_MODE_COUNT,
  LockMode,
  conflicts,
  isLockMode,
  isRequestableMode,
  lockModeName,
} from './modes.js';
export { modeCovers } from './mode-sets.js';
export {
  LockManager,
  type LockInfo,
  type LockManagerOptions,
  type LockRequestOptions,
} from './lock-manager.js';
export type { LockHandle } from './lock-table.js';
export type { LockStats } from './lock-stats.js';
export { describePageLockObject, pageLockObject } from './lock-object.js';
export { findDeadlockVictims, type VictimPolicy } from './deadlock.js';
