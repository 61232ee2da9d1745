/**
 * `TxnManager`: begins, commits and aborts transactions; appends their log records; undoes
 * them (the same undo code recovery uses).
 *
 * Layer: txn (rank 4).
 *
 * Invariants:
 * 1. A commit waits for exactly one log flush (per the transaction's durability), and a
 *    transaction that logged nothing writes no commit record.
 * 2. Locks are held until the top-level transaction ends (strict two-phase locking); a
 *    committed child's locks pass to its parent.
 * 3. Undo walks the family chain newest first, skipping what compensation records say is
 *    already undone, and logs a compensation record for every change it reverses.
 * 4. A transaction with an open child commits (or aborts) that child first.
 */
import {
  AssertionError, InvalidArgumentError, type Lsn, type TxnId, ZERO_LSN, lockerId, txnId,
} from '../util/index.js';
import type { LogManager, LogRecordType } from '../log/index.js';
import type { LockManager } from '../lock/index.js';
import type { ClrWriter, RecoveryFiles, RecoveryRegistry } from './recovery-types.js';
import { TxnAbortRecord, TxnCommitRecord } from './records.js';
import { Transaction, type TxnDurability } from './transaction.js';

/** Counters in the spirit of Berkeley DB's `txn_stat`. */
export interface TxnStats {
  begins: number;
  commits: number;
  aborts: number;
  active: number;
  maxActive: number;
  /** Commits that wrote no log record (read-only). */
  readOnlyCommits: number;
}

/** First id of top-level transactions, as in Berkeley DB. */
export const TXN_ID_BASE = 0x80000000;
const TXN_ID_SPAN = 0x7fffffff;

export class TxnManager {
  private nextSeq: number;
  /** Open transactions, children included. */
  readonly active = new Set<Transaction>();
  readonly stats: TxnStats = {
    begins: 0, commits: 0, aborts: 0, active: 0, maxActive: 0, readOnlyCommits: 0,
  };
  /**
   * Where recovery would start redoing if the process died now (the last checkpoint's redo
   * point). A page whose LSN is below it gets an image of its whole content logged before
   * its next logged change (full-page logging): a torn write of it is then repaired by redo.
   */
  fullPageBelow: Lsn = ZERO_LSN;
  /** Whether checkpoints and recovery move `fullPageBelow` (full-page logging is on). */
  fullPageWrites = true;

  /** Full-page logging from `redoLsn` on (when it is on). */
  fullPagesFrom(redoLsn: Lsn): void {
    if (this.fullPageWrites) this.fullPageBelow = redoLsn;
  }

  constructor(
    readonly log: LogManager,
    readonly locks: LockManager,
    readonly registry: RecoveryRegistry,
    readonly files: RecoveryFiles,
    nextTxnId: number,
  ) {
    this.nextSeq = nextTxnId >= TXN_ID_BASE ? nextTxnId - TXN_ID_BASE : 1;
  }

  /** Continues numbering after the ids recovery found in the log. */
  setNextTxnId(next: number): void {
    this.nextSeq = Math.max(1, next - TXN_ID_BASE);
  }

  /** The id the next top-level transaction will get (recorded by checkpoints). */
  get nextTxnId(): number {
    return TXN_ID_BASE + this.nextSeq;
  }

  /** Begins a transaction, a child of `parent` when given. */
  begin(parent: Transaction | undefined, durability: TxnDurability, locking = true): Transaction {
    if (parent && !parent.isActive) {
      throw new InvalidArgumentError('cannot begin a child of a transaction that has ended');
    }
    if (parent?.child) {
      throw new InvalidArgumentError('the parent transaction already has an open child');
    }
    const id = txnId(TXN_ID_BASE + this.nextSeq);
    this.nextSeq = (this.nextSeq % TXN_ID_SPAN) + 1;
    const locker = this.locks.createLocker(parent?.lockerId, lockerId(id));
    const txn = new Transaction(id, parent, locker, durability, locking || !!parent);
    if (parent) parent.child = txn;
    this.active.add(txn);
    this.stats.begins++;
    this.stats.active = this.active.size;
    if (this.active.size > this.stats.maxActive) this.stats.maxActive = this.active.size;
    return txn;
  }

  /** Appends a record to `txn`'s family chain. */
  append<B>(txn: Transaction, type: LogRecordType<B>, body: B): Lsn {
    const lsn = this.log.append(type, txn.logId, txn.lastLsn, body);
    txn.lastLsn = lsn;
    const root = txn.root;
    if (root.firstLsn === ZERO_LSN) root.firstLsn = lsn;
    if (txn.firstLsn === ZERO_LSN) txn.firstLsn = lsn;
    return lsn;
  }

