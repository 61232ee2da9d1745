/**
 * Positions in a counted tree: the rank of a leaf item (its 0-based record number) from the
 * path that reached it, and the descent to the item of a given rank.
 *
 * Layer: am/btree (rank 5).
 *
 * Invariants:
 * 1. Both rely on the subtree counts being exact (counts.ts invariant 1), and cost one
 *    descent: O(depth x fanout) count reads, no key comparisons.
 * 2. `descendToRank` fills the path like a key descent, so a change at the item it finds
 *    can split or merge from there.
 */
import type { Pgno } from '../../util/index.js';
import type { Frame } from '../../mpool/index.js';
import { PageType, getSlotCount, getType } from '../../page/index.js';
import { internalChild, internalCount } from './format.js';
import type { TreePath } from './search.js';
import { MAX_DEPTH, type SearchTarget, structureBroken } from './search.js';

/** The rank of item `leafIndex` of the leaf that the descent recorded in `path` reached. */
export function rankOf(t: SearchTarget, path: TreePath, leafIndex: number): number {
  let rank = leafIndex;
  for (let d = 0; d < path.depth; d++) {
    const frame = t.pin(path.pgnos[d]!);
    try {
      const upTo = path.indexes[d]!;
      for (let i = 0; i < upTo; i++) rank += internalCount(frame, i);
    } finally {
      t.unpin(frame);
    }
  }
  return rank;
}

/**
 * rank(b) - rank(a) of two descents of one tree, `a` ending at item `aIndex` of a leaf of
 * `aSlots` items and `b` at item `bIndex`, with a's place at or before b's. Costs the entries
 * between the two places, not the fanout: below the level where the paths part, a's pages
 * add their entries after a's path and b's pages their entries before b's path; at that
 * level the entries between the two children count whole.
 */
export function rankDistance(t: SearchTarget, a: TreePath, aIndex: number, aSlots: number,
  b: TreePath, bIndex: number): number {
  let d = 0;
  while (d < a.depth && a.pgnos[d] === b.pgnos[d] && a.indexes[d] === b.indexes[d]) d++;
  if (d === a.depth) return bIndex - aIndex;
  let n = sumCounts(t, a.pgnos[d]!, a.indexes[d]! + 1, b.indexes[d]!);
  for (let e = d + 1; e < a.depth; e++) n += sumCounts(t, a.pgnos[e]!, a.indexes[e]! + 1);
  for (let e = d + 1; e < b.depth; e++) n += sumCounts(t, b.pgnos[e]!, 0, b.indexes[e]!);
  return n + (aSlots - aIndex) + bIndex;
}

/** The sum of the counts of entries [from, to) (to: the page's end) of internal page `pgno`. */
function sumCounts(t: SearchTarget, pgno: Pgno, from: number, to?: number): number {
  const frame = t.pin(pgno);
  try {
    let n = 0;
    const end = to ?? getSlotCount(frame);
    for (let i = from; i < end; i++) n += internalCount(frame, i);
    return n;
  } finally {
    t.unpin(frame);
  }
}

/** Where `descendToRank` ended: the leaf's item index. */
export interface RankResult {
  index: number;
}

/**
 * Walks from `root` to the leaf holding the item of 0-based `rank`, filling `path`; returns
 * the leaf, pinned, with `out.index` set. The caller checks `rank` < the record count.
 */
export function descendToRank(
  t: SearchTarget, root: Pgno, rank: number, path: TreePath, out: RankResult,
): Frame {
  let frame = t.pin(root);
  let depth = 0;
  let left = rank;
  while (getType(frame) === PageType.BTREE_INTERNAL) {
    const count = getSlotCount(frame);
    let child = 0;
    while (child < count - 1 && left >= internalCount(frame, child)) {
      left -= internalCount(frame, child);
      child++;
    }
    if (depth >= MAX_DEPTH || count === 0) structureBroken(t, frame);
    path.pgnos[depth] = frame.pgno;
    path.indexes[depth] = child;
    const next = internalChild(frame, child);
    t.unpin(frame);
    frame = t.pin(next);
    depth++;
  }
  path.depth = depth;
  out.index = left;
  return frame;
}
