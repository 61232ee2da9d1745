/**
 * Finding the end of the log when it is opened: the last log file is scanned forward, the
 * log ends just after its last valid record, and whatever follows (a torn or garbage tail)
 * is cut so it can never be mistaken for records later.
 *
 * Layer: log (rank 2). Imports util and os only.
 *
 * Invariants:
 * 1. Only the last file is scanned; earlier files are checked when they are read.
 * 2. After a writable open, every byte of the tail file past the end of its records is
 *    zero, durably (zero-filled, or cut off when files are not preallocated). Appends then
 *    only ever land on zeros, so a stale record can never follow a new one.
 * 3. A last file too short to hold a header, or whose header is all zeros, is the remnant
 *    of an interrupted creation and holds no record: it is removed (ignored when read-only).
 *    Any other bad header is reported as `CorruptionError`, never silently dropped.
 * 4. When no log file exists, a writable open creates file 1 (or the number of a removed
 *    remnant), so LSNs never go backward.
 * 5. A log that ends before `requireEnd` (database files were synced after the log was
 *    durable through it) was damaged or truncated: `CorruptionError` naming the last file
 *    and the offset where its valid records end, thrown before anything is repaired, so
 *    neither the log nor a database file is rewritten from what remains (after a clean
 *    close the message says that removing the log files is safe). A log with no
 *    records at all is that error too, unless `removedLogOk` (its files were removed after
 *    a clean shutdown): the new log then starts in the file after `requireEnd`'s.
 */
import {
  CorruptionError, type Lsn, ZERO_LSN, formatLsn, lsnFile, makeLsn,
} from '../util/index.js';
import { closeAfterFailure } from '../os/index.js';
import type { FileHandle } from '../os/index.js';
import { LOG_FILE_HEADER_SIZE, decodeFileHeader } from './record-format.js';
import type { RecordProblem } from './record-format.js';
import {
  createLogFile,
  listLogFiles,
  logFilePath,
  removeUnfinishedLogFiles,
  scanLogFile,
  zeroFill,
} from './log-files.js';
import type { LogFileScan } from './log-files.js';
import type { LogTailState, LogWriterSettings } from './writer.js';

/** What opening the log found and repaired. */
export interface LogOpenReport {
  /** Why the scan of the last file stopped before its end; undefined when it did not. */
  readonly stop: RecordProblem | undefined;
  /** True when a non-zero tail was found after the last valid record (and cut if writable). */
  readonly tornTail: boolean;
  /** Remnants of interrupted file creations that were removed (or ignored when read-only). */
  readonly remnantFiles: readonly number[];
  /** `log.NNNNNNNNNN.tmp` leftovers removed. */
  readonly unfinishedFilesRemoved: number;
}

