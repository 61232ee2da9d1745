/**
 * Key runs: a search index derived from a leaf of a tree with duplicates under byte order.
 * A run is the slots of one key on the leaf (its duplicates there, in order); the index
 * holds each run's key head and first slot, so finding a key's duplicates reads one small
 * contiguous array instead of a slot and an item per probe, and reads no page byte at all
 * when the head decides.
 *
 * Layer: am/btree (rank 5). Used only when keys and duplicates both order bytewise.
 *
 * Area layout, in words from `derivedAt` (derived-area.ts has the states):
 * | word | meaning                                                                      |
 * | ---- | ---------------------------------------------------------------------------- |
 * | 0    | state: `AREA_RUNS`                                                           |
 * | 1    | runs r \| the leaf's slot count << 16 (a search then never reads the header)  |
 * | 2    | prefix length pl: the longest prefix all keys of the leaf share              |
 * | 3 .. | the prefix packed four bytes to a word, then two words per run: the head of  |
 * |      | its key (the 4 bytes after the prefix, big-endian, zero-padded), and its     |
 * |      | first slot \| key length << 16                                               |
 *
 * Invariants:
 * 1. The index is used only while the leaf is unchanged: the cache clears the state word
 *    before every change (mpool/frame.ts invariant 4).
 * 2. It is built at the second search of a leaf at one version (derived-area.ts invariant 2).
 * 3. `searchRuns` gives exactly what binary searches over the full keys would: the first slot
 *    whose key is >= the key, and the first whose key is > it.
 * 4. A leaf holding a key on an overflow chain, or more runs than its area holds, gets no
 *    index (`AREA_NO_RUNS`) until it changes.
 * 5. Building never writes past the area's `derivedLength` words (they are followed by the
 *    next frame's page bytes): it counts the room in whole runs first.
 * 6. Of two keys with equal heads, one of at most pl + 4 bytes is a prefix of the other:
 *    they order by length (equal lengths: equal keys) without reading the page.
 */
import type { Frame } from '../../mpool/index.js';
import { getSlotCount, slotOffset } from '../../page/index.js';
import { FLAG_OVERFLOW_KEY, LEAF_ITEM_HEADER } from './format.js';
import {
  AREA_NONE, AREA_NO_RUNS, AREA_RUNS, AREA_SEEN, compareFrom, headAt,
} from './derived-area.js';

/** Words before the prefix: state, runs, prefix length. */
const RUNS_HEADER = 3;
/** Words per run: head, then first slot | key length << 16. */
const RUN_WORDS = 2;

/** The slots of a key's run on a leaf: [first, end), empty (at its place) when absent. */
export interface RunBounds {
  first: number;
  end: number;
  /** The leaf's slot count. */
  slots: number;
}

/**
 * Fills `out` with the run of `key` on the leaf (invariant 3) and returns true, or returns
 * false when the leaf has no index (the caller searches the leaf itself).
 */
export function searchRuns(frame: Frame, key: Uint8Array, out: RunBounds): boolean {
  const words = frame.words;
  const at = frame.derivedAt;
  const state = words[at]!;
  if (state !== AREA_RUNS) {
    if (state === AREA_NONE) {
      words[at] = AREA_SEEN;
      return false;
    }
    if (state !== AREA_SEEN) return false;
    words[at] = buildRuns(frame);
    if (words[at] !== AREA_RUNS) return false;
  }
  lookUp(words, at, frame, key, out);
  return true;
}

/** Words a copy of a leaf's index (`copyRuns`) may take. */
export const RUNS_COPY_WORDS = 16;

/**
 * Copies the leaf's built index into `dest` from `at` (child-runs.ts) when it takes at most
 * `RUNS_COPY_WORDS` words; false, copying nothing, otherwise. After the index, the copy
 * holds one more word per run: the 4 bytes of its key after the head (its *tail*), so that
 * keys up to 8 bytes past the prefix are decided without the leaf.
 */
