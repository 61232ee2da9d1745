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
 */
import { type Pgno, ZERO_LSN } from '../../util/index.js';
import { LockMode, type LockManager, pageLockObject } from '../../lock/index.js';
import type { Frame, MPoolFile } from '../../mpool/index.js';
import {
  PAGE_HEADER_SIZE, PageType, SLOT_SIZE, deleteItem, getHeapStart, getSlotCount, getType,
  insertItem, itemView, pageOf, replaceItem, setLsn,
} from '../../page/index.js';
import type { Transaction, TxnManager } from '../../txn/index.js';
import type { PageChanges } from './changes.js';
import { metaCount, setMetaCount } from './meta.js';
import {
  IMAGE_START, PgCountRecord, PgDeleteRecord, PgInsertRecord, PgReplaceRecord, PgRewriteRecord,
} from './page-records.js';

/** Bytes of the header a before/after comparison skips: checksum and LSN change anyway. */
const DIFF_START = IMAGE_START;
const beforeImage = new Uint8Array(65536);

interface PageImage {
  imageHeap: number;
  imageLow: Uint8Array;
  imageHigh: Uint8Array;
}

const NO_IMAGE: PageImage = { imageHeap: 0, imageLow: new Uint8Array(0), imageHigh: new Uint8Array(0) };

/**
 * The before image a rewrite of a slotted page must keep for its undo (see pg_rewrite): the
 * header and slot array, and the item heap. Other pages need none.
 */
function slottedImage(before: Uint8Array): PageImage {
  const page = pageOf(before);
  const type = getType(page);
  if (type !== PageType.BTREE_LEAF && type !== PageType.BTREE_INTERNAL) return NO_IMAGE;
  const slotsEnd = PAGE_HEADER_SIZE + getSlotCount(page) * SLOT_SIZE;
  const heap = getHeapStart(page);
  return {
    imageHeap: heap,
    imageLow: before.subarray(IMAGE_START, slotsEnd),
    imageHigh: before.subarray(heap),
  };
}

export class TxnChanges implements PageChanges {
  private readonly locks: LockManager;

  constructor(
    private readonly mgr: TxnManager,
    readonly txn: Transaction,
  ) {
    this.locks = mgr.locks;
  }

  willRead(file: MPoolFile, pgno: Pgno): void {
    if (this.txn.locking) {
      this.locks.get(this.txn.lockerId, pageLockObject(file.id, pgno), LockMode.READ);
    }
  }

  insertItem(file: MPoolFile, frame: Frame, index: number, item: Uint8Array): void {
    this.lockWrite(file, frame.pgno);
    const lsn = this.mgr.append(this.txn, PgInsertRecord, {
      fileId: file.id as never, pgno: frame.pgno, index, item, clr: false, undoNext: ZERO_LSN,
    });
    file.markDirty(frame);
    insertItem(frame, index, item);
    setLsn(frame, lsn);
  }

  deleteItem(file: MPoolFile, frame: Frame, index: number): void {
    this.lockWrite(file, frame.pgno);
    const lsn = this.mgr.append(this.txn, PgDeleteRecord, {
      fileId: file.id as never, pgno: frame.pgno, index, item: itemView(frame, index),
      clr: false, undoNext: ZERO_LSN,
    });
    file.markDirty(frame);
    deleteItem(frame, index);
    setLsn(frame, lsn);
  }

  replaceItem(file: MPoolFile, frame: Frame, index: number, item: Uint8Array): void {
    this.lockWrite(file, frame.pgno);
    const lsn = this.mgr.append(this.txn, PgReplaceRecord, {
      fileId: file.id as never, pgno: frame.pgno, index, before: itemView(frame, index),
      after: item, clr: false, undoNext: ZERO_LSN,
    });
    file.markDirty(frame);
    replaceItem(frame, index, item);
    setLsn(frame, lsn);
  }

  rewrite(file: MPoolFile, frame: Frame, mutate: () => void): void {
    this.lockWrite(file, frame.pgno);
    const size = frame.data.length;
    beforeImage.set(frame.data);
    file.markDirty(frame);
    mutate();
    let first = DIFF_START;
    while (first < size && beforeImage[first] === frame.data[first]) first++;
    if (first === size) return;
    let last = size - 1;
    while (beforeImage[last] === frame.data[last]) last--;
    const image = slottedImage(beforeImage.subarray(0, size));
    const lsn = this.mgr.append(this.txn, PgRewriteRecord, {
      fileId: file.id as never, pgno: frame.pgno, offset: first,
      before: beforeImage.subarray(first, last + 1), after: frame.data.subarray(first, last + 1),
      ...image, clr: false, undoNext: ZERO_LSN,
    });
    setLsn(frame, lsn);
  }

  adjustCount(file: MPoolFile, meta: Frame, delta: number): void {
    const lsn = this.mgr.append(this.txn, PgCountRecord, {
      fileId: file.id as never, pgno: meta.pgno, delta, clr: false, undoNext: ZERO_LSN,
    });
    file.markDirty(meta);
    setMetaCount(meta, metaCount(meta) + delta);
    setLsn(meta, lsn);
  }

  private lockWrite(file: MPoolFile, pgno: Pgno): void {
    if (this.txn.locking) {
      this.locks.get(this.txn.lockerId, pageLockObject(file.id, pgno), LockMode.WRITE);
    }
  }
}
