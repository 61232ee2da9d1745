/**
 * Public shapes of the environment API: statistics and transaction options.
 *
 * Layer: env (rank 6).
 */
import {
  InvalidArgumentError, UnsupportedError, describeValue, optionNames, readOptions,
} from '../util/index.js';
import type { MPoolStats } from '../mpool/index.js';
import type { LockStats } from '../lock/index.js';
import type { LogStats } from '../log/index.js';
import type { TxnStats } from '../txn/index.js';
import type { Durability } from './options.js';

/** What `env.stat()` reports. */
export interface EnvironmentStat {
  home: string;
  transactional: boolean;
  durability: Durability;
  pageSize: number;
  cache: MPoolStats;
  databases: string[];
  /** Present in transactional environments. */
  txn?: TxnStats;
  lock?: LockStats;
  log?: LogStats;
}

/** Isolation levels of the API contract; only 'serializable' is implemented so far. */
export type Isolation = 'serializable' | 'read-committed' | 'read-uncommitted' | 'snapshot';

/** Options of `env.begin()` and `env.transaction()`. */
export interface TransactionOptions {
  /** Durability of this transaction's commit; default the environment's. */
  durability?: Durability;
  /** Default 'serializable' (strict two-phase locking of pages). */
  isolation?: Isolation;
  /** `env.transaction` only: times to retry after a deadlock. Default 0. */
  retries?: number;
}

/** Every name `begin` and `transaction` accept: the one list their option check uses. */
const TRANSACTION_OPTION_NAMES = optionNames<TransactionOptions>()([
  'durability', 'isolation', 'retries',
]);

const ISOLATION_LEVELS: readonly unknown[] = [
  'serializable', 'read-committed', 'read-uncommitted', 'snapshot',
];

/** Transaction options as read once and checked by `readTxnOptions`. */
export interface CheckedTxnOptions {
  durability: Durability | undefined;
  retries: number;
}

/**
 * Reads transaction options once (a getter runs once) and checks them:
 * `InvalidArgumentError` naming the option, or `UnsupportedError` for an isolation level
 * that is not built.
 */
export function readTxnOptions(options: TransactionOptions | undefined): CheckedTxnOptions {
  if (options === undefined) return { durability: undefined, retries: 0 };
  const given = readOptions(options, TRANSACTION_OPTION_NAMES, 'transaction options');
  const { durability, isolation, retries } = given;
  if (durability !== undefined && !['sync', 'write', 'none'].includes(durability as string)) {
    throw new InvalidArgumentError(
      `durability must be 'sync', 'write' or 'none', got ${describeValue(durability)}`,
    );
  }
  if (isolation !== undefined && isolation !== 'serializable') {
    if (!ISOLATION_LEVELS.includes(isolation)) {
      throw new InvalidArgumentError(`unknown isolation level ${describeValue(isolation)}`);
    }
    throw new UnsupportedError(
      `isolation ${describeValue(isolation)} is unsupported: Stowage transactions are ` +
        'serializable',
    );
  }
  if (retries !== undefined && (!Number.isInteger(retries) || (retries as number) < 0)) {
    throw new InvalidArgumentError(
      `retries must be a non-negative integer, got ${describeValue(retries)}`,
    );
  }
  return { durability: durability as Durability | undefined, retries: (retries as number) ?? 0 };
}
