/**
 * `verifyBtree`: walks every page of a btree file and checks every structural invariant,
 * in the spirit of Berkeley DB's `bt_verify.c`. It also gathers the statistics `stat` reports.
 *
 * Layer: am/btree (rank 5).
 *
 * Checked: page types and levels; slot bounds and non-overlapping items; items in order on
 * a page (strictly increasing keys; with sorted duplicates strictly increasing pairs; with
 * unsorted duplicates non-decreasing keys); every item of child i within [separator i,
 * separator i+1) (with unsorted duplicates both ends included: dup-order.ts invariant 2);
 * in a counted tree every internal item's count equal to the leaf items under its child;
 * leaf sibling links forming one ordered chain; overflow chains (of values and of
 * separators) of the recorded length; free-list pages of type FREE; no page referenced
 * twice; every page 1..lastPgno reachable or free; the meta record count equal to the leaf
 * items.
 *
 * `checkBtreePage` runs the checks that need only one page (type, level, slots and heap,
 * item shapes, key order on the page, links inside the file), for the `STOWAGE_VERIFY` tier
 * that checks every page a transaction changed when it ends. It pins through the cache
 * directly, never through the tree's `PageChanges`, so it takes no locks.
 */
import { type Pgno, compareBytes } from '../../util/index.js';
import { type AmVerifyReport, overflowCapacity, slotProblems } from '../common/index.js';
import type { Frame } from '../../mpool/index.js';
import {
  PAGE_HEADER_SIZE, PageType, SLOT_SIZE, getExtra, getLevel, getNext,
  getPrev, getSlotCount, getType, slotLength, slotOffset,
} from '../../page/index.js';
import {
  META_PGNO, metaCount, metaFreeCount, metaFreeHead, metaLast, overflowPages,
} from '../common/index.js';
import {
  leafIsOverflow, leafKeyLength, LEAF_ITEM_HEADER, leafOverflowRef, internalChild,
  internalCount, internalKey, internalKeyOnChain,
} from './format.js';
import {
  compareValues, leafValueOf, separatorChain, separatorKeyRef, separatorParts,
} from './dup-order.js';
import {
  leafKeyChain, leafKeyOf, separatorKeyAt, separatorKeyChain,
} from './long-keys.js';
import { type Btree, ROOT_PGNO } from './btree.js';
import { MAX_DEPTH } from './search.js';

/** What `verify` found, plus the shape of the tree (the access methods' common report). */
export type BtreeVerifyReport = AmVerifyReport;

interface Walk {
  t: Btree;
  report: BtreeVerifyReport;
  seen: Set<number>;
  leaves: Pgno[];
  leafBytes: number;
  /** Walk the overflow chains of leaf items (the whole-file walk does; one page does not). */
  followOverflow: boolean;
}

function fail(w: Walk, message: string): void {
  if (w.report.errors.length < 100) w.report.errors.push(`${w.t.name}: ${message}`);
}

function claim(w: Walk, p: Pgno, what: string): boolean {
  if (w.seen.has(p)) {
    fail(w, `page ${p} (${what}) is referenced twice`);
    return false;
  }
  w.seen.add(p);
  return true;
}

function compareKeys(t: Btree, a: Uint8Array, b: Uint8Array): number {
  return t.compare ? t.compare(a, b) : compareBytes(a, b);
}

/**
 * An item as the tree orders it: its key and, with sorted duplicates, its value (a
 * separator without one has `value` undefined: before every duplicate of its key).
 */
interface Entry {
  key: Uint8Array;
  value: Uint8Array | undefined;
}

/** The tree's order on entries (unsorted duplicates: keys only). */
function compareEntries(t: Btree, a: Entry, b: Entry): number {
  const c = compareKeys(t, a.key, b.key);
  if (c !== 0 || !t.sortedDups) return c;
  if (a.value === undefined || b.value === undefined) {
    return (a.value === undefined ? 0 : 1) - (b.value === undefined ? 0 : 1);
  }
  return compareValues(t, a.value, b.value);
}

/** Slot and heap accounting of a slotted page. */
function checkSlots(w: Walk, frame: Frame): void {
  for (const problem of slotProblems(frame, frame.pgno)) fail(w, problem);
}

