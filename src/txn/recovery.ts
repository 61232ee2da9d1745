/**
 * Recovery: bring every database file to the state the log says it must have after a crash.
 *
 * Layer: txn (rank 4).
 *
 * 1. Find the last checkpoint (scanning the log backward); catastrophic recovery, or a log
 *    without one, starts from the first record. When the log no longer begins at its first
 *    record (older files were removed), catastrophic recovery starts instead at the earliest
 *    checkpoint whose scan point is still in the log: the records before it may name files
 *    registered only in the removed files, and its own file registrations name every file
 *    open then.
 * 2. Roll forward from the checkpoint's scan point (one at the end of a log file, where no
 *    record starts, means the next file's first record): register files, redo every page
 *    record whose page is older than the record (records before the checkpoint's redo point
 *    are on disk already), and note each transaction's last record and outcome.
 * 3. Undo every transaction with neither a commit nor an abort record, newest record first,
 *    logging compensation records, then log its abort record.
 *
 * Invariants:
 * 1. Idempotent: redo is guarded by page LSNs and undo by compensation records, so a crash
 *    during recovery followed by recovery again gives the same result.
 * 2. Aborts at run time use the same undo code (`TxnManager.undo`).
 */
import { CorruptionError, type Lsn, type TxnId, ZERO_LSN, lsnFile } from '../util/index.js';
import { type LogManager, type LogRecord, firstLsnOfFile } from '../log/index.js';
import type { LogBody, LogCursor } from '../log/index.js';
import type { RecoveryFiles, RecoveryRegistry } from './recovery-types.js';
import {
  CheckpointRecord, DbRegisterRecord, TxnAbortRecord, TxnCommitRecord,
} from './records.js';
import type { TxnManager } from './txn-manager.js';
import { TXN_ID_BASE } from './txn-manager.js';

/** Files as recovery needs them: registered by name as the log names them. */
export interface RecoveryFileTable extends RecoveryFiles {
  register(fileId: number, name: string): void;
}

/** What recovery did. */
export interface RecoveryReport {
  /** Where the forward pass started. */
  fromLsn: Lsn;
  recordsScanned: number;
  pageRecordsRedone: number;
  /** Transactions without an outcome that were undone. */
  losers: number;
  changesUndone: number;
  nextTxnId: number;
  /**
   * Database files the log names that were missing, empty or without a readable meta page:
   * recovery skipped their records and left them alone (filled in by the environment's file
   * table); opening such a database reports the damage.
   */
  skippedFiles: string[];
}

interface TxnEntry {
  lastLsn: Lsn;
  ended: boolean;
}

type CheckpointBody = LogBody<typeof CheckpointRecord>;

function lastCheckpoint(log: LogManager): CheckpointBody | undefined {
  const cursor = log.cursor();
  for (let r = cursor.last(); r !== undefined; r = cursor.prev()) {
    if (CheckpointRecord.is(r)) return r.body;
  }
  return undefined;
}

/** The earliest checkpoint whose scan point lies at or after `from`, the log's first record. */
function earliestUsableCheckpoint(log: LogManager, from: Lsn): CheckpointBody | undefined {
  const cursor = log.cursor();
  for (let r = cursor.first(); r !== undefined; r = cursor.next()) {
    if (CheckpointRecord.is(r) && r.body.scanLsn >= from) return r.body;
  }
  return undefined;
}

/**
 * The checkpoint recovery starts from; undefined to start at the first record, which is right
 * only when the log still holds its whole history (it begins in file 1).
 * @throws CorruptionError when the records recovery needs were removed.
 */
