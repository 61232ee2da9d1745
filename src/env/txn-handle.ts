/**
 * `TxnHandle` (exported as `Transaction`): the handle `env.begin()` returns, and the async
 * context that makes every container call of that environment join the open transaction.
 *
 * Layer: env (rank 6).
 *
 * Invariants:
 * 1. The current transaction is bound to the async context (`AsyncLocalStorage`) that opened
 *    it: `begin()` binds it to the rest of the synchronous run that called it and to every
 *    async operation started from there afterwards (awaits, promise callbacks, timers, I/O).
 *    Each `begin()` enters a slot of its own, never changing one that other contexts share.
 * 2. A later callback of the async resource that ran `begin()` (the next request on the same
 *    keep-alive connection, the next event of the same socket) is another async context: it
 *    sees what that resource had before the `begin()`, as `AsyncContextFrame` gives it.
 * 3. Ending a handle makes its parent (or nothing) current again in that context.
 * 4. The scope of `transaction(fn)` is `fn`: code that runs in it after that transaction
 *    ended (an await continuation, a timer or promise callback scheduled by `fn`) gets
 *    `TransactionClosedError` from every call, so none of its work can be stored.
 * 5. A handle ends once; a second `commit`/`abort` throws `TransactionClosedError`.
 */
import { AsyncLocalStorage, executionAsyncResource } from 'node:async_hooks';
import { TransactionClosedError } from '../util/index.js';
import type { Transaction } from '../txn/index.js';

/** What an async context holds: its innermost transaction and how it got there. */
export interface TxnSlot {
  /** The transaction entered; ended ones are skipped up to their first open ancestor. */
  readonly txn: Transaction | undefined;
  /** The transaction of the innermost `transaction(fn)` this context runs in (inv. 4). */
  readonly scope: Transaction | undefined;
  /** For a slot `begin()` entered: the async resource that was running (invariant 2). */
  readonly owner: object | undefined;
  /** What a later callback of `owner` sees: the transaction current before the run. */
  readonly outer: Transaction | undefined;
  /** Set once the synchronous run that entered the slot has ended. */
  ownerDone: boolean;
}

/** Tracks the current transaction of each async context. */
export class TxnContext {
  private readonly storage = new AsyncLocalStorage<TxnSlot>();

  /**
   * The innermost open transaction of this async context, if any. Throws
   * `TransactionClosedError` in the scope of a `transaction(fn)` that has ended.
   */
  current(): Transaction | undefined {
    const slot = this.storage.getStore();
    if (slot === undefined) return undefined;
    checkScope(slot);
    let txn = slot.txn;
    if (slot.ownerDone && executionAsyncResource() === slot.owner) txn = slot.outer;
    while (txn !== undefined && !txn.isActive) txn = txn.parent;
    return txn;
  }

  /** Throws when this context runs in the scope of a `transaction(fn)` that has ended. */
  checkScope(): void {
    const slot = this.storage.getStore();
    if (slot !== undefined) checkScope(slot);
  }

  /**
   * Throws `TransactionClosedError` when `txn`, captured earlier in some context (`what`
   * says where), has ended since.
   */
  checkCaptured(txn: Transaction, what: string): void {
    if (txn.isActive) return;
    throw new TransactionClosedError(
      `${what} transaction ${txn.id.toString(16)}, which has since ${txn.state}; ` +
        'create it again where it is used',
    );
  }

  /**
   * Makes `txn` current for the rest of this async context; `before` is what was current.
   * The slot is new: contexts that inherited the previous one keep it (invariant 1).
   */
  enter(txn: Transaction, before: Transaction | undefined): void {
    const previous = this.storage.getStore();
    const owner = executionAsyncResource();
    // Several begin() calls in one run: a later callback still sees what came before all.
    const sameRun = previous !== undefined && previous.owner === owner && !previous.ownerDone;
    const slot: TxnSlot = {
      txn, scope: previous?.scope, owner, outer: sameRun ? previous.outer : before,
      ownerDone: false,
    };
    this.storage.enterWith(slot);
    // Node drains the tick queue once the running callback has returned, before any async
    // resource runs another callback: from then on `owner` running means a later callback.
    process.nextTick(() => {
      slot.ownerDone = true;
    });
  }

  /** Runs `fn` with `txn` current in a slot of its own, scoped to `fn` (invariant 4). */
  run<T>(txn: Transaction, fn: () => T): T {
    const slot: TxnSlot = {
      txn, scope: txn, owner: undefined, outer: undefined, ownerDone: false,
    };
    return this.storage.run(slot, fn);
  }
}

function checkScope(slot: TxnSlot): void {
  const scope = slot.scope;
  if (scope === undefined || scope.isActive) return;
  throw new TransactionClosedError(
    `this code runs in the scope of env.transaction(fn) whose transaction ` +
      `${scope.id.toString(16)} has already ${scope.state}: code that runs after fn ` +
      'returned (an await continuation, a timer or promise callback of fn) can neither join ' +
      'it nor auto-commit in its place; do the asynchronous work before or after it',
  );
}

/** An explicit transaction: commit or abort it exactly once. */
export class TxnHandle {
  /** @internal */
  constructor(
    /** @internal */ readonly txn: Transaction,
    private readonly end: (how: 'commit' | 'abort') => void,
  ) {}

  /** The transaction id (Berkeley DB numbering: top-level ids start at 0x80000000). */
  get id(): number {
    return this.txn.id;
  }

  /** 'active', 'committed' or 'aborted'. */
  get state(): string {
    return this.txn.state;
  }

  /** Commits: its changes become durable per its durability. */
  commit(): void {
    this.checkOpen('commit');
    this.end('commit');
  }

  /** Aborts: every change it made (and its children's) is undone. */
  abort(): void {
    this.checkOpen('abort');
    this.end('abort');
  }

  private checkOpen(what: string): void {
    if (!this.txn.isActive) {
      throw new TransactionClosedError(
        `cannot ${what} transaction ${this.txn.id.toString(16)}: it has already ${this.txn.state}`,
      );
    }
  }
}
