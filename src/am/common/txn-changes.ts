/**
 * `TxnChanges`: the `PageChanges` of a transaction. Each change takes a write lock on its
 * page (strict two-phase locking), appends a log record to the transaction's chain, applies
 * the change and stamps the page with the record's LSN. Reads take read locks.
 *
 * Layer: am/common (rank 5).
 *
 * Invariants:
 * 1. The record is appended before the page changes (for `rewrite`, the page is compared
 *    with its before image after the change, and an append failure poisons the environment).
 * 2. A page's LSN is the LSN of the last record that changed it, so the cache flushes the
 *    log up to it before writing the page (write-ahead rule).
 * 3. Without `txn.locking` (an auto-commit call while no other transaction is open) no lock
 *    is taken: nothing else can run until the call has committed.
 * 4. With a `PageCheck` (the `STOWAGE_VERIFY` tier), every page a transaction family changes
 *    is noted in its top-level transaction, and each is checked when that one ends (after
 *    a commit's last change or an abort's undo); without one nothing is noted.
 */
import { type Lsn, type Pgno, ZERO_LSN, fileId, pgno, txnId } from '../../util/index.js';
import { LockMode, type LockManager, pageLockObject } from '../../lock/index.js';
import type { LogBody, LogRecordType } from '../../log/index.js';
import type { Frame, MPoolFile } from '../../mpool/index.js';
import {
  PAGE_HEADER_SIZE, addToItem, allocItem, deleteItem, getLsn, insertItem, itemView,
  isSlottedType, pageTypeOf, replaceItem, setLsn,
} from '../../page/index.js';
import type { Transaction, TxnManager } from '../../txn/index.js';
import type { ItemFiller, PageChanges, PageCheck } from './changes.js';
import { META_PGNO, metaCount, setMetaCount } from './meta.js';
import { imageParts } from './page-image.js';
import { FreshPages } from './fresh-pages.js';
import {
  IMAGE_START, PgCountRecord, PgDeleteRecord, PgFullRecord, PgImageRecord, PgInsertRecord,
  PgItemAddRecord, PgReplaceRecord, PgRewriteRecord, fullPageBody,
} from './page-records.js';

/** Bytes of the header a before/after comparison skips: checksum and LSN change anyway. */
const DIFF_START = IMAGE_START;
const beforeImage = new Uint8Array(65536);

const EMPTY = new Uint8Array(0);

/**
 * The sibling links (prevPgno, nextPgno) of the page header: no logical change (insert,
 * delete) moves or changes them, so a rewrite of only these bytes is undone byte for byte.
 */
const LINKS_START = 24;
const LINKS_END = 32;

function isSlotted(data: Uint8Array): boolean {
  return isSlottedType(pageTypeOf(data));
}

type RewriteBody = LogBody<typeof PgRewriteRecord>;

/** True when bytes [from, to) of `a` and `b` are equal (a native comparison). */
function sameBytes(a: Uint8Array, b: Uint8Array, from: number, to: number): boolean {
  return Buffer.compare(a.subarray(from, to), b.subarray(from, to)) === 0;
}

/** First index in [from, to) where `a` and `b` differ, by halving with native compares. */
function firstDifference(a: Uint8Array, b: Uint8Array, from: number, to: number): number {
  let lo = from;
  let hi = to;
  while (hi - lo > 16) {
    const mid = (lo + hi) >>> 1;
    if (sameBytes(a, b, lo, mid)) lo = mid;
    else hi = mid;
  }
  while (lo < hi && a[lo] === b[lo]) lo++;
  return lo;
}

/** One past the last index in [from, to) where `a` and `b` differ. */
function lastDifference(a: Uint8Array, b: Uint8Array, from: number, to: number): number {
  let lo = from;
  let hi = to;
  while (hi - lo > 16) {
    const mid = (lo + hi) >>> 1;
    if (sameBytes(a, b, mid, hi)) hi = mid;
    else lo = mid;
  }
  while (hi > lo && a[hi - 1] === b[hi - 1]) hi--;
  return hi;
}

function emptyRewrite(): RewriteBody {
  return {
    fileId: fileId(0), pgno: pgno(0), offset: 0, before: EMPTY, after: EMPTY,
    beforeHeap: 0, beforeLow: EMPTY, beforeHigh: EMPTY,
    afterHeap: 0, afterLow: EMPTY, afterHigh: EMPTY, clr: false, undoNext: ZERO_LSN,
  };
}

