/**
 * Order in a tree with duplicates: a leaf item is a (key, value) pair, and pairs order by
 * key, then (sorted duplicates) by value under the duplicate comparator, or (unsorted) by
 * where they were put. A search names a key and a place among its duplicates: before them
 * all, at one value (sorted only), or after them all.
 *
 * Layer: am/btree (rank 5).
 *
 * Separator of an internal item in a tree with duplicates (the bytes after the item header):
 * | offset | size | field                                                              |
 * | -----: | ---: | ------------------------------------------------------------------ |
 * |      0 |    2 | bits 0-13: key length k; bit 14: a value follows; bit 15: the      |
 * |        |      | value is on an overflow chain this separator owns                  |
 * |      2 |    k | key                                                                |
 * |  2 + k |    v | the value, or its chain: u32 first pgno, u32 length                |
 *
 * Invariants:
 * 1. A separator without a value stands for "before every duplicate of its key".
 * 2. Sorted duplicates: (key, value) pairs are unique, and child i of an internal page holds
 *    pairs >= separator i and < separator i + 1. Unsorted duplicates: a run of one key's
 *    pairs may span pages, so separators hold keys only and child i holds pairs whose key
 *    lies in [separator i, separator i + 1], both ends included.
 * 3. A separator's overflow chain belongs to it alone; whoever drops the separator frees it.
 */
import { type Pgno, compareBytes, viewOf } from '../../util/index.js';
import type { Frame } from '../../mpool/index.js';
import { slotLength, slotOffset } from '../../page/index.js';
import { type AmFile, freeOverflow, readOverflow, writeOverflow } from '../common/index.js';
import type { Comparator } from './comparator.js';
import {
  FLAG_OVERFLOW_KEY, FLAG_OVERFLOW_VALUE, LEAF_ITEM_HEADER, compareWithBytesAt,
  internalKeyOnChain, leafIsOverflow, leafOverflowRef,
} from './format.js';
import {
  type Separator, itemKeyOf, keyReference, leafKeyOf, separatorKeyAt,
} from './long-keys.js';

/** Where among a key's duplicates a search aims. */
export const BEFORE_DUPS = 0;
export const AT_VALUE = 1;
export const AFTER_DUPS = 2;

/** A search in a tree with duplicates (reused between operations: no allocation). */
export class DupTarget {
  key: Uint8Array = new Uint8Array(0);
  value: Uint8Array = new Uint8Array(0);
  where = BEFORE_DUPS;

  /** Sets the target and returns it. */
  set(key: Uint8Array, where: number, value?: Uint8Array): this {
    this.key = key;
    this.where = where;
    this.value = value ?? this.value;
    return this;
  }
}

/** What comparisons need of the tree. */
export interface DupOrderTree {
  readonly file: AmFile;
  readonly compare: Comparator | undefined;
  readonly dupCompare: Comparator | undefined;
  readonly internalHeader: number;
}

/** Separator header bit: a value follows the key. */
export const SEP_HAS_VALUE = 0x4000;
const SEP_VALUE_OVERFLOW = 0x8000;
/** Separator header bits of the key length. */
export const SEP_KEY_MASK = 0x3fff;
/** Bytes of a separator before its key. */
export const SEPARATOR_HEADER = 2;

function compareKeys(t: DupOrderTree, a: Uint8Array, b: Uint8Array): number {
  return t.compare ? t.compare(a, b) : compareBytes(a, b);
}

/** Compares two duplicate values under the tree's duplicate order. */
export function compareValues(t: DupOrderTree, a: Uint8Array, b: Uint8Array): number {
  return t.dupCompare ? t.dupCompare(a, b) : compareBytes(a, b);
}


/** The value of leaf item i: a view, or a copy read from its overflow chain. */
export function leafValueOf(f: AmFile, p: Frame, i: number): Uint8Array {
  const off = slotOffset(p, i);
  const keyLen = p.data[off + 1]! | (p.data[off + 2]! << 8);
  if (!leafIsOverflow(p, i)) {
    return p.data.subarray(off + LEAF_ITEM_HEADER + keyLen, off + slotLength(p, i));
  }
  const ref = leafOverflowRef(p, i);
  return readOverflow(f, ref.first, ref.length);
}

