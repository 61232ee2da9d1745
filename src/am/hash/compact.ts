/**
 * Compaction of a hash file (DB->compact with DB_FREE_SPACE): the pages that can move (the
 * pages of buckets' chains beyond their primary pages, and overflow pages) move down into
 * free pages, and the file's new end is recorded; the caller cuts the file there.
 *
 * Layer: am/hash (rank 5).
 *
 * Strategy: one walk of every bucket finds the fixed pages (the meta page, every bucket's
 * primary page, the pages reserved for buckets not made yet) and, for every page that can
 * move, the one place that refers to it: the `nextPgno` of the page before it in its chain
 * (a bucket's chain, or an overflow chain), or the reference in an item. With U the pages in
 * use and F the highest fixed page, the new last page is K = max(F, U - 1); each movable
 * page past K is copied into a free page at or below K and its referrer (and for a bucket
 * page, its successor's back link) is pointed at the copy. The free pages left at or below
 * K form the new free list.
 *
 * Invariants:
 * 1. Every change is an ordinary logged page change of the caller's transaction.
 * 2. No page up to K refers to a page past it (`verify` checks it).
 * 3. No pair moves between pages or buckets; the table and its masks are unchanged.
 * 4. It runs with no cursor open (the caller checks): cursors hold page numbers.
 */
import { type Pgno, CorruptionError, pgno } from '../../util/index.js';
import {
  getNext, getSlotCount, getType, PageType, setNext, setPgno, setPrev,
} from '../../page/index.js';
import {
  type AmCompactResult, META_FREE_RANGE, META_LAST_RANGE, META_PGNO, metaFreeHead, metaLast,
  overflowPages, setMetaFreeCount, setMetaFreeHead, setMetaLast,
} from '../common/index.js';
import { ITEM_HEADER, ITEM_KEY_OVERFLOW, bucketPage, keyPartLength, levelOf } from './format.js';
import type { HashTable } from './table.js';
import { flagsOf, itemChains } from './page-items.js';
import { slotOffset, itemView } from '../../page/index.js';

/**
 * Who refers to a movable page: `nextPgno` of `page`, or the reference at byte `at` of item
 * `index` of `page`.
 */
interface Referrer {
  page: Pgno;
  index: number;
  at: number | undefined;
  /** A bucket chain page (its successor's back link points at it too). */
  bucketPage: boolean;
}

/** Moves movable pages past the new end into free pages below it (see the header). */
export function compactHash(t: HashTable): AmCompactResult {
  const fixed = new Set<Pgno>([META_PGNO]);
  const referrers = new Map<Pgno, Referrer>();
  collect(t, fixed, referrers);
  const free = freeList(t);
  const meta = t.file.mp.get(META_PGNO);
  const last = metaLast(meta);
  t.file.mp.release(meta);
  const inUse = fixed.size + referrers.size;
  if (inUse + free.length !== last + 1) {
    t.file.mp.damageSeen = true;
    throw new CorruptionError(`${t.name}: compact found ${inUse} pages in use and ` +
      `${free.length} free of ${last + 1} (a page is neither): run verify`);
  }
  const kept = Math.max(Math.max(...fixed), inUse - 1);
  const movers = [...referrers.keys()].filter((p) => p > kept).sort((a, b) => a - b);
  const targets = free.filter((p) => p <= kept).sort((a, b) => a - b);
  t.beforeChange();
  const moved = new Map<Pgno, Pgno>();
  for (let n = 0; n < movers.length; n++) move(t, movers[n]!, targets[n]!, referrers, moved);
  setMeta(t, pgno(kept), targets.slice(movers.length));
  return {
    pagesExamined: inUse, pagesMoved: movers.length, pagesFreed: last - kept,
    pagesKept: kept + 1,
  };
}

/** Finds the fixed pages and the referrer of every movable page. */
function collect(t: HashTable, fixed: Set<Pgno>, referrers: Map<Pgno, Referrer>): void {
  const table = t.table();
  const level = levelOf(table.maxBucket);
  const end = level === 0 ? 2 : 2 ** (level + 1);
  for (let b = 0; b < end; b++) fixed.add(bucketPage(table, b));
  for (let b = 0; b <= table.maxBucket; b++) {
    let previous: Pgno | undefined;
    t.walkChain(b, (frame) => {
      if (previous !== undefined) {
        referrers.set(frame.pgno, { page: previous, index: -1, at: undefined, bucketPage: true });
      }
      previous = frame.pgno;
      collectChains(t, frame.pgno, frame, referrers);
    });
  }
}

