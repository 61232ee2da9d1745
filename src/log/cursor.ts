/**
 * Log cursors: walk the records of the log forward and backward across files, or jump to
 * the record at an LSN (Berkeley DB's DB_LOGC with FIRST, LAST, NEXT, PREV, SET, CURRENT).
 *
 * Layer: log (rank 2). Imports util and os only.
 *
 * Invariants:
 * 1. Records come back in strictly increasing LSN order going forward, decreasing going
 *    backward, and each step checks the back link between neighbours in a file.
 * 2. A step past either end returns undefined and leaves the position unchanged, so `next()`
 *    after more appends continues where the cursor stopped.
 * 3. A cursor sees records still in the writer's buffer; it is not free-threaded and must
 *    not be used across a `truncateAfter` or `removeFilesBefore` that touched its position.
 */
import { lsnFile, lsnOffset, makeLsn } from '../util/index.js';
import type { Lsn } from '../util/index.js';
import { LOG_FILE_HEADER_SIZE, recordCorruption } from './record-format.js';
import type { LogRecord } from './record-format.js';
import { decodeRecord } from './reader.js';
import type { DecodeOptions, LogReader, RecordSlice } from './reader.js';
import type { LogRecordLookup } from './registry.js';

/** Options of a log cursor. */
export interface LogCursorOptions {
  /** Decodes bodies; without it every record is of unknown type. */
  readonly registry?: LogRecordLookup | undefined;
  /** When true, records of unknown type come back with `body: undefined`. */
  readonly raw?: boolean | undefined;
}

interface Position {
  readonly file: number;
  readonly offset: number;
  readonly length: number;
  readonly prevLength: number;
}

/** A cursor over the log. See the file header. */
export class LogCursor {
  private position: Position | undefined;
  private readonly decode: DecodeOptions;

  constructor(private readonly reader: LogReader, options: LogCursorOptions = {}) {
    this.decode = { registry: options.registry, raw: options.raw };
  }

  /** The LSN of the record the cursor is on, if any. */
  get lsn(): Lsn | undefined {
    const p = this.position;
    return p === undefined ? undefined : makeLsn(p.file, p.offset);
  }

  /** The oldest record of the log. */
  first(): LogRecord | undefined {
    for (let file = this.reader.files[0]; file !== undefined; file = this.nextFile(file)) {
      if (this.reader.fileEnd(file) > LOG_FILE_HEADER_SIZE) {
        return this.land(this.reader.read(file, LOG_FILE_HEADER_SIZE, 0, -1));
      }
    }
    return undefined;
  }

  /** The newest record of the log. */
  last(): LogRecord | undefined {
    const tail = this.reader.tailFile;
    return tail === 0 ? undefined : this.lastFrom(tail);
  }

  /** The record after the current one; the first record when the cursor is unpositioned. */
  next(): LogRecord | undefined {
    const p = this.position;
    if (p === undefined) return this.first();
    const offset = p.offset + p.length;
    if (offset < this.reader.fileEnd(p.file)) {
      return this.land(this.reader.read(p.file, offset, p.length, -1));
    }
    for (let file = this.nextFile(p.file); file !== undefined; file = this.nextFile(file)) {
      if (this.reader.fileEnd(file) > LOG_FILE_HEADER_SIZE) {
        return this.land(this.reader.read(file, LOG_FILE_HEADER_SIZE, 0, -1));
      }
    }
    return undefined;
  }

  /** The record before the current one; the last record when the cursor is unpositioned. */
  prev(): LogRecord | undefined {
    const p = this.position;
    if (p === undefined) return this.last();
    if (p.prevLength > 0) {
      return this.land(this.reader.read(p.file, p.offset - p.prevLength, -1, p.prevLength));
    }
    const before = p.file - 1;
    return this.reader.hasFile(before) ? this.lastFrom(before) : undefined;
  }

  /** The record the cursor is on, read again. */
  current(): LogRecord | undefined {
    const p = this.position;
    return p === undefined ? undefined : this.land(this.reader.read(p.file, p.offset, -1, -1));
  }

  /**
   * The record at `lsn`, which must be where a record starts. Returns undefined (leaving the
   * position unchanged) when `lsn` is outside the log.
   * @throws CorruptionError when `lsn` is inside the log but no valid record starts there.
   */
  seek(lsn: Lsn): LogRecord | undefined {
    const file = lsnFile(lsn);
    const offset = lsnOffset(lsn);
    if (!this.reader.hasFile(file) || offset >= this.reader.fileEnd(file)) return undefined;
    return this.land(this.reader.read(file, offset, -1, -1));
  }

  /**
   * The last record of `file` or, when it has none, of the nearest earlier file. The record
   * must end exactly where its file's records end.
   */
  private lastFrom(start: number): LogRecord | undefined {
    for (let file = start; this.reader.hasFile(file); file--) {
      const offset = this.reader.lastRecordOffset(file);
      if (offset === 0) continue;
      const slice = this.reader.read(file, offset, -1, -1);
      const end = this.reader.fileEnd(file);
      if (offset + slice.length !== end) {
        const why = `the last record ends at ${offset + slice.length}, the file at ${end}`;
        throw recordCorruption(this.reader.path(file), offset, why);
      }
      return this.land(slice);
    }
    return undefined;
  }

  /** The file after `file`, or undefined after the tail. */
  private nextFile(file: number): number | undefined {
    return file < this.reader.tailFile ? file + 1 : undefined;
  }

  private land(slice: RecordSlice): LogRecord {
    const record = decodeRecord(slice, () => this.reader.path(slice.file), this.decode);
    this.position = {
      file: slice.file,
      offset: slice.offset,
      length: slice.length,
      prevLength: slice.prevLength,
    };
    return record;
  }
}
