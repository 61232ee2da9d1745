/**
 * Value heads: a search index of the values of each key's run on a leaf of a tree with
 * sorted duplicates under byte order, so that looking up a pair (`has(key, value)`) binary-
 * searches one small contiguous array instead of reading a slot and an item per probe,
 * which lie apart on the page.
 *
 * Layer: am/btree (rank 5).
 *
 * A run's *prefix* is the longest prefix its first and last values share; values sort
 * within the run, so every value of it has that prefix. Each slot of an indexed run holds
 * two words: the value's head (the 4 bytes after the run's prefix, big-endian, zero-padded),
 * and the value's length | the prefix length << 16. The index is a `ValueHeads` object on
 * the leaf's `frame.derived` (trees with duplicates keep nothing else there), one for the
 * leaf at its current version, with the runs indexed one by one.
 *
 * Invariants:
 * 1. The object is used only while its version is the frame's (the cache bumps the version
 *    before every change of the page).
 * 2. A run is indexed at its second search at one version, never the first (the search of
 *    a write is followed by the change that makes the index stale); a run holding a value on
 *    an overflow chain, or a prefix longer than `MAX_PREFIX` bytes, is never indexed.
 * 3. `searchValueHeads` gives exactly what `searchRun` (search.ts) gives over the run.
 * 4. Of two values with the run's prefix and equal heads, one of at most prefix + 4 bytes is
 *    a prefix of the other: they order by length, reading no page byte.
 */
import type { Frame } from '../../mpool/index.js';
import { getSlotCount, slotLength, slotOffset } from '../../page/index.js';
import { FLAG_OVERFLOW_VALUE, LEAF_ITEM_HEADER } from './format.js';
import { compareFrom, headAt } from './derived-area.js';
import type { SearchResult } from './search.js';

/** Marks in the second word of a run's first slot. */
const INDEXED = 0x80000000;
const SEEN = 0x40000000;
const REFUSED = 0x20000000;
/** The longest run prefix the second word holds (13 bits). */
const MAX_PREFIX = 0x1fff;

/** The value heads of one leaf at one version (see the file header). */
export class ValueHeads {
  constructor(readonly version: number, readonly words: Uint32Array) {}
}

/**
 * Searches the values of the run [first, end) of leaf `p` for `value` into `out` (the
 * first slot whose value is >= it, and whether it is equal), as `searchRun` does; false when
 * the run has no index (yet): the caller searches the run itself.
 */
export function searchValueHeads(p: Frame, first: number, end: number, value: Uint8Array,
  out: SearchResult): boolean {
  if (first >= end) return false;
  let heads = p.derived;
  if (!(heads instanceof ValueHeads) || heads.version !== p.version) {
    heads = p.derived = new ValueHeads(p.version, new Uint32Array(2 * getSlotCount(p)));
  }
  const words = (heads as ValueHeads).words;
  const mark = words[2 * first + 1]!;
  if ((mark & INDEXED) === 0) {
    if ((mark & REFUSED) !== 0) return false;
    if ((mark & SEEN) === 0) {
      words[2 * first + 1] = SEEN;
      return false;
    }
    if (!indexRun(p, words, first, end)) return false;
  }
  lookUp(p, words, first, end, value, out);
  return true;
}

/** Offset of the value of slot `i`, and its length (in `valueLength`). */
function valueAt(p: Frame, i: number): number {
  const off = slotOffset(p, i);
  return off + LEAF_ITEM_HEADER + (p.data[off + 1]! | (p.data[off + 2]! << 8));
}

function valueLength(p: Frame, i: number): number {
  return slotOffset(p, i) + slotLength(p, i) - valueAt(p, i);
}

/** Indexes the run [first, end); false (and refused) when invariant 2 forbids it. */
function indexRun(p: Frame, words: Uint32Array, first: number, end: number): boolean {
  const d = p.data;
  for (let i = first; i < end; i++) {
    if ((d[slotOffset(p, i)]! & FLAG_OVERFLOW_VALUE) !== 0) return refuse(words, first);
  }
  const lo = valueAt(p, first);
  const hi = valueAt(p, end - 1);
  const max = Math.min(valueLength(p, first), valueLength(p, end - 1));
  let pl = 0;
  while (pl < max && d[lo + pl] === d[hi + pl]) pl++;
  if (pl > MAX_PREFIX) return refuse(words, first);
  for (let i = first; i < end; i++) {
    const at = valueAt(p, i);
    const len = valueLength(p, i);
    words[2 * i] = headAt(d, at + pl, at + len);
    words[2 * i + 1] = (len | (pl << 16)) >>> 0;
  }
  words[2 * first + 1] = (words[2 * first + 1]! | INDEXED) >>> 0;
  return true;
}

function refuse(words: Uint32Array, first: number): false {
  words[2 * first + 1] = REFUSED;
  return false;
}

/** The search proper, over an indexed run. */
function lookUp(p: Frame, words: Uint32Array, first: number, end: number, value: Uint8Array,
  out: SearchResult): void {
  out.found = false;
  const pl = (words[2 * first + 1]! >>> 16) & MAX_PREFIX;
  // Against the prefix (the run's first value holds it): a value below it goes first, one
  // above it last, and one that ends inside it sorts before every value of the run.
  const d = p.data;
  const at = valueAt(p, first);
  const n = value.length < pl ? value.length : pl;
  for (let i = 0; i < n; i++) {
    const diff = value[i]! - d[at + i]!;
    if (diff !== 0) {
      out.index = diff < 0 ? first : end;
      return;
    }
  }
  if (value.length < pl) {
    out.index = first;
    return;
  }
  const vh = headAt(value, pl, value.length);
  let lo = first;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const head = words[2 * mid]!;
    const r = vh !== head ? (vh < head ? -1 : 1)
      : compareTail(p, words[2 * mid + 1]!, mid, value, pl);
    if (r > 0) lo = mid + 1;
    else {
      hi = mid;
      out.found = r === 0;
    }
  }
  out.index = lo;
}

/** `value` against the value of slot `i`, whose head equals value's (invariant 4). */
function compareTail(p: Frame, entry: number, i: number, value: Uint8Array, pl: number):
  number {
  const len = entry & 0xffff;
  if (len <= pl + 4 || value.length <= pl + 4) return value.length - len;
  return compareFrom(value, pl, p.data, valueAt(p, i) + pl, len - pl);
}

/** Whether the leaf has value heads of some run at its version (for tests). */
export function valueHeadsState(frame: Frame): 'indexed' | 'none' {
  const heads = frame.derived;
  if (!(heads instanceof ValueHeads) || heads.version !== frame.version) return 'none';
  const w = heads.words;
  for (let i = 1; i < w.length; i += 2) if ((w[i]! & INDEXED) !== 0) return 'indexed';
  return 'none';
}
