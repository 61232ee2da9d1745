/**
 * The log reader: finds, validates and decodes the record at a (file, offset) position,
 * whether it is in a log file or still in the writer's buffer. Cursors and `readAt` build on
 * it.
 *
 * Layer: log (rank 2). Imports util and os only.
 *
 * Invariants:
 * 1. A record is returned only after its length, CRC and (when the caller knows it) back
 *    link were checked against the end of its file; anything else is a `CorruptionError`
 *    naming the file and offset.
 * 2. The end of a file other than the tail comes from the next file's header; the tail's end
 *    is the writer's end. Bytes past a file's end are never interpreted.
 * 3. The read window never holds bytes of the tail file at or past the writer's
 *    `bufferStart` of the moment it was loaded, so it never serves stale zeros for records
 *    written after it was loaded.
 */
import { CorruptionError, makeLsn } from '../util/index.js';
import type { Lsn, TxnId } from '../util/index.js';
import type { FileHandle } from '../os/index.js';
import { ByteReader } from './field-types.js';
import {
  LOG_FILE_HEADER_SIZE,
  RECORD,
  RECORD_OVERHEAD,
  checkRecord,
  decodeFileHeader,
  recordCorruption,
} from './record-format.js';
import type { LogFileHeader, LogRecord } from './record-format.js';
import type { LogRecordLookup } from './registry.js';
import { logFilePath, scanLogFile } from './log-files.js';
import type { LogWriter } from './writer.js';

/** A validated record inside some byte array: `bytes[at .. at + length)`. */
export interface RecordSlice {
  readonly file: number;
  readonly offset: number;
  readonly length: number;
  /** The record's own back link: the length of the record before it in its file. */
  readonly prevLength: number;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly at: number;
}

/** Where a file's records end and where its last record starts (0: it has none). */
interface FileExtent {
  readonly end: number;
  readonly lastOffset: number;
}

/** Bytes read from a file per window load. */
const WINDOW_BYTES = 256 * 1024;
/** Read handles kept open for files other than the tail. */
const HANDLES_MAX = 4;

/** Reads validated records. See the file header. */
export class LogReader {
  private readonly handles = new Map<number, FileHandle>();
  private readonly headers = new Map<number, LogFileHeader>();
  private readonly extents = new Map<number, FileExtent>();
  private windowBytes = new Uint8Array(WINDOW_BYTES);
  private windowView = new DataView(this.windowBytes.buffer);
  private windowFile = 0;
  private windowStart = 0;
  private windowLength = 0;

  constructor(private readonly writer: LogWriter) {}

  /** The log files, ascending (shared with the writer). */
  get files(): readonly number[] {
    return this.writer.files;
  }

  /** The tail file's number; 0 when there is no log file. */
  get tailFile(): number {
    return this.writer.fileNumber;
  }

  /** The path of log file `file`. */
  path(file: number): string {
    return logFilePath(this.writer.settings.dir, file);
  }

  /** True when log file `file` exists (as far as this log knows). */
  hasFile(file: number): boolean {
    return this.writer.files.includes(file);
  }

  /** The offset just past the last record of `file`. */
  fileEnd(file: number): number {
    if (file === this.tailFile) return this.writer.bufferStart + this.writer.used;
    return this.extent(file).end;
  }

  /** The offset of the last record of `file`, 0 when it has none. */
  lastRecordOffset(file: number): number {
    if (file === this.tailFile) return this.writer.lastOffset;
    return this.extent(file).lastOffset;
  }

  /** The checked header of `file`. */
  header(file: number): LogFileHeader {
    let header = this.headers.get(file);
    if (header === undefined) {
      const bytes = new Uint8Array(LOG_FILE_HEADER_SIZE);
      this.handle(file).read(bytes, 0);
      header = decodeFileHeader(bytes, this.path(file), file);
      this.headers.set(file, header);
    }
    return header;
  }

