/**
 * `verifyHash`: walks every page of a hash file and checks every structural invariant; it
 * also gathers what `stat` reports.
 *
 * Layer: am/hash (rank 5).
 *
 * Checked: the masks agree with `maxBucket`; every bucket's chain: pages of type
 * HASH_BUCKET, back links mirroring forward links, no page in two places, no empty page
 * but the primary; every page's slots and heap; items well formed and strictly ascending
 * in page order; every key in the bucket its hash names; duplicate sets non-empty (and
 * strictly ascending with sorted duplicates); overflow chains of the recorded length,
 * referenced once; the free list; every page 1..lastPgno a bucket page, a chain page, an
 * overflow page, a free page or a reserved page of a level's unmade buckets; the meta
 * record count equal to the values stored.
 *
 * `checkHashPage` runs the checks that need only one page, for the `STOWAGE_VERIFY` tier.
 * Both pin through the cache directly, never through `PageChanges`, so they take no locks.
 */
import type { Pgno } from '../../util/index.js';
import type { Frame } from '../../mpool/index.js';
import {
  PAGE_HEADER_SIZE, PageType, getExtra, getNext, getPrev, getSlotCount, getType, slotLength,
  slotOffset, usedBytes,
} from '../../page/index.js';
import {
  type AmHashDetails, type AmVerifyReport, META_PGNO, metaCount, metaFreeCount, metaFreeHead,
  metaLast, overflowCapacity, overflowPages, slotProblems,
} from '../common/index.js';
import { bucketFor } from './addressing.js';
import {
  ITEM_DUPS, ITEM_HEADER, ITEM_KEY_OVERFLOW, ITEM_VALUE_OVERFLOW, OVERFLOW_REF, type TableState,
  bucketPage, keyPartLength, levelOf,
} from './format.js';
import type { HashTable } from './table.js';
import { flagsOf, itemChains, itemKey, pageOrder } from './page-items.js';
import { setPart, setValues } from './dup-set.js';
import { dupOrder } from './dup-writes.js';

/** The hash details of a report: Berkeley DB's hash statistics. */
export type HashDetails = AmHashDetails;

