/**
 * Bucket chains: placing an item on a page of a bucket's chain, adding a page at the
 * chain's end when none has room, and taking emptied pages out, as Berkeley DB 5.3 does
 * (capacity.ts counts room its way).
 *
 * Layer: am/hash (rank 5).
 *
 * Invariants:
 * 1. `nextPgno` and `prevPgno` of a chain's pages link it both ways; the primary page's
 *    `prevPgno` is 0.
 * 2. A new pair goes to the first page of the chain whose free space exceeds its cost, else
 *    to the last page when its free space holds the cost, else to a new page linked after
 *    the last (the caller learns of it: that splits the table).
 * 3. A page of a chain other than the primary one is never empty. When the primary page
 *    empties and has a successor, the successor's items move into it and the successor is
 *    freed, so the chain's sequence of pairs is unchanged.
 */
import type { Pgno } from '../../util/index.js';
import type { Frame } from '../../mpool/index.js';
import {
  PageType, getNext, getPrev, getSlotCount, initPage, itemView, setNext, setPrev,
} from '../../page/index.js';
import { allocPage, freePage } from '../common/index.js';
import type { HashTable } from './table.js';
import { keyOfItem, searchPage } from './page-items.js';
import { changeCost, itemCost, roomFor } from './capacity.js';

/** Where an item went: its page's number, its pairs after the insert, and if it was added. */
export interface Placed {
  pgno: Pgno;
  pairs: number;
  pageAdded: boolean;
}

/** Inserts `item` (whose key is not on the page) at its place on `frame`. */
export function insertOnPage(t: HashTable, frame: Frame, item: Uint8Array): void {
  const at = searchPage(t.file, frame, keyOfItem(t.file, item));
  changeCost(frame, itemCost(frame, item),
    () => t.file.changes.insertItem(t.file.mp, frame, at.index, item));
}

/**
 * Puts `item` in bucket `bucket` (invariant 2). With `from`, the search for room starts at
 * that page of the chain and takes the first page whose free space holds the cost (the
 * real library's re-placement of a pair that outgrew its page).
 */
export function placeInBucket(t: HashTable, bucket: number, item: Uint8Array, from?: Pgno):
  Placed {
  let last: Pgno = 0 as Pgno;
  let placed: Placed | undefined;
  let started = from === undefined;
  t.walkChain(bucket, (frame) => {
    last = frame.pgno;
    started ||= frame.pgno === from;
    const next = getNext(frame);
    if (!started || !roomFor(frame, item, from === undefined && next !== 0)) return false;
    insertOnPage(t, frame, item);
    placed = { pgno: frame.pgno, pairs: getSlotCount(frame), pageAdded: false };
    return true;
  });
  return placed ?? appendItem(t, last, item);
}

/** Adds a page after `last` (a chain's last page) holding `item`. */
export function appendItem(t: HashTable, last: Pgno, item: Uint8Array): Placed {
  const page = appendPage(t, last);
  try {
    insertOnPage(t, page, item);
    return { pgno: page.pgno, pairs: 1, pageAdded: true };
  } finally {
    t.unpin(page);
  }
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

/** After a delete emptied `frame`: takes it out of its chain (invariant 3). */
export function reclaimEmpty(t: HashTable, frame: Frame): void {
  if (getSlotCount(frame) !== 0) return;
  if (getPrev(frame) !== 0) {
    unlinkPage(t, frame);
    return;
  }
  const next = getNext(frame);
  if (next !== 0) pullSuccessor(t, frame, next);
}

/** Takes the empty page `frame` (not a primary page) out of its chain and frees it. */
function unlinkPage(t: HashTable, frame: Frame): void {
  const prev = getPrev(frame);
  const next = getNext(frame);
  relink(t, prev, (p) => setNext(p, next));
  if (next !== 0) relink(t, next, (p) => setPrev(p, prev));
  freePage(t.file, frame);
}

/** Moves the items of `next` into the empty primary page `frame`, and frees `next`. */
function pullSuccessor(t: HashTable, frame: Frame, next: Pgno): void {
  const f = t.file;
  const successor = t.pinChainPage(next);
  try {
    const after = getNext(successor);
    const items: Uint8Array[] = [];
    for (let i = 0; i < getSlotCount(successor); i++) items.push(itemView(successor, i).slice());
    f.changes.rewrite(f.mp, frame, () => {
      initPage(frame, frame.pgno, PageType.HASH_BUCKET);
      setNext(frame, after);
    });
    items.forEach((item, i) => f.changes.insertItem(f.mp, frame, i, item));
    if (after !== 0) relink(t, after, (p) => setPrev(p, frame.pgno));
    freePage(f, successor);
  } finally {
    t.unpin(successor);
  }
}

function relink(t: HashTable, target: Pgno, set: (frame: Frame) => void): void {
  const frame = t.pin(target);
  try {
    t.file.changes.rewrite(t.file.mp, frame, () => set(frame));
  } finally {
    t.unpin(frame);
  }
}
