/**
 * Compaction (DB->compact with DB_FREE_SPACE): the pages in use move down into the free
 * pages below them, so every free page ends up past the new end of the file, which the
 * caller then cuts off (MPoolFile.truncate, after a checkpoint).
 *
 * Layer: am/btree (rank 5).
 *
 * Strategy: one walk of the tree finds, for every page in use but the root, the one place
 * that refers to it: a child pointer of an internal item, the chain reference of a leaf or
 * internal item (a long key, a long value, a separator's key or value), or the `nextPgno` of
 * the previous page of an overflow chain. With L the number of pages in use, each page in use
 * past L is copied into a free page at or below L, and its referrer, and for a leaf its
 * neighbours' sibling links, are pointed at the copy. Then the meta page records L as the
 * last page and an empty free list.
 *
 * Invariants:
 * 1. Every change is an ordinary logged page change of the caller's transaction: an abort
 *    or a crash before commit leaves the tree as it was.
 * 2. No page up to the new end still refers to a page past it (`verify` checks it): nothing
 *    is lost when the file is cut there.
 * 3. The root (page 1) and the meta page (page 0) never move; no record moves between
 *    pages, so keys, counts and record numbers are unchanged.
 * 4. It runs with no cursor open on the tree (the caller checks): cursors hold page numbers.
 * Complexity: O(n) page visits for the walk, O(m) page copies for m pages moved.
 */
import { type Pgno, CorruptionError, pgno } from '../../util/index.js';
import type { Frame } from '../../mpool/index.js';
import {
  PageType, getNext, getPrev, getSlotCount, getType, itemView, setNext, setPgno, setPrev,
} from '../../page/index.js';
import {
  type AmCompactResult, META_FREE_RANGE, META_LAST_RANGE, META_PGNO, metaFreeHead, metaLast,
  overflowPages, setMetaFreeCount, setMetaFreeHead, setMetaLast,
} from '../common/index.js';
import {
  FLAG_OVERFLOW_KEY, LEAF_ITEM_HEADER, internalChild, internalKeyOnChain, leafIsOverflow,
} from './format.js';
import { separatorChainAt } from './dup-order.js';
import { type Btree, ROOT_PGNO } from './btree.js';

/**
 * Where a page is referred to from: item `index` of page `page`, the page number stored at
 * byte `at` of the item; or (`at` undefined) the `nextPgno` of `page` (an overflow chain).
 */
interface Referrer {
  page: Pgno;
  index: number;
  at: number | undefined;
}

/** Moves every page in use past the new end into a free page below it (see the header). */
export function compactBtree(t: Btree): AmCompactResult {
  const referrers = new Map<Pgno, Referrer>();
  collect(t, ROOT_PGNO, referrers);
  const { last, free } = freePages(t);
  const inUse = referrers.size + 1;
  checkAccounting(t, last, free.length, inUse);
  const kept = inUse + 1;
  const movers = [...referrers.keys()].filter((p) => p >= kept).sort((a, b) => a - b);
  const targets = free.filter((p) => p < kept).sort((a, b) => a - b);
  t.beforeChange();
  const moved = new Map<Pgno, Pgno>();
  for (let n = 0; n < movers.length; n++) {
    move(t, movers[n]!, targets[n]!, referrers, moved);
  }
  setMeta(t, pgno(kept - 1));
  return {
    pagesExamined: inUse, pagesMoved: movers.length, pagesFreed: free.length,
    pagesKept: kept,
  };
}

/** Throws `CorruptionError` unless the pages in use and the free pages fill the file. */
function checkAccounting(t: Btree, last: number, free: number, inUse: number): void {
  if (inUse + free !== last) {
    t.noteDamage();
    throw new CorruptionError(`${t.name}: compact found ${inUse} pages in use and ${free} ` +
      `free of ${last} (a page is neither): run verify`);
  }
}

/** The last page and the free pages (walking the free list from the meta page). */
function freePages(t: Btree): { last: number; free: Pgno[] } {
  const meta = t.pin(META_PGNO);
  let head: Pgno;
  let last: number;
  try {
    head = metaFreeHead(meta);
    last = metaLast(meta);
  } finally {
    t.unpin(meta);
  }
  const free: Pgno[] = [];
  for (let p = head; p !== 0;) {
    if (free.length > last) brokenFreeList(t);
    free.push(p);
    const frame = t.pin(p);
    try {
      p = getNext(frame);
    } finally {
      t.unpin(frame);
    }
  }
  return { last, free };
}

function brokenFreeList(t: Btree): never {
  t.noteDamage();
  throw new CorruptionError(`${t.name}: the free list is longer than the file (a loop)`);
}

/** Records the referrer of every page under `pgno` (and of their chains). */
function collect(t: Btree, pgno: Pgno, referrers: Map<Pgno, Referrer>): void {
  const children: Pgno[] = [];
  const frame = t.pin(pgno);
  try {
    const internal = getType(frame) === PageType.BTREE_INTERNAL;
    for (let i = 0, n = getSlotCount(frame); i < n; i++) {
      if (internal) {
        const child = internalChild(frame, i);
        refer(t, referrers, child, { page: pgno, index: i, at: 0 });
        children.push(child);
      }
      for (const at of chainRefsOf(t, frame, i, internal)) {
        chain(t, referrers, frame, { page: pgno, index: i, at });
      }
    }
  } finally {
    t.unpin(frame);
  }
  for (const child of children) collect(t, child, referrers);
}

