/**
 * `CoreEnvironment`: the one wiring point of the engine. It owns the home directory, its lock
 * file, the page cache and every open database, and runs every database call.
 *
 * Layer: env (rank 6). The public `Environment` (collections layer) extends it with the
 * container factories (`openMap`, ...).
 *
 * Invariants:
 * 1. At most one open environment per home: another process gets `EnvironmentLockedError`
 *    naming the owner pid; a second open in this process gets it too.
 * 2. After an I/O error on a write path the environment is poisoned: every call throws
 *    `RunRecoveryError` until it is closed and reopened.
 * 3. `close()` writes every dirty page, syncs every file and removes the lock file; a home
 *    whose lock file is found at open was not closed cleanly.
 */
import * as nodePath from 'node:path';
import {
  CorruptionError, DbError, EnvironmentLockedError, InvalidArgumentError, IoError,
  RunRecoveryError,
} from '../util/index.js';
import {
  type FileSystem, MemFs, acquireLockFile, nodeFs, releaseLockFile,
} from '../os/index.js';
import { MPool, type MPoolStats } from '../mpool/index.js';
import { type AmFile, directChanges, sniffMeta } from '../am/common/index.js';
import { Btree, type BtreeCursor, type Comparator } from '../am/btree/index.js';
import { Database, type DatabaseType } from './database.js';
import type { DbRunner } from './db-runner.js';
import { parseDbConfig } from './db-config.js';
import { type EnvironmentOptions, type ResolvedOptions, resolveOptions } from './options.js';

/** Options of `openDatabase`. */
export interface DatabaseConfig {
  /** Access method; only 'btree' so far. */
  type?: DatabaseType;
  /** Create the database when missing. Default: the environment's `create`. */
  create?: boolean;
  /** Key order; default unsigned byte order. Must be given again at every open. */
  comparator?: Comparator;
  /** Page size of a new database; default the environment's. */
  pageSize?: number;
}

/** What `env.stat()` reports. */
export interface EnvironmentStat {
  home: string;
  transactional: boolean;
  durability: string;
  pageSize: number;
  cache: MPoolStats;
  databases: string[];
}

/** The constructor of an environment class (the core one or a subclass). */
export type EnvironmentClass<E> = new (
  home: string, options: EnvironmentOptions | undefined, anonymous: boolean,
) => E;

const LOCK_FILE = '__stowage.lock';
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const openHomes = new Set<string>();

export class CoreEnvironment implements DbRunner {
  readonly home: string;
  readonly options: ResolvedOptions;
  readonly fs: FileSystem;
  protected readonly pool: MPool;
  protected readonly databases = new Map<string, Database>();
  private poison: unknown;
  private closed = false;
  private readonly homeKey: string;
  /** True when the previous owner of the home did not close it cleanly. */
  readonly recoveredFromCrash: boolean;

  /** @internal Use `Environment.open` or `Environment.anonymous`. */
  constructor(home: string, options: EnvironmentOptions | undefined, anonymous: boolean) {
    if (typeof home !== 'string' || home.length === 0) {
      throw new InvalidArgumentError('the environment home must be a non-empty path string');
    }
    this.fs = options?.fileSystem ?? (anonymous ? new MemFs() : nodeFs);
    this.home = anonymous ? home : nodePath.resolve(home);
    const preliminary = resolveOptions(options);
    this.prepareHome(preliminary.create);
    this.options = resolveOptions(options, this.readDbConfig());
    this.homeKey = `${anonymous ? 'mem:' : ''}${this.home}`;
    if (!anonymous || options?.fileSystem) {
      if (openHomes.has(this.homeKey) && !anonymous) {
        throw new EnvironmentLockedError(
          `${this.home} is already open in this process; share the Environment object`,
          process.pid,
        );
      }
    }
    const lock = anonymous ? undefined : acquireLockFile(this.fs, this.lockPath(), {
      pid: process.pid, startedAtMs: Date.now(),
    });
    this.recoveredFromCrash = lock?.tookOverStale ?? false;
    if (!anonymous) openHomes.add(this.homeKey);
    this.pool = new MPool({ cacheSizeBytes: this.options.cacheSize });
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
    return new this('/anonymous', { transactional: false, ...options, fileSystem: new MemFs() },
      true);
  }

