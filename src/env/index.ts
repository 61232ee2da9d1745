/**
 * The env layer (rank 6): environments, low-level database handles and cursors, explicit
 * transactions.
 */
export {
  CoreEnvironment, type ArchiveOptions, type Comparator, type DatabaseConfig,
  type EnvironmentClass,
} from './environment.js';
export {
  type CompactReport, Database, type DatabaseStat, type DatabaseType, type KeyRange,
  type PutOptions, type RecordWindow, type VerifyReport,
} from './database.js';
export {
  DbCursor, type CursorPosition, type KeyPosition, type BytePair,
} from './db-cursor.js';
export { TxnHandle } from './txn-handle.js';
export type { EnvironmentStat, Isolation, TransactionOptions } from './env-types.js';
export type { EnvironmentOptions, Durability, ResolvedOptions } from './options.js';
export { parseDbConfig, type DbConfigOverrides } from './db-config.js';
export type { DuplicatesMode } from '../am/common/index.js';
