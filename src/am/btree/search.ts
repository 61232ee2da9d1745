/**
 * Descending the tree: binary search inside a page, and the root-to-leaf walk that records
 * the path a split or merge needs.
 *
 * Layer: am/btree (rank 5).
 *
 * Invariants:
 * 1. A descent pins one page at a time and releases it before pinning the next, so it never
 *    holds more than one frame (splits and merges re-fetch the path by page number).
 * 2. The descent is bounded by `MAX_DEPTH`; a deeper tree is corruption (a cycle).
 * 3. Only the leaf a descent ends at is read-locked, as in Berkeley DB: an operation runs to
 *    its end before any other transaction can, so internal pages need no lock to stay
 *    consistent under it, and holding none keeps splits of other transactions possible.
 */
import { type Pgno, CorruptionError, compareBytes } from '../../util/index.js';
import type { Frame } from '../../mpool/index.js';
import {
  PAGE_HEADER_SIZE, PageType, SLOT_SIZE, getSlotCount, getType, slotLength, slotOffset,
} from '../../page/index.js';
import {
  CHILD_KEY_ON_CHAIN, FLAG_OVERFLOW_KEY, FLAG_OVERFLOW_VALUE, LEAF_ITEM_HEADER,
  compareWithBytesAt, internalChild, internalKeyOnChain,
} from './format.js';
import { leafKeyOf, separatorKeyAt } from './long-keys.js';
import type { Comparator } from './comparator.js';
import { type HeadsResult, isKnownLeaf, searchHeads } from './key-heads.js';
import {
  AFTER_DUPS, AT_VALUE, BEFORE_DUPS, type DupOrderTree, DupTarget, compareTargetLeaf,
  SEPARATOR_HEADER, SEP_KEY_MASK, compareTargetSeparator, leafValueOf,
} from './dup-order.js';
import { type RunBounds, searchRuns } from './key-runs.js';
import { type SeparatorStep, childBySeparators, searchSeparators } from './separator-heads.js';

/** No btree of 2^32 pages under a 512-byte page is deeper than this. */
export const MAX_DEPTH = 32;

/** The pages and child indexes of a descent, root first; reused between operations. */
export class TreePath {
  readonly pgnos: Pgno[] = [];
  readonly indexes: number[] = [];
  depth = 0;
}

/** What a search needs of the tree. */
export interface SearchTarget extends DupOrderTree {
  readonly name: string;
  readonly compare: Comparator | undefined;
  /** Leaf searches may use key heads (byte order, unique keys). */
  readonly leafHeads: boolean;
  /** Internal searches may use key heads (as `leafHeads`, and items without counts). */
  readonly internalHeads: boolean;
  /** Internal items carry subtree counts, which writers change: descents lock them too. */
  readonly counted: boolean;
  /** Pins a page for reading, taking a read lock in a transaction. */
  pin(pgno: Pgno): Frame;
  /** Pins a page without a lock: internal pages, which a descent only passes through. */
  pinUnlocked(pgno: Pgno): Frame;
  /** Takes the read lock on an already pinned page (the leaf a descent ends at). */
  lockRead(pgno: Pgno): void;
  unpin(frame: Frame): void;
  /** Notes that the file is damaged (a page of the wrong kind), before a `CorruptionError`. */
  noteDamage(): void;
}

/** Compares `key` with leaf item i's key. */
export function compareLeafKey(t: SearchTarget, key: Uint8Array, p: Frame, i: number): number {
  const off = slotOffset(p, i);
  if ((p.data[off]! & FLAG_OVERFLOW_KEY) !== 0) {
    const stored = leafKeyOf(t.file, p, i);
    return t.compare ? t.compare(key, stored) : compareBytes(key, stored);
  }
  const len = p.data[off + 1]! | (p.data[off + 2]! << 8);
  const at = off + LEAF_ITEM_HEADER;
  if (t.compare) return t.compare(key, p.data.subarray(at, at + len));
  return compareWithBytesAt(key, p.data, at, len);
}

/**
 * The index of the first leaf item whose key is >= `key` (slotCount when none).
 * `found` tells whether that item's key equals `key`.
 */
