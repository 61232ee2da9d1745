/**
 * The states of a btree page's derived area (the words the cache keeps beside the page
 * bytes, `Frame.derivedAt`), and the head encoding the indexes kept there share.
 *
 * Layer: am/btree (rank 5).
 *
 * A tree keeps one kind of index in the areas of its pages: key heads (key-heads.ts) in a
 * tree of unique keys under byte order, key runs (key-runs.ts) on the leaves of a tree with
 * duplicates under byte order, separator heads (separator-heads.ts) on the internal pages of
 * such a tree. The states are one enumeration so that a word read from an area never means
 * two things.
 *
 * Invariants:
 * 1. `AREA_NONE` is 0: the cache writes 0 into the first word whenever the bytes change
 *    (mpool/frame.ts invariant 4), and that must read as "nothing valid".
 * 2. An index is built at the second search of a page at one version, never the first
 *    (`AREA_SEEN` marks the first): a page that changes between every two searches pays for
 *    nothing it never uses.
 */

/** Nothing valid in the area: the page changed (or came into the cache) since. */
export const AREA_NONE = 0;
/** Searched once at this version, no index yet (invariant 2). */
export const AREA_SEEN = 1;
/**
 * The index did not fit: it is an object on `frame.derived` (`KeyHeads`, or
 * `SeparatorHeads` on an internal page of a tree with duplicates), checked against the
 * frame's version.
 */
export const AREA_ELSEWHERE = 2;
/**
 * The page is searched without an index: it holds a key on an overflow chain, or (separator
 * heads) more separators than the area holds.
 */
export const AREA_DIRECT = 3;
/** The area holds key heads only. */
export const AREA_HEADS = 4;
/** The area holds key heads, each followed by its item's offset | length << 16. */
export const AREA_PAIRS = 5;
/** The area holds the key runs of a leaf with duplicates. */
export const AREA_RUNS = 6;
/** Key runs did not fit in the area: the leaf is searched without an index. */
export const AREA_NO_RUNS = 7;
/** The area holds the separator heads of an internal page of a tree with duplicates. */
export const AREA_SEPARATORS = 8;

/** The 4 bytes of `bytes` at `from` (zero past `end`) as a big-endian unsigned number. */
export function headAt(bytes: Uint8Array, from: number, end: number): number {
  const b0 = from < end ? bytes[from]! : 0;
  const b1 = from + 1 < end ? bytes[from + 1]! : 0;
  const b2 = from + 2 < end ? bytes[from + 2]! : 0;
  const b3 = from + 3 < end ? bytes[from + 3]! : 0;
  return ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
}

/** Byte-order comparison of `key[from..]` with `len` bytes of `data` at `off`. */
export function compareFrom(key: Uint8Array, from: number, data: Uint8Array, off: number,
  len: number): number {
  const keyLen = key.length - from;
  const n = keyLen < len ? keyLen : len;
  for (let i = 0; i < n; i++) {
    const diff = key[from + i]! - data[off + i]!;
    if (diff !== 0) return diff;
  }
  return keyLen - len;
}
