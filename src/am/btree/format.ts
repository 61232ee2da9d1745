/**
 * Btree page items: leaf items hold a key and a value (or a reference to an overflow chain
 * holding the value); internal items hold a child page number and a separator key.
 *
 * Layer: am/btree (rank 5).
 *
 * Leaf item (type BTREE_LEAF, level 1):
 * | offset | size | field                                                       |
 * | -----: | ---: | ----------------------------------------------------------- |
 * |      0 |    1 | flags: bit 0 = value is on an overflow chain, bit 1 = key   |
 * |        |      | is on an overflow chain                                     |
 * |      1 |    2 | keyLength (8 for a key on a chain)                          |
 * |      3 |    k | key bytes, or u32 first overflow pgno + u32 key length      |
 * |  3 + k |    v | value bytes, or u32 first overflow pgno + u32 value length  |
 *
 * Internal item (type BTREE_INTERNAL, level >= 2):
 * | offset | size | field                                                       |
 * | -----: | ---: | ----------------------------------------------------------- |
 * |      0 |    4 | child pgno (bits 0-30); bit 31: the separator's key is on an |
 * |        |      | overflow chain the item owns (see long-keys.ts)             |
 * |      4 |    4 | only in a counted tree (record numbers or duplicates): the  |
 * |        |      | number of leaf items under the child                        |
 * |  4 / 8 |    k | separator; item 0's is empty and means "-infinity". In a    |
 * |        |      | tree without duplicates it is a key; with duplicates it is  |
 * |        |      | encoded by separator.ts (a key and part of a duplicate)     |
 *
 * Invariants:
 * 1. Keys on a page are strictly increasing under the tree's comparator.
 * 2. Child i of an internal page holds keys >= separator i and < separator i + 1.
 * 3. No item exceeds `maxItemBytes(pageSize)`, so any page holds at least four items and a
 *    split always succeeds.
 */
import { type Pgno, allocBytes, viewOf } from '../../util/index.js';
import {
  PAGE_HEADER_SIZE, type Page, SLOT_SIZE, slotLength, slotOffset,
} from '../../page/index.js';

export const LEAF_ITEM_HEADER = 3;
export const INTERNAL_ITEM_HEADER = 4;
/** Header of an internal item of a counted tree: child pgno, then the subtree's count. */
export const COUNTED_ITEM_HEADER = 8;
export const FLAG_OVERFLOW_VALUE = 1;
export const FLAG_OVERFLOW_KEY = 2;
/** Bit of an internal item's child field: its separator's key is on an overflow chain. */
export const CHILD_KEY_ON_CHAIN = 0x80;
/** Size of an overflow reference stored in place of a value. */
export const OVERFLOW_REF_SIZE = 8;

/** Largest item stored on a page: a quarter of the usable space, minus its slot. */
export function maxItemBytes(pageSize: number): number {
  return Math.floor((pageSize - PAGE_HEADER_SIZE) / 4) - SLOT_SIZE;
}

/** Longest key accepted for a page size: an overflow reference must still fit beside it. */
export function maxKeyBytes(pageSize: number): number {
  return maxItemBytes(pageSize) - LEAF_ITEM_HEADER - OVERFLOW_REF_SIZE;
}

/**
 * Builds a leaf item holding the value inline, in `target` when given (a scratch buffer of
 * at least `maxItemBytes`: the item is then valid until the next call with it).
 */
export function leafItem(
  key: Uint8Array, value: Uint8Array, target?: Uint8Array,
): Uint8Array {
  const size = LEAF_ITEM_HEADER + key.length + value.length;
  const item = target ? target.subarray(0, size) : allocBytes(size);
  item[0] = 0;
  item[1] = key.length & 0xff;
  item[2] = key.length >>> 8;
  item.set(key, LEAF_ITEM_HEADER);
  item.set(value, LEAF_ITEM_HEADER + key.length);
  return item;
}

/** Writes the leaf item of (key, inline value) at `offset` of `target`. */
export function writeLeafItem(
  target: Uint8Array, offset: number, key: Uint8Array, value: Uint8Array,
): void {
  target[offset] = 0;
  target[offset + 1] = key.length & 0xff;
  target[offset + 2] = key.length >>> 8;
  target.set(key, offset + LEAF_ITEM_HEADER);
  target.set(value, offset + LEAF_ITEM_HEADER + key.length);
}

/** Builds a leaf item referring to an overflow chain. */
export function leafOverflowItem(key: Uint8Array, first: Pgno, length: number): Uint8Array {
  const item = new Uint8Array(LEAF_ITEM_HEADER + key.length + OVERFLOW_REF_SIZE);
  const view = new DataView(item.buffer, item.byteOffset, item.byteLength);
  item[0] = FLAG_OVERFLOW_VALUE;
  view.setUint16(1, key.length, true);
  item.set(key, LEAF_ITEM_HEADER);
  view.setUint32(LEAF_ITEM_HEADER + key.length, first, true);
  view.setUint32(LEAF_ITEM_HEADER + key.length + 4, length, true);
  return item;
}

