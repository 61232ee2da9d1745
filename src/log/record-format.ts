/**
 * The on-disk format of the write-ahead log: the log file header and the record frame.
 * This file encodes the format, and its tables are the reference (`docs/format/log.md`
 * repeats them with the reasoning).
 *
 * Layer: log (rank 2). Imports util only.
 *
 * Every integer is little-endian. A log file is `log.` plus ten decimal digits of its file
 * number (`log.0000000001`); an LSN is (file number, byte offset of a record's first byte).
 *
 * LOG FILE HEADER (the first 32 bytes of every log file)
 *
 *   OFFSET  SIZE  DESCRIPTION
 *   0       4     Magic number 0x0000A01C (40988, Berkeley DB's log magic)
 *   4       4     Format version (LOG_FORMAT_VERSION)
 *   8       4     File number; equals the number in the file's name
 *   12      4     Log file size the file was preallocated to (informational)
 *   16      4     prevFileEnd: offset just past the last record of file number-1
 *                 (0: no previous file was known when this file was created)
 *   20      4     prevFileLastOffset: offset of the last record of file number-1 (0: none)
 *   24      4     Reserved, zero
 *   28      4     CRC-32 of bytes 0..27
 *   32            First record
 *
 * RECORD (a record never spans two files)
 *
 *   OFFSET  SIZE  DESCRIPTION
 *   0       4     recordLength: bytes of the whole record, this frame included (>= 28);
 *                 0 is never a record: zero-filled space ends the log
 *   4       4     CRC-32 of bytes 8..recordLength-1 (everything after this field)
 *   8       4     prevRecordLength: recordLength of the previous record in this file
 *                 (0 for a file's first record), for walking backward
 *   12      4     typeId: the record type (see record-type.ts; app types are >= 10000)
 *   16      4     txnId: the transaction that wrote the record (0: none)
 *   20      4     prevLsn file number: the same transaction's previous record (undo chain)
 *   24      4     prevLsn byte offset
 *   28      n     body: the type's fields in declaration order (see field-types.ts)
 *
 * Invariants:
 * 1. A record at offset o of file f is valid when its length is >= RECORD_OVERHEAD, it ends
 *    within the file's end, its CRC matches and its prevRecordLength equals the length of the
 *    record before it (0 at the file's first record).
 * 2. The end of a file's records is the first offset that holds no valid record; in a file
 *    other than the last, it must equal the next file's `prevFileEnd` (when that is non-zero).
 * 3. Bytes past the end of the last file's records are zero (files are zero-filled when
 *    created and the tail is zeroed when a torn record is cut), so no stale record that
 *    looks valid can ever follow a torn one.
 */
import { CorruptionError, VersionMismatchError, crc32 } from '../util/index.js';
import type { Lsn, TxnId } from '../util/index.js';
import type { LogRecordType } from './record-type.js';

/** Magic number at offset 0 of every log file (Berkeley DB's DB_LOGMAGIC). */
export const LOG_FILE_MAGIC = 0x0000a01c;
/** The format version this code writes and reads. */
export const LOG_FORMAT_VERSION = 1;
/** Bytes of the log file header; the first record of a file starts here. */
export const LOG_FILE_HEADER_SIZE = 32;

/** Offsets inside the log file header. */
export const FILE_HEADER = {
  magic: 0,
  version: 4,
  fileNumber: 8,
  fileSizeBytes: 12,
  prevFileEnd: 16,
  prevFileLastOffset: 20,
  reserved: 24,
  crc: 28,
} as const;

/** Offsets inside a record. */
export const RECORD = {
  length: 0,
  crc: 4,
  prevLength: 8,
  typeId: 12,
  txnId: 16,
  prevLsnFile: 20,
  prevLsnOffset: 24,
  body: 28,
} as const;

/** Bytes in front of the CRC-covered part of a record: length and CRC. */
export const RECORD_CRC_START = 8;
/** Bytes of the frame plus the common header: the size of a record with an empty body. */
export const RECORD_OVERHEAD = 28;
/** Largest record body accepted; keeps every offset below 2^31. */
export const RECORD_BODY_MAX_BYTES = 2 ** 30;

/** The decoded header of a log file. */
export interface LogFileHeader {
  readonly fileNumber: number;
  readonly fileSizeBytes: number;
  readonly prevFileEnd: number;
  readonly prevFileLastOffset: number;
}

