/**
 * Separator heads: a search index derived from an internal page of a tree with duplicates
 * whose keys order bytewise. It holds the head of each separator's key part and where its
 * item lies, so a descent's binary search reads one small contiguous array instead of a
 * slot and an item (two cache misses) per probe, and reads the page only on a tie. The
 * index lives in the frame's derived area, beside the page bytes, when it fits.
 *
 * Layer: am/btree (rank 5).
 *
 * Area layout, in words from `derivedAt` (derived-area.ts has the states):
 * | word | meaning                                                                      |
 * | ---- | ---------------------------------------------------------------------------- |
 * | 0    | state: `AREA_SEPARATORS`                                                     |
 * | 1    | entries n: the separators of slots 1 .. n (slot 0 is "-infinity")            |
 * | 2    | prefix length pl: the longest prefix the separators' key parts all share     |
 * | 3    | the child page of slot 0                                                     |
 * | 4 .. | the prefix packed four bytes to a word, then three words per entry: the head |
 * |      | of its key part (the 4 bytes after the prefix, big-endian, zero-padded), its |
 * |      | item's offset \| key length << 16, and its child page                        |
 *
 * Invariants:
 * 1. The index is used only while the page is unchanged: the cache clears the state word
 *    before every change (mpool/frame.ts invariant 4).
 * 2. It is built at the second search of a page at one version (derived-area.ts invariant 2).
 * 3. `searchSeparators` returns exactly the child the search over the full separators
 *    (search.ts `searchInternalTarget`) would: ties on the key part are decided by the
 *    target's place among the duplicates, as there.
 * 4. A page with a separator key on an overflow chain gets no index (`AREA_DIRECT`) until it
 *    changes. An index larger than the area is a `SeparatorHeads` object on `frame.derived`
 *    (`AREA_ELSEWHERE`), used only while its version is the frame's; building never writes
 *    past the area.
 * 5. A descent through an indexed page reads no page byte but on a tie (`childBySeparators`
 *    gives the child page too).
 * 6. Of two key parts with equal heads, one of at most pl + 4 bytes is a prefix of the
 *    other: they order by length (equal lengths: equal parts), reading no page byte.
 */
import type { Frame } from '../../mpool/index.js';
import { getSlotCount, slotOffset } from '../../page/index.js';
import type { Pgno } from '../../util/index.js';
import { CHILD_KEY_ON_CHAIN, internalChild } from './format.js';
import {
  AREA_DIRECT, AREA_ELSEWHERE, AREA_NONE, AREA_SEEN, AREA_SEPARATORS, compareFrom, headAt,
} from './derived-area.js';
import {
  AFTER_DUPS, BEFORE_DUPS, type DupOrderTree, type DupTarget, SEPARATOR_HEADER, SEP_KEY_MASK,
  compareTargetSeparator,
} from './dup-order.js';

/** Words before the prefix: state, entries, prefix length, child of slot 0. */
const AREA_HEADER = 4;
/** Words per entry: head, item offset | key length << 16, child page. */
const ENTRY_WORDS = 3;

/** An index that did not fit in its page's area, kept on `frame.derived` (same layout). */
export class SeparatorHeads {
  /** Copies of the key runs of the leaves below, made as they are read (child-runs.ts). */
  childRuns: Uint32Array | undefined = undefined;

  constructor(readonly version: number, readonly words: Uint32Array) {}

  /** Children of the page: its separators and slot 0. */
  get children(): number {
    return this.words[1]! + 1;
  }
}

/** The page's `SeparatorHeads` object when it holds its current index, else undefined. */
export function separatorObject(p: Frame): SeparatorHeads | undefined {
  const heads = p.derived;
  return p.words[p.derivedAt] === AREA_ELSEWHERE && heads instanceof SeparatorHeads &&
    heads.version === p.version ? heads : undefined;
}

/**
 * The child of internal page `p` that `target` descends to (invariant 3), or -1 when the
 * page has no index (the caller searches the page itself). `header` is the tree's internal
 * item header size.
 */
