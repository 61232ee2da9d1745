/**
 * Log records for page changes, and their redo and undo. Every `PageChanges` method is one
 * of these records, so every access method is recoverable without records of its own.
 *
 * Layer: am/common (rank 5). The environment registers `PAGE_RECORD_HANDLERS` with the
 * transaction layer's recovery registry.
 *
 * Invariants:
 * 1. Redo applies a record only to a page whose LSN is older, then stamps the record's LSN.
 * 2. Undo applies the inverse change and logs it as a compensation record (`clr: true`)
 *    whose `undoNext` is the next record of the chain still to undo.
 * 3. The record count (`pg_count`) is logical: undo subtracts, so it needs no page lock.
 */
import {
  AssertionError, CorruptionError, type Lsn, type Pgno, assert, fileId,
} from '../../util/index.js';
import { defineLogRecord, type LogRecord, type LogRecordType } from '../../log/index.js';
import type { Frame, MPoolFile } from '../../mpool/index.js';
import {
  addToItem, deleteItem, getLsn, insertItem, replaceItem, setLsn,
} from '../../page/index.js';
import type { ClrWriter, RecoveryFiles, RecoveryHandler } from '../../txn/index.js';
import { metaCount, setMetaCount } from './meta.js';

const clrFields = { clr: 'bool', undoNext: 'lsn' } as const;

export const PgInsertRecord = defineLogRecord({
  name: 'pg_insert', typeId: 20,
  fields: { fileId: 'fileId', pgno: 'pgno', index: 'u16', item: 'bytes', ...clrFields },
});
export const PgDeleteRecord = defineLogRecord({
  name: 'pg_delete', typeId: 21,
  fields: { fileId: 'fileId', pgno: 'pgno', index: 'u16', item: 'bytes', ...clrFields },
});
export const PgReplaceRecord = defineLogRecord({
  name: 'pg_replace', typeId: 22,
  fields: {
    fileId: 'fileId', pgno: 'pgno', index: 'u16', before: 'bytes', after: 'bytes', ...clrFields,
  },
});
/**
 * An arbitrary change. On most pages `after` replaces the bytes at `offset` and undo puts
 * `before` back. Slotted pages are logged as images instead, because logical undos (insert,
 * delete) restore their items but not their byte layout: an image is the bytes from 12 to the
 * end of the slot array (`*Low`) and the item heap from `*Heap` to the end (`*High`).
 */
export const PgRewriteRecord = defineLogRecord({
  name: 'pg_rewrite', typeId: 23,
  fields: {
    fileId: 'fileId', pgno: 'pgno', offset: 'u32', before: 'bytes', after: 'bytes',
    beforeHeap: 'u32', beforeLow: 'bytes', beforeHigh: 'bytes',
    afterHeap: 'u32', afterLow: 'bytes', afterHigh: 'bytes', ...clrFields,
  },
});
/**
 * The whole content of a slotted page (header and slots, then the item heap), logged at
 * commit for a page its transaction allocated and then changed without item records (see
 * am/common/fresh-pages.ts). Redo writes it; its undo writes it again: the page held exactly
 * this content before the record too. Full-page logging also uses it, in no chain, for
 * slotted pages (see `PgFullRecord`).
 */
export const PgImageRecord = defineLogRecord({
  name: 'pg_image', typeId: 25,
  fields: {
    fileId: 'fileId', pgno: 'pgno', heap: 'u32', low: 'bytes', high: 'bytes', ...clrFields,
  },
});

/**
 * Full-page logging: the whole content of a page (from byte 12 on), logged before its first
 * change since the last checkpoint's redo point, in no transaction's chain. Redo writes it,
 * over a page whose last write was torn too; nothing undoes it (it changes nothing). A
 * transaction logs slotted pages as `pg_image` instead (no free space); undo uses this.
 */
export const PgFullRecord = defineLogRecord({
  name: 'pg_full', typeId: 26,
  fields: { fileId: 'fileId', pgno: 'pgno', image: 'bytes' },
});

export const PgCountRecord = defineLogRecord({
  name: 'pg_count', typeId: 24,
  fields: { fileId: 'fileId', pgno: 'pgno', delta: 'f64', ...clrFields },
});