function collectChains(t: HashTable, page: Pgno, frame: Parameters<typeof itemChains>[0],
  referrers: Map<Pgno, Referrer>): void {
  for (let i = 0; i < getSlotCount(frame); i++) {
    const chains = itemChains(frame, i);
    const offsets = chainOffsets(frame, i);
    chains.forEach((chain, n) => {
      const pages = overflowPages(t.file, chain.pgno, chain.length);
      referrers.set(pages[0]!, { page, index: i, at: offsets[n]!, bucketPage: false });
      for (let k = 1; k < pages.length; k++) {
        referrers.set(pages[k]!, { page: pages[k - 1]!, index: -1, at: undefined,
          bucketPage: false });
      }
    });
  }
}

/** Byte offsets, inside item `i`, of its chain references (key's first, then value's). */
function chainOffsets(frame: Parameters<typeof itemChains>[0], i: number): number[] {
  const offsets: number[] = [];
  const flags = flagsOf(frame, i);
  const keyPart = keyPartLength(frame.data, slotOffset(frame, i));
  if (flags & ITEM_KEY_OVERFLOW) offsets.push(ITEM_HEADER);
  offsets.push(ITEM_HEADER + keyPart);
  return offsets;
}

function freeList(t: HashTable): Pgno[] {
  const meta = t.file.mp.get(META_PGNO);
  let p = metaFreeHead(meta);
  const last = metaLast(meta);
  t.file.mp.release(meta);
  const pages: Pgno[] = [];
  while (p !== 0 && pages.length <= last) {
    pages.push(p);
    const frame = t.file.mp.get(p);
    const type = getType(frame);
    const next = getNext(frame);
    t.file.mp.release(frame);
    if (type !== PageType.FREE) break;
    p = next;
  }
  return pages;
}

/** Where page `p` is now (it may have moved already). */
function now(moved: Map<Pgno, Pgno>, p: Pgno): Pgno {
  return moved.get(p) ?? p;
}

/** Copies page `from` into the free page `to` and points its referrer at the copy. */
function move(t: HashTable, from: Pgno, to: Pgno, referrers: Map<Pgno, Referrer>,
  moved: Map<Pgno, Pgno>): void {
  const f = t.file;
  const source = t.pin(from);
  const target = t.pin(to);
  let next: Pgno;
  try {
    next = getNext(source);
    f.changes.rewrite(f.mp, target, () => {
      target.data.set(source.data);
      setPgno(target, to);
    }, true);
  } finally {
    t.unpin(target);
    t.unpin(source);
  }
  moved.set(from, to);
  const ref = referrers.get(from)!;
  pointAt(t, now(moved, ref.page), ref, to);
  if (ref.bucketPage && next !== 0) {
    const successor = t.pin(now(moved, next));
    try {
      f.changes.rewrite(f.mp, successor, () => setPrev(successor, to));
    } finally {
      t.unpin(successor);
    }
  }
}

/** Points the referrer `ref` (now on page `page`) at `to`. */
function pointAt(t: HashTable, page: Pgno, ref: Referrer, to: Pgno): void {
  const f = t.file;
  const frame = t.pin(page);
  try {
    if (ref.at === undefined) {
      f.changes.rewrite(f.mp, frame, () => setNext(frame, to));
      return;
    }
    const item = itemView(frame, ref.index).slice();
    new DataView(item.buffer).setUint32(ref.at, to, true);
    f.changes.replaceItem(f.mp, frame, ref.index, item);
  } finally {
    t.unpin(frame);
  }
}

/** Records `last` as the file's last page and `free` as its free list. */
function setMeta(t: HashTable, last: Pgno, free: Pgno[]): void {
  const f = t.file;
  for (let n = 0; n < free.length; n++) {
    const frame = t.pin(free[n]!);
    try {
      const next = free[n + 1] ?? pgno(0);
      if (getNext(frame) !== next) f.changes.rewrite(f.mp, frame, () => setNext(frame, next));
    } finally {
      t.unpin(frame);
    }
  }
  const meta = t.pin(META_PGNO);
  try {
    f.changes.rewriteRange(f.mp, meta, ...META_FREE_RANGE, () => {
      setMetaFreeHead(meta, free[0] ?? pgno(0));
      setMetaFreeCount(meta, free.length);
    });
    f.changes.rewriteRange(f.mp, meta, ...META_LAST_RANGE, () => setMetaLast(meta, last));
  } finally {
    t.unpin(meta);
  }
}
