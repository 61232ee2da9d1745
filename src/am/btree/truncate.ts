/**
 * `truncateBtree`: removes every record, returning all pages but the root to the free list.
 *
 * Layer: am/btree (rank 5).
 *
 * Invariants:
 * 1. Afterwards the root is an empty leaf, the record count is zero and `verify` passes.
 */
import { type Pgno } from '../../util/index.js';
import { PageType, getSlotCount, getType, initPage } from '../../page/index.js';
import { freeOverflow, freePage } from '../common/index.js';
import { internalChild, internalKey, leafIsOverflow, leafOverflowRef } from './format.js';
import { type Btree, ROOT_PGNO } from './btree.js';
import { freeSeparator } from './dup-order.js';

/** Frees the subtree under `p` (and `p` itself unless it is the root). */
function freeSubtree(t: Btree, p: Pgno): void {
  const frame = t.pin(p);
  try {
    const count = getSlotCount(frame);
    if (getType(frame) === PageType.BTREE_INTERNAL) {
      const children: Pgno[] = [];
      for (let i = 0; i < count; i++) children.push(internalChild(frame, i));
      if (!t.plainKeys) {
        for (let i = 1; i < count; i++) {
          freeSeparator(t.file, internalKey(frame, i, t.internalHeader));
        }
      }
      for (const c of children) freeSubtree(t, c);
    } else {
      for (let i = 0; i < count; i++) {
        if (!leafIsOverflow(frame, i)) continue;
        const ref = leafOverflowRef(frame, i);
        freeOverflow(t.file, ref.first, ref.length);
      }
    }
    if (p !== ROOT_PGNO) freePage(t.file, frame);
  } finally {
    t.unpin(frame);
  }
}

/** Removes every record. Returns how many there were. Complexity: O(pages). */
export function truncateBtree(t: Btree): number {
  const count = t.count();
  t.beforeChange();
  freeSubtree(t, ROOT_PGNO);
  const root = t.pin(ROOT_PGNO);
  try {
    t.file.changes.rewrite(t.file.mp, root, () =>
      initPage(root, ROOT_PGNO, PageType.BTREE_LEAF, 1));
  } finally {
    t.unpin(root);
  }
  t.adjustCount(-count);
  return count;
}
