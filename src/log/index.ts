/**
 * The log layer (rank 2): the write-ahead log. Record types are declared once with
 * `defineLogRecord` and registered in a `LogRecordRegistry`; `LogManager` appends, flushes,
 * reads (cursors, `readAt`), archives and truncates; `printLog` dumps it.
 * Other layers import the log only through this file.
 */
export { ByteReader, ByteWriter, printBytes } from './field-types.js';
export type { BodyOf, FieldKind, FieldSpec, FieldValueMap } from './field-types.js';
export { defineLogRecord } from './record-type.js';
export type {
  LogBody,
  LogFieldInfo,
  LogRecordDeclaration,
  LogRecordType,
} from './record-type.js';
export { APP_RECORD_TYPE_MIN, LogRecordRegistry } from './registry.js';
export type { LogRecordLookup } from './registry.js';
export {
  FILE_HEADER,
  LOG_FILE_HEADER_SIZE,
  LOG_FILE_MAGIC,
  LOG_FORMAT_VERSION,
  RECORD,
  RECORD_BODY_MAX_BYTES,
  RECORD_OVERHEAD,
  decodeFileHeader,
  encodeFileHeader,
} from './record-format.js';
export type { LogFileHeader, LogRecord, RecordProblem } from './record-format.js';
export {
  LOG_FILE_NUMBER_MAX,
  listLogFiles,
  logFileName,
  logFilePath,
  parseLogFileName,
} from './log-files.js';
export type { FlushMode, LogStats } from './writer.js';
export type { LogOpenReport } from './end-of-log.js';
export { LogCursor } from './cursor.js';
export type { LogCursorOptions } from './cursor.js';
export {
  LOG_BUFFER_FLUSH_DEFAULT_BYTES,
  LOG_FILE_SIZE_DEFAULT_BYTES,
  LOG_FILE_SIZE_MAX_BYTES,
  LOG_FILE_SIZE_MIN_BYTES,
  LogManager,
  firstLsnOfFile,
} from './log-manager.js';
export type { LogOptions } from './log-manager.js';
export { formatLogRecord, formatTxnId, printLog } from './print.js';
export type { PrintLogSource } from './print.js';