/** Opens the tail of the log in `settings.dir`, repairing it unless read-only. */
export function openLogTail(settings: LogWriterSettings): {
  tail: LogTailState;
  report: LogOpenReport;
} {
  const { fs, dir, readOnly } = settings;
  let unfinishedFilesRemoved = 0;
  if (!readOnly) {
    fs.mkdir(dir);
    unfinishedFilesRemoved = removeUnfinishedLogFiles(fs, dir);
  }
  const files = listLogFiles(fs, dir);
  const remnantFiles: number[] = [];
  for (let last = files.at(-1); last !== undefined; last = files.at(-1)) {
    const handle = fs.open(logFilePath(dir, last), readOnly ? 'read' : 'readwrite');
    let scan: LogFileScan | undefined;
    try {
      scan = checkedScan(handle, last);
      if (scan !== undefined) checkReachesRequiredEnd(settings, handle.path, last, scan);
      if (scan !== undefined && !readOnly) repairTail(handle, scan, settings);
    } catch (error) {
      closeAfterFailure(handle);
      throw error;
    }
    if (scan !== undefined) {
      const tail = { files, handle, endOffset: scan.endOffset, ...lastRecord(scan) };
      const tornTail = !scan.tailIsZero;
      return { tail, report: { stop: scan.stop, tornTail, remnantFiles, unfinishedFilesRemoved } };
    }
    handle.close();
    if (!readOnly) {
      fs.remove(logFilePath(dir, last));
      fs.syncDir(dir);
    }
    remnantFiles.push(files.pop()!);
  }
  const report = { stop: undefined, tornTail: false, remnantFiles, unfinishedFilesRemoved };
  if (settings.requireEnd !== ZERO_LSN && !settings.removedLogOk) {
    throw new CorruptionError(
      `the log in ${dir} has no records, but database files were synced through log ` +
        `${formatLsn(settings.requireEnd)} and the environment was not closed cleanly: the ` +
        'log files were removed or damaged, so recovery is impossible; restore them (or the ' +
        'whole environment) from a backup',
      { file: dir },
    );
  }
  if (readOnly) {
    const tail = { files, handle: undefined, endOffset: 0, lastOffset: 0, lastLength: 0 };
    return { tail, report };
  }
  const fileNumber = Math.max(remnantFiles.at(-1) ?? 1, firstFileAfter(settings.requireEnd));
  const header = { fileNumber, fileSizeBytes: settings.fileSizeBytes, prevFileEnd: 0 };
  const handle = createLogFile(
    fs,
    dir,
    { ...header, prevFileLastOffset: 0 },
    settings.preallocate ? settings.fileSizeBytes : 0,
    settings.sparse,
  );
  files.push(fileNumber);
  const endOffset = LOG_FILE_HEADER_SIZE;
  return { tail: { files, handle, endOffset, lastOffset: 0, lastLength: 0 }, report };
}

/** The first log file number whose LSNs all exceed `lsn` (1 for no LSN). */
function firstFileAfter(lsn: Lsn): number {
  return lsn === ZERO_LSN ? 1 : lsnFile(lsn) + 1;
}

/** Invariant 5: the log must reach `settings.requireEnd`. */
function checkReachesRequiredEnd(
  settings: LogWriterSettings, path: string, fileNumber: number, scan: LogFileScan,
): void {
  const end: Lsn = makeLsn(fileNumber, scan.endOffset);
  if (end >= settings.requireEnd) return;
  const why = scan.stop === undefined ? 'the file ends there' : `a record there is ${scan.stop}`;
  const remedy = settings.removedLogOk
    ? 'the environment was closed cleanly, so its database files are complete: restore the ' +
      'log files from a backup, or remove every log file of the environment (log.*) and it ' +
      'opens without them'
    : 'restore the log files (or the whole environment) from a backup';
  throw new CorruptionError(
    `log file ${path} is damaged or truncated: its valid records end at offset ` +
      `${scan.endOffset} (${why}), but database files were synced through log ` +
      `${formatLsn(settings.requireEnd)}, so the log lost records they depend on. Nothing ` +
      `was changed; ${remedy}`,
    { file: path, offset: scan.endOffset },
  );
}

function lastRecord(scan: LogFileScan): { lastOffset: number; lastLength: number } {
  return { lastOffset: scan.lastOffset, lastLength: scan.lastLength };
}

/**
 * Checks the header of the last file and scans it.
 * @returns undefined when the file is the remnant of an interrupted creation.
 */
function checkedScan(handle: FileHandle, fileNumber: number): LogFileScan | undefined {
  const header = new Uint8Array(LOG_FILE_HEADER_SIZE);
  const count = handle.read(header, 0);
  if (count < LOG_FILE_HEADER_SIZE || header.every((b) => b === 0)) return undefined;
  decodeFileHeader(header, handle.path, fileNumber);
  return scanLogFile(handle);
}

/** Cuts a non-zero tail and restores the preallocated size, with one sync. */
function repairTail(handle: FileHandle, scan: LogFileScan, settings: LogWriterSettings): void {
  let changed = false;
  if (!scan.tailIsZero) {
    if (settings.preallocate) zeroFill(handle, scan.endOffset, scan.sizeBytes);
    else handle.truncate(scan.endOffset);
    changed = true;
  }
  if (settings.preallocate && scan.sizeBytes < settings.fileSizeBytes) {
    zeroFill(handle, scan.sizeBytes, settings.fileSizeBytes);
    changed = true;
  }
  if (changed) handle.sync();
}
