/**
 * `LogManager`: the write-ahead log of one environment. It opens (and repairs) the log in a
 * directory, appends and flushes records, reads them back through cursors, and removes or
 * truncates log files for the txn layer (archive, recovery).
 *
 * Layer: log (rank 2). Imports util and os only.
 *
 * Durability API: `append` returns the record's LSN; `flush(lsn, 'sync')` makes it durable
 * with at most one write and one fdatasync; `flush(lsn, 'write')` hands it to the OS. The
 * mpool's write-ahead rule calls `flush(pageLsn)` before writing a page.
 *
 * Invariants:
 * 1. LSNs returned by `append` strictly increase, across files too.
 * 2. Every log file from `files()[0]` to the tail exists; removal only ever takes a prefix
 *    (`removeFilesBefore`) or a suffix (`truncateAfter`) and never the tail file.
 * 3. After `truncateAfter(lsn)` the record at `lsn` is the last one, durably; the bytes
 *    after it are zero (or cut off), as after an open.
 */
import {
  InvalidArgumentError,
  ReadOnlyError,
  lsnFile,
  lsnOffset,
  makeLsn,
} from '../util/index.js';
import { type Lsn, type TxnId, ZERO_LSN } from '../util/index.js';
import type { FileSystem } from '../os/index.js';
import { LogCursor } from './cursor.js';
import type { LogCursorOptions } from './cursor.js';
import { openLogTail } from './end-of-log.js';
import type { LogOpenReport } from './end-of-log.js';
import { LOG_FILE_HEADER_SIZE } from './record-format.js';
import type { LogRecord } from './record-format.js';
import type { LogRecordType } from './record-type.js';
import type { LogRecordLookup } from './registry.js';
import { LogReader, decodeRecord } from './reader.js';
import { logFilePath, zeroFill } from './log-files.js';
import { LogWriter } from './writer.js';
import type { FlushMode, LogStats, LogWriterSettings } from './writer.js';

/** Default maximum log file size: 10 MiB, Berkeley DB's default `set_lg_max`. */
export const LOG_FILE_SIZE_DEFAULT_BYTES = 10 * 1024 * 1024;
/** Smallest accepted log file size. */
export const LOG_FILE_SIZE_MIN_BYTES = 1024;
/** Largest accepted log file size; keeps every offset (and oversized record) below 2^32. */
export const LOG_FILE_SIZE_MAX_BYTES = 2 ** 30;
/**
 * Buffered bytes that trigger an automatic 'write' flush: large enough that a bulk load
 * makes few write calls, small enough that a 200,000-put transaction stays bounded.
 */
export const LOG_BUFFER_FLUSH_DEFAULT_BYTES = 1024 * 1024;

/** How to open a log. */
export interface LogOptions {
  readonly fs: FileSystem;
  /** The directory holding the `log.NNNNNNNNNN` files; created when missing. */
  readonly dir: string;
  /** Maximum size of a log file (a record that alone exceeds it gets a file of its own). */
  readonly logFileSizeBytes?: number;
  /** Buffered bytes that trigger an automatic 'write' flush. */
  readonly bufferFlushBytes?: number;
  /**
   * Zero-fill each new log file to `logFileSizeBytes` so that later fdatasyncs never change
   * the file's size (about twice as fast). Default true; turn off for in-memory file systems.
   */
  readonly preallocate?: boolean;
  /**
   * Preallocate new files by extending them (`ftruncate`) instead of writing zeros: creating
   * a file is then nearly free, but fdatasyncs into the new space allocate blocks and cost
   * about twice as much. For logs whose commits are not synced. Default false.
   */
  readonly sparse?: boolean;
  /** Open without creating, repairing or writing anything. */
  readonly readOnly?: boolean;
  /** The default registry of cursors and `readAt`. */
  readonly registry?: LogRecordLookup;
  /**
   * The log must reach at least this LSN: other files were made durable only after the log
   * was synced through it (database files at a checkpoint). A log that ends before it lost
   * records to damage or truncation; open then throws `CorruptionError`, before it repairs
   * or writes anything. Default: no requirement.
   */
  readonly requireEnd?: Lsn;
  /**
   * With `requireEnd`: a log whose files were all removed (after a clean shutdown: the
   * files that depended on it are complete) starts afresh in the file after the one
   * `requireEnd` names, so LSNs never go backward. Without it, that is `CorruptionError`.
   */
  readonly removedLogOk?: boolean;
}

