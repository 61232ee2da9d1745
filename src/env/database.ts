/**
 * `Database`: the low-level handle on one database of an environment (Berkeley DB's `DB`).
 * Keys and values are `Uint8Array`s; a miss is a value (`undefined`/`false`), never an error.
 *
 * Layer: env (rank 6).
 *
 * Invariants:
 * 1. Every call checks its arguments before touching a page, so bad input changes nothing.
 * 2. Every call runs through `env.run`, which refuses work on a closed or poisoned
 *    environment and wraps it in a transaction when the environment is transactional.
 * 3. Values handed out are copies the caller may keep.
 * 4. A closed handle throws `ClosedError` on every call but `close` (which does nothing then)
 *    and touches nothing: its file has left the cache.
 * 5. It cannot be closed while a transaction is open (`InvalidArgumentError`): commit and
 *    abort still need its file.
 * 6. It reaches its pages only through its `AccessMethod` (am/common/access-method.ts): no
 *    access method is named here.
 */
import {
  ClosedError, InvalidArgumentError, KeyExistsError, copyBytes, describeType, describeValue,
  optionNames, readOptions,
} from '../util/index.js';
import type { DbCursor } from './db-cursor.js';
import {
  AM_PUT_NO_DUP_DATA, AM_PUT_NO_OVERWRITE, AM_PUT_OVERWRITE_DUP, type AccessMethod,
  type AmCompactResult, type AmFile, type AmKeyRange, type AmShape, type AmVerifyReport,
  type DuplicatesMode,
} from '../am/common/index.js';
import type { DbRunner } from './db-runner.js';
import { type RecordWindow, checkWindow, readWindow, writeWindow } from './partial-records.js';
import { collectKeys, collectPairs } from './bulk.js';

export type { RecordWindow };

/** Access methods a `Database` can use (more arrive with later versions). */
export type DatabaseType = 'btree' | 'hash';

/** What `Database.stat` reports (Berkeley DB's `DB->stat`): the database's shape. */
export type DatabaseStat = AmShape & {
  type: DatabaseType;
  pageSize: number;
  duplicates: DuplicatesMode;
  recordNumbers: boolean;
};

/** What `Database.verify` reports. */
export type VerifyReport = AmVerifyReport;

/**
 * What `Database.compact` did: pages examined, moved and freed, the pages the file keeps,
 * and how many pages the file lost on disk.
 */
export type CompactReport = AmCompactResult & { pagesTruncated: number };

/** Shares of the items that sort before, equal to and after a key (`Database.keyRange`). */
export type KeyRange = AmKeyRange;

/** Options of `Database.put`. */
export interface PutOptions {
  /** Throw `KeyExistsError` instead of replacing a stored value (even with duplicates). */
  noOverwrite?: boolean;
  /** Sorted duplicates: throw `KeyExistsError` when the pair is stored (DB_NODUPDATA). */
  noDupData?: boolean;
  /**
   * Sorted duplicates: a stored pair is replaced, not refused (DB_OVERWRITE_DUP); elsewhere a
   * plain put. The three options exclude each other, as Berkeley DB's put flags do.
   */
  overwriteDup?: boolean;
}

const PUT_OPTION_NAMES = optionNames<PutOptions>()(['noOverwrite', 'noDupData', 'overwriteDup']);

/** @internal Throws unless `value` is a byte array (`what` names the argument). */
export function checkBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!isBytes(value)) {
    throw new InvalidArgumentError(`${what} must be a Uint8Array, got ${describeType(value)}`);
  }
}

/** @internal Throws unless `recno` is a record number (an integer from 1 to 2^32 - 1). */
export function checkRecno(recno: unknown): asserts recno is number {
  if (typeof recno !== 'number' || !Number.isInteger(recno) || recno < 1 || recno > 0xffffffff) {
    throw new InvalidArgumentError(
      `a record number is an integer from 1 to 4294967295, got ${describeValue(recno)}`,
    );
  }
}

/** `instanceof Uint8Array` that a proxy whose traps throw cannot make throw. */
function isBytes(value: unknown): value is Uint8Array {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return value instanceof Uint8Array;
  } catch {
    return false;
  }
}

export class Database {
  private closed = false;

  /** @internal Built by the environment. */
  constructor(
    readonly name: string,
    readonly type: DatabaseType,
    /** @internal */ readonly am: AccessMethod,
    private readonly runner: DbRunner,
  ) {
    this.file = am.file;
  }

  /** @internal The database's file. */
  readonly file: AmFile;

