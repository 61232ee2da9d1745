/**
 * `OpRunner`: runs every database call of an environment: the usability checks, the
 * transaction it joins (the context's current one, or an auto-commit one), the page-change
 * hook bound for the call, and the poisoning of the environment on failure.
 *
 * Layer: env (rank 6).
 *
 * Invariants:
 * 1. A call outside any transaction in a transactional environment is its own transaction:
 *    it commits when the call returns and aborts when it throws.
 * 2. An auto-commit call takes no locks while no other transaction is open (nothing can run
 *    until it has committed); otherwise it locks like any transaction.
 * 3. The page-change hook of a database is the transaction's only for the call's duration.
 * 4. Only a failure on a write path poisons the environment: an I/O error, or an error that
 *    is not a `DbError` (a bug), met while changing pages or writing files (the log, pages, a
 *    new database file), where a half-done change may be in memory or on disk. So does any
 *    error met by the checkpoint a commit may trigger: the commit stands and returns
 *    normally, and the next call throws `RunRecoveryError`. A call that throws has not
 *    committed. Arguments are checked before a call gets here, so bad input is a typed error
 *    (`InvalidArgumentError`, `CodecError`, `ClosedError`...) that changes nothing and
 *    poisons nothing.
 * 5. A poisoned environment writes nothing more: no commit (it throws `RunRecoveryError`),
 *    no undo, no checkpoint; its open transactions are discarded for recovery to undo.
 * 6. A closed environment throws `ClosedError` on every call.
 */
import {
  ClosedError, DbError, DeadlockError, InvalidArgumentError, IoError, LockNotGrantedError,
  RunRecoveryError,
} from '../util/index.js';
import type { AmCompactResult, AmCursor, PageChanges } from '../am/common/index.js';
import type { Transaction } from '../txn/index.js';
import type { Database } from './database.js';
import { DbCursor } from './db-cursor.js';
import type { DbRunner } from './db-runner.js';
import type { Durability } from './options.js';
import type { TxnRuntime } from './txn-runtime.js';
import { TxnContext, TxnHandle } from './txn-handle.js';
import { type TransactionOptions, readTxnOptions } from './env-types.js';

/** What the runner needs of its environment. */
export interface RunnerHost {
  readonly home: string;
  readonly durability: Durability;
  isClosed(): boolean;
  closeDatabase(db: Database): void;
  /** Called after each top-level commit (auto checkpoints). */
  afterCommit(): void;
  /** Makes every logged change durable in the database files (`env.checkpoint`). */
  checkpoint(): void;
}

export class OpRunner implements DbRunner {
  private poison: unknown;
  readonly context = new TxnContext();

  constructor(private readonly host: RunnerHost, readonly runtime: TxnRuntime | undefined) {}

  get isPoisoned(): boolean {
    return this.poison !== undefined;
  }

  /** Throws `ClosedError` when the environment is closed, `RunRecoveryError` if poisoned. */
  checkUsable(): void {
    if (this.host.isClosed()) {
      throw new ClosedError(
        `the environment ${this.host.home} is closed; open it again with Environment.open`,
      );
    }
    if (this.poison !== undefined) {
      throw new RunRecoveryError(
        `the environment ${this.host.home} hit an error on a write path and must be closed ` +
          'and reopened (recovery runs at open)',
        { cause: this.poison },
      );
    }
  }

