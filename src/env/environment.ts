/**
 * `CoreEnvironment`: the one wiring point of the engine. It owns the home directory, its lock
 * file, the page cache, the transactional runtime (log, locks, transactions, recovery) and
 * every open database, and it runs every database call.
 *
 * Layer: env (rank 6). The public `Environment` (collections layer) extends it with the
 * container factories (`openMap`, ...).
 *
 * Invariants:
 * 1. At most one open environment per home, in one thread of one process: another process
 *    gets `EnvironmentLockedError` naming the owner pid; another thread of this process
 *    (a worker, or the main thread while a worker has it open) and a second open in this
 *    thread get it too. The lock file names the owning thread, so the check works across
 *    threads, whose module state (`openHomes`) is their own.
 * 2. In a transactional environment every page change is logged in a transaction: the
 *    caller's, or an auto-commit transaction around the single call.
 * 3. After an I/O error (or any unexpected failure) on a write path the environment is
 *    poisoned: every call throws `RunRecoveryError` until it is closed and reopened. Bad
 *    arguments never poison it: every call checks them (a config or options object is read
 *    once, through `readOptions`) before anything changes, and throws a typed error.
 * 4. `close()` checkpoints (or writes every dirty page), syncs every file, removes the
 *    unclean marker and then the lock file. Closing a poisoned environment writes nothing:
 *    it drops the cache and the log buffer (recovery at the next open repairs), closes the
 *    files, removes the lock file and leaves the unclean marker.
 * 7. The unclean marker `__stowage.unclean` exists, durably, from the moment an open has
 *    the lock until a clean `close()` has synced everything: a crash, a poisoned close and
 *    a failed open of a home that was already unclean leave it, so the next open knows the
 *    home was not closed cleanly (`wasUnclean`; a log found removed is then corruption, not
 *    a clean start). A failed open of a clean home removes it again: opening changes no
 *    data (recovery after a clean close has nothing to redo or undo).
 * 5. With `STOWAGE_VERIFY` set, every transaction checks the structure of each page it
 *    changed when it ends, and `close()` verifies every open database and checks the lock
 *    table's and the cache's invariants; a failure is an `AssertionError` (a bug report).
 * 6. A closed environment, and every database, cursor and iterator of it, throws
 *    `ClosedError`.
 */
import * as nodePath from 'node:path';
import {
  AssertionError, CorruptionError, EnvironmentLockedError, InvalidArgumentError, type Lsn,
  type Pgno, describeValue, optionNames, readOptions, verifyEnabled,
} from '../util/index.js';
import {
  type FileSystem, type LockOwner, MemFs, acquireLockFile, nodeFs, releaseLockFile,
} from '../os/index.js';
import { MPool, type MPoolFile } from '../mpool/index.js';
import { type AmFile, directChanges } from '../am/common/index.js';
import {
  type AccessMethodKind, type DuplicatesMode, accessMethodNamed, accessMethodNames,
  accessMethodOfType,
} from '../am/common/index.js';
import './access-methods.js';
import type { RecoveryReport } from '../txn/index.js';
import { printLog } from '../log/index.js';
import { PAGE_SIZE_MAX, PAGE_SIZE_MIN, isValidPageSize } from '../page/index.js';
import { Database, type DatabaseType } from './database.js';
import { parseDbConfig } from './db-config.js';
import {
  type EnvironmentOptions, type ResolvedOptions, readEnvironmentOptions, resolveOptions,
} from './options.js';
import {
  checkDatabaseName, createDatabaseFile, databaseExists, databasePath, fileAmType, sniffPageSize,
  stampSyncedLsn,
} from './db-files.js';
import { TxnRuntime } from './txn-runtime.js';
import type { TxnHandle } from './txn-handle.js';
import type { EnvironmentStat, TransactionOptions } from './env-types.js';
import { OpRunner } from './op-runner.js';

/** Negative, zero or positive, like `Array.prototype.sort`'s compare function. */
export type Comparator = (a: Uint8Array, b: Uint8Array) => number;

