/**
 * Adding a value to a key that has one: the steps of Berkeley DB 5.3's __ham_add_dup, so
 * that the pages hold what the real library's hold after it.
 *
 * Layer: am/hash (rank 5).
 *
 * 1. Room (__ham_check_move), for a key whose values are on the page: the value part grows
 *    by the new value and its 4-byte length (4 more when a single value becomes a set).
 *    When it would pass a quarter page the set goes off the page (step 2) and needs only an
 *    8-byte reference; otherwise it must fit the page's free space. If not, the pair moves
 *    to the first later page of its chain whose free space holds its new item sizes (the
 *    real library counts them without their index slots), or to a new page after the
 *    chain's last, and the table splits after the put whatever happens next.
 * 2. Off the page: a set whose values are on an overflow chain stays there; a key whose
 *    single value is on a chain, a set passing a quarter page, or a new value (with its
 *    length, and 4 more for a single value) outgrowing the page's free space, moves its set
 *    onto a chain (the real library's off-page duplicate tree; it costs a 10-byte item).
 * 3. The item is rewritten in place when its growth fits the free space; otherwise it is
 *    stored again from its page on (__ham_replpair), which may add a page and split.
 *
 * Invariants:
 * 1. The set written holds exactly `values`, in order.
 * 2. At most one split follows the put, after every page change of it.
 */
import type { Pgno } from '../../util/index.js';
import type { Frame } from '../../mpool/index.js';
import { getNext, getSlotCount, itemView } from '../../page/index.js';
import { freeOverflow, writeOverflow } from '../common/index.js';
import type { HashTable, Spot } from './table.js';
import {
  DUP_VALUE_HEADER, ITEM_DUPS, ITEM_KEY_OVERFLOW, ITEM_VALUE_OVERFLOW, readRef,
} from './format.js';
import { buildItem, flagsOf, keyPartOf, partLength, searchPage, valuePart } from './page-items.js';
import { encodeSet } from './dup-set.js';
import { appendItem, insertOnPage, placeInBucket, reclaimEmpty } from './chain.js';
import { freeSpace, roomToGrow } from './capacity.js';
import { splitBucket, splitDue } from './split.js';
import { itemKey } from './page-items.js';

/** The real library's on-page item of a key or data: a type byte and the bytes. */
const TYPE_BYTE = 1;
/** Its off-page duplicate reference, and an off-page key's reference. */
const OFF_DUP_ITEM = 8;
const OFF_PAGE_ITEM = 12;

/** Adds `added`, already placed in `values`, to the key at `spot` (see the file header). */
export function addToSet(t: HashTable, spot: Spot, values: readonly Uint8Array[],
  added: Uint8Array): void {
  const moved = roomForGrowth(t, spot, added);
  const at = moved ?? spot;
  try {
    const { frame, index } = at;
    const onChain = (flagsOf(frame, index) & ITEM_VALUE_OVERFLOW) !== 0;
    const single = !(flagsOf(frame, index) & ITEM_DUPS);
    const addBytes = added.length + DUP_VALUE_HEADER * (single ? 2 : 1);
    const part = encodeSet(values);
    const offPage = onChain || part.length > t.pageSize >>> 2 || addBytes > freeSpace(frame);
    const split = rewrite(t, at, part, offPage);
    if (moved || split) splitBucket(t);
  } finally {
    if (moved) t.unpin(moved.frame);
  }
}

/**
 * Step 1: moves the pair at `spot` when its grown set would not fit its page; returns its
 * new place (pinned), or undefined when it stays.
 */
function roomForGrowth(t: HashTable, spot: Spot, added: Uint8Array): Spot | undefined {
  const { frame, index } = spot;
  if (flagsOf(frame, index) & ITEM_VALUE_OVERFLOW) return undefined;
  const oldItem = valuePart(frame, index).length + TYPE_BYTE;
  const single = !(flagsOf(frame, index) & ITEM_DUPS);
  const grown = oldItem - TYPE_BYTE + added.length + DUP_VALUE_HEADER * (single ? 2 : 1);
  const free = freeSpace(frame);
  const big = grown > t.pageSize >>> 2;
  if (big && (oldItem > OFF_DUP_ITEM || OFF_DUP_ITEM - oldItem <= free)) return undefined;
  if (!big && grown - oldItem <= free) return undefined;
  const keyItem = flagsOf(frame, index) & ITEM_KEY_OVERFLOW ? OFF_PAGE_ITEM
    : partLength(keyPartOf(frame, index)) + TYPE_BYTE;
  const needed = (big ? OFF_DUP_ITEM : grown + TYPE_BYTE) + keyItem;
  return movePair(t, spot, needed);
}

/** Moves the pair at `spot` to the first later page with `needed` bytes free, or a new one. */
function movePair(t: HashTable, spot: Spot, needed: number): Spot {
  const { frame, index } = spot;
  const f = t.file;
  const item = itemView(frame, index).slice();
  const key = itemKey(f, frame, index).slice();
  let target: Frame | undefined;
  let last: Pgno = frame.pgno;
  for (let p = getNext(frame); p !== 0 && !target; ) {
    const page = t.pinChainPage(p);
    if (freeSpace(page) >= needed) target = page;
    else {
      last = p;
      p = getNext(page);
      t.unpin(page);
    }
  }
  if (target) insertOnPage(t, target, item);
  else target = pinned(t, appendItem(t, last, item).pgno);
  f.changes.deleteItem(f.mp, frame, index);
  if (getSlotCount(frame) === 0) reclaimEmpty(t, frame);
  return { frame: target, index: searchPage(f, target, key).index, bucket: spot.bucket };
}

function pinned(t: HashTable, p: Pgno): Frame {
  return t.pinChainPage(p);
}

/**
 * Steps 2 and 3: writes the set `part` into the item at `at`, on a chain when `offPage`;
 * returns true when storing it again added a page (a split is due).
 */
function rewrite(t: HashTable, at: Spot, part: Uint8Array, offPage: boolean): boolean {
  const f = t.file;
  const { frame, index } = at;
  if (flagsOf(frame, index) & ITEM_VALUE_OVERFLOW) {
    const ref = readRef(valuePart(frame, index), 0);
    freeOverflow(f, ref.pgno, ref.length);
  }
  const stored = offPage ? { chain: writeOverflow(f, part), length: part.length } : part;
  const item = buildItem(keyPartOf(frame, index), stored, true);
  if (roomToGrow(frame, index, item)) {
    f.changes.replaceItem(f.mp, frame, index, item);
    return false;
  }
  f.changes.deleteItem(f.mp, frame, index);
  const placed = placeInBucket(t, at.bucket, item, frame.pgno);
  if (getSlotCount(frame) === 0) reclaimEmpty(t, frame);
  return splitDue(t, placed);
}
