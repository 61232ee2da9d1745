/**
 * Lock modes and the standard conflict matrix, exactly as Berkeley DB's `db_riw_conflicts`
 * (the intention-lock matrix of `lock_region.c`; its READ/WRITE corner is `db_rw_conflicts`).
 *
 * Layer: lock (rank 2). Imports only src/util.
 *
 * Rows are the mode HELD, columns the mode REQUESTED; 1 means "conflict: do not grant".
 *
 * | held \ requested | NG | READ | WRITE | WAIT | IWRITE | IREAD | IWR | RU | WWRITE |
 * |------------------|----|------|-------|------|--------|-------|-----|----|--------|
 * | NG               |  0 |    0 |     0 |    0 |      0 |     0 |   0 |  0 |      0 |
 * | READ             |  0 |    0 |     1 |    0 |      1 |     0 |   1 |  0 |      1 |
 * | WRITE            |  0 |    1 |     1 |    1 |      1 |     1 |   1 |  1 |      1 |
 * | WAIT             |  0 |    0 |     0 |    0 |      0 |     0 |   0 |  0 |      0 |
 * | IWRITE           |  0 |    1 |     1 |    0 |      0 |     0 |   0 |  1 |      1 |
 * | IREAD            |  0 |    0 |     1 |    0 |      0 |     0 |   0 |  0 |      1 |
 * | IWR              |  0 |    1 |     1 |    0 |      0 |     0 |   0 |  1 |      1 |
 * | READ_UNCOMMITTED |  0 |    0 |     1 |    0 |      1 |     0 |   1 |  0 |      0 |
 * | WWRITE           |  0 |    1 |     1 |    0 |      1 |     1 |   1 |  0 |      1 |
 *
 * (RU = READ_UNCOMMITTED, BDB's "DR"; IWR is BDB's "RIW".) Restricted to NG, READ, WRITE,
 * IWRITE, IREAD, IWR this is the 6x6 table of the Berkeley DB reference guide, "Standard lock
 * modes".
 *
 * Invariants:
 * 1. Mode numbers equal Berkeley DB's `db_lockmode_t` values (NG = 0 ... WWRITE = 8).
 * 2. The matrix is symmetric except for one entry: WRITE held conflicts with a WAIT request,
 *    but WAIT held does not conflict with a WRITE request (as in Berkeley DB).
 * 3. NG neither conflicts with anything nor may be requested; every other mode may be.
 */

import { InvalidArgumentError } from '../util/index.js';

/** The lock modes, numbered as Berkeley DB's `db_lockmode_t`. */
export const LockMode = {
  /** Not granted: the absence of a lock. Never requested. */
  NG: 0,
  /** Shared read lock. */
  READ: 1,
  /** Exclusive write lock. */
  WRITE: 2,
  /** Wait-for-event lock: conflicts only with a held WRITE. */
  WAIT: 3,
  /** Intention to write (shared). */
  IWRITE: 4,
  /** Intention to read (shared). */
  IREAD: 5,
  /** Intention to read and write (shared); conflicts exactly like IWRITE. */
  IWR: 6,
  /** Degree-1 (dirty) read: conflicts only with WRITE, IWRITE and IWR. */
  READ_UNCOMMITTED: 7,
  /** Was-written: a WRITE downgraded so that dirty readers may proceed. */
  WWRITE: 8,
} as const;

/** One lock mode (a small integer, see {@link LockMode}). */
export type LockMode = (typeof LockMode)[keyof typeof LockMode];

/** How many lock modes exist (the conflict matrix is this many rows by this many columns). */
export const LOCK_MODE_COUNT = 9;

const MODE_NAMES: readonly string[] = [
  'NG', 'READ', 'WRITE', 'WAIT', 'IWRITE', 'IREAD', 'IWR', 'READ_UNCOMMITTED', 'WWRITE',
];

// Row = held, column = requested. Copied from Berkeley DB lock_region.c `db_riw_conflicts`.
const CONFLICT_MATRIX = Uint8Array.from([
  /*            N  R  W  WT IW IR RIW DR WW */
  /*  NG  */    0, 0, 0, 0, 0, 0, 0,  0, 0,
  /*  READ */   0, 0, 1, 0, 1, 0, 1,  0, 1,
  /*  WRITE */  0, 1, 1, 1, 1, 1, 1,  1, 1,
  /*  WAIT */   0, 0, 0, 0, 0, 0, 0,  0, 0,
  /*  IWRITE */ 0, 1, 1, 0, 0, 0, 0,  1, 1,
  /*  IREAD */  0, 0, 1, 0, 0, 0, 0,  0, 1,
  /*  IWR */    0, 1, 1, 0, 0, 0, 0,  1, 1,
  /*  RU */     0, 0, 1, 0, 1, 0, 1,  0, 0,
  /*  WWRITE */ 0, 1, 1, 0, 1, 1, 1,  0, 1,
]);

/** True when `value` is one of the nine lock mode numbers (NG included). */
export function isLockMode(value: unknown): value is LockMode {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 &&
    value < LOCK_MODE_COUNT;
}

/** True when `mode` may be requested: a lock mode other than NG. */
export function isRequestableMode(mode: number): mode is LockMode {
  return mode >= 1 && mode < LOCK_MODE_COUNT && (mode | 0) === mode;
}

/** The Berkeley DB name of a mode without the `DB_LOCK_` prefix, e.g. `'WRITE'`. */
export function lockModeName(mode: number): string {
  return MODE_NAMES[mode] ?? `mode#${String(mode)}`;
}

/**
 * True when a lock of mode `held` (owned by an unrelated locker) forbids granting `requested`.
 * Throws `InvalidArgumentError` when either argument is not a lock mode. Complexity: O(1).
 */
export function conflicts(held: LockMode, requested: LockMode): boolean {
  if (!isLockMode(held)) throw new InvalidArgumentError(`not a lock mode: ${String(held)}`);
  if (!isLockMode(requested)) {
    throw new InvalidArgumentError(`not a lock mode: ${String(requested)}`);
  }
  return CONFLICT_MATRIX[held * LOCK_MODE_COUNT + requested] === 1;
}
