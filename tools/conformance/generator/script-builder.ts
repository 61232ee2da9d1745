/**
 * `ScriptBuilder`: appends operations to an oracle script while keeping the rules under
 * which the real library runs a script to its end and answers every line. Recipes
 * (small-script.ts, large-script.ts) decide what to do; the builder decides what is allowed.
 *
 * Layer: conformance tooling (no engine imports).
 *
 * Rules kept (each learned from the real Berkeley DB 5.3 through the oracle):
 * 1. Transactions only in a transactional environment, one at a time (the oracle has one
 *    transaction slot; `begin` without a transactional environment makes it die).
 * 2. Cursors never outlive the transaction they were opened in, nor cross into one: `begin`,
 *    `commit` and `abort` close every open cursor first. (Cursors left open at commit or
 *    abort make the real library misbehave; a cursor opened outside a transaction and used
 *    inside it has a locker of its own and waits forever for the transaction's locks.)
 * 3. In a transactional environment outside a transaction, no `put` or `del` while a cursor
 *    is open: the cursor holds a read lock on its page and the auto-commit write waits for it
 *    forever. The builder closes the open cursors before such a write.
 * 4. Cursor operations name open cursors only (the oracle dies on a closed one); cursor
 *    numbers are assigned as the oracle assigns them, one per `cursor` line, never reused.
 * 5. An operation in an excluded group (op-groups.ts) is left out, and counted; structural
 *    operations are never left out, so the script stays valid.
 * 6. In a hash database with duplicates, a write that may give a key its first duplicate
 *    (`put`, and `c_put` other than CURRENT) first closes every other open cursor. The real
 *    library does not move a cursor standing on a key's only item when another handle turns
 *    that item into a duplicate set: the cursor then stands on the set's first item, answers
 *    it, and a c_put CURRENT through it overwrites the whole set
 *    (test/compat/oracle/observed/hash_dup_cursor_on_new_set).
 * 7. In any hash database, a write that may split the table (`put`, and every `c_put`)
 *    first closes every other open cursor: a walk across a split is where Stowage answers
 *    differently on purpose (its walk shows each pair once; docs/conformance.md, "Hash").
 */
import type { OracleOp } from '../script.js';
import type { CursorGetFlag, CursorPutFlag, Family, HashSettings, PutFlag } from './families.js';
import { TRAITS } from './families.js';
import { HeldDeletions, type OpGroup, groupsOf } from './op-groups.js';

export interface BuilderOptions {
  family: Family;
  txn: boolean;
  pageSize: number;
  /** A hash family's table settings (the oracle's `h_ffactor`, `h_nelem`). */
  hash?: HashSettings;
  exclude: ReadonlySet<OpGroup>;
}

export class ScriptBuilder {
  readonly ops: OracleOp[] = [];
  /** How many operations each excluded group took out of the script. */
  readonly dropped = new Map<OpGroup, number>();
  private readonly openCursors: number[] = [];
  /** Cursors that have run a c_del (op-groups.ts: unsorted-dup-put-current-after-del). */
  private readonly deleters = new Set<number>();
  private cursorCount = 0;
  private txnOpen = false;
  private readonly held = new HeldDeletions();

  constructor(readonly options: BuilderOptions) {
    const open: OracleOp = { op: 'open', type: TRAITS[options.family].type };
    const flags = TRAITS[options.family].flags;
    if (flags.length > 0) open.flags = [...flags];
    if (options.txn) open.txn = true;
    open.pagesize = options.pageSize;
    if (options.hash?.ffactor !== undefined) open.h_ffactor = options.hash.ffactor;
    if (options.hash?.nelem !== undefined) open.h_nelem = options.hash.nelem;
    this.ops.push(open);
  }

  /** The cursors open now, oldest first. */
  get cursors(): readonly number[] {
    return this.openCursors;
  }

  get inTxn(): boolean {
    return this.txnOpen;
  }

  /** True when cursor writes are answered by the library (not EINVAL for lack of a txn). */
  get cursorsMayWrite(): boolean {
    return !this.options.txn || this.txnOpen;
  }

  put(key: string, data: string, flag?: PutFlag): void {
    this.beforeWrite();
    if (this.setsGoStale || this.splitsMove) this.closeCursors();
    this.emit(flag === undefined ? { op: 'put', key, data } : { op: 'put', key, data,
      flags: [flag] });
  }

