/**
 * The log writer: appends records to an in-memory buffer and writes, syncs and rotates log
 * files on demand. Commit durability is `flush(upTo, 'sync')`: one write of the buffer and
 * one fdatasync, or nothing when the record is already durable.
 *
 * Layer: log (rank 2). Imports util and os only.
 *
 * Watermarks are end positions: a record at LSN l has been handed to the OS when
 * l < flushedLsn and is durable when l < syncedLsn; endLsn is where the next record goes.
 *
 * Invariants:
 * 1. syncedLsn <= flushedLsn <= endLsn, and none of them ever decreases (truncateAfter aside).
 * 2. The buffer holds exactly the bytes [bufferStart, bufferStart + used) of the tail file;
 *    it always starts at a record boundary and everything before it is written to the file.
 * 3. A record never spans two files. Before a new file is created, every record of the old
 *    one is written and synced, so a durable record in file n+1 implies all of file n is.
 * 4. `flush(_, 'sync')` calls `sync()` at most once; rotation syncs the file it closes.
 * 5. After a write or sync failure the writer is poisoned: every later append or flush
 *    throws `RunRecoveryError`, since the OS may have dropped what it failed to write.
 */
import {
  AssertionError,
  InvalidArgumentError,
  ReadOnlyError,
  RunRecoveryError,
  assert,
  crc32,
  lsnFile,
  lsnOffset,
  makeLsn,
} from '../util/index.js';
import type { Lsn, TxnId } from '../util/index.js';
import type { FileHandle, FileSystem } from '../os/index.js';
import { ByteWriter } from './field-types.js';
import {
  LOG_FILE_HEADER_SIZE,
  RECORD,
  RECORD_BODY_MAX_BYTES,
  RECORD_CRC_START,
  RECORD_OVERHEAD,
} from './record-format.js';
import type { LogRecordType } from './record-type.js';
import { LOG_FILE_NUMBER_MAX, createLogFile } from './log-files.js';

/** How far `flush` goes: 'sync' = durable (fdatasync), 'write' = handed to the OS. */
export type FlushMode = 'sync' | 'write';

/** Counters of one writer since it was opened. */
export interface LogStats {
  /** Records appended. */
  records: number;
  /** Bytes appended, record frames included. */
  bytes: number;
  /** `write` calls that moved buffered records to a file. */
  flushes: number;
  /** `sync` calls on log files holding records (rotation included, preallocation not). */
  syncs: number;
  /** Log files created. */
  filesCreated: number;
}

/** The tail of the log, where the writer continues. */
export interface LogTailState {
  /** Existing log file numbers, ascending; the last is the tail file. Empty: no log yet. */
  files: number[];
  /** The tail file, open for writing (for reading when read-only); undefined when none. */
  handle: FileHandle | undefined;
  /** Offset just past the tail file's last record. */
  endOffset: number;
  /** Offset and length of the tail file's last record; 0 when it has none. */
  lastOffset: number;
  lastLength: number;
}

/** Writer settings (already validated by the manager). */
export interface LogWriterSettings {
  readonly fs: FileSystem;
  readonly dir: string;
  readonly readOnly: boolean;
  /** Opening fails unless the log reaches this LSN (see `LogOptions.requireEnd`). */
  readonly requireEnd: Lsn;
  /** A log removed entirely starts past `requireEnd` (see `LogOptions.removedLogOk`). */
  readonly removedLogOk: boolean;
  readonly fileSizeBytes: number;
  readonly preallocate: boolean;
  /** Preallocate by extending the file rather than writing zeros (see createLogFile). */
  readonly sparse: boolean;
  readonly bufferFlushBytes: number;
}

/** Initial buffer capacity; it doubles as needed. */
const BUFFER_INITIAL_BYTES = 64 * 1024;

/** Appends, flushes and rotates log files. See the file header. */
export class LogWriter {
  readonly files: number[];
  handle: FileHandle | undefined;
  buffer: Uint8Array = new Uint8Array(BUFFER_INITIAL_BYTES);
  /** File offset of `buffer[0]`. */
  bufferStart: number;
  /** Bytes of `buffer` holding records. */
  used = 0;
  lastOffset: number;
  lastLength: number;
  flushedLsn: Lsn;
  syncedLsn: Lsn;
  readonly stats: LogStats = { records: 0, bytes: 0, flushes: 0, syncs: 0, filesCreated: 0 };
  private view: DataView = new DataView(this.buffer.buffer);
  private readonly encoder = new ByteWriter(this.buffer);
  private failure: unknown = undefined;
  private closed = false;