function checkedSize(name: string, value: number | undefined, dflt: number, min: number): number {
  const v = value ?? dflt;
  if (!Number.isInteger(v) || v < min || v > LOG_FILE_SIZE_MAX_BYTES) {
    throw new InvalidArgumentError(
      `${name} must be an integer in ${min}..${LOG_FILE_SIZE_MAX_BYTES}, got ${v}`,
    );
  }
  return v;
}

function settingsOf(options: LogOptions): LogWriterSettings {
  return {
    fs: options.fs,
    dir: options.dir,
    readOnly: options.readOnly ?? false,
    requireEnd: options.requireEnd ?? ZERO_LSN,
    removedLogOk: options.removedLogOk ?? false,
    preallocate: options.preallocate ?? true,
    sparse: options.sparse ?? false,
    fileSizeBytes: checkedSize(
      'logFileSizeBytes',
      options.logFileSizeBytes,
      LOG_FILE_SIZE_DEFAULT_BYTES,
      LOG_FILE_SIZE_MIN_BYTES,
    ),
    bufferFlushBytes: checkedSize(
      'bufferFlushBytes',
      options.bufferFlushBytes,
      LOG_BUFFER_FLUSH_DEFAULT_BYTES,
      1,
    ),
  };
}

/** The write-ahead log. See the file header. */
export class LogManager {
  private readonly reader: LogReader;

  private constructor(
    private readonly writer: LogWriter,
    readonly report: LogOpenReport,
    private readonly registry: LogRecordLookup | undefined,
  ) {
    this.reader = new LogReader(writer);
  }

  /**
   * Opens the log in `options.dir`: finds its end, cuts a torn tail, creates the first file
   * of a new log.
   * @throws CorruptionError when the last log file's header is damaged, or the log ends
   *   before `options.requireEnd`.
   */
  static open(options: LogOptions): LogManager {
    const settings = settingsOf(options);
    const { tail, report } = openLogTail(settings);
    return new LogManager(new LogWriter(settings, tail), report, options.registry);
  }

  /** The log directory. */
  get dir(): string {
    return this.writer.settings.dir;
  }

  /** The maximum log file size in force. */
  get logFileSizeBytes(): number {
    return this.writer.settings.fileSizeBytes;
  }

  /** The LSN the next record will get (unless it starts a new file). */
  get endLsn(): Lsn {
    return this.writer.endLsn;
  }

  /** Every record below this LSN has been written to the OS. */
  get flushedLsn(): Lsn {
    return this.writer.flushedLsn;
  }

  /** Every record below this LSN is durable. */
  get syncedLsn(): Lsn {
    return this.writer.syncedLsn;
  }

  /** Counters since open (a live object). */
  get stats(): Readonly<LogStats> {
    return this.writer.stats;
  }

  /**
   * Appends a record of `type` for transaction `txnId` (0: none), whose previous record in
   * the same transaction is at `prevLsn` (ZERO_LSN: none).
   * Complexity: O(body size); a write (no sync) when the buffer passes its threshold, and a
   * sync plus a file creation when the record starts a new file.
   * @returns the record's LSN.
   */
  append<B>(type: LogRecordType<B>, txnId: TxnId, prevLsn: Lsn, body: B): Lsn {
    return this.writer.append(type, txnId, prevLsn, body);
  }

  /**
   * Makes every record up to and including `upTo` (all when omitted) durable ('sync', the
   * default: one write and one fdatasync at most) or written to the OS ('write'). Nothing
   * happens when they already are; ZERO_LSN is always already durable.
   */
  flush(upTo?: Lsn, mode: FlushMode = 'sync'): void {
    this.writer.flush(upTo, mode);
  }

  /** A cursor; its registry defaults to the log's. */
  cursor(options: LogCursorOptions = {}): LogCursor {
    this.writer.checkOpen();
    const registry = options.registry ?? this.registry;
    return new LogCursor(this.reader, { registry, raw: options.raw });
  }

