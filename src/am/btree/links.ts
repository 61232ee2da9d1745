/**
 * Leaf sibling links: the doubly linked chain of leaves that cursors walk.
 *
 * Layer: am/btree (rank 5).
 *
 * Invariants:
 * 1. Following `nextPgno` from the leftmost leaf visits every leaf once, in key order, and
 *    `prevPgno` is its mirror; splits and merges keep both through `setPrevOf`.
 */
import type { Pgno } from '../../util/index.js';
import { setPrev } from '../../page/index.js';
import type { Btree } from './btree.js';

/** Points the `prevPgno` of leaf `target` (when not 0) at `prev`, logged. */
export function setPrevOf(t: Btree, target: Pgno, prev: Pgno): void {
  if (target === 0) return;
  const f = t.file;
  const frame = t.pinUnlocked(target);
  try {
    f.changes.rewrite(f.mp, frame, () => setPrev(frame, prev));
  } finally {
    t.unpin(frame);
  }
}