  constructor(readonly settings: LogWriterSettings, tail: LogTailState) {
    this.files = tail.files;
    this.handle = tail.handle;
    this.bufferStart = tail.endOffset;
    this.lastOffset = tail.lastOffset;
    this.lastLength = tail.lastLength;
    this.flushedLsn = this.endLsn;
    this.syncedLsn = this.endLsn;
  }

  /** The tail file's number; 0 when there is no log file (an empty read-only log). */
  get fileNumber(): number {
    return this.files[this.files.length - 1] ?? 0;
  }

  /** The LSN the next record will get (unless it needs a new file). */
  get endLsn(): Lsn {
    return makeLsn(this.fileNumber, this.bufferStart + this.used);
  }

  /**
   * Appends a record to the buffer. Nothing is durable until `flush` covers its LSN.
   * Complexity: O(body size); allocates nothing but buffer growth.
   * @returns the record's LSN.
   */
  append<B>(type: LogRecordType<B>, txnId: TxnId, prevLsn: Lsn, body: B): Lsn {
    this.checkWritable();
    checkHeaderValues(txnId, prevLsn);
    const bodySize = type.bodySize(body);
    if (bodySize > RECORD_BODY_MAX_BYTES) {
      throw new InvalidArgumentError(`log record ${type.name}: ${bodySize}-byte body is too big`);
    }
    const length = RECORD_OVERHEAD + bodySize;
    if (this.bufferStart + this.used + length > this.settings.fileSizeBytes && this.lastLength) {
      this.rotate();
    }
    this.reserve(this.used + length);
    const p = this.used;
    this.encoder.reset(this.buffer, p + RECORD.body);
    type.encodeInto(this.encoder, body);
    if (this.encoder.pos !== p + length) {
      throw new AssertionError(`log record ${type.name} encoded a wrong size`);
    }
    const v = this.view;
    v.setUint32(p + RECORD.length, length, true);
    v.setUint32(p + RECORD.prevLength, this.lastLength, true);
    v.setUint32(p + RECORD.typeId, type.typeId, true);
    v.setUint32(p + RECORD.txnId, txnId, true);
    v.setUint32(p + RECORD.prevLsnFile, lsnFile(prevLsn), true);
    v.setUint32(p + RECORD.prevLsnOffset, lsnOffset(prevLsn), true);
    const crc = crc32(this.buffer.subarray(p + RECORD_CRC_START, p + length));
    v.setUint32(p + RECORD.crc, crc, true);
    const offset = this.bufferStart + p;
    this.lastOffset = offset;
    this.lastLength = length;
    this.used += length;
    this.stats.records++;
    this.stats.bytes += length;
    const lsn = makeLsn(this.fileNumber, offset);
    if (this.used >= this.settings.bufferFlushBytes) this.writeBuffer();
    return lsn;
  }

  /**
   * Makes every record up to and including `upTo` (all records when undefined) reach the
   * OS ('write') or stable storage ('sync'). Does nothing when they already have.
   */
  flush(upTo: Lsn | undefined, mode: FlushMode): void {
    this.checkOpen();
    const target = upTo ?? this.endLsn;
    if (mode === 'write') {
      if (target >= this.flushedLsn) this.writeBuffer();
      return;
    }
    if (target < this.syncedLsn) return;
    if (target >= this.flushedLsn) this.writeBuffer();
    if (this.flushedLsn > this.syncedLsn) this.syncTail();
  }

  /** Writes buffered records to the tail file with one `write`. */
  writeBuffer(): void {
    if (this.used === 0) return;
    this.checkWritable();
    const handle = this.handle;
    assert(handle !== undefined, 'log writer has buffered records but no file');
    this.guard(() => handle.write(this.buffer.subarray(0, this.used), this.bufferStart));
    this.bufferStart += this.used;
    this.used = 0;
    this.flushedLsn = this.endLsn;
    this.stats.flushes++;
    if (this.buffer.length > 4 * Math.max(BUFFER_INITIAL_BYTES, this.settings.bufferFlushBytes)) {
      this.replaceBuffer(new Uint8Array(BUFFER_INITIAL_BYTES));
    }
  }