export function copyRuns(frame: Frame, dest: Uint32Array, at: number): boolean {
  const words = frame.words;
  const from = frame.derivedAt;
  if (words[from] !== AREA_RUNS) return false;
  const runs = words[from + 1]! & 0xffff;
  const pl = words[from + 2]!;
  const indexSize = RUNS_HEADER + ((pl + 3) >>> 2) + runs * RUN_WORDS;
  if (indexSize + runs > RUNS_COPY_WORDS) return false;
  for (let i = 0; i < indexSize; i++) dest[at + i] = words[from + i]!;
  for (let r = 0; r < runs; r++) {
    const run = words[from + indexSize - (runs - r) * RUN_WORDS + 1]!;
    const off = keyAt(frame, run & 0xffff);
    dest[at + indexSize + r] = headAt(frame.data, off + pl + 4, off + (run >>> 16));
  }
  return true;
}

/**
 * `searchRuns` over a copy made by `copyRuns`, without the leaf: false when the copy cannot
 * decide (a key longer than the prefix and head ties with a run's key, whose bytes are on
 * the leaf only).
 */
export function searchRunsCopy(words: Uint32Array, at: number, key: Uint8Array,
  out: RunBounds): boolean {
  return words[at] === AREA_RUNS && lookUp(words, at, undefined, key, out);
}

/** Where the index of a leaf stands (for tests): built, refused, or not (yet) built. */
export function runsState(frame: Frame): 'runs' | 'refused' | 'none' {
  const state = frame.words[frame.derivedAt];
  return state === AREA_RUNS ? 'runs' : state === AREA_NO_RUNS ? 'refused' : 'none';
}

/** Offset of the key of slot i of a leaf. */
function keyAt(frame: Frame, i: number): number {
  return slotOffset(frame, i) + LEAF_ITEM_HEADER;
}

/** Length of the key of slot i of a leaf. */
function keyLengthAt(frame: Frame, i: number): number {
  const off = slotOffset(frame, i);
  return frame.data[off + 1]! | (frame.data[off + 2]! << 8);
}

/** Builds the index in the area; returns the area's new state (invariant 4). */
function buildRuns(frame: Frame): number {
  const slots = getSlotCount(frame);
  const d = frame.data;
  for (let i = 0; i < slots; i++) {
    if ((d[slotOffset(frame, i)]! & FLAG_OVERFLOW_KEY) !== 0) return AREA_NO_RUNS;
  }
  const pl = slots === 0 ? 0 : sharedPrefix(frame, slots);
  const prefixWords = (pl + 3) >>> 2;
  const words = frame.words;
  const at = frame.derivedAt;
  const base = at + RUNS_HEADER + prefixWords;
  const room = Math.floor((frame.derivedLength - RUNS_HEADER - prefixWords) / RUN_WORDS);
  if (slots > 0 && room < 1) return AREA_NO_RUNS;
  if (slots > 0) {
    const lo = keyAt(frame, 0);
    for (let w = 0; w < prefixWords; w++) {
      words[at + RUNS_HEADER + w] = headAt(d, lo + w * 4, lo + pl);
    }
  }
  let runs = 0;
  let prevOff = -1;
  let prevLen = -1;
  for (let i = 0; i < slots; i++) {
    const off = keyAt(frame, i);
    const len = keyLengthAt(frame, i);
    if (len === prevLen && sameBytes(d, off + pl, prevOff + pl, len - pl)) continue;
    if (runs >= room) return AREA_NO_RUNS;
    words[base + runs * RUN_WORDS] = headAt(d, off + pl, off + len);
    words[base + runs * RUN_WORDS + 1] = (i | (len << 16)) >>> 0;
    runs++;
    prevOff = off;
    prevLen = len;
  }
  words[at + 1] = (runs | (slots << 16)) >>> 0;
  words[at + 2] = pl;
  return AREA_RUNS;
}

/** True when the `len` bytes of `d` at `a` and at `b` are equal. */
function sameBytes(d: Uint8Array, a: number, b: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (d[a + i] !== d[b + i]) return false;
  return true;
}