/** Item i of a page as an entry (copies: the page is unpinned before they are used). */
function entryAt(w: Walk, frame: Frame, i: number, leaf: boolean): Entry {
  const t = w.t;
  if (leaf) {
    const value = t.sortedDups ? leafValueOf(t.file, frame, i).slice() : undefined;
    return { key: leafKeyOf(t.file, frame, i).slice(), value };
  }
  const sep = internalKey(frame, i, t.internalHeader).slice();
  const onChain = internalKeyOnChain(frame, i);
  if (t.plainKeys) {
    const at = slotOffset(frame, i) + t.internalHeader;
    return { key: separatorKeyAt(t.file, frame, i, at, sep.length).slice(), value: undefined };
  }
  const parts = separatorParts(t.file, sep, onChain);
  return { key: parts.key.slice(), value: parts.value?.slice() };
}

/** A child to walk: its page, level, key range and (counted tree) the count its item holds. */
type Child = [Pgno, number, Entry | undefined, Entry | undefined, number];

/**
 * Checks one page and recurses into its children. Entries must lie in [low, high) (unsorted
 * duplicates: [low, high]). Returns the leaf items under the page.
 */
function walkPage(w: Walk, p: Pgno, level: number | undefined, low?: Entry,
  high?: Entry, depth = 0): number {
  if (depth > MAX_DEPTH || !claim(w, p, 'btree')) return 0;
  const frame = w.t.pin(p);
  let children: Child[];
  let items: number;
  try {
    children = visitPage(w, frame, level, low, high);
    items = getType(frame) === PageType.BTREE_LEAF ? getSlotCount(frame) : 0;
  } finally {
    w.t.unpin(frame);
  }
  for (const [child, childLevel, from, to, counted] of children) {
    const under = walkPage(w, child, childLevel, from, to, depth + 1);
    if (w.t.counted && under !== counted) {
      fail(w, `page ${p}: the item for child ${child} counts ${counted} records, ` +
        `the subtree holds ${under}`);
    }
    items += under;
  }
  return items;
}

/** Checks one pinned page; returns its children with their key ranges. */
function visitPage(w: Walk, frame: Frame, level: number | undefined, low?: Entry,
  high?: Entry): Child[] {
  const p = frame.pgno;
  const type = getType(frame);
  const leaf = type === PageType.BTREE_LEAF;
  if (!leaf && type !== PageType.BTREE_INTERNAL) {
    fail(w, `page ${p}: type ${type} where a btree page belongs`);
    return [];
  }
  if (level !== undefined && getLevel(frame) !== level) fail(w, `page ${p}: wrong level`);
  if (leaf !== (getLevel(frame) === 1)) fail(w, `page ${p}: leaf/level mismatch`);
  checkSlots(w, frame);
  const count = getSlotCount(frame);
  if (!leaf && count === 0) fail(w, `internal page ${p} is empty`);
  let previous: Entry | undefined;
  for (let i = 0; i < count; i++) previous = checkItem(w, frame, i, leaf, previous, low, high);
  if (leaf) {
    w.leaves.push(p);
    w.report.leafPages++;
    w.report.records += count;
    for (let i = 0; i < count; i++) w.leafBytes += slotLength(frame, i) + SLOT_SIZE;
    return [];
  }
  w.report.internalPages++;
  const children: Child[] = [];
  for (let i = 0; i < count; i++) {
    const from = i === 0 ? low : entryAt(w, frame, i, false);
    const to = i + 1 < count ? entryAt(w, frame, i + 1, false) : high;
    const counted = w.t.counted ? internalCount(frame, i) : 0;
    children.push([internalChild(frame, i), getLevel(frame) - 1, from, to, counted]);
  }
  return children;
}

