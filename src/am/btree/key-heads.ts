/**
 * Key heads: a search index derived from a btree page, so that binary search touches one
 * small contiguous array instead of a slot and a key (two cache misses) per probe.
 *
 * Layer: am/btree (rank 5). Used only with the default (byte order) comparator.
 *
 * For a page, the prefix is the longest prefix shared by all its keys (that of the first and
 * last key, as keys are sorted) and head i holds the 4 bytes of key i after it, big-endian,
 * zero-padded. Heads order like their keys, except that equal heads say nothing: those keys
 * are compared in full. Prefix and heads share one `Uint32Array` (`words`: the prefix bytes
 * packed four to a word, then the heads), so a search reaches them in one memory access.
 *
 * Invariants:
 * 1. An index is used only while the frame's `version` equals the one it was built at, so
 *    any change of the page rebuilds it (lazily, at the second search after the change).
 * 2. `lowerBound` returns exactly what a binary search over the full keys would.
 */
import type { Frame } from '../../mpool/index.js';
import { getSlotCount, slotLength, slotOffset } from '../../page/index.js';
import { INTERNAL_ITEM_HEADER, LEAF_ITEM_HEADER } from './format.js';

export class KeyHeads {
  constructor(
    readonly version: number,
    /** First slot with a key: 0 on leaves, 1 on internal pages (slot 0 is "-infinity"). */
    readonly first: number,
    readonly count: number,
    readonly prefixLength: number,
    /** The packed prefix, then one head per key from slot `first` on. */
    readonly words: Uint32Array,
  ) {}

  /** Index in `words` of the first head. */
  get headsStart(): number {
    return (this.prefixLength + 3) >>> 2;
  }
}

/** Offset of the key of slot `i`. */
function keyOffset(p: Frame, i: number, leaf: boolean): number {
  return slotOffset(p, i) + (leaf ? LEAF_ITEM_HEADER : INTERNAL_ITEM_HEADER);
}

/** Length of the key of slot `i`. */
function keyLength(p: Frame, i: number, leaf: boolean): number {
  if (!leaf) return slotLength(p, i) - INTERNAL_ITEM_HEADER;
  const off = slotOffset(p, i);
  return p.data[off + 1]! | (p.data[off + 2]! << 8);
}

/** The 4 bytes of `bytes` at `from` (zero past `end`) as a big-endian unsigned number. */
function headAt(bytes: Uint8Array, from: number, end: number): number {
  const b0 = from < end ? bytes[from]! : 0;
  const b1 = from + 1 < end ? bytes[from + 1]! : 0;
  const b2 = from + 2 < end ? bytes[from + 2]! : 0;
  const b3 = from + 3 < end ? bytes[from + 3]! : 0;
  return ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
}

/** Marks a page searched once at a version; an index is built at the second search. */
class SeenOnce {
  constructor(readonly version: number) {}
}

/**
 * The index of `frame` (a leaf or an internal page), or undefined the first time the page
 * is searched at its current version: a page that changes between every two searches (the
 * tail of a bulk load) would pay for an index it never uses.
 */
export function keyHeadsOf(frame: Frame, leaf: boolean): KeyHeads | undefined {
  const cached = frame.derived;
  if (cached !== undefined && cached.version === frame.version) {
    if (cached instanceof KeyHeads) return cached;
    const built = buildHeads(frame, leaf);
    frame.derived = built;
    return built;
  }
  frame.derived = new SeenOnce(frame.version);
  return undefined;
}

function buildHeads(frame: Frame, leaf: boolean): KeyHeads {
  const first = leaf ? 0 : 1;
  const count = getSlotCount(frame);
  const d = frame.data;
  if (count <= first) return new KeyHeads(frame.version, first, count, 0, new Uint32Array(0));
  const lo = keyOffset(frame, first, leaf);
  const loLen = keyLength(frame, first, leaf);
  const hi = keyOffset(frame, count - 1, leaf);
  const hiLen = keyLength(frame, count - 1, leaf);
  let prefixLen = 0;
  const max = Math.min(loLen, hiLen);
  while (prefixLen < max && d[lo + prefixLen] === d[hi + prefixLen]) prefixLen++;
  const start = (prefixLen + 3) >>> 2;
  const words = new Uint32Array(start + count - first);
  for (let w = 0; w < start; w++) words[w] = headAt(d, lo + w * 4, lo + prefixLen);
  for (let i = first; i < count; i++) {
    const off = keyOffset(frame, i, leaf);
    words[start + i - first] = headAt(d, off + prefixLen, off + keyLength(frame, i, leaf));
  }
  return new KeyHeads(frame.version, first, count, prefixLen, words);
}

/** Result of a search: set by `lowerBound`. */
export interface HeadsResult {
  found: boolean;
}

/**
 * The first slot in [first, count) whose key is >= `key` (count when none); `out.found`
 * tells whether it equals `key`.
 */
export function lowerBound(
  frame: Frame, h: KeyHeads, key: Uint8Array, leaf: boolean, out: HeadsResult,
): number {
  out.found = false;
  const { first, count, words } = h;
  const pl = h.prefixLength;
  // The prefix, four bytes at a time: past the end of the key or of the prefix both sides
  // read as zeros, and a key that ends inside the prefix sorts before every key.
  const keyEnd = key.length < pl ? key.length : pl;
  const base = h.headsStart;
  for (let w = 0; w < base; w++) {
    const kw = headAt(key, w << 2, keyEnd);
    const pw = words[w]!;
    if (kw !== pw) return kw < pw ? first : count;
  }
  if (key.length < pl) return first;
  const kh = headAt(key, pl, key.length);
  const n = count - first;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (words[base + mid]! < kh) lo = mid + 1;
    else hi = mid;
  }
  return fullSearch(frame, key, leaf, first, pl, lo, equalHeadsEnd(words, base, n, lo, kh), out);
}

/** One past the last head equal to `kh` from `lo` on (usually none or one: checked first). */
function equalHeadsEnd(words: Uint32Array, base: number, n: number, lo: number,
  kh: number): number {
  if (lo >= n || words[base + lo] !== kh) return lo;
  let end = lo + 1;
  if (end >= n || words[base + end] !== kh) return end;
  let hi = n;
  while (end < hi) {
    const mid = (end + hi) >>> 1;
    if (words[base + mid]! <= kh) end = mid + 1;
    else hi = mid;
  }
  return end;
}

/** Byte-order comparison of `key[from..]` with `len` bytes of `data` at `off`. */
function compareFrom(key: Uint8Array, from: number, data: Uint8Array, off: number,
  len: number): number {
  const keyLen = key.length - from;
  const n = keyLen < len ? keyLen : len;
  for (let i = 0; i < n; i++) {
    const diff = key[from + i]! - data[off + i]!;
    if (diff !== 0) return diff;
  }
  return keyLen - len;
}

/** Binary search with full key comparisons over slots [first+lo, first+end), equal heads. */
function fullSearch(frame: Frame, key: Uint8Array, leaf: boolean, first: number, pl: number,
  lo: number, end: number, out: HeadsResult): number {
  let a = lo;
  let b = end;
  const d = frame.data;
  while (a < b) {
    const mid = (a + b) >>> 1;
    const i = first + mid;
    const off = keyOffset(frame, i, leaf);
    const c = compareFrom(key, pl, d, off + pl, keyLength(frame, i, leaf) - pl);
    if (c > 0) a = mid + 1;
    else {
      b = mid;
      if (c === 0) out.found = true;
    }
  }
  if (a === end) out.found = false;
  return first + a;
}