  /** How a key holds several values: 'none', 'sorted' or 'unsorted'. */
  get duplicates(): DuplicatesMode {
    return this.am.duplicates;
  }

  /** True when the database keeps record numbers. */
  get recordNumbers(): boolean {
    return this.am.recordNumbers;
  }

  /** The value stored under `key` (a copy), or `undefined`. Complexity: O(log n). */
  get(key: Uint8Array): Uint8Array | undefined {
    this.checkOpen();
    checkBytes(key, 'key');
    return this.runner.read(this, () => this.am.getWith(key, copyBytes));
  }

  /** @internal Hands the value to `read` as a view valid only during the call. */
  getWith<T>(key: Uint8Array, read: (value: Uint8Array) => T): T | undefined {
    this.checkOpen();
    if (this.runner.readsDirectly()) return this.am.getWith(key, read);
    return this.runner.read(this, () => this.am.getWith(key, read));
  }

  /** True when `key` is stored. */
  exists(key: Uint8Array): boolean {
    this.checkOpen();
    checkBytes(key, 'key');
    return this.runner.read(this, () => this.am.has(key));
  }

  /**
   * Stores `value` under `key`: without duplicates it replaces any value; with duplicates it
   * adds the pair (sorted: at its place; unsorted: after the key's last value).
   * `KeyExistsError` when `noOverwrite` finds the key, or with sorted duplicates when the pair
   * is stored (unless `overwriteDup`). See `putIfAbsent` for a boolean answer.
   */
  put(key: Uint8Array, value: Uint8Array, options?: PutOptions): void {
    this.checkOpen();
    checkBytes(key, 'key');
    checkBytes(value, 'value');
    const flags = options === undefined ? 0 : this.readPutOptions(options);
    const result = this.runner.write(this, () => this.am.put(key, value, flags));
    if (result === 'key-exists') {
      throw new KeyExistsError(`${this.name}: the key is already stored (put with noOverwrite)`);
    }
    if (result === 'pair-exists') {
      throw new KeyExistsError(`${this.name}: the pair is already stored (sorted duplicates)`);
    }
  }

  /**
   * @internal Adds the pair (`key`, `value`): false, storing nothing, when sorted duplicates
   * already hold it (no argument checks).
   */
  putPair(key: Uint8Array, value: Uint8Array): boolean {
    this.checkOpen();
    return this.runner.write(this, () => this.am.put(key, value, 0)) === 'stored';
  }

  /** Stores `value` only when `key` is absent. Returns true when it stored it. */
  putIfAbsent(key: Uint8Array, value: Uint8Array): boolean {
    this.checkOpen();
    checkBytes(key, 'key');
    checkBytes(value, 'value');
    return this.runner.write(this, () => this.am.put(key, value, AM_PUT_NO_OVERWRITE)) ===
      'stored';
  }

  /** @internal `put` returning whether the key was new (no argument checks). */
  putReporting(key: Uint8Array, value: Uint8Array, noOverwrite: boolean): boolean {
    this.checkOpen();
    const flags = noOverwrite ? AM_PUT_NO_OVERWRITE : 0;
    return this.runner.write(this, () => this.am.put(key, value, flags)) === 'stored';
  }

  /** Removes `key` with all its values; false when it was not stored. */
  del(key: Uint8Array): boolean {
    return this.delCounting(key) > 0;
  }

  /** Removes `key` with all its values; returns how many pairs went. */
  delCounting(key: Uint8Array): number {
    this.checkOpen();
    checkBytes(key, 'key');
    return this.runner.write(this, () => this.am.del(key));
  }

  /** Removes the one pair (`key`, `value`); false when it was not stored. */
  delPair(key: Uint8Array, value: Uint8Array): boolean {
    this.checkOpen();
    checkBytes(key, 'key');
    checkBytes(value, 'value');
    return this.runner.write(this, () => this.am.delPair(key, value));
  }

  /** True when the pair (`key`, `value`) is stored (DB_GET_BOTH). */
  getBoth(key: Uint8Array, value: Uint8Array): boolean {
    this.checkOpen();
    checkBytes(key, 'key');
    checkBytes(value, 'value');
    return this.runner.read(this, () => this.am.hasPair(key, value));
  }

  /**
   * The pair of record number `recno` (1-based; DB_SET_RECNO), or undefined past the end.
   * `InvalidArgumentError` without record numbers or for a number out of 1..2^32-1.
   */
  getRecno(recno: number): { key: Uint8Array; value: Uint8Array } | undefined {
    this.checkOpen();
    checkRecno(recno);
    return this.runner.read(this, () => this.am.getRecno(recno, (key, value) => ({ key, value })));
  }