/** Compares the target with leaf item i of a tree with duplicates. */
export function compareTargetLeaf(
  t: DupOrderTree, target: DupTarget, p: Frame, i: number,
): number {
  const off = slotOffset(p, i);
  const inPlace = !t.compare && (p.data[off]! & FLAG_OVERFLOW_KEY) === 0;
  const c = inPlace
    ? compareWithBytesAt(target.key, p.data, off + LEAF_ITEM_HEADER,
      p.data[off + 1]! | (p.data[off + 2]! << 8))
    : compareKeys(t, target.key, leafKeyOf(t.file, p, i));
  if (c !== 0) return c;
  if (target.where === BEFORE_DUPS) return -1;
  if (target.where === AFTER_DUPS) return 1;
  return compareValues(t, target.value, leafValueOf(t.file, p, i));
}

/** Compares the target with separator i of an internal page (i >= 1). */
export function compareTargetSeparator(
  t: DupOrderTree, target: DupTarget, p: Frame, i: number,
): number {
  const off = slotOffset(p, i) + t.internalHeader;
  const head = p.data[off]! | (p.data[off + 1]! << 8);
  const keyLen = head & SEP_KEY_MASK;
  const keyAt = off + SEPARATOR_HEADER;
  const c = !t.compare && !internalKeyOnChain(p, i)
    ? compareWithBytesAt(target.key, p.data, keyAt, keyLen)
    : compareKeys(t, target.key, separatorKeyAt(t.file, p, i, keyAt, keyLen));
  if (c !== 0) return c;
  if (target.where === BEFORE_DUPS) return -1;
  if (target.where === AFTER_DUPS) return 1;
  if ((head & SEP_HAS_VALUE) === 0) return 1;
  return compareValues(t, target.value, separatorValue(t, p, i, head, keyAt + keyLen));
}

/** The value part of a separator whose header is `head`, its bytes from `at`. */
function separatorValue(t: DupOrderTree, p: Frame, i: number, head: number, at: number):
  Uint8Array {
  const end = slotOffset(p, i) + slotLength(p, i);
  if ((head & SEP_VALUE_OVERFLOW) === 0) return p.data.subarray(at, end);
  const first = p.view.getUint32(at, true) as Pgno;
  return readOverflow(t.file, first, p.view.getUint32(at + 4, true));
}


/** The value of a leaf item given as bytes: a view, or read from its chain. */
function itemValue(f: AmFile, item: Uint8Array): Uint8Array {
  const at = LEAF_ITEM_HEADER + (item[1]! | (item[2]! << 8));
  if ((item[0]! & FLAG_OVERFLOW_VALUE) === 0) return item.subarray(at);
  const view = new DataView(item.buffer, item.byteOffset, item.byteLength);
  return readOverflow(f, view.getUint32(at, true) as Pgno, view.getUint32(at + 4, true));
}

/**
 * The separator between two neighbouring leaf items (`left` sorts before `right`) of a tree
 * with duplicates, no longer than `room` bytes: the key alone when the keys differ, or when
 * duplicates are unsorted (invariant 2); else the key and the right item's value, inline when
 * it fits and otherwise on a new overflow chain the separator owns (invariant 3). A key too
 * long to sit beside a value reference goes to a chain of its own (long-keys.ts).
 */
