/**
 * `Transaction`: one unit of work, top-level or nested, with its place in the log chain and
 * its lock owner.
 *
 * Layer: txn (rank 4).
 *
 * A family (a top-level transaction and its nested children) shares one chain of log
 * records: a child starts at its parent's last record, so a committed child's records are
 * simply part of the parent's chain, and an aborted child's compensation records are too.
 * Records carry the top-level id, so recovery needs no family table.
 *
 * Invariants:
 * 1. `lastLsn` is the newest record of the family chain this transaction has seen.
 * 2. A child undoes at most down to `boundaryLsn`, the parent's last record when it began.
 * 3. Once `state` is not 'active', the transaction takes no more work.
 */
import { type LockerId, type Lsn, type TxnId, ZERO_LSN } from '../util/index.js';

export type TxnState = 'active' | 'committed' | 'aborted';
export type TxnDurability = 'sync' | 'write' | 'none';

/** Something that must end with the transaction (an open iterator's cursor). */
export interface TxnResource {
  /** Closes the resource; `reason` is reported if it is used afterwards. */
  close(reason: string): void;
}

export class Transaction {
  state: TxnState = 'active';
  lastLsn: Lsn;
  /** The first record this transaction's family wrote (archive keeps its log file). */
  firstLsn: Lsn = ZERO_LSN;
  readonly boundaryLsn: Lsn;
  child: Transaction | undefined;
  readonly resources = new Set<TxnResource>();
  /**
   * Called as the transaction ends: before its commit record, or after the undo of an
   * abort. Work deferred to the end of the transaction, such as logging record-count changes.
   */
  readonly endHooks: ((committed: boolean) => void)[] = [];
  /**
   * The page-change hook the environment attached (am/common's TxnChanges, named there).
   * A field rather than a weak map in the environment: weak entries keyed by short-lived
   * transactions cost the collector more than an auto-committed write itself.
   */
  pageChanges: object | undefined = undefined;

  constructor(
    readonly id: TxnId,
    readonly parent: Transaction | undefined,
    readonly lockerId: LockerId,
    readonly durability: TxnDurability,
    /** False for auto-commit operations that run while no other transaction is open. */
    readonly locking: boolean,
  ) {
    this.lastLsn = parent?.lastLsn ?? ZERO_LSN;
    this.boundaryLsn = this.lastLsn;
    this.firstLsn = parent?.firstLsn ?? ZERO_LSN;
  }

  /** The top-level transaction of this family; its id tags every record of the family. */
  get root(): Transaction {
    let t: Transaction = this;
    while (t.parent) t = t.parent;
    return t;
  }

  get logId(): TxnId {
    return this.root.id;
  }

  get isActive(): boolean {
    return this.state === 'active';
  }
}