/** A rewrite logged as the changed byte span. */
function spanRewrite(before: Uint8Array, after: Uint8Array, linksOnly: boolean): RewriteBody {
  const from = linksOnly ? LINKS_START : DIFF_START;
  const to = linksOnly ? LINKS_END : before.length;
  const first = firstDifference(before, after, from, to);
  const end = lastDifference(before, after, first, to);
  const body = emptyRewrite();
  body.offset = first;
  body.before = before.subarray(first, end);
  body.after = after.subarray(first, end);
  return body;
}

/** A rewrite of a slotted page, logged as before and after images. */
function imageRewrite(before: Uint8Array, after: Uint8Array, wholeBefore: boolean): RewriteBody {
  const body = emptyRewrite();
  [body.beforeHeap, body.beforeLow, body.beforeHigh] = wholeBefore
    ? [PAGE_HEADER_SIZE, before.subarray(IMAGE_START, PAGE_HEADER_SIZE),
      before.subarray(PAGE_HEADER_SIZE)]
    : imageParts(before);
  [body.afterHeap, body.afterLow, body.afterHigh] = imageParts(after);
  return body;
}

export class TxnChanges implements PageChanges {
  private readonly locks: LockManager;
  private readonly counts = new Map<number, { file: MPoolFile; delta: number }>();
  private readonly fresh = new FreshPages();
  /** Pages the family changed, by lock object id; kept by the top-level transaction only. */
  private changed: Map<number, [MPoolFile, Pgno]> | undefined;

  /**
   * @param registry finds the changes object of another transaction (the parent's), so
   *   nested transactions hand count changes up.
   * @param checkPage checks a changed page's structure when the transaction ends (verify tier).
   */
  constructor(
    private readonly mgr: TxnManager,
    readonly txn: Transaction,
    private readonly registry: (txn: Transaction) => TxnChanges,
    private readonly checkPage?: PageCheck,
  ) {
    this.locks = mgr.locks;
  }

  willRead(file: MPoolFile, pgno: Pgno): void {
    // A fresh page is write-locked already.
    if (this.txn.locking && !this.fresh.has(file, pgno)) {
      this.locks.get(this.txn.lockerId, pageLockObject(file.id, pgno), LockMode.READ);
    }
  }

  insertItem(file: MPoolFile, frame: Frame, index: number, item: Uint8Array): void {
    if (this.changeFresh(file, frame)) {
      insertItem(frame, index, item);
      return;
    }
    this.imageIfStale(file, frame);
    const lsn = this.mgr.append(this.txn, PgInsertRecord, {
      fileId: fileId(file.id), pgno: frame.pgno, index, item, clr: false, undoNext: ZERO_LSN,
    });
    file.markDirty(frame);
    insertItem(frame, index, item);
    setLsn(frame, lsn);
  }

  insertItemWith(
    file: MPoolFile, frame: Frame, index: number, length: number, fill: ItemFiller,
  ): void {
    const fresh = this.changeFresh(file, frame);
    if (!fresh) {
      this.imageIfStale(file, frame);
      file.markDirty(frame);
    }
    const offset = allocItem(frame, index, length);
    fill(frame.data, offset);
    if (fresh) return;
    // The record is appended after the change: nothing can write the page in between, and
    // a failed append poisons the environment (see env/op-runner.ts).
    setLsn(frame, this.mgr.append(this.txn, PgInsertRecord, {
      fileId: fileId(file.id), pgno: frame.pgno, index,
      item: frame.data.subarray(offset, offset + length), clr: false, undoNext: ZERO_LSN,
    }));
  }

  deleteItem(file: MPoolFile, frame: Frame, index: number): void {
    if (this.changeFresh(file, frame)) {
      deleteItem(frame, index);
      return;
    }
    this.imageIfStale(file, frame);
    const lsn = this.mgr.append(this.txn, PgDeleteRecord, {
      fileId: fileId(file.id), pgno: frame.pgno, index, item: itemView(frame, index),
      clr: false, undoNext: ZERO_LSN,
    });
    file.markDirty(frame);
    deleteItem(frame, index);
    setLsn(frame, lsn);
  }

  replaceItem(file: MPoolFile, frame: Frame, index: number, item: Uint8Array): void {
    if (this.changeFresh(file, frame)) {
      replaceItem(frame, index, item);
      return;
    }
    this.imageIfStale(file, frame);
    const lsn = this.mgr.append(this.txn, PgReplaceRecord, {
      fileId: fileId(file.id), pgno: frame.pgno, index, before: itemView(frame, index),
      after: item, clr: false, undoNext: ZERO_LSN,
    });
    file.markDirty(frame);
    replaceItem(frame, index, item);
    setLsn(frame, lsn);
  }

