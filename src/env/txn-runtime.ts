/**
 * `TxnRuntime`: the transactional half of an environment: the log, the lock manager, the
 * transaction manager, the recovery registry and the table of files the log refers to.
 *
 * Layer: env (rank 6): the one place that registers the access methods' recovery handlers.
 *
 * Invariants:
 * 1. A file is registered in the log (`dbreg_register`) before any record that names it;
 *    runtime file ids are the cache's file ids, recovery maps the logged ids by name.
 * 2. Recovery runs at every open of a non-empty log: after a clean close it only reads the
 *    records since the final checkpoint.
 * 3. A checkpoint is taken after recovery, on request, after `checkpointBytes` of log, and
 *    at close. With `logAutoRemove` (the default) each one is followed by the removal of the
 *    log files recovery no longer needs: those before the checkpoint's scan point and before
 *    the first record of every open transaction (an open transaction pins its log).
 */
import * as nodePath from 'node:path';
import { CorruptionError, type Lsn, ZERO_LSN, fileId, txnId } from '../util/index.js';
import type { FileSystem } from '../os/index.js';
import { LogManager, LogRecordRegistry, type LogStats } from '../log/index.js';
import { LockManager, describePageLockObject, type LockStats } from '../lock/index.js';
import type { MPoolFile } from '../mpool/index.js';
import {
  CheckpointRecord, type CheckpointInfo, type CheckpointTarget, DbRegisterRecord,
  type RecoveryFileTable, type RecoveryHandler, type RecoveryReport, TxnAbortRecord,
  TxnCommitRecord, TxnManager, type Transaction, type TxnStats, recover, removableLogFiles,
  takeCheckpoint,
} from '../txn/index.js';
import { PAGE_RECORD_HANDLERS, type PageCheck, TxnChanges } from '../am/common/index.js';
import type { ResolvedOptions } from './options.js';
import { newestSyncedLsn } from './db-files.js';

/** Opens a database file by its name in the home, for recovery. */
export type RecoveryFileOpener = (name: string) => MPoolFile | undefined;

/** Builds the registry of every record type the engine logs. */
export function engineRegistry(): LogRecordRegistry<RecoveryHandler> {
  const registry = new LogRecordRegistry<RecoveryHandler>();
  registry.register(TxnCommitRecord).register(TxnAbortRecord);
  registry.register(CheckpointRecord).register(DbRegisterRecord);
  for (const [type, handler] of PAGE_RECORD_HANDLERS) registry.register(type, handler);
  return registry;
}

export class TxnRuntime implements RecoveryFileTable {
  readonly log: LogManager;
  readonly locks: LockManager;
  readonly registry = engineRegistry();
  readonly mgr: TxnManager;
  /** Files by logged id; undefined for one recovery found missing (its records skipped). */
  private readonly byId = new Map<number, MPoolFile | undefined>();
  /** Files the log names that recovery found missing, empty or unreadable. */
  private readonly skippedFiles = new Set<string>();
  private readonly names = new Map<number, string>();
  private recoveryOpener: RecoveryFileOpener | undefined;
  private readonly recoveryFiles: MPoolFile[] = [];
  lastCheckpoint: CheckpointInfo | undefined;
  private logBytesAtCheckpoint = 0;
  /** The most recent answer of `changesFor`: consecutive calls are usually for one txn. */
  private lastChanges: TxnChanges | undefined;
  /** Checks the pages each transaction changed when it ends (the `STOWAGE_VERIFY` tier). */
  pageCheck: PageCheck | undefined;

  /**
   * @param cleanShutdown the previous owner closed the home cleanly (no unclean marker, no
   *   stale lock taken over): its database files are complete, so a log removed since is
   *   not needed
   */
  constructor(
    fs: FileSystem, home: string, private readonly options: ResolvedOptions,
    cleanShutdown: boolean,
  ) {
    this.log = LogManager.open({
      fs, dir: home, logFileSizeBytes: options.logFileSize, registry: this.registry,
      // Written zeros make synced commits cheap; without synced commits they are wasted I/O.
      sparse: options.durability !== 'sync',
      // Database files were written after the log was durable through this: a shorter log
      // is damaged, and recovering from it would undo committed work (db-files.ts, 4).
      requireEnd: newestSyncedLsn(fs, home),
      removedLogOk: cleanShutdown,
    });
    this.locks = new LockManager({ describeObject: describePageLockObject });
    this.mgr = new TxnManager(this.log, this.locks, this.registry, this, 0);
    this.mgr.fullPageWrites = options.fullPageWrites;
  }