  /**
   * The record at `lsn` (for walking a transaction's prevLsn chain).
   * @throws InvalidArgumentError when `lsn` is not inside the log.
   * @throws CorruptionError when no valid record starts at `lsn`, or its type is unknown
   *   and `options.raw` is not set.
   */
  readAt(lsn: Lsn, options: LogCursorOptions = {}): LogRecord {
    this.writer.checkOpen();
    const file = lsnFile(lsn);
    const offset = lsnOffset(lsn);
    if (!this.reader.hasFile(file) || offset >= this.reader.fileEnd(file)) {
      throw new InvalidArgumentError(`lsn [${file}][${offset}] is not inside the log`);
    }
    const slice = this.reader.read(file, offset, -1, -1);
    const decode = { registry: options.registry ?? this.registry, raw: options.raw };
    return decodeRecord(slice, () => this.reader.path(file), decode);
  }

  /** Log file numbers, ascending; the last is the one being written. */
  files(): number[] {
    return [...this.writer.files];
  }

  /** The path of log file `fileNumber`. */
  filePath(fileNumber: number): string {
    return logFilePath(this.dir, fileNumber);
  }

  /**
   * Deletes every log file numbered below `fileNumber`, oldest first, then syncs the
   * directory. The txn layer decides which files recovery no longer needs.
   * @throws InvalidArgumentError when that would remove the file being written.
   * @returns the removed file numbers.
   */
  removeFilesBefore(fileNumber: number): number[] {
    this.checkWritable();
    if (fileNumber > this.writer.fileNumber) {
      throw new InvalidArgumentError(
        `cannot remove log files before ${fileNumber}: file ${this.writer.fileNumber} is in use`,
      );
    }
    const files = this.writer.files;
    const removed: number[] = [];
    this.reader.invalidate();
    while (files.length > 1 && files[0]! < fileNumber) {
      this.writer.settings.fs.remove(this.filePath(files[0]!));
      removed.push(files.shift()!);
    }
    if (removed.length > 0) this.writer.settings.fs.syncDir(this.dir);
    return removed;
  }

  /**
   * Discards every record after the one at `lsn`, durably. Later files are removed newest
   * first, then the rest of `lsn`'s file is zeroed (or cut) and synced. A crash part way
   * leaves a prefix of the original log that a repeated call finishes.
   */
  truncateAfter(lsn: Lsn): void {
    this.checkWritable();
    this.writer.writeBuffer();
    const record = this.readAt(lsn, { raw: true });
    const file = lsnFile(lsn);
    const end = lsnOffset(lsn) + record.lengthBytes;
    if (file === this.writer.fileNumber && end === this.writer.bufferStart) return;
    const { fs, preallocate, fileSizeBytes } = this.writer.settings;
    this.reader.invalidate();
    let handle = this.writer.handle!;
    if (file !== this.writer.fileNumber) {
      handle.close();
      const files = this.writer.files;
      while (files.length > 0 && files[files.length - 1]! > file) {
        fs.remove(this.filePath(files.pop()!));
      }
      fs.syncDir(this.dir);
      handle = fs.open(this.filePath(file), 'readwrite');
      this.writer.handle = handle;
    }
    if (preallocate) zeroFill(handle, end, Math.max(handle.size(), fileSizeBytes));
    else handle.truncate(end);
    handle.sync();
    this.writer.resetTail(handle, end, lsnOffset(lsn), record.lengthBytes);
  }

  /**
   * Reads every record from the first to the last, checking lengths, checksums, back links
   * and file ends. Complexity: O(log size).
   * @throws CorruptionError naming the file and offset of the first bad record.
   * @returns the count of records.
   */
  verify(): number {
    const cursor = this.cursor({ raw: true });
    let count = 0;
    for (let r = cursor.first(); r !== undefined; r = cursor.next()) count++;
    return count;
  }

  /**
   * Writes and syncs buffered records, then closes every file. With `flush` false the
   * buffered records are discarded: an environment that met an I/O error writes no more.
   */
  close(flush = true): void {
    try {
      this.writer.close(flush);
    } finally {
      this.reader.close();
    }
  }

  private checkWritable(): void {
    this.writer.checkOpen();
    if (this.writer.settings.readOnly) throw new ReadOnlyError('the log was opened read-only');
  }
}

/** The LSN of the first record a log file can hold: just after its header. */
export function firstLsnOfFile(fileNumber: number): Lsn {
  return makeLsn(fileNumber, LOG_FILE_HEADER_SIZE);
}