/** Options of `openDatabase`. */
export interface DatabaseConfig {
  /** Access method; default 'btree' (an existing file's own is checked against it). */
  type?: DatabaseType;
  /** Create the database when missing. Default: the environment's `create`. */
  create?: boolean;
  /** Key order; default unsigned byte order. Must be given again at every open. */
  comparator?: Comparator;
  /** Page size of a new database; default the environment's. */
  pageSize?: number;
  /**
   * Several values per key: 'sorted' (DB_DUPSORT), 'unsorted' (DB_DUP, insertion order) or
   * 'none' (the default). Fixed at creation; every open must give the same.
   */
  duplicates?: DuplicatesMode;
  /** Order of sorted duplicates; default unsigned byte order. Given again at every open. */
  dupComparator?: Comparator;
  /** Keep record numbers (DB_RECNUM; btree only, not with duplicates). Fixed at creation. */
  recordNumbers?: boolean;
  /**
   * Hash: the target number of pairs per bucket (DB_HASH's h_ffactor). Default 0: a bucket
   * splits when its page overflows. Fixed at creation.
   */
  fillFactor?: number;
  /**
   * Hash: the number of pairs expected (h_nelem); with `fillFactor` it sizes a new table.
   * Fixed at creation.
   */
  expectedSize?: number;
  /**
   * Hash: the hash function, bytes to a 32-bit integer (h_hash). Default Berkeley DB 5.3's.
   * Must be given again at every open.
   */
  hash?: (bytes: Uint8Array) => number;
}

/** Every name `openDatabase` accepts: the one list its unknown-option check uses. */
const DATABASE_CONFIG_NAMES = optionNames<DatabaseConfig>()([
  'type', 'create', 'comparator', 'pageSize', 'duplicates', 'dupComparator', 'recordNumbers',
  'fillFactor', 'expectedSize', 'hash',
]);

/** The options every access method takes; the others belong to some kinds only. */
const COMMON_CONFIG_NAMES = new Set(['type', 'create', 'pageSize']);

/** A database config after `checkDatabaseConfig`: a plain object of checked values. */
type CheckedDatabaseConfig = Omit<DatabaseConfig, 'type'> & {
  type: DatabaseType;
  kind: AccessMethodKind;
};

/**
 * `open` when `config` asks for its shape (type, duplicates, record numbers), as an open of
 * its file would check; `InvalidArgumentError` naming both otherwise.
 */
function checkSameShape(open: Database, config: CheckedDatabaseConfig): Database {
  const asked = { type: config.kind.name, duplicates: config.duplicates ?? 'none',
    recordNumbers: config.recordNumbers ?? false };
  const has = { type: open.type, duplicates: open.duplicates, recordNumbers: open.recordNumbers };
  if (asked.type !== has.type || asked.duplicates !== has.duplicates ||
    asked.recordNumbers !== has.recordNumbers) {
    throw new InvalidArgumentError(`database ${open.name} is open as ${describeShape(has)}; ` +
      `it was opened again as ${describeShape(asked)}`);
  }
  return open;
}

function describeShape(s: { type: string; duplicates: string; recordNumbers: boolean }): string {
  return `type '${s.type}', duplicates '${s.duplicates}', recordNumbers ${s.recordNumbers}`;
}

/** Reads and checks an `openDatabase` config; every failure is `InvalidArgumentError`. */
function checkDatabaseConfig(config: unknown): CheckedDatabaseConfig {
  const given = readOptions(config, DATABASE_CONFIG_NAMES, 'database config');
  const { type = 'btree', create, comparator, pageSize, duplicates, dupComparator } = given;
  const kind = typeof type === 'string' ? accessMethodNamed(type) : undefined;
  if (!kind) {
    throw new InvalidArgumentError(`database type ${describeValue(type)} is not supported ` +
      `(supported: ${accessMethodNames().map((n) => `'${n}'`).join(', ')})`);
  }
  checkKindOptions(given, kind);
  checkBoolean('create', create);
  checkBoolean('recordNumbers', given.recordNumbers);
  checkFunction('comparator', comparator);
  checkFunction('dupComparator', dupComparator);
  if (duplicates !== undefined && duplicates !== 'none' && duplicates !== 'sorted' &&
    duplicates !== 'unsorted') {
    throw new InvalidArgumentError(`database config duplicates must be 'none', 'sorted' or ` +
      `'unsorted', got ${describeValue(duplicates)}`);
  }
  if (pageSize !== undefined && !isValidPageSize(pageSize)) {
    throw new InvalidArgumentError(
      `database config pageSize must be a power of two from ${PAGE_SIZE_MIN} to ` +
        `${PAGE_SIZE_MAX}, got ${describeValue(pageSize)}`,
    );
  }
  return { ...(given as DatabaseConfig), type: type as DatabaseType, kind };
}

