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
import { META_LAST_RANGE, META_PGNO, metaLast, setMetaLast } from '../common/index.js';
import { bucketFor, grow } from './addressing.js';
import {
  META_TABLE_RANGE, type TableState, bucketPage, levelOf, writeTable,
} from './format.js';
import type { HashTable } from './table.js';
import { itemKey } from './page-items.js';
import { placeInBucket, unlinkPage } from './chain.js';

/** True when the split that a put just caused is due (fill factor 0: a page was added). */
export function splitDue(t: HashTable, pageAdded: boolean): boolean {
  const table = t.table();
  if (table.fillFactor === 0) return pageAdded;
  return t.count() > table.fillFactor * (table.maxBucket + 1);
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

/** Formats page `p` (reserved, never a live page) as an empty bucket page. */
export function formatBucketPage(t: HashTable, p: Pgno): void {
  const f = t.file;
  const frame = f.mp.create(p);
  try {
    f.changes.rewrite(f.mp, frame, () => initPage(frame, p, PageType.HASH_BUCKET), true);
  } finally {
    f.mp.release(frame);
  }
}

/** Moves the pairs of bucket `from` that `table` places in bucket `to` there. */
function movePairs(t: HashTable, from: number, to: number, table: TableState): void {
  const pages: Pgno[] = [];
  t.walkChain(from, (frame) => void pages.push(frame.pgno));
  for (const p of pages) {
    const frame = t.pinChainPage(p);
    try {
      for (let i = getSlotCount(frame) - 1; i >= 0; i--) {
        const key = itemKey(t.file, frame, i);
        if (bucketFor(t.hash(key), table) !== to) continue;
        const item = itemView(frame, i).slice(0, slotLength(frame, i));
        t.file.changes.deleteItem(t.file.mp, frame, i);
        placeInBucket(t, to, item);
      }
      if (getSlotCount(frame) === 0 && p !== bucketPage(table, from)) unlinkPage(t, frame);
    } finally {
      t.unpin(frame);
    }
  }
}
