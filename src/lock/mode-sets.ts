/**
 * Sets of lock modes, as 9-bit masks, with precomputed answers to the questions the lock
 * table asks on every request. A locker that asks for several modes on one object holds all
 * of them (Berkeley DB keeps one lock record per mode); the lock table keeps one record per
 * (locker, object) whose mode set is their union, which answers every conflict question
 * exactly as the separate records would.
 *
 * Layer: lock (rank 2). Imports only src/util (through modes.ts).
 *
 * Invariants:
 * 1. A mode set is an integer in [0, 512): bit m is set iff mode m is held; NG's bit is never
 *    set by the lock table.
 * 2. `setConflicts(set, m)` iff some mode h in the set has `conflicts(h, m)`.
 * 3. `setCovers(set, m)` iff adding m to the set changes no conflict answer in either
 *    direction: the row and the column of m are inside the unions of the set's rows and
 *    columns. A covered request needs no conflict check.
 * 4. `strongestMode(set)` is one mode that covers the whole set; it is a member of the set
 *    whenever a member covers the rest (WRITE covers every set). It is NG only for the
 *    empty set.
 */

import { InvalidArgumentError } from '../util/index.js';
import { LOCK_MODE_COUNT, LockMode, conflicts, isLockMode } from './modes.js';

/** A set of lock modes: bit m set means mode m is held. */
export type ModeSet = number;

/** The number of distinct mode sets (2^LOCK_MODE_COUNT). */
const MODE_SET_COUNT = 1 << LOCK_MODE_COUNT;

const SET_CONFLICTS = new Uint8Array(MODE_SET_COUNT * LOCK_MODE_COUNT);
const SET_COVERS = new Uint8Array(MODE_SET_COUNT * LOCK_MODE_COUNT);
const STRONGEST = new Uint8Array(MODE_SET_COUNT);

/** Requested modes that a held `mode` conflicts with, as a mode set. */
function rowOf(mode: LockMode): ModeSet {
  let row = 0;
  for (let m = 0; m < LOCK_MODE_COUNT; m++) if (conflicts(mode, m as LockMode)) row |= 1 << m;
  return row;
}

/** Held modes that conflict with a request for `mode`, as a mode set. */
function columnOf(mode: LockMode): ModeSet {
  let column = 0;
  for (let h = 0; h < LOCK_MODE_COUNT; h++) {
    if (conflicts(h as LockMode, mode)) column |= 1 << h;
  }
  return column;
}

function bitCount(set: ModeSet): number {
  let count = 0;
  for (let rest = set; rest !== 0; rest &= rest - 1) count++;
  return count;
}

/** The mode `strongestMode` reports for a set whose unions are `rowUnion`/`columnUnion`. */
function pickStrongest(set: ModeSet, rowUnion: ModeSet, columnUnion: ModeSet): LockMode {
  let best: LockMode = LockMode.NG;
  let bestScore = Infinity;
  for (let c = LOCK_MODE_COUNT - 1; c >= 1; c--) {
    const mode = c as LockMode;
    const row = rowOf(mode);
    const column = columnOf(mode);
    if ((rowUnion & ~row) !== 0 || (columnUnion & ~column) !== 0) continue;
    // Members of the set win; among the rest, the mode with the fewest conflicts. Ties go
    // to the highest-numbered member, or else to the lowest-numbered other mode.
    const score = ((set >> c) & 1) === 1 ? -1 : bitCount(row) + bitCount(column);
    if (score < bestScore || (score === bestScore && score !== -1)) {
      best = mode;
      bestScore = score;
    }
  }
  return set === 0 ? LockMode.NG : best;
}

function buildTables(): void {
  const rows: number[] = [];
  const columns: number[] = [];
  for (let m = 0; m < LOCK_MODE_COUNT; m++) {
    rows.push(rowOf(m as LockMode));
    columns.push(columnOf(m as LockMode));
  }
  for (let set = 0; set < MODE_SET_COUNT; set++) {
    let rowUnion = 0;
    let columnUnion = 0;
    for (let h = 0; h < LOCK_MODE_COUNT; h++) {
      if (((set >> h) & 1) === 0) continue;
      rowUnion |= rows[h] ?? 0;
      columnUnion |= columns[h] ?? 0;
    }
    for (let m = 0; m < LOCK_MODE_COUNT; m++) {
      const index = set * LOCK_MODE_COUNT + m;
      SET_CONFLICTS[index] = (rowUnion >> m) & 1;
      const inside = ((rows[m] ?? 0) & ~rowUnion) === 0 &&
        ((columns[m] ?? 0) & ~columnUnion) === 0;
      SET_COVERS[index] = ((set >> m) & 1) === 1 || inside ? 1 : 0;
    }
    STRONGEST[set] = pickStrongest(set, rowUnion, columnUnion);
  }
}
buildTables();

/** The set holding only `mode`. */
export function modeBit(mode: LockMode): ModeSet {
  return 1 << mode;
}

/**
 * True when a locker holding the modes in `set` forbids an unrelated locker's request for
 * `mode`. REQUIRES: `mode` is requestable and `set` < 512. Complexity: O(1).
 */
export function setConflicts(set: ModeSet, mode: LockMode): boolean {
  return SET_CONFLICTS[set * LOCK_MODE_COUNT + mode] === 1;
}

/**
 * True when holding `set` already gives everything a request for `mode` would.
 * REQUIRES: `mode` is requestable and `set` < 512. Complexity: O(1).
 */
export function setCovers(set: ModeSet, mode: LockMode): boolean {
  return SET_COVERS[set * LOCK_MODE_COUNT + mode] === 1;
}

/** One mode at least as strong as every mode in `set` (NG for the empty set). */
export function strongestMode(set: ModeSet): LockMode {
  return (STRONGEST[set] ?? LockMode.WRITE) as LockMode;
}

/** The modes in `set`, in increasing order. */
export function modesOf(set: ModeSet): LockMode[] {
  const modes: LockMode[] = [];
  for (let m = 0; m < LOCK_MODE_COUNT; m++) if (((set >> m) & 1) === 1) modes.push(m as LockMode);
  return modes;
}

/**
 * True when a locker that holds `held` needs nothing more to act as if it held `wanted`
 * (for example WRITE covers READ; READ does not cover WRITE).
 */
export function modeCovers(held: LockMode, wanted: LockMode): boolean {
  if (!isLockMode(held)) throw new InvalidArgumentError(`not a lock mode: ${String(held)}`);
  if (!isLockMode(wanted)) throw new InvalidArgumentError(`not a lock mode: ${String(wanted)}`);
  if (wanted === LockMode.NG) return true;
  if (held === LockMode.NG) return false;
  return setCovers(modeBit(held), wanted);
}