/**
 * A subtree count changed by `delta`: the 32-bit number at byte `offset` of item `index`.
 * Like an item replacement it names the item by index, so its undo finds the same item
 * after the logical undo of later inserts and deletes on the page; it logs a few bytes
 * where a replacement logs the item twice.
 */
export const PgItemAddRecord = defineLogRecord({
  name: 'pg_item_add', typeId: 27,
  fields: {
    fileId: 'fileId', pgno: 'pgno', index: 'u16', offset: 'u16', delta: 'i32', ...clrFields,
  },
});

type Body<T> = T extends LogRecordType<infer B> ? B : never;
type AnyPageBody = { fileId: number; pgno: Pgno; clr: boolean; undoNext: Lsn };

/** Redo/undo for one page record type, from its apply and inverse functions. */
function pageHandler<B extends AnyPageBody>(
  type: LogRecordType<B>,
  apply: (frame: Frame, body: B) => void,
  inverse: (body: B) => [LogRecordType<never>, B],
  whole: (body: B) => boolean = () => false,
): RecoveryHandler {
  return {
    redo(record: LogRecord, files: RecoveryFiles): void {
      assert(record.typeId === type.typeId, `${type.name} handler given record ${record.typeId}`);
      const body = record.body as B;
      withPage(files.file(body.fileId), body.pgno, whole(body), (file, frame) => {
        if (getLsn(frame) >= record.lsn) return;
        file.markDirty(frame);
        apply(frame, body);
        setLsn(frame, record.lsn);
      });
    },
    undo(record: LogRecord, files: RecoveryFiles, clr: ClrWriter, undoNext: Lsn): void {
      const [inverseType, inverseBody] = inverse(record.body as B);
      const body = { ...inverseBody, clr: true, undoNext };
      withPage(files.file(body.fileId), body.pgno, false, (file, frame) => {
        if (getLsn(frame) < clr.fullPageBelow) {
          file.markDirty(frame);
          // The image names the file by the id the log knows it by (the record's), never by
          // the cache's id for it: during recovery the two differ.
          const image = fullPageBody(body.fileId, frame.pgno, frame.data);
          setLsn(frame, clr.logUnchained(PgFullRecord, image));
        }
        const lsn = clr.log(inverseType as unknown as LogRecordType<B>, body);
        file.markDirty(frame);
        applierOf(inverseType)(frame, body as never);
        setLsn(frame, lsn);
      });
    },
    undoNextOf(record: LogRecord): Lsn | undefined {
      const body = record.body as B;
      return body.clr ? body.undoNext : undefined;
    },
  };
}

/**
 * The body of a full-page image of page `pgno`, whose bytes are `page`, of the file the log
 * knows as `logFileId`.
 */
export function fullPageBody(
  logFileId: number, pgno: Pgno, page: Uint8Array,
): Body<typeof PgFullRecord> {
  return { fileId: fileId(logFileId), pgno, image: page.subarray(IMAGE_START) };
}

/**
 * Runs `fn` on the pinned page. For a record that carries the page's whole content
 * (`whole`), a page that cannot be read intact (a torn or misdirected write: checksum or
 * page number wrong) is rebuilt from the record on a blank frame instead.
 */
function withPage(
  file: MPoolFile | undefined, pgno: Pgno, whole: boolean,
  fn: (f: MPoolFile, frame: Frame) => void,
): void {
  if (file === undefined) return; // a file recovery found missing: see RecoveryFiles.file
  let frame: Frame;
  try {
    frame = file.get(pgno);
  } catch (e) {
    if (!whole || !(e instanceof CorruptionError) || e.detail.pgno !== pgno) throw e;
    frame = file.create(pgno);
  }
  try {
    fn(file, frame);
  } finally {
    file.release(frame);
  }
}

const applyInsert = (f: Frame, b: Body<typeof PgInsertRecord>) => insertItem(f, b.index, b.item);
const applyDelete = (f: Frame, b: Body<typeof PgDeleteRecord>) => deleteItem(f, b.index);
const applyReplace = (f: Frame, b: Body<typeof PgReplaceRecord>) =>
  replaceItem(f, b.index, b.after);