export function separatorBetween(
  t: DupOrderTree & { readonly sortedDups: boolean }, left: Uint8Array, right: Uint8Array,
  room: number,
): Separator {
  const key = itemKeyOf(t.file, right);
  const keyOnChain = SEPARATOR_HEADER + key.length + 8 > room;
  const keyPart = keyOnChain ? keyReference(t.file, key) : key;
  if (!t.sortedDups || compareKeys(t, itemKeyOf(t.file, left), key) !== 0) {
    return { bytes: encodeSeparator(keyPart, 0, new Uint8Array(0)), keyOnChain };
  }
  const value = itemValue(t.file, right);
  if (SEPARATOR_HEADER + keyPart.length + value.length <= room) {
    return { bytes: encodeSeparator(keyPart, SEP_HAS_VALUE, value), keyOnChain };
  }
  const ref = new Uint8Array(8);
  const view = new DataView(ref.buffer);
  view.setUint32(0, writeOverflow(t.file, value), true);
  view.setUint32(4, value.length, true);
  return { bytes: encodeSeparator(keyPart, SEP_HAS_VALUE | SEP_VALUE_OVERFLOW, ref), keyOnChain };
}

function encodeSeparator(key: Uint8Array, flags: number, tail: Uint8Array): Uint8Array {
  const out = new Uint8Array(SEPARATOR_HEADER + key.length + tail.length);
  const head = key.length | flags;
  out[0] = head & 0xff;
  out[1] = head >>> 8;
  out.set(key, SEPARATOR_HEADER);
  out.set(tail, SEPARATOR_HEADER + key.length);
  return out;
}

/** Where in separator `sep` the reference to its value chain is, or undefined. */
export function separatorChainAt(sep: Uint8Array): number | undefined {
  if (sep.length < SEPARATOR_HEADER) return undefined;
  const head = sep[0]! | (sep[1]! << 8);
  if ((head & SEP_VALUE_OVERFLOW) === 0) return undefined;
  return SEPARATOR_HEADER + (head & SEP_KEY_MASK);
}

/** The value chain separator `sep` owns (invariant 3), or undefined. */
export function separatorChain(sep: Uint8Array): { first: Pgno; length: number } | undefined {
  const at = separatorChainAt(sep);
  if (at === undefined) return undefined;
  const view = new DataView(sep.buffer, sep.byteOffset, sep.byteLength);
  return { first: view.getUint32(at, true) as Pgno, length: view.getUint32(at + 4, true) };
}

/** Frees the chains separator `sep` owns: its value's, and its key's when `keyOnChain`. */
export function freeSeparator(f: AmFile, sep: Uint8Array, keyOnChain: boolean): void {
  const chain = separatorChain(sep);
  if (chain) freeOverflow(f, chain.first, chain.length);
  const key = keyOnChain ? separatorKeyRef(sep) : undefined;
  if (key) freeOverflow(f, key.first, key.length);
}

/** The key chain of a separator whose key is on one. */
export function separatorKeyRef(sep: Uint8Array): { first: Pgno; length: number } {
  const view = new DataView(sep.buffer, sep.byteOffset, sep.byteLength);
  return {
    first: view.getUint32(SEPARATOR_HEADER, true) as Pgno,
    length: view.getUint32(SEPARATOR_HEADER + 4, true),
  };
}

/** The parts of a separator, for verify: its key, and its value when it has one. */
export function separatorParts(f: AmFile, sep: Uint8Array, keyOnChain: boolean):
  { key: Uint8Array; value: Uint8Array | undefined } {
  const head = sep[0]! | (sep[1]! << 8);
  const keyEnd = SEPARATOR_HEADER + (head & SEP_KEY_MASK);
  const chain = keyOnChain ? separatorKeyRef(sep) : undefined;
  const key = chain ? readOverflow(f, chain.first, chain.length)
    : viewOf(sep, SEPARATOR_HEADER, keyEnd);
  if ((head & SEP_HAS_VALUE) === 0) return { key, value: undefined };
  if ((head & SEP_VALUE_OVERFLOW) === 0) return { key, value: sep.subarray(keyEnd) };
  const view = new DataView(sep.buffer, sep.byteOffset, sep.byteLength);
  const first = view.getUint32(keyEnd, true) as Pgno;
  return { key, value: readOverflow(f, first, view.getUint32(keyEnd + 4, true)) };
}