  get(key: string): void {
    this.emit({ op: 'get', key });
  }

  getBoth(key: string, data: string): void {
    this.emit({ op: 'get', key, data, flag: 'GET_BOTH' });
  }

  del(key: string): void {
    this.beforeWrite();
    this.emit({ op: 'del', key });
  }

  dump(): void {
    this.emit({ op: 'dump' });
  }

  /** Opens a cursor and returns its number. */
  openCursor(): number {
    this.push({ op: 'cursor' });
    const c = this.cursorCount++;
    this.openCursors.push(c);
    return c;
  }

  cGet(c: number, flag: CursorGetFlag, key?: string, data?: string): void {
    const op: OracleOp = { op: 'c_get', c: this.checkOpen(c), flag };
    if (key !== undefined) op.key = key;
    if (data !== undefined) op.data = data;
    this.emit(op);
  }

  cPut(c: number, flag: CursorPutFlag, data: string, key?: string): void {
    this.checkOpen(c);
    if ((this.setsGoStale && flag !== 'CURRENT') || this.splitsMove) {
      for (const other of [...this.openCursors].reverse()) if (other !== c) this.closeCursor(other);
    }
    const op: OracleOp = { op: 'c_put', c, flag };
    if (key !== undefined) op.key = key;
    op.data = data;
    this.emit(op);
  }

  cDel(c: number): void {
    this.emit({ op: 'c_del', c: this.checkOpen(c) });
    this.deleters.add(c);
  }

  cCount(c: number): void {
    this.emit({ op: 'c_count', c: this.checkOpen(c) });
  }

  closeCursor(c: number): void {
    this.push({ op: 'c_close', c: this.checkOpen(c) });
    this.openCursors.splice(this.openCursors.indexOf(c), 1);
  }

  /** Closes every open cursor, newest first. */
  closeCursors(): void {
    while (this.openCursors.length > 0) this.closeCursor(this.openCursors.at(-1)!);
  }

  /** Starts a transaction (rule 1: only in a transactional environment, one at a time). */
  begin(): void {
    if (!this.options.txn || this.txnOpen) throw new Error('begin not allowed here');
    this.closeCursors();
    this.ops.push({ op: 'begin' });
    this.txnOpen = true;
  }

  /** Commits or aborts the open transaction, closing its cursors first (rule 2). */
  end(commit: boolean): void {
    if (!this.txnOpen) throw new Error('no transaction to end');
    this.closeCursors();
    this.ops.push({ op: commit ? 'commit' : 'abort' });
    this.txnOpen = false;
  }

  /** Ends the script: closes cursors, commits an open transaction. */
  finish(): OracleOp[] {
    if (this.txnOpen) this.end(true);
    this.closeCursors();
    return this.ops;
  }

  /** Rule 6 applies: a hash database with duplicates. */
  private get setsGoStale(): boolean {
    const traits = TRAITS[this.options.family];
    return traits.type === 'hash' && traits.duplicates !== 'none';
  }

  /** Rule 7 applies: a hash database. */
  private get splitsMove(): boolean {
    return TRAITS[this.options.family].type === 'hash';
  }

  private beforeWrite(): void {
    if (this.options.txn && !this.txnOpen) this.closeCursors();
  }

  /** Appends an operation that runs. */
  private push(op: OracleOp): void {
    this.ops.push(op);
    this.held.after(op);
  }

  private checkOpen(c: number): number {
    if (!this.openCursors.includes(c)) throw new Error(`cursor ${c} is not open`);
    return c;
  }

  private emit(op: OracleOp): void {
    const groups = groupsOf(op, {
      family: this.options.family,
      pageSize: this.options.pageSize,
      outsideTxn: this.options.txn && !this.txnOpen,
      cursorHasDeleted: op.c !== undefined && this.deleters.has(op.c),
      mayHoldDeleted: this.held.may,
    });
    const excluded = groups.find((g) => this.options.exclude.has(g));
    if (excluded === undefined) {
      this.push(op);
    } else {
      this.dropped.set(excluded, (this.dropped.get(excluded) ?? 0) + 1);
    }
  }
}
