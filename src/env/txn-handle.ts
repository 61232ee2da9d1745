/**
 * `TxnHandle` (exported as `Transaction`): the handle `env.begin()` returns, and the async
 * context that makes every container call of that environment join the open transaction.
 *
 * Layer: env (rank 6).
 *
 * Invariants:
 * 1. The current transaction is bound to the async context (`AsyncLocalStorage`): code in
 *    another async context never silently joins it.
 * 2. Ending a handle makes its parent (or nothing) current again in that context.
 * 3. A handle ends once; a second `commit`/`abort` throws `TransactionClosedError`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { TransactionClosedError } from '../util/index.js';
import type { Transaction } from '../txn/index.js';

/** The mutable slot an async context holds: the innermost open transaction. */
export interface TxnSlot {
  txn: Transaction | undefined;
}

/** Tracks the current transaction of each async context. */
export class TxnContext {
  private readonly storage = new AsyncLocalStorage<TxnSlot>();

  /** The innermost open transaction of this async context, if any. */
  current(): Transaction | undefined {
    const slot = this.storage.getStore();
    let txn = slot?.txn;
    while (txn && !txn.isActive) txn = txn.parent;
    if (slot && slot.txn !== txn) slot.txn = txn;
    return txn;
  }

  /** Makes `txn` current for the rest of this async context. */
  enter(txn: Transaction): void {
    const slot = this.storage.getStore();
    if (slot) slot.txn = txn;
    else this.storage.enterWith({ txn });
  }

  /** Runs `fn` with `txn` current (a fresh slot, so nothing leaks out of `fn`). */
  run<T>(txn: Transaction, fn: () => T): T {
    return this.storage.run({ txn }, fn);
  }
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
