/**
 * Duplicates on a hash table: a key's values are one item (dup-set.ts), and these are the
 * writes on it: store a value (sorted, first, last, or beside another), replace one, delete
 * one.
 *
 * Layer: am/hash (rank 5).
 *
 * Invariants:
 * 1. With sorted duplicates a set is strictly ascending under the duplicate order (default
 *    unsigned bytes, the shorter first): an identical pair is refused ('pair-exists') unless
 *    it may be overwritten.
 * 2. A key with one value is stored as a plain item; a second value makes it a set, and a
 *    set back at one value stays a set until the key goes (either reads the same).
 * 3. Refusals are decided before any page changes.
 */
import {
  InvalidArgumentError, compareBytes, describeError, describeValue,
} from '../../util/index.js';
import { getSlotCount } from '../../page/index.js';
import {
  AM_PUT_NO_OVERWRITE, AM_PUT_OVERWRITE_DUP, type AmPutResult, freeOverflow, writeOverflow,
} from '../common/index.js';
import type { HashTable, Spot } from './table.js';
import { ITEM_DUPS, ITEM_VALUE_OVERFLOW, readRef } from './format.js';
import { buildItem, flagsOf, keyPartOf, valuePart } from './page-items.js';
import { encodeSet, setPart, setValues } from './dup-set.js';
import { placeInBucket, reclaimEmpty } from './chain.js';
import { roomToGrow } from './capacity.js';
import { addToSet } from './dup-growth.js';
import { splitBucket, splitDue } from './split.js';
import { deleteAt } from './writes.js';

/** Where a new duplicate goes: its sorted place, first, last, or at a set index. */
export type DupPlace = 'sorted' | 'first' | 'last' | number;

/** The values stored under the item at `spot` (copies). */
export function valuesAt(t: HashTable, spot: Spot): Uint8Array[] {
  const { frame, index } = spot;
  if (!(flagsOf(frame, index) & ITEM_DUPS)) return [setPart(t.file, frame, index).slice()];
  return setValues(setPart(t.file, frame, index)).map((v) => v.slice());
}

/** The duplicate order of `t` (the user's, checked, or unsigned bytes). */
export function dupOrder(t: HashTable): (a: Uint8Array, b: Uint8Array) => number {
  const user = t.shape.dupCompare;
  if (!user) return compareBytes;
  return (a, b) => {
    let order: unknown;
    try {
      order = user(a, b);
    } catch (error) {
      throw new InvalidArgumentError(`the duplicate comparator of database ${t.name} threw ` +
        `${describeError(error)}; nothing was changed`, { cause: error });
    }
    if (typeof order !== 'number' || Number.isNaN(order)) {
      throw new InvalidArgumentError(`the duplicate comparator of database ${t.name} returned ` +
        `${describeValue(order)}; it must return a negative number, zero or a positive number`);
    }
    return order;
  };
}

/** Index of the first value >= `value` in sorted `values`, and whether it is equal. */
export function sortedIndex(t: HashTable, values: readonly Uint8Array[], value: Uint8Array):
  { index: number; found: boolean } {
  const order = dupOrder(t);
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (order(values[mid]!, value) < 0) lo = mid + 1;
    else hi = mid;
  }
  return { index: lo, found: lo < values.length && order(values[lo]!, value) === 0 };
}

/**
 * Stores (`key`, `value`) in a table with duplicates, at `place` among the key's values;
 * returns what it did and the set index the value got.
 */
export function storeDuplicate(
  t: HashTable, key: Uint8Array, value: Uint8Array, flags: number, place: DupPlace,
): { result: AmPutResult; dup: number } {
  const spot = t.find(key);
  if (!spot) {
    t.beforeChange();
    const item = buildItem(t.keyPart(key), t.valuePart(value));
    const placed = placeInBucket(t, t.bucketOf(key), item);
    t.file.changes.adjustCount(t.file.mp, 1);
    if (splitDue(t, placed)) splitBucket(t);
    return { result: 'stored', dup: 0 };
  }
  try {
    if (flags & AM_PUT_NO_OVERWRITE) return { result: 'key-exists', dup: 0 };
    const values = valuesAt(t, spot);
    let at = place === 'first' ? 0 : place === 'last' ? values.length : 0;
    if (typeof place === 'number') at = place;
    if (place === 'sorted') {
      const s = sortedIndex(t, values, value);
      if (s.found && !(flags & AM_PUT_OVERWRITE_DUP)) {
        return { result: 'pair-exists', dup: s.index };
      }
      if (s.found) {
        values[s.index] = value;
        t.beforeChange();
        writeSet(t, spot, values);
        return { result: 'replaced', dup: s.index };
      }
      at = s.index;
    }
    values.splice(at, 0, value);
    t.beforeChange();
    t.file.changes.adjustCount(t.file.mp, 1);
    addToSet(t, spot, values, value);
    t.noteDupShift(key, at, 1);
    return { result: 'stored', dup: at };
  } finally {
    t.unpin(spot.frame);
  }
}

/**
 * Rewrites the item at `spot` to hold `values` after a value was replaced or deleted (the
 * caller called `beforeChange` and still unpins `spot.frame`): a set on an overflow chain
 * stays there, and one outgrowing a quarter page goes there. In place when the growth fits,
 * else stored again from its page on, which may add a page and split (__ham_replpair).
 */
export function writeSet(t: HashTable, spot: Spot, values: readonly Uint8Array[]): void {
  const f = t.file;
  const { frame, index } = spot;
  const part = encodeSet(values);
  const onChain = (flagsOf(frame, index) & ITEM_VALUE_OVERFLOW) !== 0;
  if (onChain) {
    const ref = readRef(valuePart(frame, index), 0);
    freeOverflow(f, ref.pgno, ref.length);
  }
  const offPage = onChain || part.length > t.pageSize >>> 2;
  const stored = offPage ? { chain: writeOverflow(f, part), length: part.length } : part;
  const item = buildItem(keyPartOf(frame, index), stored, true);
  if (roomToGrow(frame, index, item)) {
    f.changes.replaceItem(f.mp, frame, index, item);
    return;
  }
  f.changes.deleteItem(f.mp, frame, index);
  const placed = placeInBucket(t, spot.bucket, item, frame.pgno);
  if (getSlotCount(frame) === 0) reclaimEmpty(t, frame);
  if (splitDue(t, placed)) splitBucket(t);
}

/** Deletes value `dup` of the item at `spot` (the whole item when it is the last value). */
export function deleteDuplicate(t: HashTable, spot: Spot, dup: number): void {
  const values = valuesAt(t, spot);
  t.beforeChange();
  t.noteDupShift(t.keyAt(spot), dup, -1);
  if (values.length === 1) {
    deleteAt(t, spot, 1);
    return;
  }
  values.splice(dup, 1);
  writeSet(t, spot, values);
  t.file.changes.adjustCount(t.file.mp, -1);
}