export function searchLeaf(t: SearchTarget, p: Frame, key: Uint8Array, out: SearchResult): void {
  if (t.leafHeads) {
    const index = searchHeads(p, key, true, out);
    if (index >= 0) {
      out.index = index;
      return;
    }
  }
  out.item = -1;
  let lo = 0;
  let hi = getSlotCount(p);
  let found = false;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareLeafKey(t, key, p, mid);
    if (c > 0) lo = mid + 1;
    else {
      hi = mid;
      if (c === 0) found = true;
    }
  }
  out.index = lo;
  out.found = found && lo < getSlotCount(p);
}

/** The index of the child of an internal page whose subtree may hold `key`. */
export function searchInternal(t: SearchTarget, p: Frame, key: Uint8Array): number {
  const index = t.internalHeads ? searchHeads(p, key, false, headsResult) : -1;
  if (index >= 0) return headsResult.found ? index : index - 1;
  const header = t.internalHeader;
  let lo = 1;
  let hi = getSlotCount(p);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const off = slotOffset(p, mid) + header;
    const len = slotLength(p, mid) - header;
    const c = internalKeyOnChain(p, mid) ? compareChained(t, key, p, mid, off, len)
      : t.compare
      ? t.compare(key, p.data.subarray(off, off + len))
      : compareWithBytesAt(key, p.data, off, len);
    if (c >= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Compares `key` with internal item i's separator key on a chain. */
function compareChained(t: SearchTarget, key: Uint8Array, p: Frame, i: number, off: number,
  len: number): number {
  const stored = separatorKeyAt(t.file, p, i, off, len);
  return t.compare ? t.compare(key, stored) : compareBytes(key, stored);
}

const headsResult: HeadsResult = { found: false, item: -1 };

/** Result of a leaf search, reused to avoid allocation. */
export interface SearchResult extends HeadsResult {
  index: number;
}

/**
 * The first leaf item >= `target` in a tree with duplicates (slotCount when none); `found`
 * tells whether it equals the target (meaningful when the target names a value).
 */
export function searchLeafTarget(
  t: SearchTarget, p: Frame, target: DupTarget, out: SearchResult,
): void {
  out.item = -1;
  const bytewise = !t.compare && !t.dupCompare;
  if (bytewise && searchRuns(p, target.key, runBounds)) {
    searchRun(t, p, target, runBounds.first, runBounds.end, out);
    return;
  }
  let lo = 0;
  let hi = getSlotCount(p);
  let found = false;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = bytewise ? compareBytewise(t, target, p, mid) : compareTargetLeaf(t, target, p, mid);
    if (c > 0) lo = mid + 1;
    else {
      hi = mid;
      found = c === 0;
    }
  }
  out.index = lo;
  out.found = found && lo < getSlotCount(p);
}

/**
 * `compareTargetLeaf` in a tree whose keys and duplicates order bytewise, kept small enough
 * to inline (the hot path of every duplicate lookup): the item compares in place, and only
 * an item on an overflow chain takes the general comparison.
 */
function compareBytewise(t: SearchTarget, target: DupTarget, p: Frame, i: number): number {
  const data = p.data;
  const slot = PAGE_HEADER_SIZE + i * SLOT_SIZE;
  const off = data[slot]! | (data[slot + 1]! << 8);
  if ((data[off]! & (FLAG_OVERFLOW_KEY | FLAG_OVERFLOW_VALUE)) !== 0) {
    return compareTargetLeaf(t, target, p, i);
  }
  const len = data[off + 1]! | (data[off + 2]! << 8);
  const at = off + LEAF_ITEM_HEADER;
  const c = compareWithBytesAt(target.key, data, at, len);
  if (c !== 0) return c;
  const where = target.where;
  return where === BEFORE_DUPS ? -1 : where === AFTER_DUPS ? 1
    : compareWithBytesAt(target.value, data, at + len, off + slotLength(p, i) - at - len);
}

const runBounds: RunBounds = { first: 0, end: 0, slots: 0 };
const runTarget = new DupTarget();
const runResult: SearchResult = { index: 0, found: false, item: -1 };

/**
 * The slots [first, end) of `key`'s duplicates on leaf `p` into `out` (empty, at the key's
 * place, when it has none there), and the leaf's slot count: one look-up in the leaf's key
 * runs when it has them, else a search before and one after the duplicates.
 */
export function searchKeyRun(t: SearchTarget, p: Frame, key: Uint8Array, out: RunBounds): void {
  if (!t.compare && !t.dupCompare && searchRuns(p, key, out)) return;
  out.slots = getSlotCount(p);
  searchLeafTarget(t, p, runTarget.set(key, BEFORE_DUPS), runResult);
  out.first = runResult.index;
  searchLeafTarget(t, p, runTarget.set(key, AFTER_DUPS), runResult);
  out.end = runResult.index;
}

/**
 * `searchLeafTarget` with byte order once the key's run on leaf `p` is known: slots
 * [first, end) (child-runs.ts finds them in a parent's copy).
 */
export function searchRun(t: SearchTarget, p: Frame, target: DupTarget, first: number,
  end: number, out: SearchResult): void {
  out.found = false;
  if (target.where !== AT_VALUE) {
    out.index = target.where === BEFORE_DUPS ? first : end;
    return;
  }
  const data = p.data;
  let lo = first;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const off = slotOffset(p, mid);
    const c = (data[off]! & FLAG_OVERFLOW_VALUE) !== 0
      ? compareBytes(target.value, leafValueOf(t.file, p, mid))
      : valueCompare(target.value, data, off, slotLength(p, mid));
    if (c > 0) lo = mid + 1;
    else {
      hi = mid;
      out.found = c === 0;
    }
  }
  out.index = lo;
  out.found &&= lo < end;
}