  private lockPath(): string {
    return nodePath.join(this.home, LOCK_FILE);
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

  /** Opens (creating when allowed) the database `name` of this environment. */
  openDatabase(name: string, config: DatabaseConfig = {}): Database {
    this.checkUsable();
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
      throw new InvalidArgumentError(
        `database name ${JSON.stringify(name)} is invalid: use 1-128 letters, digits, '.', ` +
          "'_' or '-', starting with a letter or digit",
      );
    }
    const open = this.databases.get(name);
    if (open) return open;
    const type = config.type ?? 'btree';
    if (type !== 'btree') {
      throw new InvalidArgumentError(`database type '${String(type)}' is not supported yet`);
    }
    if (config.comparator !== undefined && typeof config.comparator !== 'function') {
      throw new InvalidArgumentError('comparator must be a function (a, b) => number');
    }
    const db = this.guard(() => this.openBtree(name, config));
    this.databases.set(name, db);
    return db;
  }

  private openBtree(name: string, config: DatabaseConfig): Database {
    const path = nodePath.join(this.home, `${name}.db`);
    const create = config.create ?? this.options.create;
    const existed = this.fs.exists(path) && this.fs.open(path, 'read').size() > 0;
    if (!existed && !create) {
      throw new InvalidArgumentError(`database ${name} does not exist in ${this.home}`);
    }
    const handle = this.fs.open(path, 'create');
    try {
      const pageSize = existed ? this.sniffPageSize(handle, path) : this.newPageSize(config);
      const mp = this.pool.openFile(handle, pageSize, path);
      const file: AmFile = { mp, pageSize, name: path, changes: directChanges };
      const tree = existed
        ? Btree.open(file, config.comparator)
        : Btree.create(file, config.comparator);
      return new Database(name, 'btree', tree, file, this);
    } catch (e) {
      handle.close();
      throw e;
    }
  }

  private newPageSize(config: DatabaseConfig): number {
    if (config.pageSize === undefined) return this.options.pageSize;
    return resolveOptions({ pageSize: config.pageSize }).pageSize;
  }

  private sniffPageSize(handle: { read(b: Uint8Array, p: number): number; size(): number },
    path: string): number {
    const head = new Uint8Array(512);
    const got = handle.read(head, 0);
    const pageSize = sniffMeta(head.subarray(0, got), path);
    const size = handle.size();
    if (size % pageSize !== 0) {
      throw new CorruptionError(
        `${path} is ${size} bytes, not a whole number of ${pageSize}-byte pages: the file ` +
          'was truncated or damaged; restore it from a backup',
        { file: path },
      );
    }
    return pageSize;
  }

  /** Cache and configuration figures. */
  stat(): EnvironmentStat {
    this.checkUsable();
    return {
      home: this.home,
      transactional: this.options.transactional,
      durability: this.options.durability,
      pageSize: this.options.pageSize,
      cache: this.pool.stat(),
      databases: [...this.databases.keys()],
    };
  }

  /** Closes every database, writes every dirty page, syncs and releases the home. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const poisoned = this.poison !== undefined;
    try {
      for (const db of this.databases.values()) db.file.mp.close(!poisoned);
    } finally {
      this.databases.clear();
      openHomes.delete(this.homeKey);
      if (!poisoned && !this.homeKey.startsWith('mem:')) {
        releaseLockFile(this.fs, this.lockPath(), process.pid);
      }
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // DbRunner ---------------------------------------------------------------------------------

  read<T>(_db: Database, fn: () => T): T {
    this.checkUsable();
    return fn();
  }

  write<T>(_db: Database, fn: () => T): T {
    this.checkUsable();
    return this.guard(fn);
  }

  cursor(_db: Database, open: () => BtreeCursor): BtreeCursor {
    this.checkUsable();
    return open();
  }

  closeDatabase(db: Database): void {
    if (this.databases.get(db.name) !== db) return;
    this.databases.delete(db.name);
    this.guard(() => db.file.mp.close());
  }

  /** Throws when the environment is closed or poisoned. */
  checkUsable(): void {
    if (this.closed) {
      throw new InvalidArgumentError(`the environment ${this.home} is closed`);
    }
    if (this.poison !== undefined) {
      throw new RunRecoveryError(
        `the environment ${this.home} hit an error on a write path and must be closed and ` +
          'reopened (recovery runs at open)',
        { cause: this.poison },
      );
    }
  }

  /** Runs `fn`; an I/O error (or an internal failure) poisons the environment. */
  protected guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof IoError || !(e instanceof DbError)) this.poison = e;
      throw e;
    }
  }

  /** Marks the environment unusable until reopened. */
  protected poisonWith(cause: unknown): void {
    this.poison ??= cause;
  }
}
