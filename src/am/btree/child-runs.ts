/**
 * Child runs: copies of the key runs (key-runs.ts) of the leaves below an internal page,
 * kept with that page's separator heads (separator-heads.ts), so that counting a key's
 * duplicates reads the leaves' parent and not the leaves. A tree of a million pairs has
 * thousands of leaves and tens of parents: a count over random keys touched another leaf at
 * almost every call and missed the processor's caches there, while the parents stay cached.
 *
 * Layer: am/btree (rank 5).
 *
 * Invariants:
 * 1. Copies live in the parent's `SeparatorHeads` object, which is used only while the
 *    parent is unchanged (its version). That is long enough because the tree is counted
 *    (shape.ts invariant 1): every change to a leaf's keys or to their order changes its
 *    parent as well. An insert or delete changes the count in the parent's item (counts.ts
 *    invariant 1), and a split, merge, redistribution or relocation changes its items. A
 *    change that keeps a leaf's keys and their order (a value replaced in place, a value
 *    moved to an overflow chain) leaves its runs as they are.
 * 2. A copy is made only from the built index of a leaf reached through that parent, and
 *    only when it fits in `RUNS_COPY_WORDS` words; a copy that cannot decide a key (a tie on
 *    bytes only the leaf holds) sends the search on to the leaf.
 * 3. A run found in a copy read-locks the leaf, as reading the leaf would.
 * 4. A count is what counting the key's items on its leaves gives, or -1 (never a guess).
 */
import type { Frame } from '../../mpool/index.js';
import type { Btree } from './btree.js';
import { ROOT_PGNO } from './btree.js';
import { AT_VALUE, BEFORE_DUPS } from './dup-order.js';
import { isKnownLeaf } from './key-heads.js';
import { RUNS_COPY_WORDS, type RunBounds, copyRuns, searchRunsCopy } from './key-runs.js';
import { MAX_DEPTH, type SearchResult, searchKeyRun, searchRun } from './search.js';
import { searchValueHeads } from './value-heads.js';
import {
  type SeparatorHeads, type SeparatorStep, childBySeparators, childPage, separatorObject,
} from './separator-heads.js';

const step: SeparatorStep = { index: 0, pgno: 0 as SeparatorStep['pgno'] };
const run: RunBounds = { first: 0, end: 0, slots: 0 };
const result: SearchResult = { index: 0, found: false, item: -1 };

/**
 * The number of duplicates of `key` from the copies its leaves' parent keeps, reading the
 * leaf only when the parent has no copy of it yet (and then keeping one); -1 when that does
 * not settle it: a page on the way has no separator heads, the leaf no key runs, a copy
 * cannot decide, or the key's duplicates reach past the parent's last child. The caller
 * then counts the usual way.
 */
export function countFromParents(t: Btree, key: Uint8Array): number {
  const target = t.target.set(key, BEFORE_DUPS);
  let frame = t.pin(ROOT_PGNO);
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (!stepDown(t, frame, target)) break;
    const heads = separatorObject(frame);
    if (heads && readCopy(heads, step.index, key, run)) {
      const n = countAcross(t, heads, step.index, key);
      t.unpin(frame);
      return n;
    }
    const child = t.pin(step.pgno);
    if (isKnownLeaf(child)) {
      readLeaf(t, frame, heads, child, key);
      return run.end < run.slots ? run.end - run.first : -1;
    }
    t.unpin(frame);
    frame = child;
  }
  t.unpin(frame);
  return -1;
}

/**
 * The count of `key` from its run in child `first` (in `run`), adding the runs in the next
 * children's copies while the run fills a whole leaf; -1 when a copy is missing or the run
 * goes past the last child. Read-locks each leaf it counts (invariant 3).
 */
function countAcross(t: Btree, heads: SeparatorHeads, first: number, key: Uint8Array): number {
  let n = run.end - run.first;
  t.lockRead(childPage(heads, first));
  for (let child = first + 1; run.end === run.slots; child++) {
    // The key sorts before every key of a later leaf it is absent from: its run there is
    // empty at slot 0, which ends the walk.
    if (child >= heads.children || !readCopy(heads, child, key, run)) return -1;
    t.lockRead(childPage(heads, child));
    n += run.end - run.first;
  }
  return n;
}

/**
 * Whether the pair (`key`, `value`) is stored, with sorted duplicates in byte order: the
 * descent by the pair stops at the parent of its leaf, whose copy of the leaf's runs gives
 * the key's slots there, and only those slots' values are read. Undefined when a page on
 * the way has no separator heads or the leaf no key runs: the caller looks the usual way.
 */
export function hasPairFromParents(t: Btree, key: Uint8Array, value: Uint8Array):
  boolean | undefined {
  const target = t.target.set(key, AT_VALUE, value);
  let frame = t.pin(ROOT_PGNO);
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (!stepDown(t, frame, target)) break;
    const heads = separatorObject(frame);
    const copied = heads !== undefined && readCopy(heads, step.index, key, run);
    if (copied && run.first === run.end) {
      t.unpin(frame);
      t.lockRead(step.pgno);
      return false;
    }
    const child = t.pin(step.pgno);
    if (copied) {
      t.unpin(frame);
      return valueInRun(t, child, target);
    }
    if (isKnownLeaf(child)) {
      readLeaf(t, frame, heads, child, key, true);
      return valueInRun(t, child, target);
    }
    t.unpin(frame);
    frame = child;
  }
  t.unpin(frame);
  return undefined;
}

/**
 * Whether the target's value is among the slots `run` names on the pinned leaf (by their
 * value heads once built, value-heads.ts); unpins it.
 */
function valueInRun(t: Btree, leaf: Frame, target: Btree['target']): boolean {
  try {
    if (!searchValueHeads(leaf, run.first, run.end, target.value, result)) {
      searchRun(t, leaf, target, run.first, run.end, result);
    }
    return result.found;
  } finally {
    t.unpin(leaf);
  }
}

/** `childBySeparators` into `step`, unpinning `frame` when a tie's comparison throws. */
function stepDown(t: Btree, frame: Frame, target: Btree['target']): boolean {
  try {
    return childBySeparators(t, frame, target, t.internalHeader, step);
  } catch (e) {
    t.unpin(frame);
    throw e;
  }
}

/** The run from the parent's copy of child `child`'s runs; false when it has none. */
function readCopy(heads: SeparatorHeads, child: number, key: Uint8Array, out: RunBounds):
  boolean {
  const copies = heads.childRuns;
  return copies !== undefined && searchRunsCopy(copies, child * RUNS_COPY_WORDS, key, out);
}

/**
 * Reads the run on the leaf itself into `run` and keeps a copy with the parent; unpins the
 * parent, and the leaf unless `keepLeaf`.
 */
function readLeaf(t: Btree, parent: Frame, heads: SeparatorHeads | undefined, leaf: Frame,
  key: Uint8Array, keepLeaf = false): void {
  try {
    searchKeyRun(t, leaf, key, run);
    if (heads) {
      heads.childRuns ??= new Uint32Array(heads.children * RUNS_COPY_WORDS);
      copyRuns(leaf, heads.childRuns, step.index * RUNS_COPY_WORDS);
    }
  } finally {
    if (!keepLeaf) t.unpin(leaf);
    t.unpin(parent);
  }
}
