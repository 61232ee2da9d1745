/**
 * `FreshPages`: the pages a transaction allocated itself, and which of them it changed
 * without records (item changes, and rewrites that leave a slotted page). Such changes need no
 * undo record: undoing the allocation returns the page to what it was before (a free page,
 * restored from its logged image) or beyond the file's last page (where its bytes mean
 * nothing), whatever was put on it since.
 * They need a redo record only if the transaction commits, and one image of the page's final
 * content, logged just before the commit record, is that record. A bulk load into fresh
 * pages thus logs one image per page instead of one record per item.
 *
 * Layer: am/common (rank 5).
 *
 * Invariants:
 * 1. Only pages allocated by this very transaction count as fresh (not its parent's: a
 *    child's abort must undo its own changes to them, which needs item records).
 * 2. A committed child hands its fresh pages to its parent; an aborted one forgets them.
 * 3. Before a top-level commit record, every page changed without records is imaged.
 * 4. A fresh page is write-locked by its transaction from its allocation on.
 * 5. Once a nested transaction has changed a page with item records (`revoke`), the page is
 *    no longer fresh to its owner: the records' undo needs the page exactly as each record
 *    left it, so every later change of it is logged too. It still counts as allocated, for
 *    `unformatCreated`.
 */
import { type Lsn, ZERO_LSN, fileId, pgno } from '../../util/index.js';
import type { LogRecordType } from '../../log/index.js';
import type { MPoolFile } from '../../mpool/index.js';
import {
  PAGE_HEADER_SIZE, PageType, getLsn, getType, isSlottedType, setLsn,
} from '../../page/index.js';
import { imageParts } from './page-image.js';
import { META_PGNO, metaLast } from './meta.js';
import { PgImageRecord } from './page-records.js';

/** Appends a record to the owning transaction's chain. */
export type ChainAppend = <B>(type: LogRecordType<B>, body: B) => Lsn;

export class FreshPages {
  private readonly fresh = new Map<MPoolFile, Set<number>>();
  private readonly touched = new Map<MPoolFile, Set<number>>();
  /** Every page allocated, fresh or revoked (invariant 5). */
  private readonly allocated = new Map<MPoolFile, Set<number>>();

  get isEmpty(): boolean {
    return this.allocated.size === 0;
  }

  /** Page `p` of `file` was just allocated by the owning transaction. */
  add(file: MPoolFile, p: number): void {
    addTo(this.fresh, file, p);
    addTo(this.allocated, file, p);
  }

  /**
   * A nested transaction is about to change page `p` with item records: logs its image
   * first when it was changed without records (through `append`, that transaction's chain),
   * and
   * from now on the owner logs its changes of it too (invariant 5).
   */
  revoke(file: MPoolFile, p: number, append: ChainAppend): void {
    if (!this.has(file, p)) return;
    if (this.isTouched(file, p)) this.materialize(file, p, append);
    this.fresh.get(file)!.delete(p);
  }

  has(file: MPoolFile, p: number): boolean {
    return this.fresh.get(file)?.has(p) ?? false;
  }

  /** Page `p` (fresh) changed without a record. */
  touch(file: MPoolFile, p: number): void {
    addTo(this.touched, file, p);
  }

  isTouched(file: MPoolFile, p: number): boolean {
    return this.touched.get(file)?.has(p) ?? false;
  }

  /**
   * Logs page `p`'s image now (through `append`, another transaction's chain) and stops
   * counting it as touched: a nested transaction is about to change it with item records,
   * which recovery can only redo over the page's true content.
   */
  materialize(file: MPoolFile, p: number, append: ChainAppend): void {
    logImage(file, p, append);
    this.touched.get(file)?.delete(p);
  }

  /** Child commit: the parent now owns these pages and their pending images. */
  handTo(parent: FreshPages): void {
    for (const [file, pages] of this.allocated) {
      for (const p of pages) addTo(parent.allocated, file, p);
    }
    for (const [file, pages] of this.fresh) for (const p of pages) addTo(parent.fresh, file, p);
    for (const [file, pages] of this.touched) for (const p of pages) parent.touch(file, p);
    this.clear();
  }

  /** Top-level commit: logs the final image of every page changed without records. */
  logImages(append: ChainAppend): void {
    for (const [file, pages] of this.touched) {
      for (const p of [...pages].sort((a, b) => a - b)) logImage(file, p, append);
    }
    this.clear();
  }

  /**
   * After an abort's undo: the fresh pages beyond `lastPgno` again are pages the file grew
   * by, and no record unformats a slotted page formatted there. Their headers are zeroed here,
   * keeping the LSN, as undoing a logged formatting would: such a page must not pass for a
   * page of the tree.
   */
  unformatCreated(): void {
    for (const [file, pages] of this.allocated) {
      const meta = file.get(META_PGNO);
      const last = metaLast(meta);
      file.release(meta);
      for (const p of pages) if (p > last) unformat(file, p);
    }
  }

  clear(): void {
    this.fresh.clear();
    this.touched.clear();
    this.allocated.clear();
  }
}

function addTo(map: Map<MPoolFile, Set<number>>, file: MPoolFile, p: number): void {
  let set = map.get(file);
  if (!set) map.set(file, (set = new Set()));
  set.add(p);
}

function unformat(file: MPoolFile, p: number): void {
  const frame = file.get(pgno(p));
  try {
    if (getType(frame) === PageType.INVALID) return;
    file.markDirty(frame);
    const lsn = getLsn(frame);
    frame.data.fill(0, 0, PAGE_HEADER_SIZE);
    setLsn(frame, lsn);
  } finally {
    file.release(frame);
  }
}

function logImage(file: MPoolFile, p: number, append: ChainAppend): void {
  const frame = file.get(pgno(p));
  try {
    if (!isSlottedType(getType(frame))) return;
    const [heap, low, high] = imageParts(frame.data);
    const lsn = append(PgImageRecord, {
      fileId: fileId(file.id), pgno: frame.pgno, heap, low, high, clr: false,
      undoNext: ZERO_LSN,
    });
    file.markDirty(frame);
    setLsn(frame, lsn);
  } finally {
    file.release(frame);
  }
}
