/**
 * Log files on disk: their names, creation (preallocated with zeros), zero-filling and the
 * forward scan that finds where the records of a file end.
 *
 * Layer: log (rank 2). Imports util and os only.
 *
 * Invariants:
 * 1. A log file appears under its final name only once its header and its zero fill are
 *    durable: it is built as `<name>.tmp`, synced, renamed, and the directory is synced.
 * 2. File numbers run from 1 to LOG_FILE_NUMBER_MAX, so every LSN is a safe integer.
 * 3. `scanLogFile` reads every byte of the file at most once and never writes.
 */
import * as nodePath from 'node:path';
import { InvalidArgumentError } from '../util/index.js';
import { closeAfterFailure } from '../os/index.js';
import type { FileHandle, FileSystem } from '../os/index.js';
import {
  LOG_FILE_HEADER_SIZE,
  RECORD,
  RECORD_OVERHEAD,
  checkRecord,
  encodeFileHeader,
} from './record-format.js';
import type { LogFileHeader, RecordProblem } from './record-format.js';

/** Largest file number: file * 2^32 + offset must stay a safe integer. */
export const LOG_FILE_NUMBER_MAX = 2 ** 21 - 1;
/** Zero fill and scans move this many bytes per system call. */
export const LOG_IO_CHUNK_BYTES = 1024 * 1024;

const NAME_PATTERN = /^log\.(\d{10})$/;
const TMP_PATTERN = /^log\.\d{10}\.tmp$/;

/** `log.0000000001` for file number 1. */
export function logFileName(fileNumber: number): string {
  if (!Number.isInteger(fileNumber) || fileNumber < 1 || fileNumber > LOG_FILE_NUMBER_MAX) {
    throw new InvalidArgumentError(`log file number ${fileNumber} is out of range`);
  }
  return `log.${String(fileNumber).padStart(10, '0')}`;
}

/** The file number of a log file name, or undefined for any other name. */
export function parseLogFileName(name: string): number | undefined {
  const match = NAME_PATTERN.exec(name);
  if (match === null) return undefined;
  const n = Number(match[1]);
  return n >= 1 && n <= LOG_FILE_NUMBER_MAX ? n : undefined;
}

/** The path of log file `fileNumber` in `dir`. */
export function logFilePath(dir: string, fileNumber: number): string {
  return nodePath.join(dir, logFileName(fileNumber));
}

/** File numbers of the log files in `dir`, ascending; none when `dir` does not exist. */
export function listLogFiles(fs: FileSystem, dir: string): number[] {
  if (!fs.exists(dir)) return [];
  const numbers: number[] = [];
  for (const name of fs.list(dir)) {
    const n = parseLogFileName(name);
    if (n !== undefined) numbers.push(n);
  }
  return numbers.sort((a, b) => a - b);
}

/** Removes leftovers of log file creations a crash interrupted. @returns how many. */
export function removeUnfinishedLogFiles(fs: FileSystem, dir: string): number {
  if (!fs.exists(dir)) return 0;
  let removed = 0;
  for (const name of fs.list(dir)) {
    if (TMP_PATTERN.test(name)) {
      fs.remove(nodePath.join(dir, name));
      removed++;
    }
  }
  return removed;
}

let zeroChunkCache: Buffer | undefined;

/** A shared, never-written chunk of LOG_IO_CHUNK_BYTES zeros. */
function zeroChunk(): Buffer {
  zeroChunkCache ??= Buffer.alloc(LOG_IO_CHUNK_BYTES);
  return zeroChunkCache;
}

/** Writes zeros over [from, to) of the file. */
export function zeroFill(handle: FileHandle, from: number, to: number): void {
  const zeros = zeroChunk();
  for (let pos = from; pos < to; pos += LOG_IO_CHUNK_BYTES) {
    const n = Math.min(LOG_IO_CHUNK_BYTES, to - pos);
    handle.write(n === zeros.length ? zeros : zeros.subarray(0, n), pos);
  }
}

/**
 * Creates log file `header.fileNumber` in `dir`, preallocated to `preallocateBytes` (or just
 * the header when smaller), durably, and returns it open for reading and writing. The space
 * is written with zeros, or with `sparse` only extended (`ftruncate`): it reads as zeros
 * either way, but only written zeros keep later fdatasyncs from allocating blocks.
 */
