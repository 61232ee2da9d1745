/**
 * Subtree counts of a counted tree (record numbers or duplicates): every internal item holds
 * the number of leaf items under its child, so a record number, or the number of a key's
 * duplicates, is found in one descent.
 *
 * Layer: am/btree (rank 5).
 *
 * Invariants:
 * 1. After every operation, each internal item's count equals the leaf items under its
 *    child (verify checks it); an insert or delete changes the counts along its path by
 *    exactly one, a split or merge sets the counts of the pages it reshaped from their items.
 * 2. A count is logged, locked and undone by item index like any other item change: set as a
 *    replacement of its whole item (`replaceItem`), or moved by one as a delta on the item
 *    (`addToItem`, a `pg_item_add` record of a few bytes). (A byte-range rewrite would be
 *    undone at a byte offset, which the logical undo of a later insert or delete on the same
 *    page may have moved: the abort would then write the count into another item.)
 */
import type { Frame } from '../../mpool/index.js';
import { PageType, getSlotCount, getType, itemView } from '../../page/index.js';
import { COUNT_OFFSET, internalCount } from './format.js';
import type { Btree } from './btree.js';

/** Leaf items under the pinned page: a leaf's items, or the sum of an internal page's counts. */
export function subtreeCount(frame: Frame): number {
  const count = getSlotCount(frame);
  if (getType(frame) !== PageType.BTREE_INTERNAL) return count;
  let sum = 0;
  for (let i = 0; i < count; i++) sum += internalCount(frame, i);
  return sum;
}

/** Sets internal item `index` of the pinned page to `count`. */
export function setItemCount(t: Btree, frame: Frame, index: number, count: number): void {
  if (internalCount(frame, index) === count) return;
  const item = itemView(frame, index).slice();
  new DataView(item.buffer).setUint32(COUNT_OFFSET, count, true);
  t.file.changes.replaceItem(t.file.mp, frame, index, item);
}

/** Adds `delta` to the count of every internal item along `t.path` (a fresh descent's). */
export function adjustPathCounts(t: Btree, delta: number): void {
  const path = t.path;
  for (let d = 0; d < path.depth; d++) {
    const frame = t.pinUnlocked(path.pgnos[d]!);
    try {
      t.file.changes.addToItem(t.file.mp, frame, path.indexes[d]!, COUNT_OFFSET, delta);
    } finally {
      t.unpin(frame);
    }
  }
}