export function searchSeparators(t: DupOrderTree, p: Frame, target: DupTarget,
  header: number): number {
  const words = p.words;
  const at = p.derivedAt;
  let state = words[at]!;
  if (state === AREA_SEPARATORS) return lookUp(t, p, target, header, words, at);
  if (state === AREA_NONE) {
    words[at] = AREA_SEEN;
    return -1;
  }
  if (state === AREA_SEEN) words[at] = state = buildSeparators(p, header);
  if (state === AREA_SEPARATORS) return lookUp(t, p, target, header, words, at);
  if (state !== AREA_ELSEWHERE) return -1;
  const cached = p.derived;
  let heads: SeparatorHeads;
  if (cached instanceof SeparatorHeads && cached.version === p.version) heads = cached;
  else {
    heads = new SeparatorHeads(p.version, new Uint32Array(indexWords(p, header)));
    writeIndex(p, header, heads.words, 0);
    p.derived = heads;
  }
  return lookUp(t, p, target, header, heads.words, 0);
}

/** The child a descent takes: its index on the page and its page number. */
export interface SeparatorStep {
  index: number;
  pgno: Pgno;
}

/**
 * The child of `p` that `target` descends to, into `out`, when `p` is an internal page with
 * a built index (invariant 5); else false, reading nothing but the area's state.
 */
export function childBySeparators(t: DupOrderTree, p: Frame, target: DupTarget,
  header: number, out: SeparatorStep): boolean {
  const state = p.words[p.derivedAt];
  let words = p.words;
  let at = p.derivedAt;
  if (state === AREA_ELSEWHERE) {
    const heads = p.derived;
    if (!(heads instanceof SeparatorHeads) || heads.version !== p.version) return false;
    words = heads.words;
    at = 0;
  } else if (state !== AREA_SEPARATORS) {
    return false;
  }
  const child = lookUp(t, p, target, header, words, at);
  out.index = child;
  out.pgno = childPageIn(words, at, child);
  return true;
}

/** The child page of slot `child`, from the index in `words` from `at`. */
function childPageIn(words: Uint32Array, at: number, child: number): Pgno {
  return (child === 0 ? words[at + 3]!
    : words[at + AREA_HEADER + ((words[at + 2]! + 3) >>> 2) + (child - 1) * ENTRY_WORDS + 2]!
  ) as Pgno;
}

/** The child page of slot `child` of the page `heads` indexes. */
export function childPage(heads: SeparatorHeads, child: number): Pgno {
  return childPageIn(heads.words, 0, child);
}

/** Offset of the key part of the separator of slot `i`. */
function keyPartAt(p: Frame, i: number, header: number): number {
  return slotOffset(p, i) + header + SEPARATOR_HEADER;
}

/** Length of the key part of the separator of slot `i`. */
function keyPartLength(p: Frame, i: number, header: number): number {
  const off = slotOffset(p, i) + header;
  return (p.data[off]! | (p.data[off + 1]! << 8)) & SEP_KEY_MASK;
}

/**
 * Builds the index, in the area when it fits, else on `frame.derived`; returns the area's
 * new state (invariant 4).
 */
function buildSeparators(p: Frame, header: number): number {
  const slots = getSlotCount(p);
  // An empty page breaks the tree: the search without an index reports it.
  if (slots === 0) return AREA_DIRECT;
  for (let i = 1; i < slots; i++) {
    if ((p.data[slotOffset(p, i) + 3]! & CHILD_KEY_ON_CHAIN) !== 0) return AREA_DIRECT;
  }
  const size = indexWords(p, header);
  if (size > p.derivedLength) {
    const heads = new SeparatorHeads(p.version, new Uint32Array(size));
    writeIndex(p, header, heads.words, 0);
    p.derived = heads;
    return AREA_ELSEWHERE;
  }
  writeIndex(p, header, p.words, p.derivedAt);
  return AREA_SEPARATORS;
}

/** Words the index of page `p` takes. */
function indexWords(p: Frame, header: number): number {
  const slots = getSlotCount(p);
  const entries = slots > 1 ? slots - 1 : 0;
  const pl = entries === 0 ? 0 : sharedPrefix(p, slots, header);
  return AREA_HEADER + ((pl + 3) >>> 2) + entries * ENTRY_WORDS;
}

