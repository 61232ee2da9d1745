/**
 * `DbRunner`: how a `Database` call is run by its environment: the checks every call needs
 * (open, not poisoned) and, in a transactional environment, the transaction it joins.
 *
 * Layer: env (rank 6).
 */
import type { Database } from './database.js';
import type { DbCursor } from './db-cursor.js';
import type { AmCompactResult, AmCursor } from '../am/common/index.js';

export interface DbRunner {
  /**
   * True when a read can run as a plain call right now (usable environment, no transaction
   * to join or conflict with): the hot path of point reads skips building a closure.
   */
  readsDirectly(): boolean;
  /** Runs a read-only operation. */
  read<T>(db: Database, fn: () => T): T;
  /** Runs an operation that changes pages. */
  write<T>(db: Database, fn: () => T): T;
  /** Opens a cursor (bound to the current transaction, if any). */
  openCursor(db: Database): DbCursor;
  /**
   * Captures the current transaction and returns what opens a cursor bound to it later;
   * the cursor throws `TransactionClosedError` when that transaction has ended by then.
   */
  cursorOpener(db: Database): () => DbCursor;
  /** A copy of a cursor, bound to the transaction the original is bound to. */
  dupCursor(db: Database, original: DbCursor, copy: () => AmCursor): DbCursor;
  /**
   * Runs a compaction of `db` outside any transaction (`InvalidArgumentError` while one is
   * open): `relocate` as its own write, then a checkpoint, so recovery never reads the pages
   * past the new end, then the file cut there.
   */
  compact(db: Database, relocate: () => AmCompactResult): AmCompactResult;
  /** Forgets a closed database handle. */
  closeDatabase(db: Database): void;
}
