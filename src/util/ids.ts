/**
 * Branded numeric ids, so a page number can never be passed where a transaction id is meant.
 *
 * Layer: util (rank 0).
 *
 * Invariants:
 * 1. Every id is a non-negative safe integer.
 * 2. An `Lsn` packs (file number, byte offset) into one number: file * 2^32 + offset, so LSNs
 *    compare with `<`. Files are numbered from 1; LSN 0 means "never logged".
 */

declare const brand: unique symbol;
/** A number that the type system keeps apart from other numbers. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A page number within one database file. Page 0 is the file's meta page. */
export type Pgno = Brand<number, 'Pgno'>;
/** A log sequence number: the log file number and the byte offset of a record. */
export type Lsn = Brand<number, 'Lsn'>;
/** A transaction id. */
export type TxnId = Brand<number, 'TxnId'>;
/** A locker id in the lock manager (a transaction or a non-transactional cursor). */
export type LockerId = Brand<number, 'LockerId'>;
/** An id that names an open database file inside one environment. */
export type FileId = Brand<number, 'FileId'>;

export const pgno = (n: number): Pgno => n as Pgno;
export const txnId = (n: number): TxnId => n as TxnId;
export const lockerId = (n: number): LockerId => n as LockerId;
export const fileId = (n: number): FileId => n as FileId;

const LSN_FILE_FACTOR = 2 ** 32;

/** The LSN of a page that no log record has touched. */
export const ZERO_LSN = 0 as Lsn;

/** Builds an LSN from a log file number (>= 1) and a byte offset in it. */
export function makeLsn(file: number, offset: number): Lsn {
  return (file * LSN_FILE_FACTOR + offset) as Lsn;
}

/** The log file number of an LSN. */
export function lsnFile(lsn: Lsn): number {
  return Math.floor(lsn / LSN_FILE_FACTOR);
}

/** The byte offset of an LSN inside its log file. */
export function lsnOffset(lsn: Lsn): number {
  return lsn % LSN_FILE_FACTOR;
}

/** `[file/offset]`, the way Berkeley DB prints LSNs. */
export function formatLsn(lsn: Lsn): string {
  return `[${lsnFile(lsn)}][${lsnOffset(lsn)}]`;
}
