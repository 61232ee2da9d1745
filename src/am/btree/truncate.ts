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
import { freePage } from '../common/index.js';
import { internalChild } from './format.js';
import { type Btree, ROOT_PGNO } from './btree.js';

/** Frees the subtree under `p` (and `p` itself unless it is the root). */
function freeSubtree(t: Btree, p: Pgno): void {
  const frame = t.pin(p);
  try {
    const count = getSlotCount(frame);
    if (getType(frame) === PageType.BTREE_INTERNAL) {
      const children: Pgno[] = [];
      for (let i = 0; i < count; i++) children.push(internalChild(frame, i));
      for (let i = 1; i < count; i++) t.freeSeparatorChains(frame, i);
      for (const c of children) freeSubtree(t, c);
    } else {
      for (let i = 0; i < count; i++) t.freeChains(frame, i);
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
