/**
 * `DbCursor` (exported as `Cursor`): a database cursor whose every step runs through the
 * environment, so it joins the current transaction (locks, logging) like any other call.
 *
 * Layer: env (rank 6).
 *
 * Its semantics are Berkeley DB's btree cursor (checked against the real library by
 * test/compat): a miss is `false`, the cursor's state decides which errors a call throws.
 *
 * Invariants:
 * 1. Positioning and reading are reads; `put` and `del` are writes (logged, locked).
 * 2. A cursor opened inside a transaction is closed when that transaction ends; using it
 *    afterwards throws `TransactionClosedError`.
 * 3. A move that returns false leaves the cursor where it was (BDB keeps its position).
 * 4. On an unpositioned cursor, `key`/`value`/`put`/`del` throw `InvalidArgumentError`
 *    (BDB: EINVAL). On a deleted current item, `key`/`value` throw `KeyEmptyError`
 *    (DB_KEYEMPTY), `put` returns false (DB_NOTFOUND), `del` returns false (DB_KEYEMPTY).
 * 5. After `close()`, or once its database is closed, every call but `close` throws
 *    `ClosedError` (after its transaction ended, `TransactionClosedError`, invariant 2).
 */
import { ClosedError } from '../util/index.js';
import type { BtreeCursor } from '../am/btree/index.js';
import { type Database, checkBytes } from './database.js';
import type { DbRunner } from './db-runner.js';

/** Where a cursor stands: see `DbCursor.where`. */
export type CursorPosition = ReturnType<BtreeCursor['where']>;


export class DbCursor {
  private closedByOwner = false;

  /** @internal */
  constructor(
    private readonly db: Database,
    private readonly inner: BtreeCursor,
    private readonly runner: DbRunner,
    private readonly onClose: (c: DbCursor) => void,
  ) {}

  /** To the smallest key (DB_FIRST); false when empty. */
  first(): boolean {
    return this.read(() => this.inner.first());
  }

  /** To the largest key (DB_LAST); false when empty. */
  last(): boolean {
    return this.read(() => this.inner.last());
  }

  /**
   * To the next key (DB_NEXT): from an unpositioned cursor, the first; from a deleted item,
   * the first key after it. False at the end.
   */
  next(): boolean {
    return this.read(() => this.inner.next());
  }

  /**
   * To the previous key (DB_PREV): from an unpositioned cursor, the last; from a deleted
   * item, the last key before it. False at the start.
   */
  prev(): boolean {
    return this.read(() => this.inner.prev());
  }

  /** To `key` exactly (Berkeley DB's DB_SET); false when absent. */
  seek(key: Uint8Array): boolean {
    checkBytes(key, 'key');
    return this.read(() => this.inner.seek(key));
  }

  /** To the smallest key >= `key` (> when `exclusive`): DB_SET_RANGE. */
  seekRange(key: Uint8Array, exclusive = false): boolean {
    checkBytes(key, 'key');
    return this.read(() => this.inner.seekRange(key, exclusive));
  }

  /** To the largest key <= `key` (< when `exclusive`). */
  seekRangeBackward(key: Uint8Array, exclusive = false): boolean {
    checkBytes(key, 'key');
    return this.read(() => this.inner.seekRangeBackward(key, exclusive));
  }

  /**
   * 'unpositioned' (never moved, or only failed moves), 'item' (on a stored item) or
   * 'deleted' (its item was deleted since): what DB_CURRENT would report.
   */
  where(): CursorPosition {
    return this.read(() => this.inner.where());
  }

  /** True when positioned on a stored item (DB_CURRENT succeeds). */
  current(): boolean {
    return this.read(() => this.inner.current());
  }

  /** A copy of the current key (DB_CURRENT). Throws as invariant 4 says. */
  key(): Uint8Array {
    return this.read(() => this.inner.key());
  }

  /** A copy of the current value (DB_CURRENT). Throws as invariant 4 says. */
  value(): Uint8Array {
    return this.read(() => this.inner.value());
  }

  /** @internal The current key as a view valid during `read`. */
  keyWith<T>(read: (key: Uint8Array) => T): T {
    return this.read(() => this.inner.keyWith(read));
  }

  /** @internal The current value as a view valid during `read`. */
  valueWith<T>(read: (value: Uint8Array) => T): T {
    return this.read(() => this.inner.valueWith(read));
  }

  /**
   * Replaces the current item's value (DB_CURRENT put). False, storing nothing, when the
   * current item was deleted; throws `InvalidArgumentError` when unpositioned.
   */
  put(value: Uint8Array): boolean {
    checkBytes(value, 'value');
    return this.write(() => this.inner.put(value));
  }

  /**
   * Deletes the current item; the cursor stays on its place (`where()` is then 'deleted').
   * False when it was already deleted; throws `InvalidArgumentError` when unpositioned.
   */
  del(): boolean {
    return this.write(() => this.inner.del());
  }

  /**
   * Releases the cursor. (`reason` is given by the transaction that closes it when it ends;
   * later use then throws `TransactionClosedError` with it.)
   */
  close(reason?: string): void {
    if (this.inner.isClosed) return;
    const byTransaction = typeof reason === 'string';
    this.closedByOwner = !byTransaction;
    this.inner.close(byTransaction ? reason : undefined);
    this.onClose(this);
  }

  private read<T>(fn: () => T): T {
    this.checkOpen();
    return this.runner.read(this.db, fn);
  }

  private write<T>(fn: () => T): T {
    this.checkOpen();
    return this.runner.write(this.db, fn);
  }

  /** Throws `ClosedError` when the cursor or its database was closed. */
  private checkOpen(): void {
    if (this.db.isClosed && !this.inner.isClosed) this.close();
    if (this.closedByOwner) {
      const whose = this.db.isClosed ? `database ${this.db.name} was closed` : 'it was closed';
      throw new ClosedError(`cursor on ${this.db.name}: ${whose}; open a new cursor`);
    }
  }

  get isClosed(): boolean {
    return this.inner.isClosed;
  }
}