  addToItem(file: MPoolFile, frame: Frame, index: number, offset: number, delta: number):
    void {
    if (this.changeFresh(file, frame)) {
      addToItem(frame, index, offset, delta);
      return;
    }
    this.imageIfStale(file, frame);
    const lsn = this.mgr.append(this.txn, PgItemAddRecord, {
      fileId: fileId(file.id), pgno: frame.pgno, index, offset, delta, clr: false,
      undoNext: ZERO_LSN,
    });
    file.markDirty(frame);
    addToItem(frame, index, offset, delta);
    setLsn(frame, lsn);
  }

  /** This transaction allocated `frame`: item changes to it need no records (fresh-pages.ts). */
  allocated(file: MPoolFile, frame: Frame): void {
    this.lockWrite(file, frame.pgno);
    if (this.fresh.isEmpty) this.txn.endHooks.push((ok) => this.settleFresh(ok));
    this.fresh.add(file, frame.pgno);
  }

  /**
   * Prepares an item change of `frame`. Returns true when the page is fresh (allocated by
   * this transaction): the caller then applies the change with no record. Otherwise takes
   * the write lock and, if an ancestor changed this page without records, logs its image
   * first; the caller then logs the change.
   */
  private changeFresh(file: MPoolFile, frame: Frame): boolean {
    if (this.fresh.has(file, frame.pgno)) {
      file.markDirty(frame);
      this.fresh.touch(file, frame.pgno);
      return true;
    }
    this.lockWrite(file, frame.pgno);
    for (let c = this.parentChanges(); c; c = c.parentChanges()) {
      c.fresh.revoke(file, frame.pgno, this.append);
    }
    return false;
  }

  private readonly append = <B>(type: LogRecordType<B>, body: B): Lsn =>
    this.mgr.append(this.txn, type, body);

  private settleFresh(committed: boolean): void {
    if (!committed) {
      this.fresh.unformatCreated();
      this.fresh.clear();
      return;
    }
    const parent = this.parentChanges();
    if (parent) {
      if (parent.fresh.isEmpty) parent.txn.endHooks.push((ok) => parent.settleFresh(ok));
      this.fresh.handTo(parent.fresh);
      return;
    }
    this.fresh.logImages(this.append);
  }

  /**
   * A rewrite of a fresh page that leaves it a slotted page needs no record, as an item change
   * of it does not: the page's image at commit is its redo. This covers the formatting of a
   * page the file grew by, whose prior bytes nothing can need. Other rewrites of a fresh page
   * (freeing it, or formatting a page taken from the free list, `wholeBefore`) are logged:
   * the commit images only slotted pages.
   */
  rewrite(file: MPoolFile, frame: Frame, mutate: () => void, wholeBefore = false): void {
    const fresh = !wholeBefore && this.fresh.has(file, frame.pgno);
    if (!fresh) this.lockWrite(file, frame.pgno);
    const stale = getLsn(frame) < this.mgr.fullPageBelow;
    const size = frame.data.length;
    const before = beforeImage.subarray(0, size);
    before.set(frame.data);
    file.markDirty(frame);
    mutate();
    const after = frame.data;
    if (fresh && isSlotted(after)) {
      this.fresh.touch(file, frame.pgno);
      return;
    }
    if (sameBytes(before, after, DIFF_START, size)) return;
    const linksOnly = sameBytes(before, after, DIFF_START, LINKS_START) &&
      sameBytes(before, after, LINKS_END, size);
    const span = !wholeBefore && (linksOnly || !(isSlotted(before) || isSlotted(after)));
    const body = span
      ? spanRewrite(before, after, linksOnly)
      : imageRewrite(before, after, wholeBefore);
    // A span is redone over the page's prior content: full-page logging images that content
    // first (an image rewrite carries the whole page itself).
    if (span && stale) this.appendFullImage(file, frame.pgno, before);
    body.fileId = fileId(file.id);
    body.pgno = frame.pgno;
    setLsn(frame, this.mgr.append(this.txn, PgRewriteRecord, body));
  }

  rewriteRange(file: MPoolFile, frame: Frame, from: number, to: number, mutate: () => void): void {
    this.lockWrite(file, frame.pgno);
    this.imageIfStale(file, frame);
    const before = beforeImage.subarray(from, to);
    before.set(frame.data.subarray(from, to));
    file.markDirty(frame);
    mutate();
    const after = frame.data.subarray(from, to);
    if (sameBytes(before, after, 0, to - from)) return;
    const body = emptyRewrite();
    body.fileId = fileId(file.id);
    body.pgno = frame.pgno;
    body.offset = from;
    body.before = before;
    body.after = after;
    setLsn(frame, this.mgr.append(this.txn, PgRewriteRecord, body));
  }

