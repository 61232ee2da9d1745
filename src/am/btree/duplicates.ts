/**
 * Point operations of a btree with duplicates (Berkeley DB's DB_DUP and DB_DUPSORT): each
 * (key, value) pair is its own leaf item, ordered as dup-order.ts says, and the tree is
 * counted, so a key's duplicates are counted, and any one of them found, in one descent.
 *
 * Layer: am/btree (rank 5).
 *
 * Invariants:
 * 1. Sorted duplicates never hold the same pair twice: a put of a stored pair is refused
 *    (`'pair-exists'`, Berkeley DB's DB_KEYEXIST) unless `PUT_OVERWRITE_DUP` asks to
 *    replace it. Unsorted duplicates append a put after the key's last duplicate.
 * 2. `deleteKey` removes every duplicate of the key; every other operation changes at most
 *    one pair.
 * 3. As everywhere in the tree: `beforeChange` first, every pinned frame unpinned before
 *    returning, also when a comparator or an overflow read throws.
 * Complexity: O(log n) per operation, O(d log n) to delete a key with d duplicates.
 */
import type { Frame } from '../../mpool/index.js';
import { getNext, getSlotCount } from '../../page/index.js';
import { compareBytes } from '../../util/index.js';
import { AFTER_DUPS, AT_VALUE, BEFORE_DUPS, leafValueOf } from './dup-order.js';
import { leafKeyOf } from './long-keys.js';
import { type Btree, type Placement, ROOT_PGNO } from './btree.js';
import { descend, descendAndSearch, searchKeyRun, searchLeafTarget } from './search.js';
import type { RunBounds } from './key-runs.js';
import { descendToRank, rankDistance, rankOf } from './positions.js';
import { adjustPathCounts } from './counts.js';
import { countFromParents } from './child-runs.js';

/** Put flags (combinable). */
export const PUT_NO_OVERWRITE = 1;
export const PUT_NO_DUP_DATA = 2;
export const PUT_OVERWRITE_DUP = 4;

/** What a put did: stored the pair, or refused because the key or the pair was stored. */
export type DupPutResult = 'stored' | 'key-exists' | 'pair-exists';

function sameKey(t: Btree, a: Uint8Array, b: Uint8Array): boolean {
  return (t.compare ? t.compare(a, b) : compareBytes(a, b)) === 0;
}

/**
 * Pins the leaf of the first item >= `key`'s first duplicate, with `t.path` filled and
 * `t.result.index` set; undefined when every item sorts before it.
 */
function firstAtOrAfter(t: Btree, key: Uint8Array): Frame | undefined {
  const leaf = descendAndSearch(t, ROOT_PGNO, t.target.set(key, BEFORE_DUPS), t.path, t.result);
  if (t.result.index < getSlotCount(leaf)) return leaf;
  // The key's run starts on a later leaf: find its exact path through the counts.
  const rank = rankOf(t, t.path, t.result.index);
  t.unpin(leaf);
  if (rank >= t.totalItems()) return undefined;
  return descendToRank(t, ROOT_PGNO, rank, t.path, t.result);
}

/**
 * Pins the leaf holding the first duplicate of `key` (index in `t.result.index`, path in
 * `t.path`), or returns undefined when the key is absent.
 */
export function locateFirstDup(t: Btree, key: Uint8Array): Frame | undefined {
  const leaf = firstAtOrAfter(t, key);
  if (!leaf) return undefined;
  try {
    if (sameKey(t, key, leafKeyOf(t.file, leaf, t.result.index))) return leaf;
  } catch (e) {
    t.unpin(leaf);
    throw e;
  }
  t.unpin(leaf);
  return undefined;
}

/**
 * Pins the leaf holding the pair (`key`, `value`) (index in `t.result.index`), or returns
 * undefined. Sorted duplicates: one descent; unsorted: a walk along the key's duplicates.
 */
export function locatePair(t: Btree, key: Uint8Array, value: Uint8Array): Frame | undefined {
  if (!t.sortedDups) return walkToPair(t, key, value);
  const target = t.target.set(key, AT_VALUE, value);
  const leaf = descendAndSearch(t, ROOT_PGNO, target, t.path, t.result);
  if (t.result.found) return leaf;
  t.unpin(leaf);
  return undefined;
}

/** `locatePair` for unsorted duplicates: the first duplicate of `key` equal to `value`. */
function walkToPair(t: Btree, key: Uint8Array, value: Uint8Array): Frame | undefined {
  const first = locateFirstDup(t, key);
  if (!first) return undefined;
  let rank = rankOf(t, t.path, t.result.index);
  const total = t.totalItems();
  t.unpin(first);
  for (; rank < total; rank++) {
    const leaf = descendToRank(t, ROOT_PGNO, rank, t.path, t.result);
    let verdict: 'found' | 'past' | 'other';
    try {
      const i = t.result.index;
      verdict = !sameKey(t, key, leafKeyOf(t.file, leaf, i)) ? 'past'
        : compareBytes(leafValueOf(t.file, leaf, i), value) === 0 ? 'found' : 'other';
    } catch (e) {
      t.unpin(leaf);
      throw e;
    }
    if (verdict === 'found') return leaf;
    t.unpin(leaf);
    if (verdict === 'past') break;
  }
  return undefined;
}

