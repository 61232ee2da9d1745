/**
 * Bucket chains: placing an item on a page of a bucket's chain with room for it (adding a
 * page at the chain's end when none has), and taking an emptied page out of its chain.
 *
 * Layer: am/hash (rank 5).
 *
 * Invariants:
 * 1. `nextPgno` and `prevPgno` of a chain's pages link it both ways; the primary page's
 *    `prevPgno` is 0.
 * 2. An item goes to the first page of the chain with room for it, else to a new page at
 *    the chain's end (which the caller learns of: with fill factor 0 it splits the table).
 * 3. Only pages other than the primary one are unlinked, and only when empty.
 */
import type { Pgno } from '../../util/index.js';
import type { Frame } from '../../mpool/index.js';
import {
  PageType, fits, getNext, getPrev, getSlotCount, setNext, setPrev,
} from '../../page/index.js';
import { allocPage, freePage } from '../common/index.js';
import type { HashTable } from './table.js';
import { keyOfItem, searchPage } from './page-items.js';

/** True when `item` fits on `frame` (physically, and under the capacity rule). */
export function hasRoom(frame: Frame, itemLength: number): boolean {
  return fits(frame, itemLength);
}

/** Inserts `item` (whose key is not in the bucket) at its place on `frame`. */
export function insertOnPage(t: HashTable, frame: Frame, item: Uint8Array): void {
  const at = searchPage(t.file, frame, keyOfItem(t.file, item));
  t.file.changes.insertItem(t.file.mp, frame, at.index, item);
}

/**
 * Puts `item` on the first page of bucket `bucket`'s chain with room for it, or on a new
 * page added at the end; returns true when a page was added (invariant 2).
 */
export function placeInBucket(t: HashTable, bucket: number, item: Uint8Array): boolean {
  let last: Pgno = 0 as Pgno;
  let placed = false;
  t.walkChain(bucket, (frame) => {
    last = frame.pgno;
    if (!hasRoom(frame, item.length)) return false;
    insertOnPage(t, frame, item);
    placed = true;
    return true;
  });
  if (!placed) {
    const page = appendPage(t, last);
    try {
      insertOnPage(t, page, item);
    } finally {
      t.unpin(page);
    }
  }
  return !placed;
}

/** Adds a page after `last`, the chain's last page; returns it pinned. */
export function appendPage(t: HashTable, last: Pgno): Frame {
  const f = t.file;
  const page = allocPage(f, PageType.HASH_BUCKET);
  const tail = t.pin(last);
  try {
    f.changes.rewrite(f.mp, page, () => setPrev(page, last));
    f.changes.rewrite(f.mp, tail, () => setNext(tail, page.pgno));
  } catch (e) {
    t.unpin(page);
    throw e;
  } finally {
    t.unpin(tail);
  }
  return page;
}

/** Takes the empty page `frame` (not a primary page) out of its chain and frees it. */
export function unlinkPage(t: HashTable, frame: Frame): void {
  const f = t.file;
  const prev = getPrev(frame);
  const next = getNext(frame);
  if (getSlotCount(frame) !== 0 || prev === 0) return;
  relink(t, prev, (p) => setNext(p, next));
  if (next !== 0) relink(t, next, (p) => setPrev(p, prev));
  freePage(f, frame);
}

function relink(t: HashTable, target: Pgno, set: (frame: Frame) => void): void {
  const frame = t.pin(target);
  try {
    t.file.changes.rewrite(t.file.mp, frame, () => set(frame));
  } finally {
    t.unpin(frame);
  }
}
