/**
 * Keys of any size: a key too long to sit on a page (longer than the tree's `maxKeyBytes`)
 * lives on an overflow chain, and the page holds an 8-byte reference (first pgno, length),
 * in a leaf item (flag `FLAG_OVERFLOW_KEY`) and, when a separator needs it, in an internal
 * item (bit 31 of its child field). Berkeley DB does the same (B_OVERFLOW keys).
 *
 * Layer: am/btree (rank 5).
 *
 * Invariants:
 * 1. Every chain is owned by exactly one item; whoever drops the item frees the chain, and
 *    an item copied to a new item (a split moving a separator up, a merge moving it down)
 *    moves the ownership with it, never duplicates it.
 * 2. A page holding a key on a chain is never indexed by key heads: its searches compare
 *    full keys (key-heads.ts).
 * 3. With byte order, a separator is cut to the shortest prefix of the right key that still
 *    sorts after the left key, so it goes to a chain only when even that prefix is too long.
 */
import { type Pgno, compareBytes } from '../../util/index.js';
import type { Frame } from '../../mpool/index.js';
import { type AmFile, freeOverflow, readOverflow, writeOverflow } from '../common/index.js';
import {
  FLAG_OVERFLOW_KEY, LEAF_ITEM_HEADER, leafKey, leafKeyIsOverflow, internalKeyOnChain,
} from './format.js';

/** Longest key any tree stores (its chain's length is a u32). */
export const MAX_KEY_BYTES = 0xffffffff;

/** The reference (first pgno, length) stored at `at` of `bytes`. */
function refAt(bytes: Uint8Array, at: number): { first: Pgno; length: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { first: view.getUint32(at, true) as Pgno, length: view.getUint32(at + 4, true) };
}

/** Writes `key` to a new chain and returns the 8-byte reference to store in its place. */
export function keyReference(f: AmFile, key: Uint8Array): Uint8Array {
  const ref = new Uint8Array(8);
  const view = new DataView(ref.buffer);
  view.setUint32(0, writeOverflow(f, key), true);
  view.setUint32(4, key.length, true);
  return ref;
}

/** Leaf item i's key: a view of the page, or read from its chain (a new array). */
export function leafKeyOf(f: AmFile, p: Frame, i: number): Uint8Array {
  const stored = leafKey(p, i);
  if (!leafKeyIsOverflow(p, i)) return stored;
  const ref = refAt(stored, 0);
  return readOverflow(f, ref.first, ref.length);
}

/** The key of a leaf item given as bytes: a view, or read from its chain. */
export function itemKeyOf(f: AmFile, item: Uint8Array): Uint8Array {
  const stored = item.subarray(LEAF_ITEM_HEADER, LEAF_ITEM_HEADER + (item[1]! | (item[2]! << 8)));
  if ((item[0]! & FLAG_OVERFLOW_KEY) === 0) return stored;
  const ref = refAt(stored, 0);
  return readOverflow(f, ref.first, ref.length);
}

/** Frees the key chain of leaf item i, if its key is on one. */
export function freeLeafKey(f: AmFile, p: Frame, i: number): void {
  if (!leafKeyIsOverflow(p, i)) return;
  const ref = refAt(leafKey(p, i), 0);
  freeOverflow(f, ref.first, ref.length);
}

/** The chain of leaf item i's key, or undefined (verify claims its pages). */
export function leafKeyChain(p: Frame, i: number): { first: Pgno; length: number } | undefined {
  return leafKeyIsOverflow(p, i) ? refAt(leafKey(p, i), 0) : undefined;
}

/**
 * The key part of internal item i's separator, from byte `at` of the page (the separator's
 * start, or past a tree-with-duplicates' separator header) for `length` bytes: a view, or
 * read from its chain.
 */
export function separatorKeyAt(f: AmFile, p: Frame, i: number, at: number, length: number):
  Uint8Array {
  if (!internalKeyOnChain(p, i)) return p.data.subarray(at, at + length);
  const ref = refAt(p.data, at);
  return readOverflow(f, ref.first, ref.length);
}

/** The chain of internal item i's separator key at `at`, or undefined. */
export function separatorKeyChain(p: Frame, i: number, at: number):
  { first: Pgno; length: number } | undefined {
  return internalKeyOnChain(p, i) ? refAt(p.data, at) : undefined;
}

/** Frees the chain of internal item i's separator key at `at`, if it has one. */
export function freeSeparatorKey(f: AmFile, p: Frame, i: number, at: number): void {
  const chain = separatorKeyChain(p, i, at);
  if (chain) freeOverflow(f, chain.first, chain.length);
}

/**
 * The separator key between a left and a right key (left < right) under byte order: the
 * shortest prefix of `right` that sorts after `left` (invariant 3).
 */
export function shortestSeparator(left: Uint8Array, right: Uint8Array): Uint8Array {
  const n = Math.min(left.length, right.length);
  let i = 0;
  while (i < n && left[i] === right[i]) i++;
  const cut = right.subarray(0, Math.min(right.length, i + 1));
  return compareBytes(cut, left) > 0 ? cut : right;
}

/** A separator for a new internal item: its bytes, and whether its key is on a chain. */
export interface Separator {
  bytes: Uint8Array;
  keyOnChain: boolean;
}

/** What choosing a separator needs of the tree. */
export interface SeparatorTree {
  readonly file: AmFile;
  readonly compare: ((a: Uint8Array, b: Uint8Array) => number) | undefined;
  readonly maxSeparator: number;
}

/**
 * The separator between two neighbouring leaf items of a tree without duplicates (`left`
 * sorts before `right`): the right key, cut as invariant 3 says when it is long, on a new
 * chain when it still does not fit.
 */
export function plainSeparator(t: SeparatorTree, left: Uint8Array, right: Uint8Array):
  Separator {
  if ((right[0]! & FLAG_OVERFLOW_KEY) === 0) {
    const len = right[1]! | (right[2]! << 8);
    return { bytes: right.slice(LEAF_ITEM_HEADER, LEAF_ITEM_HEADER + len), keyOnChain: false };
  }
  let key = itemKeyOf(t.file, right);
  if (!t.compare) key = shortestSeparator(itemKeyOf(t.file, left), key);
  if (key.length <= t.maxSeparator) return { bytes: key.slice(), keyOnChain: false };
  return { bytes: keyReference(t.file, key), keyOnChain: true };
}
