/**
 * The pairs of one bucket page: their order, the search for a key, reading an item's key
 * and value (from the page or from overflow chains), and building an item.
 *
 * Layer: am/hash (rank 5).
 *
 * A page's items are in *page order* (Berkeley DB 5.3 keeps hash pages sorted): unsigned
 * bytes over the common length, and when one key is a prefix of the other the longer one
 * first (so the empty key is last).
 *
 * Invariants:
 * 1. The items of a page are strictly ascending in page order: a key is on a page at most
 *    once (its duplicates are one item).
 * 2. Views returned by the readers are valid until the page changes or is unpinned; the
 *    overflow readers return copies.
 */
import { type Pgno } from '../../util/index.js';
import type { Page } from '../../page/index.js';
import { getSlotCount, slotLength, slotOffset } from '../../page/index.js';
import { type AmFile, readOverflow } from '../common/index.js';
import {
  ITEM_DUPS, ITEM_HEADER, ITEM_KEY_OVERFLOW, ITEM_VALUE_OVERFLOW, OVERFLOW_REF, itemFlags,
  keyPartLength, readRef, writeItemHeader, writeRef,
} from './format.js';

/** Page order of two keys (see the file header). */
export function pageOrder(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return b.length - a.length;
}

/** Page order of item `index`'s key against `key`, reading the page bytes in place. */
function compareInline(p: Page, at: number, key: Uint8Array): number {
  const d = p.data;
  const len = keyPartLength(d, at);
  const n = len < key.length ? len : key.length;
  const base = at + ITEM_HEADER;
  for (let i = 0; i < n; i++) {
    const c = d[base + i]! - key[i]!;
    if (c !== 0) return c;
  }
  return key.length - len;
}

/** Whether item `index` of `p`, a key on the page, is `key`. */
export function sameKey(p: Page, index: number, key: Uint8Array): boolean {
  const at = slotOffset(p, index);
  return keyPartLength(p.data, at) === key.length && compareInline(p, at, key) === 0;
}

/** Where `key` is on page `p`: its slot (`found`) or the slot it would be inserted at. */
export interface PageSearch {
  found: boolean;
  index: number;
}

/** Binary search of page `p` for `key` (invariant 1). */
export function searchPage(f: AmFile, p: Page, key: Uint8Array): PageSearch {
  let lo = 0;
  let hi = getSlotCount(p);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const at = slotOffset(p, mid);
    const c = itemFlags(p.data, at) & ITEM_KEY_OVERFLOW
      ? pageOrder(overflowKey(f, p, at), key) : compareInline(p, at, key);
    if (c === 0) return { found: true, index: mid };
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return { found: false, index: lo };
}

function overflowKey(f: AmFile, p: Page, at: number): Uint8Array {
  const ref = readRef(p.data, at + ITEM_HEADER);
  return readOverflow(f, ref.pgno, ref.length);
}

/** The key of item `index` (a view when on the page, invariant 2). */
export function itemKey(f: AmFile, p: Page, index: number): Uint8Array {
  const at = slotOffset(p, index);
  if (itemFlags(p.data, at) & ITEM_KEY_OVERFLOW) return overflowKey(f, p, at);
  return p.data.subarray(at + ITEM_HEADER, at + ITEM_HEADER + keyPartLength(p.data, at));
}

/** The key of a built item (not on a page). */
export function keyOfItem(f: AmFile, item: Uint8Array): Uint8Array {
  const length = keyPartLength(item, 0);
  if (itemFlags(item, 0) & ITEM_KEY_OVERFLOW) {
    const ref = readRef(item, ITEM_HEADER);
    return readOverflow(f, ref.pgno, ref.length);
  }
  return item.subarray(ITEM_HEADER, ITEM_HEADER + length);
}

/** The raw value part of item `index`: a value, an overflow reference or a duplicate set. */
export function valuePart(p: Page, index: number): Uint8Array {
  const at = slotOffset(p, index);
  const from = at + ITEM_HEADER + keyPartLength(p.data, at);
  return p.data.subarray(from, at + slotLength(p, index));
}

/** The flags of item `index`. */
export function flagsOf(p: Page, index: number): number {
  return itemFlags(p.data, slotOffset(p, index));
}

/** The value of a single-valued item `index` (a view when on the page). */
export function itemValue(f: AmFile, p: Page, index: number): Uint8Array {
  const part = valuePart(p, index);
  if (flagsOf(p, index) & ITEM_VALUE_OVERFLOW) {
    const ref = readRef(part, 0);
    return readOverflow(f, ref.pgno, ref.length);
  }
  return part;
}

/** Overflow chains an item refers to (its key's, its value's), for freeing and verify. */
export function itemChains(p: Page, index: number): { pgno: Pgno; length: number }[] {
  const at = slotOffset(p, index);
  const flags = itemFlags(p.data, at);
  const chains: { pgno: Pgno; length: number }[] = [];
  if (flags & ITEM_KEY_OVERFLOW) chains.push(readRef(p.data, at + ITEM_HEADER));
  if (flags & ITEM_VALUE_OVERFLOW) chains.push(readRef(valuePart(p, index), 0));
  return chains;
}

/** How a key or a value is stored in an item: its bytes, or a chain's reference. */
export type Part = { bytes: Uint8Array } | { chain: Pgno; length: number };

/** Bytes a part takes in an item. */
export function partLength(part: Part): number {
  return 'bytes' in part ? part.bytes.length : OVERFLOW_REF;
}

/** An item of `key` and `value` parts; `dups` marks the value part as a duplicate set. */
export function buildItem(key: Part, value: Part | Uint8Array, dups = false): Uint8Array {
  const keyLength = partLength(key);
  const valueLength = value instanceof Uint8Array ? value.length : partLength(value);
  const item = new Uint8Array(ITEM_HEADER + keyLength + valueLength);
  let flags = dups ? ITEM_DUPS : 0;
  if (!('bytes' in key)) flags |= ITEM_KEY_OVERFLOW;
  if (!(value instanceof Uint8Array) && !('bytes' in value)) flags |= ITEM_VALUE_OVERFLOW;
  writeItemHeader(item, 0, flags, keyLength);
  writePart(item, ITEM_HEADER, key);
  if (value instanceof Uint8Array) item.set(value, ITEM_HEADER + keyLength);
  else writePart(item, ITEM_HEADER + keyLength, value);
  return item;
}

function writePart(item: Uint8Array, at: number, part: Part): void {
  if ('bytes' in part) item.set(part.bytes, at);
  else writeRef(item, at, part.chain, part.length);
}

/** The key part of item `index` as a `Part` (to rebuild the item with another value). */
export function keyPartOf(p: Page, index: number): Part {
  const at = slotOffset(p, index);
  if (itemFlags(p.data, at) & ITEM_KEY_OVERFLOW) {
    const ref = readRef(p.data, at + ITEM_HEADER);
    return { chain: ref.pgno, length: ref.length };
  }
  return { bytes: p.data.slice(at + ITEM_HEADER, at + ITEM_HEADER + keyPartLength(p.data, at)) };
}
