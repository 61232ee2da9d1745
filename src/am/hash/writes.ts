/**
 * Point writes on a hash table without duplicates: store (insert or replace) and delete,
 * with the split a store may cause.
 *
 * Layer: am/hash (rank 5).
 *
 * Invariants:
 * 1. A refused store (the key exists and may not be overwritten) changes nothing.
 * 2. Every overflow chain an item drops (a replaced value's, a deleted pair's) is freed in
 *    the same operation.
 * 3. The record count moves by the number of pairs stored or deleted.
 */
import { totalFree, getSlotCount, slotLength } from '../../page/index.js';
import { freeOverflow, type AmPutResult } from '../common/index.js';
import type { HashTable, Spot } from './table.js';
import { buildItem, itemChains, keyPartOf, flagsOf } from './page-items.js';
import { placeInBucket, unlinkPage } from './chain.js';
import { splitBucket, splitDue } from './split.js';
import { ITEM_VALUE_OVERFLOW } from './format.js';
import { readRef } from './format.js';
import { valuePart } from './page-items.js';

/** Stores `value` under `key` (no duplicates); `noOverwrite` refuses an existing key. */
export function storePlain(
  t: HashTable, key: Uint8Array, value: Uint8Array, noOverwrite: boolean,
): AmPutResult {
  const spot = t.find(key);
  if (spot) {
    try {
      if (noOverwrite) return 'key-exists';
      t.beforeChange();
      replaceValue(t, spot, value);
      return 'replaced';
    } finally {
      t.unpin(spot.frame);
    }
  }
  t.beforeChange();
  const item = buildItem(t.keyPart(key), t.valuePart(value));
  const added = placeInBucket(t, t.bucketOf(key), item);
  t.file.changes.adjustCount(t.file.mp, 1);
  if (splitDue(t, added)) splitBucket(t);
  return 'stored';
}

/**
 * Replaces the value of the pair at `spot` with `value`, in place when the new item fits
 * on its page, else by moving the pair to a page of its bucket with room. Returns whether
 * the move added a page.
 */
function replaceValue(t: HashTable, spot: Spot, value: Uint8Array): boolean {
  const f = t.file;
  const { frame, index } = spot;
  freeValueChain(t, spot);
  const item = buildItem(keyPartOf(frame, index), t.valuePart(value));
  if (totalFree(frame) + slotLength(frame, index) >= item.length) {
    f.changes.replaceItem(f.mp, frame, index, item);
    return false;
  }
  f.changes.deleteItem(f.mp, frame, index);
  const added = placeInBucket(t, spot.bucket, item);
  if (getSlotCount(frame) === 0) unlinkPage(t, frame);
  if (splitDue(t, added)) splitBucket(t);
  return added;
}

function freeValueChain(t: HashTable, spot: Spot): void {
  if (!(flagsOf(spot.frame, spot.index) & ITEM_VALUE_OVERFLOW)) return;
  const ref = readRef(valuePart(spot.frame, spot.index), 0);
  freeOverflow(t.file, ref.pgno, ref.length);
}

/** Deletes the pair at `spot` (the caller still unpins it); returns the pairs it held. */
export function deleteAt(t: HashTable, spot: Spot, pairs: number): void {
  const f = t.file;
  for (const chain of itemChains(spot.frame, spot.index)) {
    freeOverflow(f, chain.pgno, chain.length);
  }
  f.changes.deleteItem(f.mp, spot.frame, spot.index);
  if (getSlotCount(spot.frame) === 0) unlinkPage(t, spot.frame);
  f.changes.adjustCount(f.mp, -pairs);
}

/** Deletes `key` (no duplicates); returns how many pairs went (0 or 1). */
export function deletePlain(t: HashTable, key: Uint8Array): number {
  const spot = t.find(key);
  if (!spot) return 0;
  try {
    t.beforeChange();
    deleteAt(t, spot, 1);
    return 1;
  } finally {
    t.unpin(spot.frame);
  }
}
