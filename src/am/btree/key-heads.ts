/**
 * Key heads: a search index derived from a btree page, so that a binary search touches one
 * small contiguous array instead of a slot and a key (two cache misses) per probe.
 *
 * Layer: am/btree (rank 5). Used only with the default (byte order) comparator.
 *
 * For a page, the prefix is the longest prefix shared by all its keys (that of the first and
 * last key, as keys are sorted) and head i holds the 4 bytes of key i after it, big-endian,
 * zero-padded. Heads order like their keys, except that equal heads say nothing: those keys
 * are compared in full.
 *
 * Where the index lives: in the frame's derived area, beside the page bytes, when it fits
 * (a random point read then reaches it without chasing pointers through separate objects);
 * else in a `KeyHeads` object on `frame.derived`. Area layout, in words from `derivedAt`:
 *
 * | word       | meaning                                                              |
 * | ---------- | -------------------------------------------------------------------- |
 * | 0          | state (derived-area.ts): `AREA_HEADS` or `AREA_PAIRS` when it holds heads |
 * | 1          | keys indexed (from slot `first` on)                                  |
 * | 2          | prefix length in bytes                                               |
 * | 3 ..       | the prefix packed four bytes to a word, then one entry per key       |
 *
 * An entry is the key's head; with `AREA_PAIRS` (leaves only) it is followed by the item's
 * offset | length << 16, so a point read skips the slot array, and the page header too (the
 * state says the page is a leaf).
 *
 * Invariants:
 * 1. An index is used only while the page is unchanged: the cache clears the area's state
 *    word, and bumps the frame's `version` (which a `KeyHeads` object is checked against),
 *    before every change.
 * 2. The index is built at the second search of a page at one version, never the first
 *    (derived-area.ts invariant 2): the tail of a bulk load would pay for an index it never
 *    uses.
 * 3. `searchHeads` returns exactly what a binary search over the full keys would.
 * 4. A page holding a key on an overflow chain (long-keys.ts) gets no index: its heads would
 *    be those of a reference, not of the key.
 */
import type { Frame } from '../../mpool/index.js';
import { PageType, getSlotCount, getType, slotLength, slotOffset } from '../../page/index.js';
import { FLAG_OVERFLOW_KEY, INTERNAL_ITEM_HEADER, LEAF_ITEM_HEADER } from './format.js';
import {
  AREA_DIRECT, AREA_ELSEWHERE, AREA_HEADS, AREA_NONE, AREA_PAIRS, AREA_RUNS, AREA_SEEN,
  compareFrom, headAt,
} from './derived-area.js';

/** Words before the prefix: state, key count, prefix length. */
const AREA_HEADER = 3;

/** An index kept outside the frame, for pages whose index does not fit in its area. */
export class KeyHeads {
  constructor(
    readonly version: number,
    readonly count: number,
    readonly prefixLength: number,
    /** The packed prefix, then one head per key from slot `first` on. */
    readonly words: Uint32Array,
  ) {}
}

/** Result of a search, set by `searchHeads`. */
export interface HeadsResult {
  found: boolean;
  /** The found leaf item's offset | length << 16 when the index knows it, else -1. */
  item: number;
}

/** Where a search reads an index: the words, the prefix's first word, shape and stride. */
interface IndexView {
  words: Uint32Array;
  base: number;
  count: number;
  prefixLength: number;
  stride: number;
}

const view: IndexView = {
  words: new Uint32Array(0), base: 0, count: 0, prefixLength: 0, stride: 1,
};