  /** Records stored (pairs, with duplicates). Complexity: O(1). */
  count(): number {
    this.checkOpen();
    return this.runner.read(this, () => this.am.count());
  }

  /** Values stored under `key` (0 when absent, 1 without duplicates). Complexity: O(log n). */
  countValues(key: Uint8Array): number {
    this.checkOpen();
    checkBytes(key, 'key');
    return this.runner.read(this, () => this.am.countValues(key));
  }

  /**
   * Where `key` falls (DB->key_range): the shares of the records before it, equal to it and
   * after it; exact with record numbers or duplicates, estimated otherwise.
   */
  keyRange(key: Uint8Array): KeyRange {
    this.checkOpen();
    checkBytes(key, 'key');
    return this.runner.read(this, () => this.am.keyRange(key));
  }

  /**
   * Bytes `window.offset` to `window.offset + window.length` of the value under `key`
   * (DB->get with DB_DBT_PARTIAL; with duplicates, of the first value), clipped to the value,
   * so empty past its end; `undefined` when the key is absent.
   */
  getPartial(key: Uint8Array, window: RecordWindow): Uint8Array | undefined {
    this.checkOpen();
    checkBytes(key, 'key');
    checkWindow(window, 'getPartial');
    return this.runner.read(this, () => this.am.getWith(key, (v) => readWindow(v, window)));
  }

  /**
   * Replaces the window's bytes of the value under `key` with `bytes` (DB->put with
   * DB_DBT_PARTIAL): the value grows or shrinks by the difference, a window past its end
   * pads it with NUL bytes, and an absent key is stored as if its value were empty.
   * `InvalidArgumentError` on a database with duplicates (Berkeley DB: EINVAL).
   */
  putPartial(key: Uint8Array, window: RecordWindow, bytes: Uint8Array): void {
    this.checkOpen();
    checkBytes(key, 'key');
    checkWindow(window, 'putPartial');
    checkBytes(bytes, 'bytes');
    if (this.duplicates !== 'none') {
      throw new InvalidArgumentError(`${this.name}: putPartial on a database with duplicates ` +
        '(a partial put cannot say which duplicate it changes)');
    }
    this.runner.write(this, () => {
      const old = this.am.getWith(key, copyBytes);
      this.am.put(key, writeWindow(old, window, bytes), 0);
    });
  }

  /**
   * Every value of `key`, in order (DB->get with DB_MULTIPLE): one without duplicates, none
   * when the key is absent. Complexity: O(log n + d) for d values.
   */
  getAll(key: Uint8Array): Uint8Array[] {
    this.checkOpen();
    checkBytes(key, 'key');
    return this.runner.read(this, () => this.am.valuesWith(key, copyBytes));
  }

  /** @internal `getAll` handing each value to `read` as a view (no argument checks). */
  getAllWith<T>(key: Uint8Array, read: (value: Uint8Array) => T): T[] {
    this.checkOpen();
    return this.runner.read(this, () => this.am.valuesWith(key, read));
  }

  /**
   * Stores every pair as `put` would, in one write (DB->put with DB_MULTIPLE_KEY); returns
   * how many were stored. Only `overwriteDup` may be given, as in Berkeley DB. A stored pair
   * of sorted duplicates is `KeyExistsError`; in a transactional environment it undoes the
   * whole batch, without transactions the pairs before it stay.
   */
  putMany(pairs: Iterable<readonly [Uint8Array, Uint8Array]>,
    options?: Pick<PutOptions, 'overwriteDup'>): number {
    this.checkOpen();
    const flags = options === undefined ? 0 : this.readPutOptions(options, ['overwriteDup']);
    const list = collectPairs(pairs, checkBytes);
    return this.runner.write(this, () => {
      for (const { key, value } of list) {
        if (this.am.put(key, value, flags) === 'pair-exists') {
          throw new KeyExistsError(`${this.name}: putMany: a pair is already stored ` +
            '(sorted duplicates)');
        }
      }
      return list.length;
    });
  }

  /** Removes every key with all its values, in one write (DB->del with DB_MULTIPLE). */
  deleteMany(keys: Iterable<Uint8Array>): number {
    this.checkOpen();
    const list = collectKeys(keys, checkBytes);
    return this.runner.write(this, () => list.reduce((n, key) => n + this.am.del(key), 0));
  }

  /** Removes each pair (one duplicate each), in one write (DB->del with DB_MULTIPLE_KEY). */
  deletePairs(pairs: Iterable<readonly [Uint8Array, Uint8Array]>): number {
    this.checkOpen();
    const list = collectPairs(pairs, checkBytes);
    return this.runner.write(this, () =>
      list.reduce((n, { key, value }) => n + (this.am.delPair(key, value) ? 1 : 0), 0));
  }

