/**
 * The contract between the transaction layer and the access methods for redo and undo:
 * handlers registered per log record type, and the files they work on.
 *
 * Layer: txn (rank 4). The environment fills the registry (Berkeley DB's dispatch table), so
 * this layer never imports an access method.
 *
 * Invariants:
 * 1. `redo` changes a page only when the page's LSN is older than the record's, and then sets
 *    the page's LSN to the record's: applying a record twice is applying it once.
 * 2. `undo` reverses a change of a page whose state is exactly as the change left it (strict
 *    two-phase locking guarantees it), and logs a compensation record through `clr`.
 */
import type { Lsn, TxnId } from '../util/index.js';
import type { LogRecord, LogRecordRegistry, LogRecordType } from '../log/index.js';
import type { MPoolFile } from '../mpool/index.js';

/** Open database files by their log file id. */
export interface RecoveryFiles {
  /**
   * The file a page record names; throws when it is not registered. Undefined when the log
   * registered it but recovery found it missing or empty in the home: its records are
   * skipped (that database was removed or emptied; opening it reports the damage).
   */
  file(fileId: number): MPoolFile | undefined;
}

/** Appends a compensation record to the chain being undone. */
export interface ClrWriter {
  /** Logs `body` of `type` for the undone transaction; returns its LSN. */
  log<B>(type: LogRecordType<B>, body: B): Lsn;
  /** Logs a record in no transaction's chain (a full-page image); returns its LSN. */
  logUnchained<B>(type: LogRecordType<B>, body: B): Lsn;
  /** Pages with an LSN below this get a full-page image before their next change. */
  readonly fullPageBelow: Lsn;
  readonly txnId: TxnId;
}

/** Redo and undo of one record type. */
export interface RecoveryHandler {
  redo(record: LogRecord, files: RecoveryFiles): void;
  /** Reverses `record`; `undoNext` is what its compensation record must point to. */
  undo(record: LogRecord, files: RecoveryFiles, clr: ClrWriter, undoNext: Lsn): void;
  /** For a compensation record: the next record of the chain still to undo; else undefined. */
  undoNextOf(record: LogRecord): Lsn | undefined;
}

/** The registry the environment builds: every record type, with handlers for page records. */
export type RecoveryRegistry = LogRecordRegistry<RecoveryHandler>;