/** Stores the pair (`key`, `value`) as `flags` say; see invariant 1. */
export function putDuplicate(
  t: Btree, key: Uint8Array, value: Uint8Array, flags: number,
): DupPutResult {
  t.checkKey(key);
  if (flags & PUT_NO_OVERWRITE) {
    const existing = locateFirstDup(t, key);
    if (existing) {
      t.unpin(existing);
      return 'key-exists';
    }
  }
  const target = t.sortedDups ? t.target.set(key, AT_VALUE, value)
    : t.target.set(key, AFTER_DUPS);
  const leaf = descend(t, ROOT_PGNO, target, t.path);
  try {
    searchLeafTarget(t, leaf, target, t.result);
    const index = t.result.index;
    if (t.sortedDups && t.result.found) {
      if ((flags & PUT_OVERWRITE_DUP) === 0) return 'pair-exists';
      t.beforeChange();
      t.replaceAt(leaf, index, t.makeItem(key, value));
      return 'stored';
    }
    insertPairAt(t, leaf, index, key, value);
    return 'stored';
  } finally {
    t.unpin(leaf);
  }
}

/**
 * Inserts a new pair at `index` of the pinned `leaf`, reached by a descent filling the path
 * (`how` and `held`: see `Placement`; sorted trees ignore them).
 */
export function insertPairAt(
  t: Btree, leaf: Frame, index: number, key: Uint8Array, value: Uint8Array,
  how: Placement['how'] = 'last-of-key', held = -1,
): void {
  t.beforeChange();
  const rank = shiftRank(t, index);
  const item = t.makeItem(key, value);
  adjustPathCounts(t, 1);
  t.insertAt(leaf, index, item);
  t.adjustCount(1);
  if (rank >= 0) t.noteShift(rank, 1, { how, key, held });
}

/** Deletes the pair at `index` of the pinned `leaf`, reached by a descent filling the path. */
export function deletePairAt(t: Btree, leaf: Frame, index: number): void {
  t.beforeChange();
  const rank = shiftRank(t, index);
  t.deleteAt(leaf, index);
  if (rank >= 0) t.noteShift(rank, -1);
}

/**
 * Sorted duplicates: deletes the pair (`key`, `value`) found by one descent; false when it
 * is not stored. (Cursors on it are detached first, as by any change.)
 */
export function deleteSortedPair(t: Btree, key: Uint8Array, value: Uint8Array): boolean {
  const leaf = locatePair(t, key, value);
  if (!leaf) return false;
  try {
    deletePairAt(t, leaf, t.result.index);
  } finally {
    t.unpin(leaf);
  }
  return true;
}

/** With unsorted duplicates and open cursors, the rank of a change at `index`; else -1. */
function shiftRank(t: Btree, index: number): number {
  return t.ranked && t.listeners.size > 0 ? rankOf(t, t.path, index) : -1;
}

/** Removes every duplicate of `key` (invariant 2); returns how many there were. */
export function deleteKey(t: Btree, key: Uint8Array): number {
  let removed = 0;
  for (;;) {
    const leaf = locateFirstDup(t, key);
    if (!leaf) return removed;
    try {
      deletePairAt(t, leaf, t.result.index);
    } finally {
      t.unpin(leaf);
    }
    removed++;
  }
}

/**
 * `read` of each duplicate of `key`, in order (the value a view valid during the call).
 * Complexity: O(log n + d) for d duplicates: one descent, then a walk along the leaves.
 */
export function readDups<T>(t: Btree, key: Uint8Array, read: (value: Uint8Array) => T): T[] {
  const out: T[] = [];
  let leaf = locateFirstDup(t, key);
  if (!leaf) return out;
  let i = t.result.index;
  try {
    for (;;) {
      // The run's end on this leaf in one search (key runs): its items need no compare.
      searchLeafTarget(t, leaf, t.target.set(key, AFTER_DUPS), t.result);
      const end = t.result.index;
      for (; i < end; i++) out.push(read(leafValueOf(t.file, leaf, i)));
      const next = getNext(leaf);
      if (end < getSlotCount(leaf) || next === 0) return out;
      t.unpin(leaf);
      leaf = t.pin(next);
      i = 0;
    }
  } finally {
    t.unpin(leaf);
  }
}

/** The run `countDups` reads (reused: no allocation). */
const keyRun: RunBounds = { first: 0, end: 0, slots: 0 };

/**
 * Number of duplicates of `key` (0 when absent). Complexity: O(log n) page visits, and the
 * counts of the entries the key's duplicates span (positions.ts `rankDistance`).
 */
export function countDups(t: Btree, key: Uint8Array): number {
  const counted = t.counted ? countFromParents(t, key) : -1;
  if (counted >= 0) return counted;
  const first = descend(t, ROOT_PGNO, t.target.set(key, BEFORE_DUPS), t.otherPath);
  try {
    searchKeyRun(t, first, key, keyRun);
  } finally {
    t.unpin(first);
  }
  const firstSlots = keyRun.slots;
  // Most keys end on the leaf they start on: then one descent counts them.
  if (keyRun.end < firstSlots) return keyRun.end - keyRun.first;
  const firstIndex = keyRun.first;
  const end = descendAndSearch(t, ROOT_PGNO, t.target.set(key, AFTER_DUPS), t.path, t.result);
  t.unpin(end);
  return rankDistance(t, t.otherPath, firstIndex, firstSlots, t.path, t.result.index);
}