  /**
   * The validated record at `offset` of `file`. `prevLength` is the expected back link
   * (-1: unknown); `length` is the expected length when known (-1: unknown).
   * @throws CorruptionError when no valid record is there.
   */
  read(file: number, offset: number, prevLength: number, length: number): RecordSlice {
    const end = this.fileEnd(file);
    if (offset < LOG_FILE_HEADER_SIZE || offset + RECORD_OVERHEAD > end) {
      throw recordCorruption(this.path(file), offset, `no record there (file ends at ${end})`);
    }
    const w = this.writer;
    let slice: RecordSlice;
    if (file === this.tailFile && offset >= w.bufferStart) {
      const view = new DataView(w.buffer.buffer, w.buffer.byteOffset, w.buffer.byteLength);
      slice = this.check(file, offset, w.buffer, view, offset - w.bufferStart, w.used, prevLength);
    } else {
      const diskEnd = file === this.tailFile ? Math.min(end, w.bufferStart) : end;
      const at = this.cover(file, offset, length, diskEnd);
      const limit = Math.min(this.windowLength, diskEnd - this.windowStart);
      slice = this.check(file, offset, this.windowBytes, this.windowView, at, limit, prevLength);
    }
    if (length >= 0 && slice.length !== length) {
      throw recordCorruption(this.path(file), offset, `length ${slice.length}, expected ${length}`);
    }
    return slice;
  }

  /** Drops every cache and read handle (after files were removed or truncated). */
  invalidate(): void {
    for (const handle of this.handles.values()) handle.close();
    this.handles.clear();
    this.headers.clear();
    this.extents.clear();
    this.windowLength = 0;
  }

  /** Closes the read handles. */
  close(): void {
    this.invalidate();
  }

  private check(
    file: number,
    offset: number,
    bytes: Uint8Array,
    view: DataView,
    at: number,
    limit: number,
    prevLength: number,
  ): RecordSlice {
    const checked = checkRecord(bytes, view, at, limit, prevLength);
    if (typeof checked !== 'number') throw recordCorruption(this.path(file), offset, checked);
    const ownPrevLength = view.getUint32(at + RECORD.prevLength, true);
    return { file, offset, length: checked, prevLength: ownPrevLength, bytes, view, at };
  }

  /**
   * Loads the window so that it holds the record at `offset` (of `length` bytes when known)
   * and returns the record's index in the window.
   */
  private cover(file: number, offset: number, length: number, diskEnd: number): number {
    const known = length >= 0;
    const need = known ? length : RECORD_OVERHEAD;
    if (!this.windowHolds(file, offset, need)) {
      // Walking backward (known length) keeps the records before this one in the window.
      const start = known ? Math.max(0, offset + need - this.windowBytes.length) : offset;
      this.load(file, start, offset + need - start, diskEnd);
    }
    if (!known) {
      const at = offset - this.windowStart;
      const claimed = this.windowView.getUint32(at + RECORD.length, true);
      const fits = offset + claimed <= diskEnd;
      if (claimed > need && fits && !this.windowHolds(file, offset, claimed)) {
        this.load(file, offset, claimed, diskEnd);
      }
    }
    return offset - this.windowStart;
  }

  private windowHolds(file: number, offset: number, count: number): boolean {
    return (
      this.windowFile === file &&
      offset >= this.windowStart &&
      offset + count <= this.windowStart + this.windowLength
    );
  }

  private load(file: number, start: number, count: number, diskEnd: number): void {
    if (count > this.windowBytes.length) {
      this.windowBytes = new Uint8Array(count);
      this.windowView = new DataView(this.windowBytes.buffer);
    }
    const want = Math.max(0, Math.min(this.windowBytes.length, diskEnd - start));
    this.windowFile = file;
    this.windowStart = start;
    this.windowLength = 0;
    this.windowLength = this.handle(file).read(this.windowBytes.subarray(0, want), start);
  }

  private handle(file: number): FileHandle {
    if (file === this.tailFile && this.writer.handle !== undefined) return this.writer.handle;
    let handle = this.handles.get(file);
    if (handle === undefined) {
      if (!this.hasFile(file)) {
        throw new CorruptionError(`log file ${this.path(file)} is missing`, {
          file: this.path(file),
        });
      }
      if (this.handles.size >= HANDLES_MAX) this.evictHandle();
      handle = this.writer.settings.fs.open(this.path(file), 'read');
      this.handles.set(file, handle);
    }
    return handle;
  }

  private evictHandle(): void {
    const [oldest] = this.handles.keys();
    if (oldest === undefined) return;
    this.handles.get(oldest)?.close();
    this.handles.delete(oldest);
  }

