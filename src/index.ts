/**
 * Stowage: persistent, transactional `Map`, `Set` and `Array` for TypeScript on an embedded
 * database engine in the spirit of Berkeley DB. This file is the whole public surface.
 */
import 'reflect-metadata';

export {
  Environment, PersistentMap, type MapOptions, type RangeOptions, PersistentSet, type SetOptions,
  MultiMap, type MultiMapOptions, MultiSet, type SetLike,
} from './collections/index.js';
export {
  Database, type DatabaseConfig, type DatabaseStat, type DatabaseType, type EnvironmentOptions,
  type EnvironmentStat, type Durability, DbCursor as Cursor, TxnHandle as Transaction,
  type TransactionOptions, type Isolation, CoreEnvironment, type EnvironmentClass,
  type ResolvedOptions, type ArchiveOptions, type PutOptions, type Comparator,
  type CursorPosition, type KeyPosition, type KeyRange, type VerifyReport, type RecordWindow,
  type BytePair, type CompactReport,
} from './env/index.js';
export type {
  DuplicatesMode as Duplicates, AmShape, AmKeyRange, AmVerifyReport, AmCompactResult,
  AmHashDetails,
} from './am/common/index.js';
export {
  codecs, type Codec, type Codecs, type KeyCodec, type KeyValue, type ClassCodecOptions,
  type ClassCodec,
} from './codec/index.js';
export type { MPoolStats as CacheStats } from './mpool/index.js';
export type { FileSystem, FileHandle, OpenMode } from './os/index.js';
export type { RecoveryReport, TxnStats } from './txn/index.js';
export type { LockStats } from './lock/index.js';
export type { LogStats } from './log/index.js';
export {
  DbError, type ErrorCode, NotFoundError, KeyExistsError, KeyEmptyError, DeadlockError,
  LockNotGrantedError, RunRecoveryError, CorruptionError, IoError, InvalidArgumentError,
  BufferSmallError, UnsupportedError, TransactionClosedError, ClosedError, ReadOnlyError,
  CodecError, EnvironmentLockedError, VersionMismatchError, type Lsn, type Brand,
} from './util/index.js';
