/**
 * The access-method seam: what every access method (btree today; hash, recno, queue and
 * heap to come) offers the environment, and the registry the environment finds them in.
 * `env/` talks to a database only through `AccessMethod` and `AmCursor`, and names an access
 * method only where it registers it (env/access-methods.ts).
 *
 * Layer: am/common (rank 5).
 *
 * Invariants:
 * 1. An existing file is opened by the kind its meta page names (`metaAmType`), whatever
 *    the caller asked for; a file naming no registered kind is `CorruptionError`.
 * 2. Every method of an access method is synchronous, unpins what it pinned before it
 *    returns (also when it throws) and changes pages only through `file.changes`.
 * 3. An operation the access method cannot do (a record number in a tree without them,
 *    before/after puts on sorted duplicates...) is `InvalidArgumentError` before anything
 *    changes, as Berkeley DB's EINVAL.
 * 4. Access methods add no log record types of their own yet: their page changes are the
 *    common page records (page-records.ts), whose redo and undo are generic. A kind that
 *    adds some lists them in `logRecords`, and the environment registers them for recovery.
 */
import { CorruptionError, InvalidArgumentError } from '../../util/index.js';
import type { LogRecordType } from '../../log/index.js';
import type { AmFile } from './am-file.js';

/** Negative, zero or positive, like `Array.prototype.sort`'s compare function. */
export type KeyOrder = (a: Uint8Array, b: Uint8Array) => number;

/** Where a cursor stands: never positioned, on an item, or on the place of a deleted one. */
export type CursorPosition = 'unpositioned' | 'item' | 'deleted';

/** How a key holds several values: not at all, sorted, or in insertion order. */
export type DuplicatesMode = 'none' | 'sorted' | 'unsorted';

/** Put flags (combinable): Berkeley DB's DB_NOOVERWRITE, DB_NODUPDATA, DB_OVERWRITE_DUP. */
export const AM_PUT_NO_OVERWRITE = 1;
export const AM_PUT_NO_DUP_DATA = 2;
export const AM_PUT_OVERWRITE_DUP = 4;

/** What a put did: stored, or refused because the key (or with duplicates, the pair) was. */
export type AmPutResult = 'stored' | 'replaced' | 'key-exists' | 'pair-exists';

/** The shape of a database, as `verify` measures it and `stat` reports it. */
export interface AmShape {
  records: number;
  levels: number;
  leafPages: number;
  internalPages: number;
  overflowPages: number;
  freePages: number;
  /** Pages in the file including the meta page. */
  totalPages: number;
  /** Bytes of live items on leaf pages / their capacity, in percent. */
  leafFillPercent: number;
  /** A hash database's table (Berkeley DB's hash statistics); absent for other kinds. */
  hash?: AmHashDetails;
}

/** The table of a hash database, as `stat` reports it. */
export interface AmHashDetails {
  /** Buckets of the table (maxBucket + 1). */
  buckets: number;
  /** Pages of buckets' chains beyond their primary pages (bucket overflow pages). */
  chainPages: number;
  /** Overflow pages holding duplicate sets (the real library's duplicate pages). */
  duplicatePages: number;
  /** Pages reserved for buckets not made yet. */
  reservedPages: number;
  /** The fill factor recorded at creation (0: split when a bucket page overflows). */
  fillFactor: number;
  /** The expected size recorded at creation. */
  expectedSize: number;
}

/** What `verify` found, plus the shape. */
export interface AmVerifyReport extends AmShape {
  ok: boolean;
  /** One line per violated invariant (at most 100). */
  errors: string[];
}

/** Shares of the items that sort before, equal to and after a key (DB->key_range). */
export interface AmKeyRange {
  less: number;
  equal: number;
  greater: number;
}

/** What a compaction did (DB_COMPACT's counters). */
export interface AmCompactResult {
  /** Pages the compaction looked at (every page in use). */
  pagesExamined: number;
  /** Pages copied down into free pages. */
  pagesMoved: number;
  /** Pages the file no longer needs (cut off at the end). */
  pagesFreed: number;
  /** Pages the file keeps, the meta page included. */
  pagesKept: number;
}