/** One record as read from the log. */
export interface LogRecord<B = unknown> {
  /** Where the record starts. */
  readonly lsn: Lsn;
  readonly typeId: number;
  readonly txnId: TxnId;
  /** The same transaction's previous record (ZERO_LSN for its first). */
  readonly prevLsn: Lsn;
  /** The decoded body; `undefined` only for an unknown type read in raw mode. */
  readonly body: B;
  /**
   * The record's header and body bytes (offsets 12.. of the record), a copy owned by this
   * record (possibly a view into a shared slab); the body's byte fields are views of it.
   */
  readonly raw: Uint8Array;
  /** Bytes the record takes in its file, frame included. */
  readonly lengthBytes: number;
  /** The record's declared type, when the registry knows it. */
  readonly type: LogRecordType<B> | undefined;
}

/** Serializes a log file header. */
export function encodeFileHeader(header: LogFileHeader): Uint8Array {
  const bytes = new Uint8Array(LOG_FILE_HEADER_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint32(FILE_HEADER.magic, LOG_FILE_MAGIC, true);
  view.setUint32(FILE_HEADER.version, LOG_FORMAT_VERSION, true);
  view.setUint32(FILE_HEADER.fileNumber, header.fileNumber, true);
  view.setUint32(FILE_HEADER.fileSizeBytes, header.fileSizeBytes, true);
  view.setUint32(FILE_HEADER.prevFileEnd, header.prevFileEnd, true);
  view.setUint32(FILE_HEADER.prevFileLastOffset, header.prevFileLastOffset, true);
  view.setUint32(FILE_HEADER.crc, crc32(bytes.subarray(0, FILE_HEADER.crc)), true);
  return bytes;
}

/**
 * Parses and checks a log file header read from `path`.
 * @throws CorruptionError on a short header, bad magic, bad CRC or wrong file number.
 * @throws VersionMismatchError on another format version.
 */
export function decodeFileHeader(
  bytes: Uint8Array,
  path: string,
  expectedFileNumber: number,
): LogFileHeader {
  const fail = (why: string): CorruptionError =>
    new CorruptionError(`log file ${path}: ${why}`, { file: path, offset: 0 });
  if (bytes.length < LOG_FILE_HEADER_SIZE) throw fail('header is truncated');
  const view = new DataView(bytes.buffer, bytes.byteOffset, LOG_FILE_HEADER_SIZE);
  const magic = view.getUint32(FILE_HEADER.magic, true);
  if (magic !== LOG_FILE_MAGIC) throw fail(`bad magic 0x${magic.toString(16)}`);
  const crc = crc32(bytes.subarray(0, FILE_HEADER.crc));
  if (crc !== view.getUint32(FILE_HEADER.crc, true)) throw fail('header checksum mismatch');
  const version = view.getUint32(FILE_HEADER.version, true);
  if (version !== LOG_FORMAT_VERSION) {
    throw new VersionMismatchError(
      `log file ${path} has format version ${version}; this build reads ${LOG_FORMAT_VERSION}`,
    );
  }
  const fileNumber = view.getUint32(FILE_HEADER.fileNumber, true);
  if (fileNumber !== expectedFileNumber) throw fail(`header names file number ${fileNumber}`);
  return {
    fileNumber,
    fileSizeBytes: view.getUint32(FILE_HEADER.fileSizeBytes, true),
    prevFileEnd: view.getUint32(FILE_HEADER.prevFileEnd, true),
    prevFileLastOffset: view.getUint32(FILE_HEADER.prevFileLastOffset, true),
  };
}

/** Why a position holds no valid record (see `checkRecord`). */
export type RecordProblem =
  | 'zero length'
  | 'truncated'
  | 'bad length'
  | 'checksum mismatch'
  | 'bad back link';

/**
 * Checks the record at `pos` of `bytes`, which hold file bytes up to `limit` (an index into
 * `bytes`). `prevLength` is the expected back link, or -1 when unknown.
 * @returns the record's length when it is valid, else the problem found.
 */
export function checkRecord(
  bytes: Uint8Array,
  view: DataView,
  pos: number,
  limit: number,
  prevLength: number,
): number | RecordProblem {
  if (pos + RECORD_CRC_START > limit) return 'truncated';
  const length = view.getUint32(pos + RECORD.length, true);
  if (length === 0) return 'zero length';
  if (length < RECORD_OVERHEAD) return 'bad length';
  if (pos + length > limit) return 'truncated';
  const crc = crc32(bytes.subarray(pos + RECORD_CRC_START, pos + length));
  if (crc !== view.getUint32(pos + RECORD.crc, true)) return 'checksum mismatch';
  if (prevLength >= 0 && view.getUint32(pos + RECORD.prevLength, true) !== prevLength) {
    return 'bad back link';
  }
  return length;
}

/** The CorruptionError for a bad record at `offset` of the log file at `path`. */
export function recordCorruption(path: string, offset: number, why: string): CorruptionError {
  return new CorruptionError(`log file ${path}: bad record at offset ${offset}: ${why}`, {
    file: path,
    offset,
  });
}
