/**
 * Checkpoints: make every logged change durable in the database files, so that recovery
 * can start from here, and tell which log files recovery will never need again.
 *
 * Layer: txn (rank 4).
 *
 * Invariants:
 * 1. Order: log the file registrations, flush the log (write-ahead rule), write and sync
 *    every dirty page, then log and flush the checkpoint record. A crash anywhere in between
 *    leaves the previous checkpoint in force.
 * 2. A log file is removable only when it ends before both the last checkpoint's scan
 *    point and the first record of every open transaction.
 */
import { type Lsn, ZERO_LSN, fileId, lsnFile, txnId } from '../util/index.js';
import { CheckpointRecord, DbRegisterRecord } from './records.js';
import type { TxnManager } from './txn-manager.js';

/** What a checkpoint needs besides the transaction manager. */
export interface CheckpointTarget {
  /** Open files as (log file id, name) pairs. */
  openFiles(): [number, string][];
  /**
   * Writes every dirty page and syncs every file. `durableLsn`: the log is durable through
   * it (every record before it), so the files may record that they depend on no more.
   */
  flushAndSyncPages(durableLsn: Lsn): void;
}

/** Where the last checkpoint left recovery. */
export interface CheckpointInfo {
  lsn: Lsn;
  scanLsn: Lsn;
  /** Where recovery starts redoing. */
  redoLsn: Lsn;
}

/** Takes a checkpoint; returns its LSN and scan point. */
export function takeCheckpoint(mgr: TxnManager, target: CheckpointTarget): CheckpointInfo {
  const log = mgr.log;
  const redoLsn = log.endLsn;
  for (const [id, name] of target.openFiles()) {
    log.append(DbRegisterRecord, txnId(0), ZERO_LSN, { fileId: fileId(id), name });
  }
  log.flush(undefined, 'sync');
  target.flushAndSyncPages(log.syncedLsn);
  const oldest = mgr.oldestActiveLsn();
  const scanLsn = oldest !== undefined && oldest < redoLsn ? oldest : redoLsn;
  const lsn = log.append(CheckpointRecord, txnId(0), ZERO_LSN, {
    redoLsn, scanLsn, nextTxnId: mgr.nextTxnId, timestampMs: Date.now(),
  });
  log.flush(lsn, 'sync');
  mgr.fullPagesFrom(redoLsn);
  return { lsn, scanLsn, redoLsn };
}

/** Log file numbers that recovery can no longer need. */
export function removableLogFiles(mgr: TxnManager, last: CheckpointInfo | undefined): number[] {
  if (!last) return [];
  let keepFrom = lsnFile(last.scanLsn);
  const oldest = mgr.oldestActiveLsn();
  if (oldest !== undefined) keepFrom = Math.min(keepFrom, lsnFile(oldest));
  return mgr.log.files().filter((f) => f < keepFrom);
}