const applyRewrite = (f: Frame, b: Body<typeof PgRewriteRecord>) => {
  if (b.afterLow.length === 0) {
    f.data.set(b.after, b.offset);
    return;
  }
  f.data.set(b.afterLow, IMAGE_START);
  f.data.set(b.afterHigh, b.afterHeap);
};

const applyItemAdd = (f: Frame, b: Body<typeof PgItemAddRecord>) =>
  addToItem(f, b.index, b.offset, b.delta);

const applyCount = (f: Frame, b: Body<typeof PgCountRecord>) =>
  setMetaCount(f, metaCount(f) + b.delta);

const applyImage = (f: Frame, b: Body<typeof PgImageRecord>) => {
  f.data.set(b.low, IMAGE_START);
  f.data.set(b.high, b.heap);
};

/** Redo of a full-page image; it is in no chain, so nothing ever undoes it. */
const fullPageHandler: RecoveryHandler = {
  redo(record: LogRecord, files: RecoveryFiles): void {
    const body = record.body as Body<typeof PgFullRecord>;
    withPage(files.file(body.fileId), body.pgno, true, (file, frame) => {
      if (getLsn(frame) >= record.lsn) return;
      file.markDirty(frame);
      frame.data.set(body.image, IMAGE_START);
      setLsn(frame, record.lsn);
    });
  },
  undo(): void {
    throw new AssertionError('a pg_full record is in no transaction chain and has no undo');
  },
  undoNextOf(): Lsn | undefined {
    return undefined;
  },
};

/** Slotted-page images start after the checksum and LSN. */
export const IMAGE_START = 12;

/** The inverse of a rewrite: before and after swapped, spans and images alike. */
function invertRewrite(b: Body<typeof PgRewriteRecord>): Body<typeof PgRewriteRecord> {
  return {
    ...b, before: b.after, after: b.before,
    beforeHeap: b.afterHeap, beforeLow: b.afterLow, beforeHigh: b.afterHigh,
    afterHeap: b.beforeHeap, afterLow: b.beforeLow, afterHigh: b.beforeHigh,
  };
}

function applierOf(type: LogRecordType<never>): (f: Frame, b: never) => void {
  switch (type.typeId) {
    case PgInsertRecord.typeId: return applyInsert as never;
    case PgDeleteRecord.typeId: return applyDelete as never;
    case PgReplaceRecord.typeId: return applyReplace as never;
    case PgRewriteRecord.typeId: return applyRewrite as never;
    case PgImageRecord.typeId: return applyImage as never;
    case PgItemAddRecord.typeId: return applyItemAdd as never;
    default: return applyCount as never;
  }
}

/** Handlers by record type, for the recovery registry. */
export const PAGE_RECORD_HANDLERS: [LogRecordType<never>, RecoveryHandler][] = [
  [PgInsertRecord as never, pageHandler(PgInsertRecord, applyInsert,
    (b) => [PgDeleteRecord as never, b])],
  [PgDeleteRecord as never, pageHandler(PgDeleteRecord, applyDelete,
    (b) => [PgInsertRecord as never, b])],
  [PgReplaceRecord as never, pageHandler(PgReplaceRecord, applyReplace,
    (b) => [PgReplaceRecord as never, { ...b, before: b.after, after: b.before }])],
  [PgRewriteRecord as never, pageHandler(PgRewriteRecord, applyRewrite,
    (b) => [PgRewriteRecord as never, invertRewrite(b)], (b) => b.afterLow.length > 0)],
  [PgImageRecord as never, pageHandler(PgImageRecord, applyImage,
    (b) => [PgImageRecord as never, b], () => true)],
  [PgFullRecord as never, fullPageHandler],
  [PgCountRecord as never, pageHandler(PgCountRecord, applyCount,
    (b) => [PgCountRecord as never, { ...b, delta: -b.delta }])],
  [PgItemAddRecord as never, pageHandler(PgItemAddRecord, applyItemAdd,
    (b) => [PgItemAddRecord as never, { ...b, delta: -b.delta }])],
];
