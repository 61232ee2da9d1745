/**
 * Public shapes of the environment API: statistics and transaction options.
 *
 * Layer: env (rank 6).
 */
import { InvalidArgumentError, UnsupportedError } from '../util/index.js';
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

/** Validates transaction options. */
export function checkTxnOptions(options: TransactionOptions | undefined): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('transaction options must be an object');
  }
  const { durability, isolation, retries } = options;
  if (durability !== undefined && !['sync', 'write', 'none'].includes(durability)) {
    throw new InvalidArgumentError(`durability must be 'sync', 'write' or 'none'`);
  }
  if (isolation !== undefined && isolation !== 'serializable') {
    if (!['read-committed', 'read-uncommitted', 'snapshot'].includes(isolation)) {
      throw new InvalidArgumentError(`unknown isolation level '${String(isolation)}'`);
    }
    throw new UnsupportedError(
      `isolation '${isolation}' is unsupported: Stowage transactions are serializable`,
    );
  }
  if (retries !== undefined && (!Number.isInteger(retries) || retries < 0)) {
    throw new InvalidArgumentError(`retries must be a non-negative integer, got ${retries}`);
  }
}
