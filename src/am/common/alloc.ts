/**
 * Page allocation and freeing through the meta page's free list.
 *
 * Layer: am/common (rank 5).
 *
 * Invariants:
 * 1. A freed page has type FREE and is linked through `nextPgno` from `freeHead`.
 * 2. Allocation takes the free list's head first, then grows the file by one page.
 * 3. Every change goes through `PageChanges`, so allocation is logged and undone like data.
 * 4. Undoing the allocation of a page taken from the free list restores all its bytes: the
 *    undo of its freeing (earlier in the same transaction) restores only the header, and
 *    counts on the body (an overflow page's payload) being as it was left.
 * 5. A page the file grows by is fresh before it is formatted: its prior bytes are beyond
 *    `lastPgno` and mean nothing, so a transaction logs no record for formatting it as a
 *    slotted page (its image at commit is the redo; see fresh-pages.ts).
 */
import { type Pgno, CorruptionError, pgno } from '../../util/index.js';
import type { Frame } from '../../mpool/index.js';
import { PageType, getNext, getType, initPage, setNext } from '../../page/index.js';
import { type AmFile, pinPage } from './am-file.js';
import {
  META_FREE_RANGE, META_LAST_RANGE, META_PGNO, metaFreeCount, metaFreeHead, metaLast,
  setMetaFreeCount, setMetaFreeHead, setMetaLast,
} from './meta.js';

/** Returns a pinned, dirty, empty page of `type`. */
export function allocPage(f: AmFile, type: PageType, level = 0): Frame {
  const meta = f.mp.get(META_PGNO);
  try {
    const head = metaFreeHead(meta);
    let frame: Frame;
    if (head !== 0) {
      frame = pinPage(f, head);
      if (getType(frame) !== PageType.FREE) {
        f.mp.release(frame);
        f.mp.damageSeen = true;
        throw new CorruptionError(`${f.name}: free-list page ${head} is not a free page`, {
          file: f.name, pgno: head,
        });
      }
      const next = getNext(frame);
      const count = metaFreeCount(meta);
      f.changes.rewriteRange(f.mp, meta, ...META_FREE_RANGE, () => {
        setMetaFreeHead(meta, next);
        setMetaFreeCount(meta, count - 1);
      });
    } else {
      const fresh = pgno(metaLast(meta) + 1);
      f.changes.rewriteRange(f.mp, meta, ...META_LAST_RANGE, () => setMetaLast(meta, fresh));
      frame = f.mp.create(fresh);
    }
    const target = frame.pgno;
    const reused = head !== 0;
    f.changes.allocated(f.mp, frame);
    f.changes.rewrite(f.mp, frame, () => initPage(frame, target, type, level), reused);
    return frame;
  } finally {
    f.mp.release(meta);
  }
}

/** Puts a pinned page on the free list. The caller still releases the frame. */
export function freePage(f: AmFile, frame: Frame): void {
  const meta = f.mp.get(META_PGNO);
  try {
    const head = metaFreeHead(meta);
    const count = metaFreeCount(meta);
    const target: Pgno = frame.pgno;
    f.changes.rewrite(f.mp, frame, () => {
      initPage(frame, target, PageType.FREE);
      setNext(frame, head);
    });
    f.changes.rewriteRange(f.mp, meta, ...META_FREE_RANGE, () => {
      setMetaFreeHead(meta, target);
      setMetaFreeCount(meta, count + 1);
    });
  } finally {
    f.mp.release(meta);
  }
}