/** Checks item i against its neighbour and its page's range; returns it as an entry. */
function checkItem(w: Walk, frame: Frame, i: number, leaf: boolean, previous?: Entry,
  low?: Entry, high?: Entry): Entry | undefined {
  const p = frame.pgno;
  const len = slotLength(frame, i);
  if (leaf && (len < LEAF_ITEM_HEADER || leafKeyLength(frame, i) > len - LEAF_ITEM_HEADER)) {
    fail(w, `page ${p}: leaf item ${i} malformed`);
    return undefined;
  }
  if (!leaf && len < w.t.internalHeader) {
    fail(w, `page ${p}: item ${i} malformed`);
    return undefined;
  }
  if (!leaf && i === 0) return undefined;
  const entry = entryAt(w, frame, i, leaf);
  const ties = w.t.ranked;
  const order = previous ? compareEntries(w.t, previous, entry) : -1;
  if (order > 0 || order === 0 && !ties) fail(w, `page ${p}: items ${i - 1} and ${i} out of order`);
  if (low && compareEntries(w.t, entry, low) < 0) {
    fail(w, `page ${p}: item ${i} below its separator`);
  }
  const above = high ? compareEntries(w.t, entry, high) : -1;
  if (above > 0 || above === 0 && !ties) fail(w, `page ${p}: item ${i} above its range`);
  if (w.followOverflow) claimChains(w, frame, i, leaf);
  return entry;
}

/** The overflow chains item i owns: a leaf item's value and key, a separator's. */
function chainsOf(t: Btree, frame: Frame, i: number, leaf: boolean):
  { first: Pgno; length: number }[] {
  const chains = [];
  if (leaf) {
    if (leafIsOverflow(frame, i)) chains.push(leafOverflowRef(frame, i));
    chains.push(leafKeyChain(frame, i));
  } else {
    const sep = internalKey(frame, i, t.internalHeader);
    const at = slotOffset(frame, i) + t.internalHeader;
    if (t.plainKeys) chains.push(separatorKeyChain(frame, i, at));
    else {
      chains.push(separatorChain(sep));
      if (internalKeyOnChain(frame, i)) chains.push(separatorKeyRef(sep));
    }
  }
  return chains.filter((c) => c !== undefined);
}

/** Claims the overflow chains item i owns. */
function claimChains(w: Walk, frame: Frame, i: number, leaf: boolean): void {
  for (const chain of chainsOf(w.t, frame, i, leaf)) claimChain(w, frame, i, chain);
}

function claimChain(w: Walk, frame: Frame, i: number, chain: { first: Pgno; length: number }):
  void {
  const t = w.t;
  try {
    for (const op of overflowPages(t.file, chain.first, chain.length)) {
      if (claim(w, op, 'overflow')) w.report.overflowPages++;
    }
  } catch (e) {
    fail(w, `page ${frame.pgno}: item ${i} overflow chain: ${(e as Error).message}`);
  }
}

function checkLeafChain(w: Walk): void {
  const leaves = w.leaves;
  for (let i = 0; i < leaves.length; i++) {
    const frame = w.t.pin(leaves[i]!);
    try {
      const prev = i > 0 ? leaves[i - 1]! : 0;
      const next = i + 1 < leaves.length ? leaves[i + 1]! : 0;
      if (getPrev(frame) !== prev) fail(w, `leaf ${leaves[i]}: prev link ${getPrev(frame)}`);
      if (getNext(frame) !== next) fail(w, `leaf ${leaves[i]}: next link ${getNext(frame)}`);
    } finally {
      w.t.unpin(frame);
    }
  }
}

function checkFreeList(w: Walk, head: Pgno, expected: number, last: number): void {
  let p = head;
  let n = 0;
  while (p !== 0 && n <= last) {
    if (!claim(w, p, 'free')) return;
    const frame = w.t.pin(p);
    try {
      if (getType(frame) !== PageType.FREE) {
        fail(w, `free-list page ${p} has type ${getType(frame)}`);
      }
      p = getNext(frame);
    } finally {
      w.t.unpin(frame);
    }
    n++;
  }
  w.report.freePages = n;
  if (n !== expected) fail(w, `free list holds ${n} pages, meta says ${expected}`);
}

function emptyReport(): BtreeVerifyReport {
  return {
    ok: true, errors: [], records: 0, levels: 0, leafPages: 0, internalPages: 0,
    overflowPages: 0, freePages: 0, totalPages: 0, leafFillPercent: 0,
  };
}