/** Refuses an option the access method does not read (a comparator for a hash, ...). */
function checkKindOptions(given: object, kind: AccessMethodKind): void {
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined || COMMON_CONFIG_NAMES.has(name)) continue;
    if (!kind.configNames.includes(name)) {
      throw new InvalidArgumentError(`database config ${name} does not apply to a ` +
        `${kind.name} database (its options: ${kind.configNames.join(', ')})`);
    }
  }
}

function checkBoolean(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new InvalidArgumentError(
      `database config ${name} must be a boolean, got ${describeValue(value)}`,
    );
  }
}

function checkFunction(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new InvalidArgumentError(
      `database config ${name} must be a function (a, b) => number, got ${describeValue(value)}`,
    );
  }
}

/** Options of `env.archive`. */
export interface ArchiveOptions {
  /** Delete the listed log files. Default false. */
  remove?: boolean;
}

const ARCHIVE_OPTION_NAMES = optionNames<ArchiveOptions>()(['remove']);

/** The constructor of an environment class (the core one or a subclass). */
export type EnvironmentClass<E> = new (
  home: string, options: EnvironmentOptions | undefined, anonymous: boolean,
) => E;

const LOCK_FILE = '__stowage.lock';
/** Present while a home may hold work a clean close has not synced (invariant 7). */
const UNCLEAN_MARKER = '__stowage.unclean';
/** Homes open in this thread (module state is per thread; other threads see the lock file). */
const openHomes = new Set<string>();

export class CoreEnvironment {
  readonly home: string;
  readonly options: ResolvedOptions;
  readonly fs: FileSystem;
  protected readonly pool: MPool;
  protected readonly databases = new Map<string, Database>();
  private readonly runtime: TxnRuntime | undefined;
  /** @internal Runs every database call. */
  readonly runner: OpRunner;
  private closed = false;
  private readonly anonymous: boolean;
  /** Who this environment wrote into the home's lock file; undefined when anonymous. */
  private lockOwner: LockOwner | undefined;
  /**
   * True when the previous owner of the home did not close it cleanly: it died, its open
   * failed, or it closed after an error had poisoned it.
   */
  readonly wasUnclean: boolean;
  /** What recovery did at open (transactional environments with a log). */
  readonly recovery: RecoveryReport | undefined;

  /** @internal Use `Environment.open` or `Environment.anonymous`. */
  constructor(home: string, options: EnvironmentOptions | undefined, anonymous: boolean) {
    if (typeof home !== 'string' || home.length === 0) {
      throw new InvalidArgumentError('the environment home must be a non-empty path string');
    }
    this.anonymous = anonymous;
    const given = readEnvironmentOptions(options);
    const create = resolveOptions(given).create;
    this.fs = given.fileSystem ?? (anonymous ? new MemFs() : nodeFs);
    this.home = anonymous ? home : nodePath.resolve(home);
    this.prepareHome(create);
    this.options = resolveOptions(given, this.readDbConfig());
    this.wasUnclean = this.lockHome();
    this.pool = new MPool({ cacheSizeBytes: this.options.cacheSize });
    try {
      if (this.options.transactional) {
        const runtime = new TxnRuntime(this.fs, this.home, this.options, !this.wasUnclean);
        this.runtime = runtime;
        this.pool.flushLogTo = (lsn) => runtime.log.flush(lsn, 'sync');
        if (verifyEnabled) runtime.pageCheck = (file, pgno) => this.checkChangedPage(file, pgno);
        this.recovery = this.runRecovery();
      }
    } catch (e) {
      this.runtime?.close(false);
      // Opening changes no data: a home that was clean stays clean (invariant 7).
      if (!this.wasUnclean) this.clearUncleanMarkerAfterFailure();
      this.releaseHome();
      throw e;
    }
    this.runner = new OpRunner({
      home: this.home,
      durability: this.options.durability,
      isClosed: () => this.closed,
      closeDatabase: (db) => this.closeDatabase(db),
      afterCommit: () => this.afterCommit(),
      checkpoint: () => this.checkpoint(),
    }, this.runtime);
  }