export function createLogFile(
  fs: FileSystem,
  dir: string,
  header: LogFileHeader,
  preallocateBytes: number,
  sparse = false,
): FileHandle {
  const path = logFilePath(dir, header.fileNumber);
  const tmpPath = `${path}.tmp`;
  const tmp = fs.open(tmpPath, 'create');
  try {
    tmp.truncate(0);
    if (sparse) tmp.truncate(Math.max(preallocateBytes, LOG_FILE_HEADER_SIZE));
    else zeroFill(tmp, LOG_FILE_HEADER_SIZE, preallocateBytes);
    tmp.write(encodeFileHeader(header), 0);
    tmp.sync();
  } catch (error) {
    closeAfterFailure(tmp);
    throw error;
  }
  tmp.close();
  fs.rename(tmpPath, path);
  fs.syncDir(dir);
  return fs.open(path, 'readwrite');
}

/** Where the records of a log file end, as found by `scanLogFile`. */
export interface LogFileScan {
  /** Offset just past the last valid record (LOG_FILE_HEADER_SIZE when there is none). */
  readonly endOffset: number;
  /** Offset of the last valid record, 0 when there is none. */
  readonly lastOffset: number;
  /** Length of the last valid record, 0 when there is none. */
  readonly lastLength: number;
  /** Why the scan stopped: undefined when it reached the end of the file. */
  readonly stop: RecordProblem | undefined;
  /** True when every byte from `endOffset` to the file's end is zero. */
  readonly tailIsZero: boolean;
  /** The file's size in bytes. */
  readonly sizeBytes: number;
}

/** A sliding read window over one file. */
class ScanWindow {
  bytes = new Uint8Array(LOG_IO_CHUNK_BYTES);
  view = new DataView(this.bytes.buffer);
  start = 0;
  length = 0;

  constructor(private readonly handle: FileHandle, private readonly sizeBytes: number) {}

  /** Makes [pos, pos + count) available (as far as the file goes); returns its index. */
  cover(pos: number, count: number): number {
    if (pos >= this.start && pos + count <= this.start + this.length) return pos - this.start;
    if (count > this.bytes.length) {
      this.bytes = new Uint8Array(count);
      this.view = new DataView(this.bytes.buffer);
    }
    const want = Math.min(this.bytes.length, this.sizeBytes - pos);
    this.start = pos;
    this.length = want > 0 ? this.handle.read(this.bytes.subarray(0, want), pos) : 0;
    return 0;
  }

  /** The window's bytes end here, as a file offset. */
  get end(): number {
    return this.start + this.length;
  }
}

/**
 * Walks the records of a file forward from its header until the first position that holds
 * no valid record, then checks that the rest of the file is zero.
 * Complexity: O(file size) bytes read.
 */
export function scanLogFile(handle: FileHandle): LogFileScan {
  const sizeBytes = handle.size();
  const window = new ScanWindow(handle, sizeBytes);
  let pos = LOG_FILE_HEADER_SIZE;
  let lastOffset = 0;
  let lastLength = 0;
  let stop: RecordProblem | undefined;
  // Every record takes at least RECORD_OVERHEAD bytes, so the loop ends.
  while (pos < sizeBytes) {
    let at = window.cover(pos, RECORD_OVERHEAD);
    const claimed = at + RECORD.crc <= window.length ? window.view.getUint32(at, true) : 0;
    if (claimed > RECORD_OVERHEAD && pos + claimed <= sizeBytes) at = window.cover(pos, claimed);
    const checked = checkRecord(window.bytes, window.view, at, window.length, lastLength);
    if (typeof checked !== 'number') {
      stop = checked;
      break;
    }
    lastOffset = pos;
    lastLength = checked;
    pos += checked;
  }
  const endOffset = pos;
  const tailIsZero = isZeroRange(window, endOffset, sizeBytes);
  return { endOffset, lastOffset, lastLength, stop, tailIsZero, sizeBytes };
}

/** True when the file holds only zeros in [from, to). Compares natively, chunk by chunk. */
function isZeroRange(window: ScanWindow, from: number, to: number): boolean {
  const zeros = zeroChunk();
  for (let pos = from; pos < to; ) {
    const at = window.cover(pos, 1);
    const end = Math.min(window.length, at + (to - pos), at + zeros.length);
    if (end <= at) return false;
    const part = Buffer.from(window.bytes.buffer, window.bytes.byteOffset + at, end - at);
    if (!part.equals(zeros.subarray(0, end - at))) return false;
    pos += end - at;
  }
  return true;
}