  /** Points the writer at a new tail (after truncation); the buffer must be empty. */
  resetTail(handle: FileHandle, endOffset: number, lastOffset: number, lastLength: number): void {
    assert(this.used === 0, 'log writer reset with buffered records');
    this.handle = handle;
    this.bufferStart = endOffset;
    this.lastOffset = lastOffset;
    this.lastLength = lastLength;
    this.flushedLsn = this.endLsn;
    this.syncedLsn = this.endLsn;
  }

  /**
   * Writes and syncs what is buffered (unless poisoned, read-only or `flush` is false: the
   * buffer is then discarded), then closes.
   */
  close(flush = true): void {
    if (this.closed) return;
    try {
      if (flush && this.failure === undefined && !this.settings.readOnly) {
        this.flush(undefined, 'sync');
      }
    } finally {
      this.closed = true;
      this.handle?.close();
      this.handle = undefined;
    }
  }

  /** Throws unless the writer is open and has not failed. */
  checkOpen(): void {
    if (this.closed) throw new InvalidArgumentError('the log is closed');
    if (this.failure !== undefined) {
      throw new RunRecoveryError('an earlier log write or sync failed; reopen with recovery', {
        cause: this.failure,
      });
    }
  }

  private checkWritable(): void {
    this.checkOpen();
    if (this.settings.readOnly) throw new ReadOnlyError('the log was opened read-only');
  }

  private syncTail(): void {
    const handle = this.handle;
    assert(handle !== undefined, 'log writer syncs without a file');
    this.guard(() => handle.sync());
    this.syncedLsn = this.flushedLsn;
    this.stats.syncs++;
  }

  /** Runs an I/O step; a failure poisons the writer, then propagates. */
  private guard(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.failure = error;
      throw error;
    }
  }

  /** Closes the tail file (written and synced) and continues in a new, preallocated one. */
  private rotate(): void {
    this.writeBuffer();
    if (this.flushedLsn > this.syncedLsn) this.syncTail();
    const next = this.fileNumber + 1;
    if (next > LOG_FILE_NUMBER_MAX) {
      throw new RunRecoveryError(`the log reached its last file number ${LOG_FILE_NUMBER_MAX}`);
    }
    const { fs, dir, fileSizeBytes, preallocate } = this.settings;
    const header = {
      fileNumber: next,
      fileSizeBytes,
      prevFileEnd: this.bufferStart,
      prevFileLastOffset: this.lastOffset,
    };
    let handle: FileHandle | undefined;
    this.guard(() => {
      this.handle?.close();
      this.handle = undefined;
      const size = preallocate ? fileSizeBytes : 0;
      handle = createLogFile(fs, dir, header, size, this.settings.sparse);
    });
    assert(handle !== undefined, 'log file creation returned no handle');
    this.stats.filesCreated++;
    this.files.push(next);
    this.resetTail(handle, LOG_FILE_HEADER_SIZE, 0, 0);
  }

  /** Grows the buffer (doubling) to hold at least `capacity` bytes. */
  private reserve(capacity: number): void {
    if (capacity <= this.buffer.length) return;
    let size = this.buffer.length;
    while (size < capacity) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.used));
    this.replaceBuffer(grown);
  }

  private replaceBuffer(buffer: Uint8Array): void {
    this.buffer = buffer;
    this.view = new DataView(buffer.buffer);
    this.encoder.reset(buffer, 0);
  }
}

function checkHeaderValues(txnId: TxnId, prevLsn: Lsn): void {
  if (!(txnId >= 0 && txnId <= 0xffff_ffff && Number.isInteger(txnId))) {
    throw new InvalidArgumentError(`log record txnId ${txnId} is not a u32`);
  }
  if (!(prevLsn >= 0 && Number.isSafeInteger(prevLsn))) {
    throw new InvalidArgumentError(`log record prevLsn ${prevLsn} is not an LSN`);
  }
}
