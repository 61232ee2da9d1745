/**
 * `PageChanges`: the only way an access method changes a page. Each method is one loggable
 * step; the direct implementation here applies it, a logging implementation also writes a
 * log record and stamps the page's LSN (write-ahead rule).
 *
 * Layer: am/common (rank 5).
 *
 * Invariants:
 * 1. Every change to a cached page goes through one of these methods, so the log (when there
 *    is one) can redo and undo every change.
 * 2. Each method marks the frame dirty before its bytes change.
 * 3. `adjustCount` is logical (undone by subtracting), so it never needs a page lock; a
 *    transaction defers it to its commit, so other transactions never count its records.
 */
import type { Pgno } from '../../util/index.js';
import type { Frame, MPoolFile } from '../../mpool/index.js';
import {
  addToItem, allocItem, deleteItem, insertItem, replaceItem,
} from '../../page/index.js';
import { META_PGNO, metaCount, setMetaCount } from './meta.js';

/**
 * Checks the structure of page `pgno` of `file` and throws `AssertionError` when it is
 * malformed. The environment supplies one (from the access method owning the file) when
 * `STOWAGE_VERIFY` is set; a transaction calls it for every page it changed when it ends.
 */
export type PageCheck = (file: MPoolFile, pgno: Pgno) => void;

/** Writes an item's bytes at `offset` of `target` (a page). */
export type ItemFiller = (target: Uint8Array, offset: number) => void;

export interface PageChanges {
  /** Announces a read of page `pgno` (a transaction takes a read lock). */
  willRead(file: MPoolFile, pgno: Pgno): void;
  /** Inserts `item` at slot `index` of a pinned slotted page. */
  insertItem(file: MPoolFile, frame: Frame, index: number, item: Uint8Array): void;
  /**
   * Inserts an item of `length` bytes at slot `index` that `fill` writes in place (at
   * `offset` of the page bytes), sparing the caller a separate item buffer.
   */
  insertItemWith(
    file: MPoolFile, frame: Frame, index: number, length: number, fill: ItemFiller,
  ): void;
  /** Deletes slot `index` of a pinned slotted page. */
  deleteItem(file: MPoolFile, frame: Frame, index: number): void;
  /** Replaces slot `index` of a pinned slotted page with `item`. */
  replaceItem(file: MPoolFile, frame: Frame, index: number, item: Uint8Array): void;
  /**
   * Adds `delta` to the 32-bit count at byte `offset` of item `index` of a pinned slotted
   * page (a subtree count): logged as the delta, undone by the opposite one.
   */
  addToItem(file: MPoolFile, frame: Frame, index: number, offset: number, delta: number):
    void;
  /**
   * Tells that `frame` was just allocated by this operation's transaction, before it is
   * formatted (a transaction write-locks it).
   */
  allocated(file: MPoolFile, frame: Frame): void;
  /**
   * Runs `mutate`, which may change any bytes of the pinned page (splits, merges, meta).
   * With `wholeBefore`, undo must restore every byte of the page as it was (a page taken
   * from the free list: an earlier change of the same transaction may be undone later by
   * restoring only part of it, and counts on the rest).
   */
  rewrite(file: MPoolFile, frame: Frame, mutate: () => void, wholeBefore?: boolean): void;
  /**
   * `rewrite` for a `mutate` that changes only bytes [from, to) of the pinned page (a few
   * header or meta fields): only that range is compared and logged.
   */
  rewriteRange(file: MPoolFile, frame: Frame, from: number, to: number, mutate: () => void): void;
  /** Adds `delta` to the meta page's record count (a transaction may defer it to commit). */
  adjustCount(file: MPoolFile, delta: number): void;
  /** Count changes made but not yet applied to the meta page (0 without a transaction). */
  pendingCount(file: MPoolFile): number;
}

/** Applies changes without logging: non-transactional environments. */
export const directChanges: PageChanges = {
  willRead() {},
  allocated() {},
  insertItem(file, frame, index, item) {
    file.markDirty(frame);
    insertItem(frame, index, item);
  },
  insertItemWith(file, frame, index, length, fill) {
    file.markDirty(frame);
    fill(frame.data, allocItem(frame, index, length));
  },
  deleteItem(file, frame, index) {
    file.markDirty(frame);
    deleteItem(frame, index);
  },
  replaceItem(file, frame, index, item) {
    file.markDirty(frame);
    replaceItem(frame, index, item);
  },
  addToItem(file, frame, index, offset, delta) {
    file.markDirty(frame);
    addToItem(frame, index, offset, delta);
  },
  rewrite(file, frame, mutate) {
    file.markDirty(frame);
    mutate();
  },
  rewriteRange(file, frame, _from, _to, mutate) {
    file.markDirty(frame);
    mutate();
  },
  adjustCount(file, delta) {
    const meta = file.get(META_PGNO);
    try {
      file.markDirty(meta);
      setMetaCount(meta, metaCount(meta) + delta);
    } finally {
      file.release(meta);
    }
  },
  pendingCount() {
    return 0;
  },
};