/** Compares `value` with the inline value of the leaf item of `length` bytes at `off`. */
function valueCompare(value: Uint8Array, data: Uint8Array, off: number, length: number):
  number {
  const at = off + LEAF_ITEM_HEADER + (data[off + 1]! | (data[off + 2]! << 8));
  return compareWithBytesAt(value, data, at, off + length - at);
}

/**
 * Descends to the leaf that may hold `target` (filling `path`) and searches it into `out`;
 * returns the leaf, pinned, or throws with nothing pinned.
 */
export function descendAndSearch(
  t: SearchTarget, root: Pgno, target: DupTarget, path: TreePath, out: SearchResult,
): Frame {
  const leaf = walk(t, root, target, path);
  try {
    searchLeafTarget(t, leaf, target, out);
  } catch (e) {
    t.unpin(leaf);
    throw e;
  }
  return leaf;
}

/** The child of an internal page of a tree with duplicates that `target` descends to. */
function searchInternalTarget(t: SearchTarget, p: Frame, target: DupTarget): number {
  if (!t.compare) {
    const child = searchSeparators(t, p, target, t.internalHeader);
    return child >= 0 ? child : searchInternalBytewise(t, p, target);
  }
  let lo = 1;
  let hi = getSlotCount(p);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareTargetSeparator(t, target, p, mid) >= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * `searchInternalTarget` in a tree whose keys order bytewise, with the loop kept tight (every
 * duplicate lookup passes here): separator keys compare in place; a key on an overflow
 * chain, and a tie on the key when the target names a value, take the general comparison.
 */
function searchInternalBytewise(t: SearchTarget, p: Frame, target: DupTarget): number {
  const data = p.data;
  const key = target.key;
  const where = target.where;
  const header = t.internalHeader;
  let lo = 1;
  let hi = getSlotCount(p);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const slot = PAGE_HEADER_SIZE + mid * SLOT_SIZE;
    const item = data[slot]! | (data[slot + 1]! << 8);
    let c: number;
    if ((data[item + 3]! & CHILD_KEY_ON_CHAIN) !== 0) c = compareTargetSeparator(t, target, p, mid);
    else {
      const off = item + header;
      c = compareWithBytesAt(key, data, off + SEPARATOR_HEADER,
        (data[off]! | (data[off + 1]! << 8)) & SEP_KEY_MASK);
      if (c === 0) {
        c = where === BEFORE_DUPS ? -1 : where === AFTER_DUPS ? 1
          : compareTargetSeparator(t, target, p, mid);
      }
    }
    if (c >= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * Walks from `root` to the leaf that may hold `key` (a key, or a target in a tree with
 * duplicates), filling `path` (when given) with the internal pages and child indexes taken.
 * Returns the leaf, pinned.
 */
export function descend(
  t: SearchTarget, root: Pgno, key: Uint8Array | DupTarget, path?: TreePath,
): Frame {
  return walk(t, root, key, path);
}

/**
 * The leftmost (or rightmost) leaf, pinned, filling `path` (when given) like `descend`. The
 * rightmost walk is where a key greater than every stored key belongs.
 */
export function edgeLeaf(
  t: SearchTarget, root: Pgno, rightmost: boolean, path?: TreePath,
): Frame {
  return walk(t, root, rightmost ? 'last' : 'first', path);
}

/** Unpins `frame`, notes the damage and throws: an internal page too deep, or empty. */
export function structureBroken(t: SearchTarget, frame: Frame): never {
  const bad = frame.pgno;
  t.unpin(frame);
  t.noteDamage();
  throw new CorruptionError(`${t.name}: btree page ${bad} breaks the tree structure`, {
    file: t.name, pgno: bad,
  });
}

/** The root-to-leaf walk: by key, or along the first or last child of every page. */
function walk(
  t: SearchTarget, root: Pgno, by: Uint8Array | DupTarget | 'first' | 'last', path?: TreePath,
): Frame {
  let frame = t.counted ? t.pin(root) : t.pinUnlocked(root);
  const indexed = by instanceof DupTarget && !t.compare;
  let depth = 0;
  for (;;) {
    let child: number;
    let next: Pgno;
    if (indexed && indexedChild(t, frame, by)) {
      child = step.index;
      next = step.pgno;
    } else {
      if (isKnownLeaf(frame) || getType(frame) !== PageType.BTREE_INTERNAL) break;
      const count = getSlotCount(frame);
      if (count === 0) structureBroken(t, frame);
      child = by === 'first' ? 0
        : by === 'last' ? count - 1
        : t.internalHeads ? searchInternal(t, frame, by as Uint8Array) : childFor(t, frame, by);
      next = internalChild(frame, child);
    }
    if (depth >= MAX_DEPTH) structureBroken(t, frame);
    if (path) {
      path.pgnos[depth] = frame.pgno;
      path.indexes[depth] = child;
    }
    t.unpin(frame);
    frame = t.counted ? t.pin(next) : t.pinUnlocked(next);
    depth++;
  }
  if (path) path.depth = depth;
  return lockedLeaf(t, frame);
}

const step: SeparatorStep = { index: 0, pgno: 0 as Pgno };

/**
 * The child of an internal page with separator heads, into `step`, reading no page byte but
 * on a tie; false when `frame` has none (a leaf, or not indexed yet). Unpins `frame` when a
 * tie's comparison throws (an overflow read that finds damage).
 */
function indexedChild(t: SearchTarget, frame: Frame, target: DupTarget): boolean {
  try {
    return childBySeparators(t, frame, target, t.internalHeader, step);
  } catch (e) {
    t.unpin(frame);
    throw e;
  }
}

/**
 * The child to descend to, by comparisons that may call user code (a comparator, or an
 * overflow read that finds damage): unpins `frame` when one throws.
 */
function childFor(t: SearchTarget, frame: Frame, by: Uint8Array | DupTarget): number {
  try {
    return by instanceof DupTarget
      ? searchInternalTarget(t, frame, by) : searchInternal(t, frame, by);
  } catch (e) {
    t.unpin(frame);
    throw e;
  }
}

/** Checks that `frame` is a leaf and read-locks it; unpins it if either fails. */
function lockedLeaf(t: SearchTarget, frame: Frame): Frame {
  try {
    if (!isKnownLeaf(frame) && getType(frame) !== PageType.BTREE_LEAF) {
      t.noteDamage();
      throw new CorruptionError(`${t.name}: page ${frame.pgno} should be a btree leaf`, {
        file: t.name, pgno: frame.pgno,
      });
    }
    t.lockRead(frame.pgno);
    return frame;
  } catch (e) {
    t.unpin(frame);
    throw e;
  }
}
