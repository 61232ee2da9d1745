/**
 * Growing the table by one bucket (a split, linear hashing's only reorganisation), and
 * formatting the pages of a new table.
 *
 * Layer: am/hash (rank 5).
 *
 * The new bucket is `maxBucket + 1`; the bucket it takes pairs from is the one its number
 * names under the old low mask (addressing.ts `grow`). When it is the first bucket of its
 * level, the level's pages are reserved at the end of the file in one step: `lastPgno`
 * moves past them and the last of them is formatted (so the file is written that far);
 * the others are formatted as their buckets are made.
 *
 * Invariants:
 * 1. After a split every pair is in the bucket its hash names under the new masks
 *    (table.ts invariant 1): exactly the pairs of the split bucket whose bucket changed
 *    moved, all of them to the new bucket.
 * 2. The meta page's masks, spares and `lastPgno` change in one logged step before any
 *    pair moves, so an abort or recovery undoes a split as a whole with the pairs.
 */
import { type Pgno, pgno } from '../../util/index.js';
import type { Frame } from '../../mpool/index.js';
import {
  PageType, getSlotCount, initPage, itemView, slotLength,
} from '../../page/index.js';
import {
  META_LAST_RANGE, META_PGNO, freePage, metaLast, setMetaLast,
} from '../common/index.js';
import { bucketFor, grow } from './addressing.js';
import {
  META_TABLE_RANGE, type TableState, bucketPage, levelOf, writeTable,
} from './format.js';
import type { HashTable } from './table.js';
import { keyOfItem } from './page-items.js';
import { type Placed, appendPage, insertOnPage } from './chain.js';
import { roomFor } from './capacity.js';

/**
 * True when the put that placed a pair as `placed` splits the table: it added a page to a
 * chain, or with a fill factor, the page it went on holds more pairs than that (the real
 * library counts the pairs of that one page).
 */
export function splitDue(t: HashTable, placed: Placed): boolean {
  if (placed.pageAdded) return true;
  const fillFactor = t.table().fillFactor;
  return fillFactor !== 0 && placed.pairs > fillFactor;
}

/** Adds one bucket and moves its share of pairs into it (invariants 1 and 2). */
export function splitBucket(t: HashTable): void {
  const f = t.file;
  const table = copyTable(t.table());
  const from = grow(table);
  const added = table.maxBucket;
  for (const l of t.listeners) l.beforeSplit(from);
  t.beforeChange();
  const meta = f.mp.get(META_PGNO);
  try {
    if (added >= 2 && (added & (added - 1)) === 0) reserveLevel(t, meta, table, added);
    f.changes.rewriteRange(f.mp, meta, ...META_TABLE_RANGE, () => writeTable(meta, table));
  } finally {
    f.mp.release(meta);
  }
  formatBucketPage(t, bucketPage(table, added));
  movePairs(t, from, added, table);
}

function copyTable(t: TableState): TableState {
  return { ...t, spares: t.spares.slice() };
}

/** Reserves the pages of level `levelOf(first)` at the file's end (see the file header). */
function reserveLevel(t: HashTable, meta: Frame, table: TableState, first: number): void {
  const f = t.file;
  const base = metaLast(meta) + 1;
  const last = pgno(base + first - 1);
  table.spares[levelOf(first)] = base - first;
  f.changes.rewriteRange(f.mp, meta, ...META_LAST_RANGE, () => setMetaLast(meta, last));
  if (last !== base) formatBucketPage(t, last);
}

/**
 * Formats page `p` (reserved, never a live page) as an empty bucket page, logged with the
 * page's prior bytes, so an abort gives the page back exactly as it was (a reserved page
 * inside the file keeps no bytes of an aborted split).
 */
export function formatBucketPage(t: HashTable, p: Pgno): void {
  const f = t.file;
  const frame = f.mp.create(p);
  try {
    f.changes.rewrite(f.mp, frame, () => initPage(frame, p, PageType.HASH_BUCKET), true);
  } finally {
    f.mp.release(frame);
  }
}

/**
 * Rebuilds bucket `from` and the new bucket `to` (empty): the pairs of `from`'s chain, page
 * by page and slot by slot, each go to the last page of the bucket `table` places them in,
 * or to a page added after it when that page has no room (the real library's split). The
 * old chain's pages after its primary page are freed first.
 */
function movePairs(t: HashTable, from: number, to: number, table: TableState): void {
  const f = t.file;
  const items = takeBucket(t, from);
  const last = new Map<number, Pgno>([[from, bucketPage(table, from)],
    [to, bucketPage(table, to)]]);
  for (const item of items) {
    const key = keyOfItem(f, item);
    const bucket = bucketFor(t.hash(key), table) === to ? to : from;
    const frame = t.pinChainPage(last.get(bucket)!);
    try {
      if (roomFor(frame, item, false)) {
        insertOnPage(t, frame, item);
        continue;
      }
      const page = appendPage(t, frame.pgno);
      insertOnPage(t, page, item);
      last.set(bucket, page.pgno);
      t.unpin(page);
    } finally {
      t.unpin(frame);
    }
  }
}

/** Empties bucket `bucket` (its primary page kept, the rest freed); returns its items. */
function takeBucket(t: HashTable, bucket: number): Uint8Array[] {
  const f = t.file;
  const pages: Pgno[] = [];
  const items: Uint8Array[] = [];
  t.walkChain(bucket, (frame) => {
    pages.push(frame.pgno);
    for (let i = 0; i < getSlotCount(frame); i++) {
      items.push(itemView(frame, i).slice(0, slotLength(frame, i)));
    }
  });
  pages.forEach((p, n) => {
    const frame = t.pinChainPage(p);
    try {
      if (n === 0) f.changes.rewrite(f.mp, frame, () => initPage(frame, p, PageType.HASH_BUCKET));
      else freePage(f, frame);
    } finally {
      t.unpin(frame);
    }
  });
  return items;
}