  /** Commits `txn` (and its open child first). */
  commit(txn: Transaction): void {
    this.checkActive(txn);
    if (txn.child) this.commit(txn.child);
    this.closeResources(txn, 'its transaction committed');
    for (const hook of txn.endHooks) hook(true);
    const parent = txn.parent;
    if (parent) {
      parent.lastLsn = txn.lastLsn;
      this.locks.inheritToParent(txn.lockerId);
      this.end(txn, 'committed');
      return;
    }
    if (txn.lastLsn === ZERO_LSN) {
      this.stats.readOnlyCommits++;
    } else {
      const lsn = this.append(txn, TxnCommitRecord, { timestampMs: Date.now() });
      if (txn.durability !== 'none') this.log.flush(lsn, txn.durability);
    }
    this.locks.releaseAll(txn.lockerId);
    this.end(txn, 'committed');
  }

  /** Aborts `txn`: undoes its changes (its open child first), then releases its locks. */
  abort(txn: Transaction): void {
    this.checkActive(txn);
    if (txn.child) this.abort(txn.child);
    this.closeResources(txn, 'its transaction aborted');
    this.undo(txn, txn.lastLsn, txn.boundaryLsn);
    for (const hook of txn.endHooks) hook(false);
    const parent = txn.parent;
    if (parent) {
      parent.lastLsn = txn.lastLsn;
    } else if (txn.lastLsn !== ZERO_LSN) {
      this.append(txn, TxnAbortRecord, { timestampMs: Date.now() });
    }
    this.locks.releaseAll(txn.lockerId);
    this.end(txn, 'aborted');
  }

  /**
   * Ends `txn` (its open child first) with no undo and no log record, for an environment
   * that met an I/O error and may write nothing more: recovery undoes the transaction.
   */
  discard(txn: Transaction): void {
    if (!txn.isActive) return;
    if (txn.child) this.discard(txn.child);
    this.closeResources(txn, 'its environment failed');
    this.locks.releaseAll(txn.lockerId);
    this.end(txn, 'aborted');
  }

  /**
   * Undoes the chain from `from` down to (not including) `boundary`, logging compensation
   * records for `txn`. Recovery calls it for every transaction without an outcome.
   */
  undo(txn: { lastLsn: Lsn; logId: TxnId }, from: Lsn, boundary: Lsn): number {
    const clr = this.clrWriter(txn);
    let undone = 0;
    for (let lsn = from; lsn !== ZERO_LSN && lsn > boundary;) {
      const record = this.log.readAt(lsn);
      const handler = this.registry.handler(record.typeId);
      if (!handler) {
        throw new AssertionError(`no undo handler for log record type ${record.typeId}`);
      }
      const next = handler.undoNextOf(record);
      if (next !== undefined) {
        lsn = next;
        continue;
      }
      handler.undo(record, this.files, clr, record.prevLsn);
      undone++;
      lsn = record.prevLsn;
    }
    return undone;
  }

  /** The smallest first LSN of any open family (archive and checkpoints keep it). */
  oldestActiveLsn(): Lsn | undefined {
    let oldest: Lsn | undefined;
    for (const t of this.active) {
      if (t.firstLsn !== ZERO_LSN && (oldest === undefined || t.firstLsn < oldest)) {
        oldest = t.firstLsn;
      }
    }
    return oldest;
  }

  private clrWriter(txn: { lastLsn: Lsn; logId: TxnId }): ClrWriter {
    const log = this.log;
    const fullPageBelow = this.fullPageBelow;
    return {
      txnId: txn.logId,
      fullPageBelow,
      log<B>(type: LogRecordType<B>, body: B): Lsn {
        const lsn = log.append(type, txn.logId, txn.lastLsn, body);
        txn.lastLsn = lsn;
        return lsn;
      },
      logUnchained<B>(type: LogRecordType<B>, body: B): Lsn {
        return log.append(type, txnId(0), ZERO_LSN, body);
      },
    };
  }

  private closeResources(txn: Transaction, reason: string): void {
    for (const r of txn.resources) r.close(`the iterator was closed because ${reason}`);
    txn.resources.clear();
  }

  private end(txn: Transaction, state: 'committed' | 'aborted'): void {
    txn.state = state;
    if (txn.parent) txn.parent.child = undefined;
    this.locks.freeLocker(txn.lockerId);
    this.active.delete(txn);
    this.stats.active = this.active.size;
    if (state === 'committed') this.stats.commits++;
    else this.stats.aborts++;
  }

  private checkActive(txn: Transaction): void {
    if (!txn.isActive) {
      throw new InvalidArgumentError(`transaction ${txn.id.toString(16)} has already ${txn.state}`);
    }
  }
}
