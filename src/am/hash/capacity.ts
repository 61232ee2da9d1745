/**
 * How full a bucket page is, as Berkeley DB 5.3 counts it: the hash decides where a pair
 * goes and when the table splits by these numbers, so that with the same settings its pages
 * hold the same pairs as the real library's, and a cursor walks them in the same order.
 *
 * Layer: am/hash (rank 5).
 *
 * The real library's page has a 26-byte header and gives each item a 2-byte index slot; a
 * key or value on the page costs its bytes plus a type byte, one on an overflow chain a
 * 12-byte reference, and a duplicate set moved off the page an 8-byte one. So a pair costs
 * (key on page ? k + 3 : 14) + (value on page ? v + 3 : chain ? 14 : 10), where a key or
 * value is on the page when it is at most a quarter page. A Stowage pair costs as much (a
 * 4-byte slot and a 2-byte item header) and its page header is 14 bytes longer, which the
 * file's `PAGE_EXTRA_BYTES` more per page make up: whatever the real library's page holds,
 * a Stowage page holds too.
 *
 * Invariants:
 * 1. `pairCost` of an item is a function of its flags and part lengths alone.
 * 2. `roomFor(frame, item)` is true only when the item also fits physically, which follows
 *    from the count (checked, not assumed).
 */
import type { Frame } from '../../mpool/index.js';
import { pageView } from './page-view.js';
import {
  createdPageSizeOf, fits, getSlotCount, slotLength, slotOffset, totalFree,
} from '../../page/index.js';
import {
  ITEM_DUPS, ITEM_HEADER, ITEM_KEY_OVERFLOW, ITEM_VALUE_OVERFLOW, itemFlags, keyPartLength,
  readRef,
} from './format.js';

/** The real library's page header. */
const HEADER = 26;
/** An item on an overflow chain: its 12-byte reference and its index slot. */
const ON_CHAIN = 14;
/** A duplicate set off the page: an 8-byte reference and its index slot. */
const SET_OFF_PAGE = 10;
/** A type byte and an index slot. */
const ON_PAGE = 3;

/** The page size a database's pages were created with, from its file's page. */
export function createdPageSize(frame: Frame): number {
  return createdPageSizeOf(frame.data.length);
}

/**
 * The real library's bytes for the item at `at` of `data` (`length` bytes) on a page of
 * `pageSize` (invariant 1). A key kept on a chain only because an item header cannot
 * record it (pages over 32 KiB) costs what it costs on the real library's page.
 */
function costAt(data: Uint8Array, at: number, length: number, pageSize: number): number {
  const flags = itemFlags(data, at);
  const keyPart = keyPartLength(data, at);
  let key = keyPart + ON_PAGE;
  if (flags & ITEM_KEY_OVERFLOW) {
    const keyLength = readRef(data, at + ITEM_HEADER).length;
    key = keyLength > pageSize >>> 2 ? ON_CHAIN : keyLength + ON_PAGE;
  }
  if (!(flags & ITEM_VALUE_OVERFLOW)) return key + length - ITEM_HEADER - keyPart + ON_PAGE;
  return key + (flags & ITEM_DUPS ? SET_OFF_PAGE : ON_CHAIN);
}

/** The cost of a built item (not on a page) for a page like `frame`. */
export function itemCost(frame: Frame, item: Uint8Array): number {
  return costAt(item, 0, item.length, createdPageSize(frame));
}

/** The cost of item `index` of `frame`. */
export function slotCost(frame: Frame, index: number): number {
  return costAt(frame.data, slotOffset(frame, index), slotLength(frame, index),
    createdPageSize(frame));
}

/** The real library's free bytes on `frame` (P_FREESPACE). Complexity: O(1) when known. */
export function freeSpace(frame: Frame): number {
  const view = pageView(frame);
  if (view.used < 0) {
    let used = HEADER;
    for (let i = 0; i < getSlotCount(frame); i++) used += slotCost(frame, i);
    view.used = used;
  }
  return createdPageSize(frame) - view.used;
}

/**
 * Runs `change`, a change of `frame` that adds `delta` to the cost of its items, keeping
 * the known cost (a change that bumps the version without this goes uncounted, and the
 * next `freeSpace` counts the page again).
 */
export function changeCost(frame: Frame, delta: number, change: () => void): void {
  const used = pageView(frame).used;
  change();
  if (used >= 0) pageView(frame).used = used + delta;
}

/**
 * Whether `item` goes on `frame`: its cost below the free space (`strict`, as the lookup's
 * choice of page) or at most the free space; and physically (invariant 2).
 */
export function roomFor(frame: Frame, item: Uint8Array, strict: boolean): boolean {
  const free = freeSpace(frame);
  const cost = itemCost(frame, item);
  return (strict ? cost < free : cost <= free) && fits(frame, item.length);
}

/**
 * Whether item `index` of `frame` may be replaced in place by `replacement`: its growth
 * within the free space, and physically.
 */
export function roomToGrow(frame: Frame, index: number, replacement: Uint8Array): boolean {
  const growth = itemCost(frame, replacement) - slotCost(frame, index);
  return growth <= freeSpace(frame) &&
    totalFree(frame) + slotLength(frame, index) >= replacement.length;
}
