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
 * (key on page ? k + 3 : 14) + (value on page ? v + 3 : chain ? 14 : 10). A Stowage page
 * spends a little more per page and per pair (a 40-byte header, 4-byte slots, a 3-byte item
 * header): a page that the real library's count says has room may lack it here, and then
 * it is treated as full (the one place the two can part; docs/conformance.md).
 *
 * Invariants:
 * 1. `pairCost` of an item is a function of its flags and part lengths alone.
 * 2. `roomFor(frame, item)` is true only when the item also fits physically.
 */
import type { Frame } from '../../mpool/index.js';
import { fits, getSlotCount, slotLength, slotOffset, totalFree } from '../../page/index.js';
import {
  ITEM_DUPS, ITEM_HEADER, ITEM_KEY_OVERFLOW, ITEM_VALUE_OVERFLOW, itemFlags, keyPartLength,
} from './format.js';

/** The real library's page header. */
const HEADER = 26;
/** An item on an overflow chain: its 12-byte reference and its index slot. */
const ON_CHAIN = 14;
/** A duplicate set off the page: an 8-byte reference and its index slot. */
const SET_OFF_PAGE = 10;
/** A type byte and an index slot. */
const ON_PAGE = 3;

/** The real library's bytes for a pair with these flags and part lengths (invariant 1). */
export function costOf(flags: number, keyPart: number, valuePart: number): number {
  const key = flags & ITEM_KEY_OVERFLOW ? ON_CHAIN : keyPart + ON_PAGE;
  if (!(flags & ITEM_VALUE_OVERFLOW)) return key + valuePart + ON_PAGE;
  return key + (flags & ITEM_DUPS ? SET_OFF_PAGE : ON_CHAIN);
}

/** The cost of a built item (not on a page). */
export function itemCost(item: Uint8Array): number {
  const keyPart = keyPartLength(item, 0);
  return costOf(itemFlags(item, 0), keyPart, item.length - ITEM_HEADER - keyPart);
}

/** The cost of item `index` of `frame`. */
export function slotCost(frame: Frame, index: number): number {
  const at = slotOffset(frame, index);
  const keyPart = keyPartLength(frame.data, at);
  return costOf(itemFlags(frame.data, at), keyPart, slotLength(frame, index) - ITEM_HEADER -
    keyPart);
}

/** The real library's free bytes on `frame` (P_FREESPACE). */
export function freeSpace(frame: Frame): number {
  let used = HEADER;
  for (let i = 0; i < getSlotCount(frame); i++) used += slotCost(frame, i);
  return frame.data.length - used;
}

/**
 * Whether `item` goes on `frame`: its cost below the free space (`strict`, as the lookup's
 * choice of page) or at most the free space; and physically (invariant 2).
 */
export function roomFor(frame: Frame, item: Uint8Array, strict: boolean): boolean {
  const free = freeSpace(frame);
  const cost = itemCost(item);
  return (strict ? cost < free : cost <= free) && fits(frame, item.length);
}

/**
 * Whether item `index` of `frame` may be replaced in place by `replacement`: its growth
 * within the free space, and physically.
 */
export function roomToGrow(frame: Frame, index: number, replacement: Uint8Array): boolean {
  const growth = itemCost(replacement) - slotCost(frame, index);
  return growth <= freeSpace(frame) &&
    totalFree(frame) + slotLength(frame, index) >= replacement.length;
}