/** First slot with a key: 0 on leaves, 1 on internal pages (slot 0 is "-infinity"). */
function firstSlot(leaf: boolean): number {
  return leaf ? 0 : 1;
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

/**
 * The first slot in [first, count) whose key is >= `key` (count when none), or -1 when the
 * page has no index yet (the caller searches the page itself). `out.found` tells whether
 * that slot's key equals `key`.
 */
export function searchHeads(frame: Frame, key: Uint8Array, leaf: boolean,
  out: HeadsResult): number {
  const words = frame.words;
  const at = frame.derivedAt;
  let state = words[at]!;
  if (state < AREA_HEADS) {
    if (state === AREA_NONE) {
      words[at] = AREA_SEEN;
      return -1;
    }
    if (state === AREA_SEEN) words[at] = state = buildInArea(frame, leaf);
    if (state === AREA_ELSEWHERE) return searchObject(frame, key, leaf, out);
    if (state === AREA_DIRECT) return -1;
  }
  const v = view;
  v.words = words;
  v.base = at + AREA_HEADER;
  v.count = words[at + 1]!;
  v.prefixLength = words[at + 2]!;
  v.stride = state === AREA_PAIRS ? 2 : 1;
  return lowerBound(frame, v, key, leaf, out);
}

/**
 * True when the frame is known to hold a btree leaf without reading its header: its area
 * holds a leaf index (key heads with item offsets, or key runs: built from the page as it
 * is). A point read then never touches the page's first cache line.
 */
export function isKnownLeaf(frame: Frame): boolean {
  const state = frame.words[frame.derivedAt];
  return state === AREA_PAIRS || state === AREA_RUNS;
}

/** Searches with the `KeyHeads` object of the page, building it when stale. */
function searchObject(frame: Frame, key: Uint8Array, leaf: boolean, out: HeadsResult): number {
  const cached = frame.derived;
  let h: KeyHeads;
  if (cached instanceof KeyHeads && cached.version === frame.version) h = cached;
  else frame.derived = h = buildObject(frame, leaf);
  const v = view;
  v.words = h.words;
  v.base = 0;
  v.count = h.count;
  v.prefixLength = h.prefixLength;
  v.stride = 1;
  return lowerBound(frame, v, key, leaf, out);
}

/** Length of the prefix shared by the keys of slots [first, count). */
function sharedPrefix(frame: Frame, leaf: boolean, first: number, count: number): number {
  if (count <= first) return 0;
  const d = frame.data;
  const lo = keyOffset(frame, first, leaf);
  const hi = keyOffset(frame, count - 1, leaf);
  const loLen = keyLength(frame, first, leaf);
  const hiLen = keyLength(frame, count - 1, leaf);
  const max = loLen < hiLen ? loLen : hiLen;
  let n = 0;
  while (n < max && d[lo + n] === d[hi + n]) n++;
  return n;
}

/** Writes the prefix and the entries of slots [first, count) into `words` from `base`. */
function writeIndex(frame: Frame, leaf: boolean, pl: number, words: Uint32Array, base: number,
  stride: number): void {
  const first = firstSlot(leaf);
  const count = getSlotCount(frame);
  const d = frame.data;
  if (count > first) {
    const lo = keyOffset(frame, first, leaf);
    const prefixWords = (pl + 3) >>> 2;
    for (let w = 0; w < prefixWords; w++) words[base + w] = headAt(d, lo + w * 4, lo + pl);
  }
  let e = base + ((pl + 3) >>> 2);
  for (let i = first; i < count; i++, e += stride) {
    const off = keyOffset(frame, i, leaf);
    words[e] = headAt(d, off + pl, off + keyLength(frame, i, leaf));
    if (stride === 2) words[e + 1] = (slotOffset(frame, i) | (slotLength(frame, i) << 16)) >>> 0;
  }
}

/**
 * Builds the index in the area when it fits; returns the area's new state. Item offsets
 * are kept only for a page that is a btree leaf, so the state `AREA_PAIRS` also says that.
 */
function buildInArea(frame: Frame, leaf: boolean): number {
  if (holdsChainedKey(frame, leaf)) return AREA_DIRECT;
  const first = firstSlot(leaf);
  const count = getSlotCount(frame);
  const keys = count > first ? count - first : 0;
  const pl = sharedPrefix(frame, leaf, first, count);
  const room = frame.derivedLength - AREA_HEADER - ((pl + 3) >>> 2);
  const isLeaf = leaf && getType(frame) === PageType.BTREE_LEAF;
  const stride = isLeaf && 2 * keys <= room ? 2 : 1;
  if (keys > room) return AREA_ELSEWHERE;
  const words = frame.words;
  const at = frame.derivedAt;
  words[at + 1] = keys;
  words[at + 2] = pl;
  writeIndex(frame, leaf, pl, words, at + AREA_HEADER, stride);
  return stride === 2 ? AREA_PAIRS : AREA_HEADS;
}

/** True when a key (or separator) of the page is on an overflow chain (invariant 4). */
function holdsChainedKey(frame: Frame, leaf: boolean): boolean {
  const count = getSlotCount(frame);
  const d = frame.data;
  for (let i = firstSlot(leaf); i < count; i++) {
    const off = slotOffset(frame, i);
    if (leaf ? (d[off]! & FLAG_OVERFLOW_KEY) !== 0 : (d[off + 3]! & 0x80) !== 0) return true;
  }
  return false;
}

function buildObject(frame: Frame, leaf: boolean): KeyHeads {
  const first = firstSlot(leaf);
  const count = getSlotCount(frame);
  const keys = count > first ? count - first : 0;
  const pl = sharedPrefix(frame, leaf, first, count);
  const words = new Uint32Array(((pl + 3) >>> 2) + keys);
  writeIndex(frame, leaf, pl, words, 0, 1);
  return new KeyHeads(frame.version, keys, pl, words);
}

/** The search proper, over the index `v` describes. */
function lowerBound(frame: Frame, v: IndexView, key: Uint8Array, leaf: boolean,
  out: HeadsResult): number {
  out.found = false;
  out.item = -1;
  const { words, count, stride } = v;
  const first = firstSlot(leaf);
  const pl = v.prefixLength;
  // The prefix, four bytes at a time: past the end of the key or of the prefix both sides
  // read as zeros, and a key that ends inside the prefix sorts before every key.
  const keyEnd = key.length < pl ? key.length : pl;
  const prefixWords = (pl + 3) >>> 2;
  for (let w = 0; w < prefixWords; w++) {
    const kw = headAt(key, w << 2, keyEnd);
    const pw = words[v.base + w]!;
    if (kw !== pw) return kw < pw ? first : first + count;
  }
  if (key.length < pl) return first;
  const kh = headAt(key, pl, key.length);
  const base = v.base + prefixWords;
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (words[base + mid * stride]! < kh) lo = mid + 1;
    else hi = mid;
  }
  const end = equalHeadsEnd(v, base, lo, kh);
  return first + fullSearch(frame, v, base, key, leaf, lo, end, out);
}