  /** Opens (by default creating) the environment in directory `home`. */
  static open<E extends CoreEnvironment>(
    this: EnvironmentClass<E>, home: string, options?: EnvironmentOptions,
  ): E {
    return new this(home, options, false);
  }

  /** An in-memory environment: nothing is persisted. Backs `new PersistentMap()`. */
  static anonymous<E extends CoreEnvironment>(
    this: EnvironmentClass<E>, options?: Omit<EnvironmentOptions, 'fileSystem'>,
  ): E {
    const given = readEnvironmentOptions(options);
    const fileSystem = new MemFs();
    return new this('/anonymous', { transactional: false, ...given, fileSystem }, true);
  }

  private prepareHome(create: boolean): void {
    if (this.fs.exists(this.home)) return;
    if (!create) {
      throw new InvalidArgumentError(
        `environment home ${this.home} does not exist (open with create: true to make it)`,
      );
    }
    this.fs.mkdir(this.home);
  }

  private readDbConfig() {
    const path = nodePath.join(this.home, 'DB_CONFIG');
    if (!this.fs.exists(path)) return {};
    return parseDbConfig(Buffer.from(this.fs.readFile(path)).toString('utf8'));
  }

  /**
   * Takes the home's lock file and sets the unclean marker; true when the previous owner did
   * not close the home cleanly (a stale lock taken over, or the marker found).
   */
  private lockHome(): boolean {
    if (this.anonymous) return false;
    if (this.fs === nodeFs && openHomes.has(this.home)) {
      throw new EnvironmentLockedError(
        `${this.home} is already open in this thread; share its Environment object`,
        process.pid,
      );
    }
    const lock = acquireLockFile(this.fs, nodePath.join(this.home, LOCK_FILE), {
      pid: process.pid, startedAtMs: Date.now(),
    });
    this.lockOwner = lock.owner;
    if (this.fs === nodeFs) openHomes.add(this.home);
    try {
      const markerFound = this.setUncleanMarker();
      return lock.tookOverStale || lock.reclaimedOwn || markerFound;
    } catch (e) {
      this.releaseHome();
      throw e;
    }
  }

  /** Creates the unclean marker durably unless it exists; true when it existed. */
  private setUncleanMarker(): boolean {
    const marker = nodePath.join(this.home, UNCLEAN_MARKER);
    if (this.fs.exists(marker)) return true;
    this.fs.open(marker, 'create').close();
    this.fs.syncDir(this.home);
    return false;
  }

  /** `clearUncleanMarker` on a failed open; a failure to remove it only keeps it. */
  private clearUncleanMarkerAfterFailure(): void {
    try {
      this.clearUncleanMarker();
    } catch {
      // The marker stays: the next open is treated as unclean, which is only cautious.
    }
  }

  /** Removes the unclean marker once a clean close has synced everything (invariant 7). */
  private clearUncleanMarker(): void {
    if (this.lockOwner === undefined) return;
    this.fs.remove(nodePath.join(this.home, UNCLEAN_MARKER));
    this.fs.syncDir(this.home);
  }

  private releaseHome(): void {
    if (this.lockOwner === undefined) return;
    if (this.fs === nodeFs) openHomes.delete(this.home);
    releaseLockFile(this.fs, nodePath.join(this.home, LOCK_FILE), this.lockOwner);
  }

  private runRecovery(): RecoveryReport | undefined {
    const runtime = this.runtime!;
    const report = runtime.recoverIfNeeded(
      (name) => this.openFileForRecovery(name),
      this.options.recover === 'catastrophic',
    );
    runtime.checkpoint((lsn) => this.flushAndSyncPages(lsn));
    return report;
  }