/** A cursor of an access method (Berkeley DB's DBC), positioning flags as methods. */
export interface AmCursor {
  first(): boolean;
  last(): boolean;
  next(): boolean;
  prev(): boolean;
  nextDup(): boolean;
  prevDup(): boolean;
  nextNoDup(): boolean;
  prevNoDup(): boolean;
  seek(key: Uint8Array): boolean;
  seekRange(key: Uint8Array, exclusive?: boolean): boolean;
  seekRangeBackward(key: Uint8Array, exclusive?: boolean): boolean;
  seekBoth(key: Uint8Array, value: Uint8Array): boolean;
  seekBothRange(key: Uint8Array, value: Uint8Array): boolean;
  seekRecno(recno: number): boolean;
  recno(): number;
  count(): number;
  dup(): AmCursor;
  where(): CursorPosition;
  current(): boolean;
  key(): Uint8Array;
  value(): Uint8Array;
  keyWith<T>(read: (key: Uint8Array) => T): T;
  valueWith<T>(read: (value: Uint8Array) => T): T;
  put(value: Uint8Array): boolean;
  putKey(key: Uint8Array, value: Uint8Array, position: 'first' | 'last', noDupData?: boolean):
    void;
  putBefore(value: Uint8Array): boolean;
  putAfter(value: Uint8Array): boolean;
  del(): boolean;
  close(reason?: string): void;
  readonly isClosed: boolean;
}

/** An open database of some access method. */
export interface AccessMethod {
  /** The registered kind's name ('btree', ...). */
  readonly kind: string;
  readonly file: AmFile;
  /** The page size the database was created with (its file's may be larger: `filePageSize`). */
  readonly pageSize: number;
  /** The order keys are iterated in. */
  readonly keyOrder: KeyOrder;
  readonly duplicates: DuplicatesMode;
  readonly recordNumbers: boolean;
  getWith<T>(key: Uint8Array, read: (value: Uint8Array) => T): T | undefined;
  /** `read` of every value of `key` in order (views valid during the call); [] when absent. */
  valuesWith<T>(key: Uint8Array, read: (value: Uint8Array) => T): T[];
  has(key: Uint8Array): boolean;
  hasPair(key: Uint8Array, value: Uint8Array): boolean;
  /** The item of 1-based record number `recno`, handed to `read` (key, value). */
  getRecno<T>(recno: number, read: (key: Uint8Array, value: Uint8Array) => T): T | undefined;
  put(key: Uint8Array, value: Uint8Array, flags: number): AmPutResult;
  /** Removes `key` with every duplicate; returns how many items went. */
  del(key: Uint8Array): number;
  /** Removes one pair; false when it was not stored. */
  delPair(key: Uint8Array, value: Uint8Array): boolean;
  /** Records stored, as the current transaction sees them. */
  count(): number;
  /** Values stored under `key` (0 when absent). */
  countValues(key: Uint8Array): number;
  keyRange(key: Uint8Array): AmKeyRange;
  openCursor(): AmCursor;
  /** Cursors open on the database (truncate refuses while any is). */
  openCursors(): number;
  truncate(): number;
  /**
   * Moves the pages in use down into the free pages below them (DB->compact with
   * DB_FREE_SPACE) and records the new end; the caller cuts the file there once the change
   * is durable. Run with no cursor open.
   */
  compact(): AmCompactResult;
  verify(): AmVerifyReport;
  /** The one-page structural check of the `STOWAGE_VERIFY` tier. */
  checkPage(pgno: number): string[];
}

/** The configuration an access method is created or opened with (checked by the kind). */
export type AmConfig = Record<string, unknown>;

/** An access method as the registry knows it. */
export interface AccessMethodKind {
  readonly name: string;
  /** Its number in the meta page (`AmType`). */
  readonly amType: number;
  /** Log record types it adds (invariant 4). */
  readonly logRecords: readonly LogRecordType[];
  /** The options of a database config it reads (the environment refuses the others'). */
  readonly configNames: readonly string[];
  /** The page size of its files for a database of `pageSize`-byte pages (see `pageSize`). */
  filePageSize(pageSize: number): number;
  /** Formats a new, empty file. */
  create(file: AmFile, config: AmConfig): void;
  /** Opens an existing file whose meta page names this kind; checks `config` against it. */
  open(file: AmFile, config: AmConfig): AccessMethod;
}

const byName = new Map<string, AccessMethodKind>();
const byType = new Map<number, AccessMethodKind>();

/** Registers a kind (once per name and type). */
export function registerAccessMethod(kind: AccessMethodKind): void {
  const known = byName.get(kind.name);
  if (known === kind) return;
  if (known || byType.has(kind.amType)) {
    throw new InvalidArgumentError(`access method ${kind.name} (${kind.amType}) registered twice`);
  }
  byName.set(kind.name, kind);
  byType.set(kind.amType, kind);
}

/** The kind registered as `name`, or undefined. */
export function accessMethodNamed(name: string): AccessMethodKind | undefined {
  return byName.get(name);
}

/** Names of every registered kind, for messages. */
export function accessMethodNames(): string[] {
  return [...byName.keys()];
}

/** The kind the meta page of `file` names (invariant 1). */
export function accessMethodOfType(amType: number, file: string): AccessMethodKind {
  const kind = byType.get(amType);
  if (!kind) {
    throw new CorruptionError(
      `${file}: its meta page names access method ${amType}, which this Stowage does not know`,
      { file, pgno: 0 },
    );
  }
  return kind;
}