/**
 * Builds an internal item; `header` is `INTERNAL_ITEM_HEADER`, or `COUNTED_ITEM_HEADER`
 * with the subtree's `count`.
 */
export function internalItem(
  child: Pgno, key: Uint8Array, header = INTERNAL_ITEM_HEADER, count = 0, keyOnChain = false,
): Uint8Array {
  const item = new Uint8Array(header + key.length);
  const view = new DataView(item.buffer);
  view.setUint32(0, child, true);
  if (keyOnChain) item[3]! |= CHILD_KEY_ON_CHAIN;
  if (header === COUNTED_ITEM_HEADER) view.setUint32(4, count, true);
  item.set(key, header);
  return item;
}

/** The subtree count of internal item i of a counted tree. */
export function internalCount(p: Page, i: number): number {
  return p.view.getUint32(slotOffset(p, i) + 4, true);
}

/** Where an internal item of a counted tree keeps its count (4 bytes, after the child). */
export const COUNT_OFFSET = 4;

/** Byte offset of internal item i's count (a counted tree's; 4 bytes). */
export function internalCountOffset(p: Page, i: number): number {
  return slotOffset(p, i) + COUNT_OFFSET;
}

/** Byte offset of leaf item i's key. */
export function leafKeyOffset(p: Page, i: number): number {
  return slotOffset(p, i) + LEAF_ITEM_HEADER;
}

export function leafKeyLength(p: Page, i: number): number {
  const off = slotOffset(p, i);
  return p.data[off + 1]! | (p.data[off + 2]! << 8);
}

/** A view of leaf item i's key bytes as stored (a reference when on a chain: long-keys.ts). */
export function leafKey(p: Page, i: number): Uint8Array {
  const off = leafKeyOffset(p, i);
  return p.data.subarray(off, off + leafKeyLength(p, i));
}

export function leafIsOverflow(p: Page, i: number): boolean {
  return (p.data[slotOffset(p, i)]! & FLAG_OVERFLOW_VALUE) !== 0;
}

/** A view of leaf item i's inline value bytes (the overflow reference when overflowed). */
export function leafValueBytes(p: Page, i: number): Uint8Array {
  return itemValueBytes(p, (slotOffset(p, i) | (slotLength(p, i) << 16)) >>> 0);
}

/**
 * `leafIsOverflow` for the leaf item at `item` = its offset | its length << 16 (what a key
 * heads search hands back, so the slot need not be read again).
 */
export function itemIsOverflow(p: Page, item: number): boolean {
  return (p.data[item & 0xffff]! & FLAG_OVERFLOW_VALUE) !== 0;
}

/** `leafValueBytes` for the leaf item at `item` = its offset | its length << 16. */
export function itemValueBytes(p: Page, item: number): Uint8Array {
  const off = item & 0xffff;
  const keyLen = p.data[off + 1]! | (p.data[off + 2]! << 8);
  return viewOf(p.data, off + LEAF_ITEM_HEADER + keyLen, off + (item >>> 16));
}

/** The (first pgno, length) of an overflowed value. */
export function leafOverflowRef(p: Page, i: number): { first: Pgno; length: number } {
  const off = slotOffset(p, i) + LEAF_ITEM_HEADER + leafKeyLength(p, i);
  return {
    first: p.view.getUint32(off, true) as Pgno,
    length: p.view.getUint32(off + 4, true),
  };
}

export function internalChild(p: Page, i: number): Pgno {
  const off = slotOffset(p, i);
  const d = p.data;
  return ((d[off]! | (d[off + 1]! << 8) | (d[off + 2]! << 16)) +
    (d[off + 3]! & ~CHILD_KEY_ON_CHAIN) * 0x1000000) as Pgno;
}

/** True when internal item i's separator key is on an overflow chain. */
export function internalKeyOnChain(p: Page, i: number): boolean {
  return (p.data[slotOffset(p, i) + 3]! & CHILD_KEY_ON_CHAIN) !== 0;
}

/** True when the internal item given as bytes has its separator key on a chain. */
export function itemKeyOnChain(item: Uint8Array): boolean {
  return (item[3]! & CHILD_KEY_ON_CHAIN) !== 0;
}

/** True when leaf item i's key is on an overflow chain. */
export function leafKeyIsOverflow(p: Page, i: number): boolean {
  return (p.data[slotOffset(p, i)]! & FLAG_OVERFLOW_KEY) !== 0;
}

/** A view of internal item i's separator (`header` as for `internalItem`). */
export function internalKey(p: Page, i: number, header = INTERNAL_ITEM_HEADER): Uint8Array {
  const off = slotOffset(p, i);
  return p.data.subarray(off + header, off + slotLength(p, i));
}

/** Byte-order comparison of `key` with `len` bytes at `off` of `data`. */
export function compareWithBytesAt(
  key: Uint8Array, data: Uint8Array, off: number, len: number,
): number {
  const n = key.length < len ? key.length : len;
  for (let i = 0; i < n; i++) {
    const d = key[i]! - data[off + i]!;
    if (d !== 0) return d;
  }
  return key.length - len;
}