/** Checks that the links of a page point inside the file. */
function checkLinks(w: Walk, frame: Frame, last: number): void {
  const p = frame.pgno;
  if (getNext(frame) > last) fail(w, `page ${p}: next link ${getNext(frame)} beyond the file`);
  const type = getType(frame);
  if (type === PageType.BTREE_LEAF && getPrev(frame) > last) {
    fail(w, `page ${p}: prev link ${getPrev(frame)} beyond the file`);
  }
  if (type !== PageType.BTREE_INTERNAL) return;
  for (let i = 0; i < getSlotCount(frame); i++) {
    const child = internalChild(frame, i);
    if (child === 0 || child > last) fail(w, `page ${p}: child ${i} is page ${child}`);
  }
}

/** The one-page checks of page `p`, whose type says what it must hold. */
function checkOnePage(w: Walk, frame: Frame, last: number): void {
  const p = frame.pgno;
  const type = getType(frame);
  if ((p === META_PGNO) !== (type === PageType.META)) {
    return fail(w, `page ${p}: type ${type} (the meta page is page 0 and only page 0)`);
  }
  switch (type) {
    case PageType.META:
      if (metaFreeHead(frame) > last) fail(w, `meta page: free list head beyond the file`);
      return;
    case PageType.BTREE_LEAF:
    case PageType.BTREE_INTERNAL:
      visitPage(w, frame, undefined);
      return checkLinks(w, frame, last);
    case PageType.OVERFLOW:
      if (getExtra(frame) > overflowCapacity(frame.data.length)) {
        fail(w, `overflow page ${p} claims ${getExtra(frame)} bytes`);
      }
      return checkLinks(w, frame, last);
    case PageType.FREE:
      return checkLinks(w, frame, last);
    default:
      return fail(w, `page ${p}: type ${type} inside the file`);
  }
}

/**
 * Checks the structure of page `p` alone; pages beyond the file's last page (left by an
 * aborted allocation) hold nothing to check. Complexity: O(page size).
 * @returns one line per violated invariant, empty when the page is well formed.
 */
export function checkBtreePage(t: Btree, p: Pgno): string[] {
  const w: Walk = {
    t, report: emptyReport(), seen: new Set(), leaves: [], leafBytes: 0, followOverflow: false,
  };
  const mp = t.file.mp;
  const meta = mp.get(META_PGNO);
  const last = metaLast(meta);
  mp.release(meta);
  if (p > last) return [];
  const frame = mp.get(p);
  try {
    checkOnePage(w, frame, last);
  } finally {
    mp.release(frame);
  }
  return w.report.errors;
}

/** Walks the whole file. Complexity: O(pages). */
export function verifyBtree(t: Btree): BtreeVerifyReport {
  const report = emptyReport();
  const w: Walk = {
    t, report, seen: new Set([META_PGNO]), leaves: [], leafBytes: 0, followOverflow: true,
  };
  const meta = t.pin(META_PGNO);
  const last = metaLast(meta);
  const freeHead = metaFreeHead(meta);
  const freeCount = metaFreeCount(meta);
  // The transaction's own inserts and deletes reach the meta count when it ends.
  const count = metaCount(meta) + t.file.changes.pendingCount(t.file.mp);
  t.unpin(meta);
  const root = t.pin(ROOT_PGNO);
  report.levels = getLevel(root);
  t.unpin(root);
  walkPage(w, ROOT_PGNO, undefined);
  checkLeafChain(w);
  checkFreeList(w, freeHead, freeCount, last);
  for (let p = 1; p <= last; p++) if (!w.seen.has(p)) fail(w, `page ${p} is lost`);
  for (const p of w.seen) if (p > last) fail(w, `page ${p} is beyond the last page ${last}`);
  if (report.records !== count) {
    fail(w, `meta counts ${count} records, leaves hold ${report.records}`);
  }
  report.totalPages = last + 1;
  const capacity = report.leafPages * (t.file.pageSize - PAGE_HEADER_SIZE);
  report.leafFillPercent = capacity ? Math.round((w.leafBytes / capacity) * 1000) / 10 : 0;
  report.ok = report.errors.length === 0;
  return report;
}
