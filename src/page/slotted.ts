/**
 * Slotted pages: a slot array growing up from the header, item bytes growing down from the
 * end of the page. The access methods decide what an item means; this file only stores bytes.
 *
 * Layer: page (rank 1).
 *
 * | offset                 | size | field                                      |
 * | ---------------------: | ---: | ------------------------------------------ |
 * | 40 + 4*i               |    2 | offset of item i                           |
 * | 40 + 4*i + 2           |    2 | length of item i                           |
 * | heapStart .. pageSize  |      | item bytes, in no particular order         |
 *
 * Invariants:
 * 1. Slots are in the access method's order; item bytes never overlap each other or the slots.
 * 2. `garbageBytes` counts item bytes no slot refers to; compaction reclaims them.
 * 3. Every mutation here is deterministic given the page bytes, so replaying a logged change
 *    on an identical page produces identical bytes (redo relies on it).
 */
import { AssertionError, assert } from '../util/index.js';
import {
  type Page,
  PAGE_HEADER_SIZE,
  getGarbage,
  getHeapStart,
  getSlotCount,
  setGarbage,
  setHeapStart,
  setSlotCount,
} from './header.js';

/** Bytes each slot takes in the slot array. */
export const SLOT_SIZE = 4;

const scratch = new Uint8Array(65536);

/** Byte offset of item `index` (plain byte reads: the hottest accessor of all). */
export function slotOffset(p: Page, index: number): number {
  const at = PAGE_HEADER_SIZE + index * SLOT_SIZE;
  const d = p.data;
  return d[at]! | (d[at + 1]! << 8);
}

/** Length in bytes of item `index`. */
export function slotLength(p: Page, index: number): number {
  const at = PAGE_HEADER_SIZE + index * SLOT_SIZE + 2;
  const d = p.data;
  return d[at]! | (d[at + 1]! << 8);
}

/** A view (not a copy) of item `index`. Valid until the page changes. */
export function itemView(p: Page, index: number): Uint8Array {
  const off = slotOffset(p, index);
  return p.data.subarray(off, off + slotLength(p, index));
}

/** Contiguous free bytes between the slot array and the heap. */
export function contiguousFree(p: Page): number {
  return getHeapStart(p) - (PAGE_HEADER_SIZE + getSlotCount(p) * SLOT_SIZE);
}

/** Free bytes after compaction: what an insert can use. */
export function totalFree(p: Page): number {
  return contiguousFree(p) + getGarbage(p);
}

/** Bytes in use by slots and live items. */
export function usedBytes(p: Page): number {
  return p.data.length - PAGE_HEADER_SIZE - totalFree(p);
}

/** True when an item of `length` bytes (plus its slot) fits, possibly after compaction. */
export function fits(p: Page, length: number): boolean {
  return totalFree(p) >= length + SLOT_SIZE;
}

/**
 * Makes room for an item of `length` bytes at slot `index` and returns its byte offset;
 * the caller writes the item there.
 * @requires fits(p, length)
 */
export function allocItem(p: Page, index: number, length: number): number {
  const count = getSlotCount(p);
  if (!(index >= 0 && index <= count)) {
    throw new AssertionError(`slot index ${index} out of 0..${count}`);
  }
  if (contiguousFree(p) < length + SLOT_SIZE) compact(p);
  assert(contiguousFree(p) >= length + SLOT_SIZE, 'item does not fit after compaction');
  const slotsStart = PAGE_HEADER_SIZE + index * SLOT_SIZE;
  const slotsEnd = PAGE_HEADER_SIZE + count * SLOT_SIZE;
  p.data.copyWithin(slotsStart + SLOT_SIZE, slotsStart, slotsEnd);
  const off = getHeapStart(p) - length;
  setHeapStart(p, off);
  p.view.setUint16(slotsStart, off, true);
  p.view.setUint16(slotsStart + 2, length, true);
  setSlotCount(p, count + 1);
  return off;
}

/** Inserts a copy of `item` at slot `index`. */
export function insertItem(p: Page, index: number, item: Uint8Array): void {
  const off = allocItem(p, index, item.length);
  p.data.set(item, off);
}

/** Removes slot `index`; its bytes become garbage (or free, when at the heap start). */
export function deleteItem(p: Page, index: number): void {
  const count = getSlotCount(p);
  if (!(index >= 0 && index < count)) {
    throw new AssertionError(`slot index ${index} out of 0..${count - 1}`);
  }
  const off = slotOffset(p, index);
  const len = slotLength(p, index);
  const slotsStart = PAGE_HEADER_SIZE + index * SLOT_SIZE;
  const slotsEnd = PAGE_HEADER_SIZE + count * SLOT_SIZE;
  p.data.copyWithin(slotsStart, slotsStart + SLOT_SIZE, slotsEnd);
  setSlotCount(p, count - 1);
  if (off === getHeapStart(p)) setHeapStart(p, off + len);
  else setGarbage(p, getGarbage(p) + len);
  if (count === 1) {
    setHeapStart(p, p.data.length);
    setGarbage(p, 0);
  }
}

/**
 * Replaces item `index` with `item`.
 * @requires the page can hold the new item once the old one is gone
 */
export function replaceItem(p: Page, index: number, item: Uint8Array): void {
  const len = slotLength(p, index);
  if (len === item.length) {
    p.data.set(item, slotOffset(p, index));
    return;
  }
  deleteItem(p, index);
  insertItem(p, index, item);
}

/** Rewrites the heap so that all free space is contiguous. Slot order is unchanged. */
export function compact(p: Page): void {
  const count = getSlotCount(p);
  let top = p.data.length;
  for (let i = 0; i < count; i++) {
    const len = slotLength(p, i);
    top -= len;
    scratch.set(p.data.subarray(slotOffset(p, i), slotOffset(p, i) + len), top);
    p.view.setUint16(PAGE_HEADER_SIZE + i * SLOT_SIZE, top, true);
  }
  p.data.set(scratch.subarray(top, p.data.length), top);
  setHeapStart(p, top);
  setGarbage(p, 0);
}

/** Removes every slot at or after `from`; used by splits. */
export function truncateItems(p: Page, from: number): void {
  const count = getSlotCount(p);
  for (let i = count - 1; i >= from; i--) deleteItem(p, i);
}

/**
 * Adds `delta` to the little-endian unsigned 32-bit number at byte `offset` of item `index`
 * (a subtree count), wrapping modulo 2^32 as the inverse delta of an undo expects.
 */
export function addToItem(p: Page, index: number, offset: number, delta: number): void {
  const at = slotOffset(p, index) + offset;
  const d = p.data;
  const n = (d[at]! | (d[at + 1]! << 8) | (d[at + 2]! << 16) | (d[at + 3]! << 24)) + delta;
  d[at] = n & 0xff;
  d[at + 1] = (n >>> 8) & 0xff;
  d[at + 2] = (n >>> 16) & 0xff;
  d[at + 3] = (n >>> 24) & 0xff;
}