/** Byte offsets, within item i, of the overflow references the item holds. */
function chainRefsOf(t: Btree, frame: Frame, i: number, internal: boolean): number[] {
  const item = itemView(frame, i);
  const refs: number[] = [];
  if (internal) {
    if (internalKeyOnChain(frame, i)) refs.push(t.internalHeader + (t.plainKeys ? 0 : 2));
    const value = t.plainKeys ? undefined : separatorChainAt(item.subarray(t.internalHeader));
    if (value !== undefined) refs.push(t.internalHeader + value);
    return refs;
  }
  if ((item[0]! & FLAG_OVERFLOW_KEY) !== 0) refs.push(LEAF_ITEM_HEADER);
  if (leafIsOverflow(frame, i)) refs.push(LEAF_ITEM_HEADER + (item[1]! | (item[2]! << 8)));
  return refs;
}

/** Records the referrers of a chain: `head` for its first page, each page for the next. */
function chain(t: Btree, referrers: Map<Pgno, Referrer>, frame: Frame, head: Referrer): void {
  const item = itemView(frame, head.index);
  const view = new DataView(item.buffer, item.byteOffset, item.byteLength);
  const first = view.getUint32(head.at!, true) as Pgno;
  const length = view.getUint32(head.at! + 4, true);
  const pages = overflowPages(t.file, first, length);
  refer(t, referrers, pages[0]!, head);
  for (let k = 1; k < pages.length; k++) {
    refer(t, referrers, pages[k]!, { page: pages[k - 1]!, index: -1, at: undefined });
  }
}

/** Records that `target` is referred to from `from`; a second referrer is corruption. */
function refer(t: Btree, referrers: Map<Pgno, Referrer>, target: Pgno, from: Referrer): void {
  if (referrers.has(target) || target === ROOT_PGNO || target === META_PGNO) {
    t.noteDamage();
    throw new CorruptionError(`${t.name}: page ${target} is referred to twice (found from ` +
      `page ${from.page}): run verify`);
  }
  referrers.set(target, from);
}

/**
 * Copies page `from` into the free page `to`, points its referrer (and a leaf's neighbours)
 * at the copy, and notes the move so later updates find pages that moved before.
 */
function move(t: Btree, from: Pgno, to: Pgno, referrers: Map<Pgno, Referrer>,
  moved: Map<Pgno, Pgno>): void {
  const f = t.file;
  const source = t.pin(from);
  const target = t.pin(to);
  let leafLinks: [Pgno, Pgno] | undefined;
  try {
    if (getType(target) !== PageType.FREE) {
      t.noteDamage();
      throw new CorruptionError(`${t.name}: free-list page ${to} is not a free page`);
    }
    // A btree page is logged as images (undo restores the whole free page); an overflow
    // page as the bytes that differ.
    const slotted = getType(source) !== PageType.OVERFLOW;
    f.changes.rewrite(f.mp, target, () => {
      target.data.set(source.data);
      setPgno(target, to);
    }, slotted);
    if (getType(source) === PageType.BTREE_LEAF) leafLinks = [getPrev(source), getNext(source)];
  } finally {
    t.unpin(target);
    t.unpin(source);
  }
  moved.set(from, to);
  pointReferrer(t, referrers.get(from)!, to, moved);
  if (leafLinks) relink(t, leafLinks, to, moved);
}

/** The page number `p` has now (it may have moved). */
function now(moved: Map<Pgno, Pgno>, p: Pgno): Pgno {
  return moved.get(p) ?? p;
}

/** Stores `to` where `ref` refers to the moved page. */
function pointReferrer(t: Btree, ref: Referrer, to: Pgno, moved: Map<Pgno, Pgno>): void {
  const f = t.file;
  const frame = t.pin(now(moved, ref.page));
  try {
    if (ref.at === undefined) {
      f.changes.rewrite(f.mp, frame, () => setNext(frame, to));
      return;
    }
    const item = itemView(frame, ref.index).slice();
    const view = new DataView(item.buffer);
    // A child pointer keeps bit 31 (its separator's key is on a chain).
    const keep = ref.at === 0 && getType(frame) === PageType.BTREE_INTERNAL
      ? view.getUint32(0, true) & 0x80000000 : 0;
    view.setUint32(ref.at, (to | keep) >>> 0, true);
    f.changes.replaceItem(f.mp, frame, ref.index, item);
  } finally {
    t.unpin(frame);
  }
}

/** Points the neighbours of a moved leaf (now at `to`) at it. */
function relink(t: Btree, [prev, next]: [Pgno, Pgno], to: Pgno, moved: Map<Pgno, Pgno>): void {
  const f = t.file;
  for (const [neighbour, set] of [[prev, setNext], [next, setPrev]] as const) {
    if (neighbour === 0) continue;
    const frame = t.pin(now(moved, neighbour));
    try {
      f.changes.rewrite(f.mp, frame, () => set(frame, to));
    } finally {
      t.unpin(frame);
    }
  }
}

/** Records `last` as the file's last page and an empty free list. */
function setMeta(t: Btree, last: Pgno): void {
  const f = t.file;
  const meta = t.pin(META_PGNO);
  try {
    f.changes.rewriteRange(f.mp, meta, ...META_FREE_RANGE, () => {
      setMetaFreeHead(meta, pgno(0));
      setMetaFreeCount(meta, 0);
    });
    f.changes.rewriteRange(f.mp, meta, ...META_LAST_RANGE, () => setMetaLast(meta, last));
  } finally {
    t.unpin(meta);
  }
}