  /**
   * Opens a file the log names, for recovery; undefined when it is missing, empty or has no
   * readable meta page (files are created whole, so that is a removed or damaged database:
   * recovery leaves it alone, the other databases recover, and opening it reports the damage).
   */
  private openFileForRecovery(name: string): MPoolFile | undefined {
    const path = nodePath.join(this.home, name);
    if (!this.fs.exists(path)) return undefined;
    const handle = this.fs.open(path, 'readwrite');
    if (handle.size() === 0) {
      handle.close();
      return undefined;
    }
    let pageSize: number;
    try {
      pageSize = sniffPageSize(handle, path, true);
    } catch (e) {
      handle.close();
      if (e instanceof CorruptionError || e instanceof InvalidArgumentError) return undefined;
      throw e;
    }
    return this.pool.openFile(handle, pageSize, path, true);
  }

  /**
   * Opens (creating when allowed) the database `name` of this environment. The name and the
   * whole config are checked before any file is touched: a bad one is `InvalidArgumentError`
   * and changes nothing.
   */
  openDatabase(name: string, config?: DatabaseConfig): Database {
    this.runner.checkUsable();
    checkDatabaseName(name);
    const checked = checkDatabaseConfig(config);
    const open = this.databases.get(name);
    if (open) return checkSameShape(open, checked);
    const db = this.runner.guard(() => this.openFile(name, checked));
    this.databases.set(name, db);
    return db;
  }

  /**
   * Opens database `name`, creating its file first when missing and allowed. An existing
   * file is opened by the access method its meta page names; another `type` is refused.
   */
  private openFile(name: string, config: CheckedDatabaseConfig): Database {
    const path = databasePath(this.home, name);
    if (!databaseExists(this.fs, path)) {
      if (!(config.create ?? this.options.create)) {
        throw new InvalidArgumentError(`database ${name} does not exist in ${this.home}`);
      }
      const pageSize = config.pageSize ?? this.options.pageSize;
      createDatabaseFile(this.fs, path, config.kind.filePageSize(pageSize), config.kind, config);
    }
    const handle = this.fs.open(path, 'readwrite');
    let mp: MPoolFile | undefined;
    try {
      const pageSize = sniffPageSize(handle, path);
      mp = this.pool.openFile(handle, pageSize, path);
      const file: AmFile = { mp, pageSize, name: path, changes: directChanges };
      const kind = accessMethodOfType(fileAmType(file), path);
      if (kind !== config.kind) {
        throw new InvalidArgumentError(`${path} is a ${kind.name} database; it was opened ` +
          `as type '${config.kind.name}'`);
      }
      const am = kind.open(file, config);
      this.runtime?.registerOpen(mp, this.home);
      return new Database(name, kind.name as DatabaseType, am, this.runner);
    } catch (e) {
      if (mp) mp.close(false);
      else handle.close();
      throw e;
    }
  }

  private closeDatabase(db: Database): void {
    if (this.databases.get(db.name) !== db) return;
    const open = this.runtime?.mgr.active.size ?? 0;
    if (open > 0) {
      throw new InvalidArgumentError(
        `database ${db.name} cannot be closed while ${open} transaction(s) are open: its ` +
          'changes are committed or undone through it; commit or abort them first',
      );
    }
    this.databases.delete(db.name);
    this.runner.guard(() => {
      this.runtime?.unregister(db.file.mp);
      db.file.mp.close();
    });
  }

  /** Begins an explicit transaction, a child of the current one if any (API.md §3). */
  begin(options?: TransactionOptions): TxnHandle {
    return this.runner.begin(options);
  }

  /**
   * Runs `fn` in a transaction: commit on return, abort on throw, retry on deadlock up to
   * `options.retries` times; an `fn` returning a promise is rejected (and aborted).
   */
  transaction<T>(fn: () => T, options?: TransactionOptions): T {
    return this.runner.transaction(fn, options);
  }

  /** Makes every logged change durable in the database files; bounds recovery work. */
  checkpoint(): void {
    this.runner.checkUsable();
    if (!this.runtime) {
      this.runner.guard(() => this.flushAndSyncPages());
      return;
    }
    const runtime = this.runtime;
    this.runner.guard(() => runtime.checkpoint((lsn) => this.flushAndSyncPages(lsn)));
  }

  /** Log files no longer needed by recovery (paths); `remove: true` deletes them. */
  archive(options?: ArchiveOptions): string[] {
    this.runner.checkUsable();
    const { remove } = readOptions(options, ARCHIVE_OPTION_NAMES, 'archive options');
    if (remove !== undefined && typeof remove !== 'boolean') {
      throw new InvalidArgumentError(
        `archive option remove must be a boolean, got ${describeValue(remove)}`,
      );
    }
    const runtime = this.runtime;
    if (!runtime) return [];
    return this.runner.guard(() => runtime.archive(remove === true));
  }