/** One past the last head equal to `kh` from `lo` on (usually none or one: checked first). */
function equalHeadsEnd(v: IndexView, base: number, lo: number, kh: number): number {
  const { words, count, stride } = v;
  if (lo >= count || words[base + lo * stride] !== kh) return lo;
  let end = lo + 1;
  if (end >= count || words[base + end * stride] !== kh) return end;
  let hi = count;
  while (end < hi) {
    const mid = (end + hi) >>> 1;
    if (words[base + mid * stride]! <= kh) end = mid + 1;
    else hi = mid;
  }
  return end;
}

/**
 * Binary search with full key comparisons over the entries [lo, end), whose heads are
 * equal; returns the entry. A pair entry gives the item's offset without its slot.
 */
function fullSearch(frame: Frame, v: IndexView, base: number, key: Uint8Array, leaf: boolean,
  lo: number, end: number, out: HeadsResult): number {
  const first = firstSlot(leaf);
  const pl = v.prefixLength;
  const d = frame.data;
  let a = lo;
  let b = end;
  let item = -1;
  while (a < b) {
    const mid = (a + b) >>> 1;
    const pair = v.stride === 2 ? v.words[base + mid * 2 + 1]! : -1;
    const i = first + mid;
    const off = pair >= 0 ? (pair & 0xffff) + LEAF_ITEM_HEADER : keyOffset(frame, i, leaf);
    const len = pair >= 0 ? d[off - 2]! | (d[off - 1]! << 8) : keyLength(frame, i, leaf);
    const c = compareFrom(key, pl, d, off + pl, len - pl);
    if (c > 0) a = mid + 1;
    else {
      b = mid;
      if (c === 0) {
        out.found = true;
        item = pair;
      }
    }
  }
  if (a === end) out.found = false;
  else if (out.found) out.item = item;
  return a;
}

/** Where the index of a page is kept at the moment (for statistics and tests). */
export type IndexHome = 'none' | 'area-pairs' | 'area-heads' | 'object';

export function indexHome(frame: Frame): IndexHome {
  switch (frame.words[frame.derivedAt]) {
    case AREA_PAIRS: return 'area-pairs';
    case AREA_HEADS: return 'area-heads';
    case AREA_ELSEWHERE: {
      const h = frame.derived;
      return h instanceof KeyHeads && h.version === frame.version ? 'object' : 'none';
    }
    default: return 'none';
  }
}