/** Length of the prefix shared by every key of the leaf (that of its first and last key). */
function sharedPrefix(frame: Frame, slots: number): number {
  const d = frame.data;
  const lo = keyAt(frame, 0);
  const hi = keyAt(frame, slots - 1);
  const loLen = keyLengthAt(frame, 0);
  const hiLen = keyLengthAt(frame, slots - 1);
  const max = loLen < hiLen ? loLen : hiLen;
  let n = 0;
  while (n < max && d[lo + n] === d[hi + n]) n++;
  return n;
}

/**
 * The search proper, over a built index (or a copy of one) in `words` from `at`; `frame` is
 * the leaf, or undefined for a copy: then a tie that needs the leaf's bytes returns false.
 */
function lookUp(words: Uint32Array, at: number, frame: Frame | undefined, key: Uint8Array,
  out: RunBounds): boolean {
  const runs = words[at + 1]! & 0xffff;
  const pl = words[at + 2]!;
  const slots = words[at + 1]! >>> 16;
  out.slots = slots;
  // The prefix, four bytes at a time: past the end of the key or of the prefix both sides
  // read as zeros, and a key that ends inside the prefix sorts before every key.
  const keyEnd = key.length < pl ? key.length : pl;
  const prefixWords = (pl + 3) >>> 2;
  for (let w = 0; w < prefixWords; w++) {
    const kw = headAt(key, w << 2, keyEnd);
    const pw = words[at + RUNS_HEADER + w]!;
    if (kw !== pw) return place(out, kw < pw ? 0 : slots);
  }
  if (key.length < pl) return place(out, 0);
  const kh = headAt(key, pl, key.length);
  const base = at + RUNS_HEADER + prefixWords;
  let lo = 0;
  let hi = runs;
  let found = -1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const head = words[base + mid * RUN_WORDS]!;
    const c = kh !== head ? (kh < head ? -1 : 1) : frame !== undefined
      ? compareRun(frame, words[base + mid * RUN_WORDS + 1]!, key, pl)
      : compareCopiedRun(words[base + mid * RUN_WORDS + 1]!, words[base + runs * RUN_WORDS + mid]!,
        key, pl);
    if (c === UNDECIDED) return false;
    if (c > 0) lo = mid + 1;
    else {
      hi = mid;
      if (c === 0) found = mid;
    }
  }
  out.first = lo < runs ? words[base + lo * RUN_WORDS + 1]! & 0xffff : slots;
  out.end = found < 0 ? out.first
    : lo + 1 < runs ? words[base + (lo + 1) * RUN_WORDS + 1]! & 0xffff : slots;
  return true;
}

/** Sets an empty run at `slot` (the key is absent; `slot` is where it would go). */
function place(out: RunBounds, slot: number): true {
  out.first = slot;
  out.end = slot;
  return true;
}

/** What `compareCopiedRun` answers when it would need the leaf's bytes. */
const UNDECIDED = 2 ** 31;

/**
 * `compareRun` over a copy: the run's tail (`copyRuns`) decides as the head does, and a tie
 * past it is `UNDECIDED`.
 */
function compareCopiedRun(run: number, tail: number, key: Uint8Array, pl: number): number {
  const len = run >>> 16;
  if (len <= pl + 4 || key.length <= pl + 4) return key.length - len;
  const kt = headAt(key, pl + 4, key.length);
  if (kt !== tail) return kt < tail ? -1 : 1;
  if (len <= pl + 8 || key.length <= pl + 8) return key.length - len;
  return UNDECIDED;
}

/** Compares `key` with the key of a run whose head equals the key's head (invariant 6). */
function compareRun(frame: Frame, run: number, key: Uint8Array, pl: number): number {
  const len = run >>> 16;
  if (len <= pl + 4 || key.length <= pl + 4) return key.length - len;
  const off = keyAt(frame, run & 0xffff);
  return compareFrom(key, pl, frame.data, off + pl, len - pl);
}