/** Writes the index (all but the state word) into `words` from `base`. */
function writeIndex(p: Frame, header: number, words: Uint32Array, base: number): void {
  const slots = getSlotCount(p);
  const d = p.data;
  const entries = slots > 1 ? slots - 1 : 0;
  const pl = entries === 0 ? 0 : sharedPrefix(p, slots, header);
  const prefixWords = (pl + 3) >>> 2;
  if (entries > 0) {
    const lo = keyPartAt(p, 1, header);
    for (let w = 0; w < prefixWords; w++) {
      words[base + AREA_HEADER + w] = headAt(d, lo + w * 4, lo + pl);
    }
  }
  let e = base + AREA_HEADER + prefixWords;
  for (let i = 1; i < slots; i++, e += ENTRY_WORDS) {
    const off = keyPartAt(p, i, header);
    const len = keyPartLength(p, i, header);
    words[e] = headAt(d, off + pl, off + len);
    words[e + 1] = (slotOffset(p, i) | (len << 16)) >>> 0;
    words[e + 2] = internalChild(p, i);
  }
  words[base + 1] = entries;
  words[base + 2] = pl;
  words[base + 3] = internalChild(p, 0);
}

/** Length of the prefix the key parts of slots 1 .. slots-1 share (the first's and last's). */
function sharedPrefix(p: Frame, slots: number, header: number): number {
  const d = p.data;
  const lo = keyPartAt(p, 1, header);
  const hi = keyPartAt(p, slots - 1, header);
  const loLen = keyPartLength(p, 1, header);
  const hiLen = keyPartLength(p, slots - 1, header);
  const max = loLen < hiLen ? loLen : hiLen;
  let n = 0;
  while (n < max && d[lo + n] === d[hi + n]) n++;
  return n;
}

/** The search proper, over the index in `words` from `at`. */
function lookUp(t: DupOrderTree, p: Frame, target: DupTarget, header: number,
  words: Uint32Array, at: number): number {
  const entries = words[at + 1]!;
  const pl = words[at + 2]!;
  const key = target.key;
  // The prefix, four bytes at a time (as key-runs.ts): a key below it descends to the first
  // child, above it to the last, and a key ending inside it sorts before every separator.
  const keyEnd = key.length < pl ? key.length : pl;
  const prefixWords = (pl + 3) >>> 2;
  for (let w = 0; w < prefixWords; w++) {
    const kw = headAt(key, w << 2, keyEnd);
    const pw = words[at + AREA_HEADER + w]!;
    if (kw !== pw) return kw < pw ? 0 : entries;
  }
  if (key.length < pl) return 0;
  const kh = headAt(key, pl, key.length);
  const base = at + AREA_HEADER + prefixWords;
  let lo = 0;
  let hi = entries;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const head = words[base + mid * ENTRY_WORDS]!;
    let c = kh !== head ? (kh < head ? -1 : 1)
      : compareKeyPart(p, words[base + mid * ENTRY_WORDS + 1]!, key, pl, header);
    if (c === 0) {
      const where = target.where;
      c = where === BEFORE_DUPS ? -1 : where === AFTER_DUPS ? 1
        : compareTargetSeparator(t, target, p, mid + 1);
    }
    if (c >= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `key` against the key part of an entry whose head equals key's (invariant 5). */
function compareKeyPart(p: Frame, entry: number, key: Uint8Array, pl: number,
  header: number): number {
  const len = entry >>> 16;
  if (key.length <= pl + 4 || len <= pl + 4) return key.length - len;
  const off = (entry & 0xffff) + header + SEPARATOR_HEADER;
  return compareFrom(key, pl, p.data, off + pl, len - pl);
}

/** Where the index of an internal page stands (for tests): built, refused, or not built. */
export function separatorsState(frame: Frame): 'heads' | 'elsewhere' | 'refused' | 'none' {
  switch (frame.words[frame.derivedAt]) {
    case AREA_SEPARATORS: return 'heads';
    case AREA_ELSEWHERE: return 'elsewhere';
    case AREA_DIRECT: return 'refused';
    default: return 'none';
  }
}
