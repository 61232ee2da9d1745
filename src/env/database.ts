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
 */
import {
  ClosedError, InvalidArgumentError, KeyExistsError, copyBytes, describeType, describeValue,
  optionNames, readOptions,
} from '../util/index.js';
import {
  type Btree, type BtreeVerifyReport, truncateBtree, verifyBtree,
} from '../am/btree/index.js';
import type { DbCursor } from './db-cursor.js';
import type { AmFile } from '../am/common/index.js';
import type { DbRunner } from './db-runner.js';

/** Access methods a `Database` can use (more arrive with later versions). */
export type DatabaseType = 'btree';

/** What `Database.stat` reports (Berkeley DB's `DB->stat` for btrees): the tree's shape. */
export type DatabaseStat = Omit<BtreeVerifyReport, 'ok' | 'errors'> & {
  type: DatabaseType;
  pageSize: number;
};

/** Options of `Database.put`. */
export interface PutOptions {
  /** Throw `KeyExistsError` instead of replacing a stored value. */
  noOverwrite?: boolean;
}

const PUT_OPTION_NAMES = optionNames<PutOptions>()(['noOverwrite']);

/** @internal Throws unless `value` is a byte array (`what` names the argument). */
export function checkBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!isBytes(value)) {
    throw new InvalidArgumentError(`${what} must be a Uint8Array, got ${describeType(value)}`);
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
    /** @internal */ readonly tree: Btree,
    /** @internal */ readonly file: AmFile,
    private readonly runner: DbRunner,
  ) {}

  /** The value stored under `key` (a copy), or `undefined`. Complexity: O(log n). */
  get(key: Uint8Array): Uint8Array | undefined {
    this.checkOpen();
    checkBytes(key, 'key');
    return this.runner.read(this, () => this.tree.getWith(key, copyBytes));
  }

  /** @internal Hands the value to `read` as a view valid only during the call. */
  getWith<T>(key: Uint8Array, read: (value: Uint8Array) => T): T | undefined {
    this.checkOpen();
    if (this.runner.readsDirectly()) return this.tree.getWith(key, read);
    return this.runner.read(this, () => this.tree.getWith(key, read));
  }

  /** True when `key` is stored. */
  exists(key: Uint8Array): boolean {
    this.checkOpen();
    checkBytes(key, 'key');
    return this.runner.read(this, () => this.tree.has(key));
  }

  /**
   * Stores `value` under `key`, replacing any value.
   * With `{ noOverwrite: true }` an existing key throws `KeyExistsError` (see `putIfAbsent`).
   */
  put(key: Uint8Array, value: Uint8Array, options?: PutOptions): void {
    this.checkOpen();
    checkBytes(key, 'key');
    checkBytes(value, 'value');
    const noOverwrite = options !== undefined && this.readPutOptions(options);
    const added = this.runner.write(this, () => this.tree.put(key, value, noOverwrite));
    if (noOverwrite && !added) {
      throw new KeyExistsError(`${this.name}: the key is already stored (put with noOverwrite)`);
    }
  }

  /** Stores `value` only when `key` is absent. Returns true when it stored it. */
  putIfAbsent(key: Uint8Array, value: Uint8Array): boolean {
    this.checkOpen();
    checkBytes(key, 'key');
    checkBytes(value, 'value');
    return this.runner.write(this, () => this.tree.put(key, value, true));
  }

  /** @internal `put` returning whether the key was new (no argument checks). */
  putReporting(key: Uint8Array, value: Uint8Array, noOverwrite: boolean): boolean {
    this.checkOpen();
    return this.runner.write(this, () => this.tree.put(key, value, noOverwrite));
  }

  /** Removes `key`; false when it was not stored. */
  del(key: Uint8Array): boolean {
    this.checkOpen();
    checkBytes(key, 'key');
    return this.runner.write(this, () => this.tree.del(key));
  }

  /** Records stored. Complexity: O(1). */
  count(): number {
    this.checkOpen();
    return this.runner.read(this, () => this.tree.count());
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

  /** Removes every record; returns how many there were. */
  truncate(): number {
    this.checkOpen();
    return this.runner.write(this, () => truncateBtree(this.tree));
  }

  /** Walks every page and checks every invariant. */
  verify(): BtreeVerifyReport {
    this.checkOpen();
    return this.runner.read(this, () => verifyBtree(this.tree));
  }

  /** Shape and size of the database. */
  stat(): DatabaseStat {
    const { ok: _ok, errors: _errors, ...shape } = this.verify();
    return { type: this.type, pageSize: this.file.pageSize, ...shape };
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

  private readPutOptions(options: PutOptions): boolean {
    const { noOverwrite } = readOptions(options, PUT_OPTION_NAMES, 'put options');
    if (noOverwrite !== undefined && typeof noOverwrite !== 'boolean') {
      throw new InvalidArgumentError(
        `put option noOverwrite must be a boolean, got ${describeValue(noOverwrite)}`,
      );
    }
    return noOverwrite === true;
  }
}
