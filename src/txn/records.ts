/**
 * The transaction layer's own log records: commit, abort, checkpoint and file registration.
 * Page changes are logged by the access methods (am/common/page-records.ts).
 *
 * Layer: txn (rank 4).
 *
 * Invariants:
 * 1. Type ids 1..9 belong to this layer and never change.
 * 2. A transaction has a commit record or an abort record, never both; one with neither at
 *    recovery time is undone.
 * 3. Every page record of a file comes after a `dbreg_register` of its file id in the same
 *    environment session, and every checkpoint re-registers every open file.
 */
import { defineLogRecord } from '../log/index.js';

/** A top-level transaction committed. */
export const TxnCommitRecord = defineLogRecord({
  name: 'txn_commit', typeId: 1, fields: { timestampMs: 'u53' },
});

/** A top-level transaction's undo is complete: its changes are gone. */
export const TxnAbortRecord = defineLogRecord({
  name: 'txn_abort', typeId: 2, fields: { timestampMs: 'u53' },
});

/**
 * A checkpoint: every change logged before `redoLsn` is on disk. Recovery scans from
 * `scanLsn` (the first record of any transaction open at the checkpoint, or `redoLsn`).
 */
export const CheckpointRecord = defineLogRecord({
  name: 'txn_ckp',
  typeId: 3,
  fields: { redoLsn: 'lsn', scanLsn: 'lsn', nextTxnId: 'u32', timestampMs: 'u53' },
});

/** Names the database file that page records with `fileId` refer to, from here on. */
export const DbRegisterRecord = defineLogRecord({
  name: 'dbreg_register', typeId: 4, fields: { fileId: 'fileId', name: 'string' },
});