  /** A new cursor, unpositioned. Close it when done (iterators do). */
  cursor(): DbCursor {
    this.checkOpen();
    return this.runner.openCursor(this);
  }

  /**
   * @internal What opens a cursor later in the transaction current now (iterators open
   * their cursor at the first step, yet belong to the transaction they were created in).
   */
  cursorOpener(): () => DbCursor {
    return this.runner.cursorOpener(this);
  }

  /**
   * Removes every record; returns how many there were. `InvalidArgumentError` while a cursor
   * is open on the database (Berkeley DB: EINVAL), as it would lose its place.
   */
  truncate(): number {
    this.checkOpen();
    this.refuseOpenCursors('truncate');
    return this.runner.write(this, () => this.am.truncate());
  }

  /** @internal `truncate` for containers: their open iterators stay defined (detached). */
  clearAll(): number {
    this.checkOpen();
    return this.runner.write(this, () => this.am.truncate());
  }

  /**
   * Gives the file's free pages back to the file system (DB->compact with DB_FREE_SPACE):
   * the pages in use move down into the free pages below them, then the file is cut after
   * the last page in use. Keys, values and record numbers do not change. Runs as its own
   * transaction followed by a checkpoint; `InvalidArgumentError` while a transaction or a
   * cursor of the database is open (a cursor would lose its place).
   */
  compact(): CompactReport {
    this.checkOpen();
    this.refuseOpenCursors('compact');
    const before = this.file.mp.pagesOnDisk();
    const result = this.runner.compact(this, () => this.am.compact());
    return { ...result, pagesTruncated: Math.max(0, before - result.pagesKept) };
  }

  /** Walks every page and checks every invariant. */
  verify(): VerifyReport {
    this.checkOpen();
    return this.runner.read(this, () => this.am.verify());
  }

  /** Shape and size of the database. */
  stat(): DatabaseStat {
    const { ok: _ok, errors: _errors, ...shape } = this.verify();
    return {
      type: this.type, pageSize: this.am.pageSize, duplicates: this.duplicates,
      recordNumbers: this.recordNumbers, ...shape,
    };
  }

  /** Closes the handle; the environment closes every database it opened on `close()`. */
  close(): void {
    if (this.closed) return;
    this.runner.closeDatabase(this);
    this.closed = true;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** @internal The environment closed: the handle is closed with it. */
  markClosed(): void {
    this.closed = true;
  }

  /** @internal Throws `ClosedError` once the handle is closed. */
  checkOpen(): void {
    if (this.closed) {
      throw new ClosedError(
        `database ${this.name} is closed; open it again with env.openDatabase or env.openMap`,
      );
    }
  }

  /** `InvalidArgumentError` while a cursor is open on the database (it would lose its place). */
  private refuseOpenCursors(what: string): void {
    const open = this.am.openCursors();
    if (open > 0) {
      throw new InvalidArgumentError(
        `${this.name}: ${what} with ${open} cursor(s) open; close them first`,
      );
    }
  }

  /** The `AM_PUT_*` flags of put options, checked against the database's shape. */
  private readPutOptions(options: PutOptions,
    allowed: readonly (keyof PutOptions)[] = PUT_OPTION_NAMES): number {
    const given = readOptions(options, allowed, 'put options');
    for (const name of PUT_OPTION_NAMES) {
      const v = given[name];
      if (v !== undefined && typeof v !== 'boolean') {
        throw new InvalidArgumentError(`put option ${name} must be a boolean, got ` +
          describeValue(v));
      }
    }
    const chosen = PUT_OPTION_NAMES.filter((name) => given[name] === true);
    if (chosen.length > 1) {
      throw new InvalidArgumentError(`put options ${chosen.join(' and ')} exclude each other ` +
        '(give one)');
    }
    if (given.noDupData && this.duplicates !== 'sorted') {
      throw new InvalidArgumentError(`${this.name}: put option noDupData needs sorted duplicates`);
    }
    // Without sorted duplicates a pair is never refused, so overwriteDup is a plain put.
    const overwriteDup = given.overwriteDup === true && this.duplicates === 'sorted';
    return (given.noOverwrite ? AM_PUT_NO_OVERWRITE : 0) |
      (given.noDupData ? AM_PUT_NO_DUP_DATA : 0) | (overwriteDup ? AM_PUT_OVERWRITE_DUP : 0);
  }
}
