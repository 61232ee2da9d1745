/**
 * Point writes on a hash table without duplicates: store (insert or replace) and delete,
 * with the split a store may cause, placed as the real library places them (chain.ts).
 *
 * Layer: am/hash (rank 5).
 *
 * Invariants:
 * 1. A refused store (the key exists and may not be overwritten) changes nothing.
 * 2. Every overflow chain an item drops (a replaced value's, a deleted pair's) is freed in
 *    the same operation.
 * 3. The record count moves by the number of values stored or deleted.
 * 4. A replacement stays in place when neither value is on an overflow chain and the growth
 *    fits the page; otherwise the pair is stored again from its page on (Berkeley DB's
 *    __ham_replpair), which may add a page and split the table.
 */
import { getSlotCount } from '../../page/index.js';
import { type AmPutResult, freeOverflow } from '../common/index.js';
import type { HashTable, Spot } from './table.js';
import { buildItem, flagsOf, itemChains, keyPartOf, valuePart } from './page-items.js';
import { placeInBucket, reclaimEmpty } from './chain.js';
import { splitBucket, splitDue } from './split.js';
import { ITEM_VALUE_OVERFLOW, readRef } from './format.js';
import { roomToGrow } from './capacity.js';

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
  const placed = placeInBucket(t, t.bucketOf(key), buildItem(t.keyPart(key), t.valuePart(value)));
  t.file.changes.adjustCount(t.file.mp, 1);
  if (splitDue(t, placed)) splitBucket(t);
  return 'stored';
}

/** Replaces the value of the pair at `spot` (invariant 4). */
function replaceValue(t: HashTable, spot: Spot, value: Uint8Array): void {
  const f = t.file;
  const { frame, index } = spot;
  const onChain = (flagsOf(frame, index) & ITEM_VALUE_OVERFLOW) !== 0;
  if (!onChain && value.length <= t.maxValue) {
    const item = buildItem(keyPartOf(frame, index), { bytes: value });
    if (roomToGrow(frame, index, item)) {
      f.changes.replaceItem(f.mp, frame, index, item);
      return;
    }
  }
  if (onChain) {
    const ref = readRef(valuePart(frame, index), 0);
    freeOverflow(f, ref.pgno, ref.length);
  }
  const item = buildItem(keyPartOf(frame, index), t.valuePart(value));
  f.changes.deleteItem(f.mp, frame, index);
  const placed = placeInBucket(t, spot.bucket, item, frame.pgno);
  if (getSlotCount(frame) === 0) reclaimEmpty(t, frame);
  if (splitDue(t, placed)) splitBucket(t);
}

/** Deletes the pair at `spot`, which holds `values` values (the caller unpins it). */
export function deleteAt(t: HashTable, spot: Spot, values: number): void {
  const f = t.file;
  if (t.listeners.size > 0) t.noteKeyDeleted(t.keyAt(spot));
  for (const chain of itemChains(spot.frame, spot.index)) {
    freeOverflow(f, chain.pgno, chain.length);
  }
  f.changes.deleteItem(f.mp, spot.frame, spot.index);
  reclaimEmpty(t, spot.frame);
  f.changes.adjustCount(f.mp, -values);
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