  /** Defers the change to the end of the transaction (see `settleCounts`). */
  adjustCount(file: MPoolFile, delta: number): void {
    this.addPending(file, delta);
  }

  private addPending(file: MPoolFile, delta: number): void {
    if (this.counts.size === 0) this.txn.endHooks.push((ok) => this.settleCounts(ok));
    const entry = this.counts.get(file.id);
    if (entry) entry.delta += delta;
    else this.counts.set(file.id, { file, delta });
  }

  pendingCount(file: MPoolFile): number {
    let total = 0;
    for (let c: TxnChanges | undefined = this; c; c = c.parentChanges()) {
      total += c.counts.get(file.id)?.delta ?? 0;
    }
    return total;
  }

  /**
   * At the end of the transaction: a committed child hands its count changes to its parent;
   * a committed top-level transaction logs and applies them before its commit record; an
   * aborted one drops them (they were never applied).
   */
  private settleCounts(committed: boolean): void {
    const counts = [...this.counts.values()];
    this.counts.clear();
    if (!committed) return;
    const parent = this.parentChanges();
    if (parent) {
      for (const { file, delta } of counts) parent.addPending(file, delta);
      return;
    }
    for (const { file, delta } of counts) {
      if (delta !== 0) this.applyCount(file, delta);
    }
  }

  private applyCount(file: MPoolFile, delta: number): void {
    const meta = file.get(META_PGNO);
    try {
      if (this.checkPage) this.noteChanged(file, META_PGNO);
      this.imageIfStale(file, meta);
      const lsn = this.mgr.append(this.txn, PgCountRecord, {
        fileId: fileId(file.id), pgno: meta.pgno, delta, clr: false, undoNext: ZERO_LSN,
      });
      file.markDirty(meta);
      setMetaCount(meta, metaCount(meta) + delta);
      setLsn(meta, lsn);
    } finally {
      file.release(meta);
    }
  }

  /**
   * Full-page logging: a page not changed since the last checkpoint's redo point gets an
   * image of its whole content logged (in no chain) before the record of its change, so redo
   * can rebuild it if its next write is torn.
   */
  private imageIfStale(file: MPoolFile, frame: Frame): void {
    if (getLsn(frame) >= this.mgr.fullPageBelow) return;
    file.markDirty(frame);
    setLsn(frame, this.appendFullImage(file, frame.pgno, frame.data));
  }

  /**
   * Logs the image `page` of page `pgno`, in no transaction's chain: a slotted page as its
   * slots and items (`pg_image`, without the free space between), any other whole.
   */
  private appendFullImage(file: MPoolFile, pgno: Pgno, page: Uint8Array): Lsn {
    const log = this.mgr.log;
    if (!isSlotted(page)) {
      return log.append(PgFullRecord, txnId(0), ZERO_LSN, fullPageBody(file.id, pgno, page));
    }
    const [heap, low, high] = imageParts(page);
    return log.append(PgImageRecord, txnId(0), ZERO_LSN, {
      fileId: fileId(file.id), pgno, heap, low, high, clr: false, undoNext: ZERO_LSN,
    });
  }

  private parentChanges(): TxnChanges | undefined {
    const parent = this.txn.parent;
    return parent ? this.registry(parent) : undefined;
  }

  private lockWrite(file: MPoolFile, pgno: Pgno): void {
    if (this.txn.locking) {
      this.locks.get(this.txn.lockerId, pageLockObject(file.id, pgno), LockMode.WRITE);
    }
    if (this.checkPage) this.noteChanged(file, pgno);
  }

  /** Notes a changed page in the top-level transaction, which checks it when it ends. */
  private noteChanged(file: MPoolFile, pgno: Pgno): void {
    const top = this.txn.parent ? this.registry(this.txn.root) : this;
    if (!top.changed) {
      top.changed = new Map();
      // Hooks pushed while the hooks run still run, so a page the count hook changes (meta)
      // after this hook ran is checked by a second one.
      top.txn.endHooks.push(() => top.checkChanged());
    }
    top.changed.set(pageLockObject(file.id, pgno), [file, pgno]);
  }

  private checkChanged(): void {
    const pages = this.changed;
    this.changed = undefined;
    if (!pages) return;
    for (const [file, pgno] of pages.values()) this.checkPage!(file, pgno);
  }
}
