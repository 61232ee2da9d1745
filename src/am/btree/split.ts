/**
 * Splitting a full page to insert an item, and growing the tree at the root.
 *
 * Layer: am/btree (rank 5).
 *
 * Invariants:
 * 1. The root keeps its page number forever: a full root moves its items to a new child.
 * 2. After a split both halves hold items in order, leaf sibling links are consistent, and
 *    the parent holds a separator equal to the right half's first key.
 * 3. Appending past the last key of the rightmost leaf leaves the left page full and starts
 *    the right page with the new item only, so sequential loads fill pages completely.
 */
import { type Pgno, assert } from '../../util/index.js';
import type { Frame } from '../../mpool/index.js';
import {
  PageType, SLOT_SIZE, fits, getLevel, getNext, getSlotCount, getType, initPage, insertItem,
  itemView, setNext, setPrev, truncateItems,
} from '../../page/index.js';
import { allocPage } from '../common/index.js';
import { internalChild, internalItem, itemKeyOnChain } from './format.js';
import { type Separator, plainSeparator } from './long-keys.js';
import type { Btree } from './btree.js';
import { setPrevOf } from './links.js';
import { setItemCount, subtreeCount } from './counts.js';
import { separatorBetween } from './dup-order.js';

/** Chooses how many items of the combined sequence stay on the left page. */
function chooseSplit(frame: Frame, index: number, item: Uint8Array, append: boolean): number {
  const count = getSlotCount(frame);
  if (append) return count;
  let total = item.length + SLOT_SIZE;
  for (let i = 0; i < count; i++) total += itemView(frame, i).length + SLOT_SIZE;
  let acc = 0;
  for (let j = 0; j <= count; j++) {
    const size = (j === index ? item.length : itemView(frame, j < index ? j : j - 1).length);
    acc += size + SLOT_SIZE;
    if (acc >= total / 2) return Math.min(Math.max(j + 1, 1), count);
  }
  return count;
}

/**
 * Inserts `item` at `index` of the full page `frame` (pinned, at `depth` of `t.path`) by
 * splitting it. Releases nothing: the caller still owns `frame`.
 */
export function splitInsert(
  t: Btree, frame: Frame, depth: number, index: number, item: Uint8Array, append: boolean,
): void {
  if (depth === 0) {
    const child = growRoot(t, frame);
    try {
      t.path.pgnos[0] = frame.pgno;
      t.path.indexes[0] = 0;
      splitInsert(t, child, 1, index, item, append);
    } finally {
      t.unpin(child);
    }
    return;
  }
  const f = t.file;
  const isLeaf = getType(frame) === PageType.BTREE_LEAF;
  const count = getSlotCount(frame);
  const splitAt = chooseSplit(frame, index, item, append && index === count);
  const moveFrom = index < splitAt ? splitAt - 1 : splitAt;
  const right = allocPage(f, getType(frame), getLevel(frame));
  try {
    const moved: Uint8Array[] = [];
    for (let i = moveFrom; i < count; i++) moved.push(itemView(frame, i).slice());
    if (index >= splitAt) moved.splice(index - moveFrom, 0, item);
    const leftLast = isLeaf ? combinedAt(frame, index, item, splitAt - 1) : item;
    const separator = !isLeaf ? internalKey0(t, moved)
      : t.plainKeys ? plainSeparator(t, leftLast, moved[0]!)
      : separatorBetween(t, leftLast, moved[0]!, t.maxSeparator);
    f.changes.rewrite(f.mp, right, () => {
      for (let i = 0; i < moved.length; i++) insertItem(right, i, moved[i]!);
    });
    f.changes.rewrite(f.mp, frame, () => truncateItems(frame, moveFrom));
    if (index < splitAt) f.changes.insertItem(f.mp, frame, index, item);
    if (isLeaf) linkRightSibling(t, frame, right);
    insertSeparator(t, depth - 1, frame, right, separator, append);
  } finally {
    t.unpin(right);
  }
}

/** Item `j` of the page's items with `item` inserted at `index` (a view). */
function combinedAt(frame: Frame, index: number, item: Uint8Array, j: number): Uint8Array {
  if (j === index) return item;
  return itemView(frame, j < index ? j : j - 1);
}

/**
 * Takes the separator from the first moved internal item and empties that item's key (its
 * count, in a counted tree, stays); a key chain goes up with the separator.
 */
function internalKey0(t: Btree, moved: Uint8Array[]): Separator {
  const first = moved[0]!;
  const separator = { bytes: first.slice(t.internalHeader), keyOnChain: itemKeyOnChain(first) };
  const emptied = first.slice(0, t.internalHeader);
  emptied[3]! &= 0x7f;
  moved[0] = emptied;
  return separator;
}

function linkRightSibling(t: Btree, left: Frame, right: Frame): void {
  const f = t.file;
  const after = getNext(left);
  f.changes.rewrite(f.mp, right, () => {
    setPrev(right, left.pgno);
    setNext(right, after);
  });
  f.changes.rewrite(f.mp, left, () => setNext(left, right.pgno));
  setPrevOf(t, after, right.pgno);
}

/**
 * Inserts the separator of the new page `right` (split off `left`) into the internal page at
 * `depth` of the path; in a counted tree, first sets the count of `left` there and gives the
 * new item the count of `right`.
 */
function insertSeparator(
  t: Btree, depth: number, left: Frame, right: Frame, separator: Separator, append: boolean,
): void {
  const parent = t.pinUnlocked(t.path.pgnos[depth]!);
  try {
    const index = t.path.indexes[depth]! + 1;
    if (t.counted) setItemCount(t, parent, index - 1, subtreeCount(left));
    const item = internalItem(right.pgno, separator.bytes, t.internalHeader,
      t.counted ? subtreeCount(right) : 0, separator.keyOnChain);
    if (fits(parent, item.length)) t.file.changes.insertItem(t.file.mp, parent, index, item);
    else splitInsert(t, parent, depth, index, item, append);
  } finally {
    t.unpin(parent);
  }
}

/**
 * Moves every item of the root into a new page and makes the root an internal page with that
 * page as its only child, one level higher. Returns the new child, pinned.
 */
function growRoot(t: Btree, root: Frame): Frame {
  const f = t.file;
  const level = getLevel(root);
  const child = allocPage(f, getType(root), level);
  const count = getSlotCount(root);
  const items: Uint8Array[] = [];
  for (let i = 0; i < count; i++) items.push(itemView(root, i).slice());
  f.changes.rewrite(f.mp, child, () => {
    for (let i = 0; i < items.length; i++) insertItem(child, i, items[i]!);
  });
  const rootPgno: Pgno = root.pgno;
  f.changes.rewrite(f.mp, root, () => {
    initPage(root, rootPgno, PageType.BTREE_INTERNAL, level + 1);
    insertItem(root, 0, internalItem(child.pgno, new Uint8Array(0), t.internalHeader,
      t.counted ? subtreeCount(child) : 0));
  });
  assert(internalChild(root, 0) === child.pgno, 'new root points at its child');
  return child;
}