interface Walk {
  t: HashTable;
  report: AmVerifyReport & { hash: HashDetails };
  seen: Set<number>;
  usedBytes: number;
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

/** Checks the items of a bucket page: shapes, order, bucket, duplicate sets. */
function checkItems(w: Walk, frame: Frame, bucket: number | undefined, table: TableState): void {
  const t = w.t;
  let previous: Uint8Array | undefined;
  for (let i = 0; i < getSlotCount(frame); i++) {
    if (!itemShapeOk(w, frame, i)) return;
    const key = itemKey(t.file, frame, i).slice();
    if (previous && pageOrder(previous, key) >= 0) {
      fail(w, `page ${frame.pgno}: item ${i} is out of page order`);
    }
    previous = key;
    if (bucket !== undefined && bucketFor(t.hash(key), table) !== bucket) {
      fail(w, `page ${frame.pgno}: item ${i} belongs to bucket ` +
        `${bucketFor(t.hash(key), table)}, not ${bucket}`);
    }
    w.report.records += bucket === undefined ? 0 : valuesOf(w, frame, i);
  }
}

function itemShapeOk(w: Walk, frame: Frame, i: number): boolean {
  const at = slotOffset(frame, i);
  const length = slotLength(frame, i);
  const flags = flagsOf(frame, i);
  const keyPart = length >= ITEM_HEADER ? keyPartLength(frame.data, at) : -1;
  const bad = length < ITEM_HEADER || keyPart < 0 || ITEM_HEADER + keyPart > length ||
    (flags & ~(ITEM_KEY_OVERFLOW | ITEM_VALUE_OVERFLOW | ITEM_DUPS)) !== 0 ||
    ((flags & ITEM_KEY_OVERFLOW) !== 0 && keyPart !== OVERFLOW_REF) ||
    ((flags & ITEM_VALUE_OVERFLOW) !== 0 && length - ITEM_HEADER - keyPart !== OVERFLOW_REF);
  if (bad) fail(w, `page ${frame.pgno}: item ${i} is malformed`);
  return !bad;
}

/** The values of item `i`, checking a duplicate set's order. */
function valuesOf(w: Walk, frame: Frame, i: number): number {
  if (!(flagsOf(frame, i) & ITEM_DUPS)) return 1;
  const values = setValues(setPart(w.t.file, frame, i));
  if (values.length === 0) fail(w, `page ${frame.pgno}: item ${i} has an empty duplicate set`);
  if (w.t.shape.duplicates === 'sorted') {
    const order = dupOrder(w.t);
    for (let d = 1; d < values.length; d++) {
      if (order(values[d - 1]!, values[d]!) >= 0) {
        fail(w, `page ${frame.pgno}: item ${i}'s duplicates are out of order at ${d}`);
      }
    }
  }
  return values.length;
}

/** Claims the overflow chains of every item of `frame`. */
function claimChains(w: Walk, frame: Frame): void {
  for (let i = 0; i < getSlotCount(frame); i++) {
    const setOnChain = (flagsOf(frame, i) & (ITEM_DUPS | ITEM_VALUE_OVERFLOW)) ===
      (ITEM_DUPS | ITEM_VALUE_OVERFLOW);
    const chains = itemChains(frame, i);
    for (const chain of chains) {
      let pages: Pgno[];
      try {
        pages = overflowPages(w.t.file, chain.pgno, chain.length);
      } catch (e) {
        fail(w, `page ${frame.pgno}: item ${i}'s overflow chain: ${(e as Error).message}`);
        continue;
      }
      for (const p of pages) if (claim(w, p, 'overflow')) w.report.overflowPages++;
      if (setOnChain && chain === chains.at(-1)) w.report.hash.duplicatePages += pages.length;
    }
  }
}

/** Walks bucket `bucket`'s chain. */
function walkBucket(w: Walk, bucket: number, table: TableState): void {
  let p = bucketPage(table, bucket);
  let prev = 0;
  const pageCap = w.t.file.pageSize - PAGE_HEADER_SIZE;
  for (let hops = 0; p !== 0; hops++) {
    if (!claim(w, p, `bucket ${bucket}`)) return;
    const frame = w.t.file.mp.get(p);
    try {
      if (getType(frame) !== PageType.HASH_BUCKET) {
        return fail(w, `page ${p} of bucket ${bucket} has type ${getType(frame)}`);
      }
      if (getPrev(frame) !== prev) fail(w, `page ${p}: back link ${getPrev(frame)}, not ${prev}`);
      if (prev !== 0 && getSlotCount(frame) === 0) fail(w, `chain page ${p} is empty`);
      for (const problem of slotProblems(frame, p)) fail(w, problem);
      checkItems(w, frame, bucket, table);
      claimChains(w, frame);
      w.report.leafPages++;
      if (prev !== 0) w.report.hash.chainPages++;
      w.usedBytes += Math.min(usedBytes(frame), pageCap);
      prev = p;
      p = getNext(frame);
    } finally {
      w.t.file.mp.release(frame);
    }
  }
}

function checkFreeList(w: Walk, head: Pgno, expected: number, last: number): void {
  let p = head;
  let n = 0;
  while (p !== 0 && n <= last) {
    if (!claim(w, p, 'free')) return;
    const frame = w.t.file.mp.get(p);
    try {
      if (getType(frame) !== PageType.FREE) {
        fail(w, `free-list page ${p} has type ${getType(frame)}`);
      }
      p = getNext(frame);
    } finally {
      w.t.file.mp.release(frame);
    }
    n++;
  }
  w.report.freePages = n;
  if (n !== expected) fail(w, `free list holds ${n} pages, meta says ${expected}`);
}

/** Claims the pages reserved for the buckets after `maxBucket` in its level. */
function claimReserved(w: Walk, table: TableState): void {
  const max = table.maxBucket;
  const level = levelOf(max);
  const end = level === 0 ? 2 : 2 ** (level + 1);
  for (let b = max + 1; b < end; b++) {
    if (claim(w, bucketPage(table, b), 'reserved')) w.report.hash.reservedPages++;
  }
}

function emptyReport(table: TableState): Walk['report'] {
  return {
    ok: true, errors: [], records: 0, levels: 1, leafPages: 0, internalPages: 0,
    overflowPages: 0, freePages: 0, totalPages: 0, leafFillPercent: 0,
    hash: {
      buckets: table.maxBucket + 1, chainPages: 0, duplicatePages: 0, reservedPages: 0,
      fillFactor: table.fillFactor, expectedSize: table.expected,
    },
  };
}

function checkMasks(w: Walk, table: TableState): void {
  const { maxBucket, highMask, lowMask } = table;
  const expectedHigh = maxBucket <= 1 ? 1 : 2 ** (32 - Math.clz32(maxBucket)) - 1;
  if (highMask < expectedHigh || lowMask !== highMask >>> 1 || maxBucket > highMask ||
    maxBucket <= lowMask) {
    fail(w, `masks ${highMask}/${lowMask} do not fit max bucket ${maxBucket}`);
  }
}

/** Walks the whole file. Complexity: O(pages). */
export function verifyHash(t: HashTable): AmVerifyReport & { hash: HashDetails } {
  const table = t.table();
  const w: Walk = { t, report: emptyReport(table), seen: new Set([META_PGNO]), usedBytes: 0 };
  const meta = t.file.mp.get(META_PGNO);
  const last = metaLast(meta);
  const freeHead = metaFreeHead(meta);
  const freeCount = metaFreeCount(meta);
  const count = metaCount(meta) + t.file.changes.pendingCount(t.file.mp);
  t.file.mp.release(meta);
  checkMasks(w, table);
  for (let b = 0; b <= table.maxBucket; b++) walkBucket(w, b, table);
  claimReserved(w, table);
  checkFreeList(w, freeHead, freeCount, last);
  for (let p = 1; p <= last; p++) if (!w.seen.has(p)) fail(w, `page ${p} is lost`);
  for (const p of w.seen) if (p > last) fail(w, `page ${p} is beyond the last page ${last}`);
  const r = w.report;
  if (r.records !== count) fail(w, `meta counts ${count} records, buckets hold ${r.records}`);
  r.totalPages = last + 1;
  const capacity = r.leafPages * (t.file.pageSize - PAGE_HEADER_SIZE);
  r.leafFillPercent = capacity ? Math.round((w.usedBytes / capacity) * 1000) / 10 : 0;
  r.ok = r.errors.length === 0;
  return r;
}

/**
 * Checks page `p` alone (type, slots and heap, item shapes and page order; bucket pages are
 * not checked against their bucket, which a lone page does not tell). Complexity: O(page).
 */
export function checkHashPage(t: HashTable, p: Pgno): string[] {
  const w: Walk = { t, report: emptyReport(t.table()), seen: new Set(), usedBytes: 0 };
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

function checkOnePage(w: Walk, frame: Frame, last: number): void {
  const p = frame.pgno;
  const type = getType(frame);
  if ((p === META_PGNO) !== (type === PageType.META)) {
    return fail(w, `page ${p}: type ${type} (the meta page is page 0 and only page 0)`);
  }
  if (getNext(frame) > last) fail(w, `page ${p}: next link ${getNext(frame)} beyond the file`);
  switch (type) {
    case PageType.META:
    case PageType.FREE:
    case PageType.INVALID:
      return;
    case PageType.HASH_BUCKET:
      for (const problem of slotProblems(frame, p)) fail(w, problem);
      if (getPrev(frame) > last) fail(w, `page ${p}: prev link ${getPrev(frame)} beyond the file`);
      return checkItems(w, frame, undefined, w.t.table());
    case PageType.OVERFLOW:
      if (getExtra(frame) > overflowCapacity(frame.data.length)) {
        fail(w, `overflow page ${p} claims ${getExtra(frame)} bytes`);
      }
      return;
    default:
      return fail(w, `page ${p}: type ${type} inside the file`);
  }
}
