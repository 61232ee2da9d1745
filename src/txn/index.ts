/**
 * The txn layer (rank 4): transactions, their log records, undo, checkpoints and recovery.
 */
export { Transaction, type TxnDurability, type TxnResource, type TxnState } from './transaction.js';
export { TxnManager, TXN_ID_BASE, type TxnStats } from './txn-manager.js';
export type {
  ClrWriter, RecoveryFiles, RecoveryHandler, RecoveryRegistry,
} from './recovery-types.js';
export { recover, type RecoveryFileTable, type RecoveryReport } from './recovery.js';
export {
  takeCheckpoint, removableLogFiles, type CheckpointInfo, type CheckpointTarget,
} from './checkpoint.js';
export {
  CheckpointRecord, DbRegisterRecord, TxnAbortRecord, TxnCommitRecord,
} from './records.js';
