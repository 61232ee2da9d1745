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
import { ClosedError, InvalidArgumentError, describeValue } from '../util/index.js';
import type { AmCursor, CursorPosition } from '../am/common/index.js';
import { type Database, checkBytes, checkRecno } from './database.js';
import type { DbRunner } from './db-runner.js';
import { type BytePair, checkBufferSize, readBatch } from './bulk.js';
import type { Transaction } from '../txn/index.js';

export type { CursorPosition, BytePair };

/** Where `putKey` stores a new duplicate among its key's (unsorted duplicates). */
export type KeyPosition = 'first' | 'last';


export class DbCursor {
  private closedByOwner = false;

  /** @internal */
  constructor(
    private readonly db: Database,
    private readonly inner: AmCursor,
    private readonly runner: DbRunner,
    private readonly onClose: (c: DbCursor) => void,
    /** @internal The transaction the cursor is bound to (none: each step auto-commits). */
    readonly txn?: Transaction,
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

  /** To the next value of the current key (DB_NEXT_DUP); false (unmoved) past its last. */
  nextDup(): boolean {
    return this.read(() => this.inner.nextDup());
  }

  /** To the previous value of the current key (DB_PREV_DUP); false (unmoved) before its first. */
  prevDup(): boolean {
    return this.read(() => this.inner.prevDup());
  }

  /** To the first value of the next key (DB_NEXT_NODUP); unpositioned: the first item. */
  nextNoDup(): boolean {
    return this.read(() => this.inner.nextNoDup());
  }

  /** To the last value of the previous key (DB_PREV_NODUP); unpositioned: the last item. */
  prevNoDup(): boolean {
    return this.read(() => this.inner.prevNoDup());
  }

  /** To the pair (`key`, `value`) exactly (DB_GET_BOTH); false (unmoved) when absent. */
  seekBoth(key: Uint8Array, value: Uint8Array): boolean {
    checkBytes(key, 'key');
    checkBytes(value, 'value');
    return this.read(() => this.inner.seekBoth(key, value));
  }

  /**
   * To the first value of `key` that is >= `value` in the duplicate order (DB_GET_BOTH_RANGE);
   * without sorted duplicates, to the pair exactly.
   */
  seekBothRange(key: Uint8Array, value: Uint8Array): boolean {
    checkBytes(key, 'key');
    checkBytes(value, 'value');
    return this.read(() => this.inner.seekBothRange(key, value));
  }

  /** To record number `recno` (1-based; DB_SET_RECNO); false (unmoved) past the end. */
  seekRecno(recno: number): boolean {
    checkRecno(recno);
    return this.read(() => this.inner.seekRecno(recno));
  }

  /**
   * The current item's record number (DB_GET_RECNO); needs `recordNumbers`.
   * `NotFoundError` when the current item was deleted (it has no number).
   */
  recno(): number {
    return this.read(() => this.inner.recno());
  }

  /**
   * Values stored under the current key (DBC->count; 1 without duplicates). After a delete,
   * what the key has left.
   */
  count(): number {
    return this.read(() => this.inner.count());
  }

  /**
   * The pairs after the current position (from the first when unpositioned) that fit
   * `bufferSize` bytes, each counted as its key, its value and 16 bytes of offsets
   * (DBC->get with DB_NEXT | DB_MULTIPLE_KEY). The cursor ends on the last pair returned; an
   * empty batch means the end. The buffer must be a multiple of 1024 bytes, at least a page
   * (`InvalidArgumentError`); a next pair larger than the buffer is `BufferSmallError`
   * naming the size needed, and the cursor does not move.
   */
  nextBatch(bufferSize: number): BytePair[] {
    checkBufferSize(bufferSize, this.db.am.pageSize, 'nextBatch');
    return this.read(() => readBatch(this.inner, bufferSize));
  }

  /** A new cursor at the same position, in the same transaction (DBC->dup, DB_POSITION). */
  dup(): DbCursor {
    this.checkOpen();
    return this.runner.dupCursor(this.db, this, () => this.inner.dup());
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
   * Stores (`key`, `value`) and moves to it (DB_KEYFIRST / DB_KEYLAST): without duplicates
   * it replaces the key's value, with sorted duplicates it goes to its sorted place
   * (`KeyExistsError` when stored), with unsorted ones it becomes the first or last value.
   */
  putKey(key: Uint8Array, value: Uint8Array, position: KeyPosition = 'last',
    options?: { noDupData?: boolean }): void {
    checkBytes(key, 'key');
    checkBytes(value, 'value');
    if (position !== 'first' && position !== 'last') {
      throw new InvalidArgumentError(`putKey position must be 'first' or 'last', got ` +
        describeValue(position));
    }
    const noDupData = options?.noDupData === true;
    this.write(() => this.inner.putKey(key, value, position, noDupData));
  }

  /**
   * Stores `value` as a duplicate just before the current one and moves to it (DB_BEFORE;
   * unsorted duplicates only, else `InvalidArgumentError`). On a deleted item the new value
   * takes its place, as in Berkeley DB.
   */
  putBefore(value: Uint8Array): boolean {
    checkBytes(value, 'value');
    return this.write(() => this.inner.putBefore(value));
  }

  /** As `putBefore`, just after the current duplicate (DB_AFTER). */
  putAfter(value: Uint8Array): boolean {
    checkBytes(value, 'value');
    return this.write(() => this.inner.putAfter(value));
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
