/**
 * Stowage: persistent, transactional `Map`, `Set` and `Array` for TypeScript on an embedded
 * database engine in the spirit of Berkeley DB. This file is the whole public surface.
 */
import 'reflect-metadata';

export {
  Environment, PersistentMap, type MapOptions, type RangeOptions,
} from './collections/index.js';
export {
  Database, type DatabaseConfig, type DatabaseStat, type DatabaseType, type EnvironmentOptions,
  type EnvironmentStat, type Durability, DbCursor as Cursor, TxnHandle as Transaction,
  type TransactionOptions, type Isolation,
} from './env/index.js';
export { type BtreeVerifyReport as VerifyReport, type Comparator } from './am/btree/index.js';
export {
  codecs, type Codec, type KeyCodec, type KeyValue, type ClassCodecOptions,
} from './codec/index.js';
export type { MPoolStats as CacheStats } from './mpool/index.js';
export {
  DbError, type ErrorCode, NotFoundError, KeyExistsError, KeyEmptyError, DeadlockError,
  LockNotGrantedError, RunRecoveryError, CorruptionError, IoError, InvalidArgumentError,
  UnsupportedError, TransactionClosedError, ReadOnlyError, CodecError, EnvironmentLockedError,
  VersionMismatchError,
} from './util/index.js';
