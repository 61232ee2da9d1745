/**
 * `printLog`: a `db_printlog`-style dump of the log, one line per record:
 *
 *   [1][32] bt_insert: rec: 20 txnid 0x80000001 prevlsn [0][0] fileId: 3 pgno: 7 item: "k1"
 *
 * Layer: log (rank 2). Imports util and os only.
 *
 * Invariants:
 * 1. Printing never fails on a record of unknown type: it prints the body bytes as hex.
 * 2. Printing a directory opens the log read-only: nothing is created or repaired.
 */
import { formatLsn } from '../util/index.js';
import type { FileSystem } from '../os/index.js';
import { printBytes } from './field-types.js';
import { LogManager } from './log-manager.js';
import { RECORD } from './record-format.js';
import type { LogRecord } from './record-format.js';
import type { LogRecordLookup } from './registry.js';

/** Where `printLog` reads: an open log, or a log directory on a file system. */
export type PrintLogSource = LogManager | { readonly fs: FileSystem; readonly dir: string };

/** `0x80000001`: a transaction id the way Berkeley DB prints it. */
export function formatTxnId(txnId: number): string {
  return `0x${txnId.toString(16)}`;
}

/** One `db_printlog` line for `record`. */
export function formatLogRecord(record: LogRecord): string {
  const name = record.type?.name ?? 'unknown';
  const head =
    `${formatLsn(record.lsn)} ${name}: rec: ${record.typeId} txnid ${formatTxnId(record.txnId)}` +
    ` prevlsn ${formatLsn(record.prevLsn)}`;
  if (record.type === undefined) {
    // `raw` starts at the record's typeId field.
    const bodyStart = RECORD.body - RECORD.typeId;
    return `${head} body: ${printBytes(record.raw.subarray(bodyStart))}`;
  }
  const fields = record.type.print(record.body);
  return fields.length > 0 ? `${head} ${fields}` : head;
}

/**
 * Every record of the log, oldest first, one line each.
 * Complexity: O(log size).
 */
export function printLog(source: PrintLogSource, registry?: LogRecordLookup): string[] {
  const given = source instanceof LogManager;
  const log = given ? source : LogManager.open({ fs: source.fs, dir: source.dir, readOnly: true });
  try {
    const cursor = log.cursor({ raw: true, ...(registry === undefined ? {} : { registry }) });
    const lines: string[] = [];
    for (let r = cursor.first(); r !== undefined; r = cursor.next()) lines.push(formatLogRecord(r));
    return lines;
  } finally {
    if (!given) log.close();
  }
}