  /** The file a logged file id names. */
  file(fileId: number): MPoolFile | undefined {
    const f = this.byId.get(fileId);
    if (!f && !this.byId.has(fileId)) {
      throw new CorruptionError(`the log names database file id ${fileId}, never registered`);
    }
    return f;
  }

  /** Recovery: the log says `fileId` is the file `name` from here on. */
  register(fileId: number, name: string): void {
    if (this.names.get(fileId) === name) return;
    const opener = this.recoveryOpener;
    if (!opener) throw new CorruptionError(`file registration for ${name} outside recovery`);
    const file = opener(name);
    if (file) this.recoveryFiles.push(file);
    else this.skippedFiles.add(name);
    this.byId.set(fileId, file);
    this.names.set(fileId, name);
  }

  /** Runs recovery when the log holds records; returns its report, or undefined. */
  recoverIfNeeded(opener: RecoveryFileOpener, catastrophic: boolean): RecoveryReport | undefined {
    if (this.log.endLsn === ZERO_LSN || this.log.cursor().first() === undefined) return undefined;
    this.recoveryOpener = opener;
    try {
      const report = recover(this.mgr, this, catastrophic);
      report.skippedFiles = [...this.skippedFiles].sort();
      this.mgr.setNextTxnId(report.nextTxnId);
      this.log.flush(undefined, 'sync');
      for (const f of this.recoveryFiles) f.close();
      return report;
    } finally {
      this.recoveryFiles.length = 0;
      this.skippedFiles.clear();
      this.byId.clear();
      this.names.clear();
      this.recoveryOpener = undefined;
    }
  }

  /** Runtime: makes `file` known to the log under its cache id. */
  registerOpen(file: MPoolFile, home: string): void {
    const name = nodePath.relative(home, file.name);
    this.byId.set(file.id, file);
    this.names.set(file.id, name);
    this.log.append(DbRegisterRecord, txnId(0), ZERO_LSN, { fileId: fileId(file.id), name });
  }

  /** Runtime: forgets a closed file. */
  unregister(file: MPoolFile): void {
    this.byId.delete(file.id);
    this.names.delete(file.id);
  }

  /** The page-change hook of `txn`. */
  changesFor(txn: Transaction): TxnChanges {
    if (this.lastChanges?.txn === txn) return this.lastChanges;
    let c = txn.pageChanges as TxnChanges | undefined;
    if (!c) {
      c = new TxnChanges(this.mgr, txn, (t) => this.changesFor(t), this.pageCheck);
      txn.pageChanges = c;
    }
    this.lastChanges = c;
    return c;
  }

  /** Takes a checkpoint of every registered file. */
  checkpoint(flushAndSyncPages: (durableLsn: Lsn) => void): Lsn {
    const target: CheckpointTarget = {
      openFiles: () => [...this.names.entries()],
      flushAndSyncPages,
    };
    this.lastCheckpoint = takeCheckpoint(this.mgr, target);
    this.logBytesAtCheckpoint = this.log.stats.bytes;
    if (this.options.logAutoRemove) this.archive(true);
    return this.lastCheckpoint.lsn;
  }

  /** True when enough log has been written since the last checkpoint to take another. */
  checkpointDue(): boolean {
    const every = this.options.checkpointBytes;
    return every > 0 && this.log.stats.bytes - this.logBytesAtCheckpoint >= every;
  }

  /** Log files recovery no longer needs; removes them when `remove` is set. */
  archive(remove: boolean): string[] {
    const files = removableLogFiles(this.mgr, this.lastCheckpoint);
    const paths = files.map((f) => this.log.filePath(f));
    if (remove && files.length > 0) this.log.removeFilesBefore(files[files.length - 1]! + 1);
    return paths;
  }

  stats(): { txn: TxnStats; lock: LockStats; log: LogStats } {
    return { txn: { ...this.mgr.stats }, lock: this.locks.stats(), log: { ...this.log.stats } };
  }

  /** Closes the log; `flush` false discards its buffer (after an I/O error). */
  close(flush = true): void {
    this.log.close(flush);
  }
}
