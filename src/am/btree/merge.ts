/**
 * Merging underfull pages after deletes, and shrinking the tree at the root.
 *
 * Layer: am/btree (rank 5).
 *
 * Invariants:
 * 1. A page is merged only with a sibling under the same parent, and only when both fit in
 *    one page; the emptied right page goes to the free list.
 * 2. An internal root with a single child absorbs that child (the tree gets one level
 *    shorter); the root keeps its page number.
 * 3. Merging never reorders keys: the right page's items follow the left page's.
 */
import type { Frame } from '../../mpool/index.js';
import {
  PAGE_HEADER_SIZE, PageType, getLevel, getNext, getSlotCount, getType, initPage, insertItem,
  itemView, setNext, usedBytes,
} from '../../page/index.js';
import { freePage } from '../common/index.js';
import {
  internalChild, internalCount, internalItem, internalKey, internalKeyOnChain,
} from './format.js';
import type { Btree } from './btree.js';
import { setPrevOf } from './links.js';
import { setItemCount, subtreeCount } from './counts.js';

/** A page using less than this share of its space tries to merge with a sibling. */
const UNDERFULL_FRACTION = 0.25;

function capacity(frame: Frame): number {
  return frame.data.length - PAGE_HEADER_SIZE;
}

/** After a delete on the page at `depth` of `t.path` (pinned as `frame`), rebalances. */
export function rebalance(t: Btree, frame: Frame, depth: number): void {
  if (depth === 0) {
    collapseRoot(t, frame);
    return;
  }
  if (usedBytes(frame) >= capacity(frame) * UNDERFULL_FRACTION) return;
  const parent = t.pinUnlocked(t.path.pgnos[depth - 1]!);
  try {
    const index = t.path.indexes[depth - 1]!;
    const count = getSlotCount(parent);
    if (index + 1 < count) {
      const right = t.pinUnlocked(internalChild(parent, index + 1));
      try {
        mergeInto(t, parent, index, frame, right);
      } finally {
        t.unpin(right);
      }
    } else if (index > 0) {
      const left = t.pinUnlocked(internalChild(parent, index - 1));
      try {
        mergeInto(t, parent, index - 1, left, frame);
      } finally {
        t.unpin(left);
      }
    } else {
      return;
    }
    rebalance(t, parent, depth - 1);
  } finally {
    t.unpin(parent);
  }
}

/**
 * Moves every item of `right` (child `leftIndex + 1` of `parent`) to the end of `left` when
 * they fit together, then removes `right` from the parent and frees it.
 */
function mergeInto(t: Btree, parent: Frame, leftIndex: number, left: Frame, right: Frame): void {
  const f = t.file;
  const isLeaf = getType(left) === PageType.BTREE_LEAF;
  const items: Uint8Array[] = [];
  const rightCount = getSlotCount(right);
  for (let i = 0; i < rightCount; i++) items.push(itemView(right, i).slice());
  const header = t.internalHeader;
  if (!isLeaf && items.length > 0) {
    const separator = internalKey(parent, leftIndex + 1, header);
    items[0] = internalItem(internalChild(right, 0), separator, header,
      t.counted ? internalCount(right, 0) : 0, internalKeyOnChain(parent, leftIndex + 1));
  }
  let need = 0;
  for (const it of items) need += it.length + 4;
  if (usedBytes(left) + need > capacity(left)) return;
  const base = getSlotCount(left);
  f.changes.rewrite(f.mp, left, () => {
    for (let i = 0; i < items.length; i++) insertItem(left, base + i, items[i]!);
  });
  if (isLeaf) unlinkLeaf(t, left, right);
  // A leaf merge drops the separator; an internal merge moved it down into `left`.
  if (isLeaf) t.freeSeparatorChains(parent, leftIndex + 1);
  f.changes.deleteItem(f.mp, parent, leftIndex + 1);
  if (t.counted) setItemCount(t, parent, leftIndex, subtreeCount(left));
  freePage(f, right);
}

function unlinkLeaf(t: Btree, left: Frame, right: Frame): void {
  const f = t.file;
  const after = getNext(right);
  f.changes.rewrite(f.mp, left, () => setNext(left, after));
  setPrevOf(t, after, left.pgno);
}

/** An internal root with one child takes over the child's items and level. */
function collapseRoot(t: Btree, root: Frame): void {
  const f = t.file;
  while (getType(root) === PageType.BTREE_INTERNAL && getSlotCount(root) === 1) {
    const child = t.pinUnlocked(internalChild(root, 0));
    try {
      const items: Uint8Array[] = [];
      const count = getSlotCount(child);
      for (let i = 0; i < count; i++) items.push(itemView(child, i).slice());
      const type = getType(child);
      const level = getLevel(child);
      const rootPgno = root.pgno;
      f.changes.rewrite(f.mp, root, () => {
        initPage(root, rootPgno, type, level);
        for (let i = 0; i < items.length; i++) insertItem(root, i, items[i]!);
      });
      freePage(f, child);
    } finally {
      t.unpin(child);
    }
  }
}