  /** Runs `fn`; an I/O error (or a non-catalogue error) poisons the environment. */
  guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      this.notePoison(e);
      throw e;
    }
  }

  /** Poisons the environment when `e` means a write path may have left a half-done change. */
  private notePoison(e: unknown): void {
    if (e instanceof IoError || e instanceof RunRecoveryError || !(e instanceof DbError)) {
      this.poison ??= e;
    }
  }

  readsDirectly(): boolean {
    this.checkUsable();
    const runtime = this.runtime;
    if (!runtime) return true;
    if (runtime.mgr.active.size > 0) return false;
    this.context.checkScope();
    return true;
  }

  read<T>(db: Database, fn: () => T): T {
    this.checkUsable();
    const runtime = this.runtime;
    if (!runtime) return fn();
    // No open transaction at all: nothing to join, nothing to conflict with. The scope of
    // an ended transaction(fn) still refuses the call (TxnContext invariant 4).
    if (runtime.mgr.active.size === 0) {
      this.context.checkScope();
      return fn();
    }
    const txn = this.context.current();
    if (txn) return this.bound(db, runtime.changesFor(txn), fn);
    return this.autoCommit(db, fn, true);
  }

  compact(db: Database, relocate: () => AmCompactResult): AmCompactResult {
    this.checkUsable();
    if (this.runtime && this.runtime.mgr.active.size > 0) {
      throw new InvalidArgumentError(`${db.name}: compact runs outside transactions; commit ` +
        'or abort the open ones first');
    }
    const result = this.write(db, relocate);
    this.host.checkpoint();
    this.guard(() => db.file.mp.truncate(result.pagesKept));
    return result;
  }

  write<T>(db: Database, fn: () => T): T {
    this.checkUsable();
    const runtime = this.runtime;
    if (!runtime) return this.guard(fn);
    const txn = this.context.current();
    if (!txn) return this.autoCommit(db, fn, false);
    const file = db.file;
    const previous = file.changes;
    file.changes = runtime.changesFor(txn);
    try {
      return fn();
    } catch (e) {
      this.notePoison(e);
      throw e;
    } finally {
      file.changes = previous;
    }
  }

  private autoCommit<T>(db: Database, fn: () => T, readOnly: boolean): T {
    const runtime = this.runtime!;
    const mgr = runtime.mgr;
    const locking = mgr.active.size > 0;
    const txn = this.guard(() => mgr.begin(undefined, this.host.durability, locking));
    let result: T;
    try {
      result = this.guard(() => this.bound(db, runtime.changesFor(txn), fn));
    } catch (e) {
      if (txn.isActive) this.endTxn(txn, 'abort', false);
      throw e;
    }
    this.endTxn(txn, 'commit', !readOnly);
    return result;
  }

  private bound<T>(db: Database, changes: PageChanges, fn: () => T): T {
    const file = db.file;
    const previous = file.changes;
    file.changes = changes;
    try {
      return fn();
    } finally {
      file.changes = previous;
    }
  }

  openCursor(db: Database): DbCursor {
    this.checkUsable();
    return this.cursorIn(db, this.runtime ? this.context.current() : undefined);
  }

  /**
   * Captures the current transaction now and returns what opens a cursor in it later: an
   * iterator opens its cursor at its first step, and belongs to the transaction it was
   * created in.
   */
  cursorOpener(db: Database): () => DbCursor {
    const txn = this.runtime ? this.context.current() : undefined;
    return () => {
      this.checkUsable();
      return this.cursorIn(db, txn);
    };
  }

  /** A cursor bound to `txn` (none: auto-commit steps); `txn` must still be open. */
  private cursorIn(db: Database, txn: Transaction | undefined,
    inner: () => AmCursor = () => db.am.openCursor()): DbCursor {
    if (txn !== undefined) this.context.checkCaptured(txn, 'the iterator was created in');
    const cursor = new DbCursor(db, inner(), this, (c) => txn?.resources.delete(c), txn);
    txn?.resources.add(cursor);
    return cursor;
  }

  /** A copy of `original` (`copy` clones its position), bound to the same transaction. */
  dupCursor(db: Database, original: DbCursor, copy: () => AmCursor): DbCursor {
    this.checkUsable();
    return this.cursorIn(db, original.txn, copy);
  }

  closeDatabase(db: Database): void {
    this.host.closeDatabase(db);
  }

  /** Begins an explicit transaction (a child of the current one) and makes it current. */
  begin(options?: TransactionOptions): TxnHandle {
    this.checkUsable();
    const given = readTxnOptions(options);
    const runtime = this.requireRuntime('begin');
    const parent = this.context.current();
    const durability = given.durability ?? parent?.durability ?? this.host.durability;
    const txn = this.guard(() => runtime.mgr.begin(parent, durability, true));
    this.context.enter(txn, parent);
    return new TxnHandle(txn, (how) => this.endTxn(txn, how, true));
  }

  /**
   * Runs `fn` in a transaction: commits when it returns, aborts when it throws, retries on
   * deadlock up to `retries` times (top-level only), rejects an `fn` that returns a promise.
   */
  transaction<T>(fn: () => T, options?: TransactionOptions): T {
    const given = readTxnOptions(options);
    if (typeof fn !== 'function') throw new InvalidArgumentError('transaction needs a function');
    const retries = given.retries;
    for (let attempt = 0; ; attempt++) {
      this.checkUsable();
      const runtime = this.requireRuntime('transaction');
      const parent = this.context.current();
      const durability = given.durability ?? parent?.durability ?? this.host.durability;
      const txn = this.guard(() => runtime.mgr.begin(parent, durability, true));
      try {
        const result = this.context.run(txn, fn);
        rejectPromise(result);
        this.endTxn(txn, 'commit', true);
        return result;
      } catch (e) {
        if (txn.isActive) this.endTxn(txn, 'abort', true);
        const retryable = e instanceof DeadlockError || e instanceof LockNotGrantedError;
        if (!retryable || parent || attempt >= retries) throw e;
      }
    }
  }

  /**
   * Commits or aborts `txn`, then (with `after`) runs the after-commit work. A poisoned
   * environment writes nothing more: the transaction is discarded (recovery undoes it) and a
   * commit throws `RunRecoveryError`, so no change made before the failure is committed.
   * A commit that throws has not reached its commit point (the commit record appended, then
   * written and synced as its durability says); once it has, this returns normally.
   */
  private endTxn(txn: Transaction, how: 'commit' | 'abort', after: boolean): void {
    const mgr = this.runtime!.mgr;
    if (this.poison !== undefined) {
      mgr.discard(txn);
      if (how === 'commit') this.checkUsable();
      return;
    }
    try {
      this.guard(() => (how === 'commit' ? mgr.commit(txn) : mgr.abort(txn)));
    } catch (e) {
      if (txn.isActive && this.poison !== undefined) mgr.discard(txn);
      throw e;
    }
    if (after) this.afterCommit();
  }

  /**
   * The host's after-commit work (a checkpoint); none once poisoned. It runs after the
   * commit point, so a failure here must not reach the caller as a failed commit: it
   * poisons the environment instead, and the next call throws `RunRecoveryError`.
   */
  private afterCommit(): void {
    if (this.poison !== undefined) return;
    try {
      this.host.afterCommit();
    } catch (e) {
      this.poison ??= e;
    }
  }

  private requireRuntime(what: string): TxnRuntime {
    if (!this.runtime) {
      throw new InvalidArgumentError(
        `${what}: the environment was opened with transactional: false`,
      );
    }
    return this.runtime;
  }

  /** The current transaction of this async context (for tests and diagnostics). */
  currentTransaction(): Transaction | undefined {
    return this.runtime ? this.context.current() : undefined;
  }

  /** Marks the environment unusable. */
  poisonWith(cause: unknown): void {
    this.poison ??= cause;
  }
}

/**
 * Throws when `fn` returned a promise. Its continuation runs in the scope of the aborted
 * transaction, where every call throws `TransactionClosedError` (TxnContext invariant 4);
 * nobody can await the abandoned promise, so its rejection is marked handled here.
 */
function rejectPromise(result: unknown): void {
  if (result !== null && typeof result === 'object' && isThenable(result)) {
    Promise.resolve(result as PromiseLike<unknown>).then(undefined, () => undefined);
    throw new InvalidArgumentError(
      'the transaction function returned a promise: a transaction must not span an await ' +
        '(it was aborted); do the asynchronous work before or after it',
    );
  }
}

/** True when `result` has a `then` method; an object whose `then` cannot be read has none. */
function isThenable(result: object): boolean {
  try {
    return typeof (result as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}

