/**
 * `keyRange`: where a key falls in the tree, as the fractions of the items that sort before
 * it, equal it and after it (Berkeley DB's DB->key_range).
 *
 * Layer: am/btree (rank 5).
 *
 * Invariants:
 * 1. A counted tree answers exactly from its subtree counts (record numbers, duplicates).
 * 2. Otherwise the answer is an estimate from one descent, as Berkeley DB's: each page on
 *    the way splits the remaining share evenly among its items. The three fractions are in
 *    [0, 1] and sum to 1; `equal` is 0 when the key is absent, and everything is 0 in an
 *    empty tree.
 * Complexity: O(log n).
 */
import type { Frame } from '../../mpool/index.js';
import { PageType, getSlotCount, getType } from '../../page/index.js';
import { internalChild } from './format.js';
import { type Btree, ROOT_PGNO } from './btree.js';
import { type SearchResult, searchInternal, searchLeaf } from './search.js';
import { countDups } from './duplicates.js';
import { Locator } from './locator.js';
import { rankOf } from './positions.js';

/** Shares of the items that sort before, equal to and after a key. */
export interface KeyRange {
  less: number;
  equal: number;
  greater: number;
}

/** Where `key` falls in the tree (see the invariants). */
export function keyRange(t: Btree, key: Uint8Array): KeyRange {
  return t.counted ? exactRange(t, key) : estimatedRange(t, key);
}

function exactRange(t: Btree, key: Uint8Array): KeyRange {
  const total = t.totalItems();
  if (total === 0) return { less: 0, equal: 0, greater: 0 };
  const at = new Locator(t).keyBound(key, 'before');
  t.unpin(at.leaf);
  const before = rankOf(t, t.path, at.index);
  const equal = t.plainKeys ? (t.has(key) ? 1 : 0) : countDups(t, key);
  return { less: before / total, equal: equal / total, greater: (total - before - equal) / total };
}

function estimatedRange(t: Btree, key: Uint8Array): KeyRange {
  let frame: Frame = t.pin(ROOT_PGNO);
  let less = 0;
  let share = 1;
  try {
    while (getType(frame) === PageType.BTREE_INTERNAL) {
      const count = getSlotCount(frame);
      const child = searchInternal(t, frame, key);
      less += (share * child) / count;
      share /= count;
      const next = internalChild(frame, child);
      t.unpin(frame);
      frame = t.pin(next);
    }
    const count = getSlotCount(frame);
    if (count === 0) return { less: 0, equal: 0, greater: 0 };
    const result: SearchResult = { index: 0, found: false, item: -1 };
    searchLeaf(t, frame, key, result);
    less += (share * result.index) / count;
    const equal = result.found ? share / count : 0;
    return { less, equal, greater: Math.max(0, 1 - less - equal) };
  } finally {
    t.unpin(frame);
  }
}