function startCheckpoint(log: LogManager, catastrophic: boolean): CheckpointBody | undefined {
  const firstLsn = log.cursor().first()?.lsn ?? ZERO_LSN;
  const wholeHistory = firstLsn === firstLsnOfFile(1);
  const ckp = catastrophic
    ? (wholeHistory ? undefined : earliestUsableCheckpoint(log, firstLsn))
    : lastCheckpoint(log);
  if (ckp ? ckp.scanLsn < firstLsn : !wholeHistory) {
    const firstFile = log.filePath(log.files()[0]!);
    throw new CorruptionError(
      `recovery needs log records that were removed: the log begins at ${firstFile} and no ` +
        'checkpoint has all its records after that; restore the missing log files (the ' +
        'logAutoRemove: false option keeps them)',
    );
  }
  return ckp;
}

/**
 * The first record at or after `lsn`, a checkpoint's scan point. A checkpoint that began when
 * its log file had no room left for its first record has its scan point at that file's end,
 * where no record starts: the records after it begin the next file.
 */
function firstRecordFrom(log: LogManager, cursor: LogCursor, lsn: Lsn): LogRecord | undefined {
  const record = cursor.seek(lsn);
  const next = lsnFile(lsn) + 1;
  if (record !== undefined || !log.files().includes(next)) return record;
  return cursor.seek(firstLsnOfFile(next));
}

/** Runs recovery. `mgr` supplies the log, the registry and the undo code. */
export function recover(
  mgr: TxnManager, files: RecoveryFileTable, catastrophic: boolean,
): RecoveryReport {
  const log = mgr.log;
  const ckpBody = startCheckpoint(log, catastrophic);
  const cursor = log.cursor();
  const first = ckpBody ? firstRecordFrom(log, cursor, ckpBody.scanLsn) : cursor.first();
  const report: RecoveryReport = {
    fromLsn: first?.lsn ?? ZERO_LSN, recordsScanned: 0, pageRecordsRedone: 0, losers: 0,
    changesUndone: 0, nextTxnId: ckpBody?.nextTxnId ?? TXN_ID_BASE + 1, skippedFiles: [],
  };
  const txns = new Map<TxnId, TxnEntry>();
  const redoFrom = ckpBody?.redoLsn ?? ZERO_LSN;
  for (let r = first; r !== undefined; r = cursor.next()) {
    report.recordsScanned++;
    forward(r, mgr.registry, files, txns, redoFrom, report);
  }
  // Undo changes pages: those not changed since the redo point are imaged first, so a torn
  // write during this recovery is repaired by the next one, which starts from the same point.
  mgr.fullPagesFrom(redoFrom === ZERO_LSN ? first?.lsn ?? ZERO_LSN : redoFrom);
  const losers = [...txns.entries()].filter(([, e]) => !e.ended);
  losers.sort((a, b) => b[1].lastLsn - a[1].lastLsn);
  for (const [id, entry] of losers) {
    const chain = { lastLsn: entry.lastLsn, logId: id };
    report.changesUndone += mgr.undo(chain, entry.lastLsn, ZERO_LSN);
    log.append(TxnAbortRecord, id, chain.lastLsn, { timestampMs: Date.now() });
    report.losers++;
  }
  return report;
}

function forward(
  r: LogRecord, registry: RecoveryRegistry, files: RecoveryFileTable,
  txns: Map<TxnId, TxnEntry>, redoFrom: Lsn, report: RecoveryReport,
): void {
  if (r.txnId >= TXN_ID_BASE && r.txnId + 1 > report.nextTxnId) report.nextTxnId = r.txnId + 1;
  if (DbRegisterRecord.is(r)) {
    files.register(r.body.fileId, r.body.name);
    return;
  }
  if (r.typeId === CheckpointRecord.typeId) return;
  const entry = txns.get(r.txnId) ?? { lastLsn: ZERO_LSN, ended: false };
  if (r.txnId !== 0) txns.set(r.txnId, entry);
  entry.lastLsn = r.lsn;
  if (TxnCommitRecord.is(r) || TxnAbortRecord.is(r)) {
    entry.ended = true;
    return;
  }
  if (r.lsn < redoFrom) return;
  const handler = registry.handler(r.typeId);
  if (!handler) return;
  handler.redo(r, files);
  report.pageRecordsRedone++;
}