  /** The extent of a non-tail file, from the next file's header (or a scan if unknown). */
  private extent(file: number): FileExtent {
    let extent = this.extents.get(file);
    if (extent !== undefined) return extent;
    if (!this.hasFile(file + 1)) {
      throw new CorruptionError(`log file ${this.path(file + 1)} is missing`, {
        file: this.path(file + 1),
      });
    }
    const next = this.header(file + 1);
    if (next.prevFileEnd !== 0) {
      extent = { end: next.prevFileEnd, lastOffset: next.prevFileLastOffset };
    } else {
      const scan = scanLogFile(this.handle(file));
      extent = { end: scan.endOffset, lastOffset: scan.lastOffset };
    }
    this.extents.set(file, extent);
    return extent;
  }
}

/** How `decodeRecord` treats a type the registry does not know. */
export interface DecodeOptions {
  readonly registry?: LogRecordLookup | undefined;
  /** When true, an unknown type yields `body: undefined` instead of a `CorruptionError`. */
  readonly raw?: boolean | undefined;
}

/**
 * Copies of records are carved out of shared slabs of this size, so that reading a record
 * costs no ArrayBuffer allocation (the dominant cost of a scan otherwise). A record kept
 * alive keeps its slab alive: 64 KiB at most.
 */
const SLAB_BYTES = 64 * 1024;
/** Records larger than this get an allocation of their own. */
const SLAB_ITEM_MAX_BYTES = 4 * 1024;
let slab = new Uint8Array(0);
let slabView = new DataView(slab.buffer);
let slabUsed = 0;

/** A copy of `bytes[start, end)` that nothing else writes to; a view into a slab. */
function ownedCopy(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const n = end - start;
  if (n > SLAB_ITEM_MAX_BYTES) return bytes.slice(start, end);
  if (slabUsed + n > slab.length) {
    slab = new Uint8Array(SLAB_BYTES);
    slabView = new DataView(slab.buffer);
    slabUsed = 0;
  }
  slab.set(bytes.subarray(start, end), slabUsed);
  const copy = slab.subarray(slabUsed, slabUsed + n);
  slabUsed += n;
  return copy;
}

/**
 * Decodes a validated record slice into a `LogRecord`. The record's bytes are copied once,
 * into `raw`; byte fields of the body are views of `raw`. `path` names the file in errors.
 */
export function decodeRecord(
  slice: RecordSlice,
  path: () => string,
  options: DecodeOptions,
): LogRecord {
  const { view, at, length } = slice;
  const typeId = view.getUint32(at + RECORD.typeId, true);
  const txnId = view.getUint32(at + RECORD.txnId, true) as TxnId;
  const prevLsn: Lsn = makeLsn(
    view.getUint32(at + RECORD.prevLsnFile, true),
    view.getUint32(at + RECORD.prevLsnOffset, true),
  );
  const type = options.registry?.get(typeId);
  if (type === undefined && options.raw !== true) {
    throw new CorruptionError(
      `log file ${path()}: record at offset ${slice.offset} has unknown type ${typeId}`,
      { file: path(), offset: slice.offset },
    );
  }
  const raw = ownedCopy(slice.bytes, at + RECORD.typeId, at + length);
  let body: unknown;
  if (type !== undefined) {
    const bodyStart = RECORD.body - RECORD.typeId;
    const what = (): string => `log record ${type.name} at ${path()} offset ${slice.offset}`;
    body = type.decodeFrom(bodyReader(raw, bodyStart, what));
  }
  const lsn = makeLsn(slice.file, slice.offset);
  return { lsn, typeId, txnId, prevLsn, body, raw, lengthBytes: length, type };
}

/**
 * A reader of `raw` from `start` whose byte fields are views of `raw`. When `raw` lives in
 * the current slab, it reads the slab through the slab's view (no DataView per record).
 */
function bodyReader(raw: Uint8Array, start: number, what: () => string): ByteReader {
  if (raw.buffer !== slab.buffer) {
    return new ByteReader(raw, start, raw.length, what, undefined, true);
  }
  const base = raw.byteOffset;
  return new ByteReader(slab, base + start, base + raw.length, what, slabView, true);
}