  /** A `db_printlog`-style dump of the log: one line per record. */
  printLog(): string[] {
    this.runner.checkUsable();
    if (!this.runtime) return [];
    this.runtime.log.flush(undefined, 'write');
    return printLog(this.runtime.log, this.runtime.registry);
  }

  /** Cache, transaction, lock and log figures. */
  stat(): EnvironmentStat {
    this.runner.checkUsable();
    return {
      home: this.home,
      transactional: this.options.transactional,
      durability: this.options.durability,
      pageSize: this.options.pageSize,
      cache: this.pool.stat(),
      databases: [...this.databases.keys()],
      ...this.runtime?.stats(),
    };
  }

  /** @internal Checks the lock table and the cache (tests call it after each scenario). */
  checkInvariants(): void {
    this.pool.checkInvariants();
    this.runtime?.locks.checkInvariants();
  }

  /** Closes every database, checkpoints, syncs and releases the home. */
  close(): void {
    if (this.closed) return;
    let shutDown = false;
    try {
      if (!this.runner.isPoisoned) {
        this.runner.guard(() => this.shutDown());
        shutDown = true;
      }
      if (verifyEnabled && !this.runner.isPoisoned) this.verifyOnClose();
    } finally {
      this.closed = true;
      try {
        for (const db of this.databases.values()) {
          db.markClosed();
          db.file.mp.close(false);
        }
        this.databases.clear();
        this.runtime?.close(!this.runner.isPoisoned);
        if (shutDown && !this.runner.isPoisoned) this.clearUncleanMarker();
      } finally {
        this.releaseHome();
      }
    }
  }

  private shutDown(): void {
    if (this.runtime) {
      for (const t of [...this.runtime.mgr.active].reverse()) {
        if (t.isActive && !t.parent) this.runtime.mgr.abort(t);
      }
      this.runtime.checkpoint((lsn) => this.flushAndSyncPages(lsn));
    } else {
      this.flushAndSyncPages();
    }
  }

  /** The verify tier's check of a page a transaction changed (see invariant 5). */
  private checkChangedPage(file: MPoolFile, pgno: Pgno): void {
    for (const db of this.databases.values()) {
      if (db.file.mp !== file) continue;
      const errors = db.am.checkPage(pgno);
      if (errors.length > 0) {
        throw new AssertionError(`STOWAGE_VERIFY: a transaction left ${errors.join('; ')}`);
      }
      return;
    }
  }

  /**
   * The verify tier at close: whole-database verification and the subsystems' invariants. A
   * database in which a read met damage on disk (`damageSeen`, or a `CorruptionError` in the
   * walk itself) is left to those reports: that is not a bug of this process.
   */
  private verifyOnClose(): void {
    for (const db of this.databases.values()) {
      if (db.file.mp.damageSeen) continue;
      let report;
      try {
        report = db.verify();
      } catch (e) {
        if (e instanceof CorruptionError) continue;
        throw e;
      }
      if (!report.ok) {
        throw new AssertionError(`STOWAGE_VERIFY at close: ${report.errors.join('; ')}`);
      }
    }
    this.checkInvariants();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private afterCommit(): void {
    const runtime = this.runtime;
    if (runtime && runtime.checkpointDue()) {
      runtime.checkpoint((lsn) => this.flushAndSyncPages(lsn));
    }
  }

  /**
   * Writes every dirty page and syncs every open database file; at a checkpoint, whose log
   * is durable through `durableLsn`, each file's meta page records that LSN first.
   */
  private flushAndSyncPages(durableLsn?: Lsn): void {
    if (durableLsn !== undefined) {
      for (const db of this.databases.values()) stampSyncedLsn(db.file.mp, durableLsn);
    }
    this.pool.flushAll();
    for (const db of this.databases.values()) db.file.mp.sync();
  }

  /** @internal The LSN the next log record will get (tests). */
  get endLsn(): Lsn | undefined {
    return this.runtime?.log.endLsn;
  }
}
