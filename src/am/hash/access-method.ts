/**
 * The hash table as an access method (am/common/access-method.ts): the kind the environment
 * registers, and the adapter from `AccessMethod` to `HashTable`, `HashCursor` and the
 * hash's writes, verify, truncate and compaction.
 *
 * Layer: am/hash (rank 5).
 *
 * Invariants:
 * 1. The configuration is read once, at create or open (shape.ts): a file opened with another
 *    shape than its own is `InvalidArgumentError`.
 * 2. What a hash table cannot answer, having no key order and no record numbers (a key
 *    range, a record number), is `UnsupportedError` or `InvalidArgumentError` before
 *    anything changes.
 */
import { InvalidArgumentError, UnsupportedError } from '../../util/index.js';
import { PAGE_EXTRA_BYTES, PAGE_SIZE_MAX } from '../../page/index.js';
import {
  AM_PUT_NO_OVERWRITE, type AccessMethod, type AccessMethodKind, type AmCompactResult,
  type AmConfig, type AmCursor, type AmFile, type AmKeyRange, type AmPutResult,
  type AmVerifyReport, AmType, type DuplicatesMode,
} from '../common/index.js';
import type { HashTable } from './table.js';
import { hashShapeOf } from './shape.js';
import { createHash, openHash } from './create.js';
import { HashCursor } from './cursor.js';
import { deleteAt, deletePlain, storePlain } from './writes.js';
import { deleteDuplicate, storeDuplicate, valuesAt } from './dup-writes.js';
import { valueAt, valueCount } from './dup-set.js';
import { cursorWrites } from './cursor-writes.js';
import { checkHashPage, verifyHash } from './verify.js';
import { truncateHash } from './truncate.js';
import { compactHash } from './compact.js';
import { pageOrder } from './page-items.js';

/** The hash access method, registered under the name 'hash'. */
export const hashKind: AccessMethodKind = {
  name: 'hash',
  amType: AmType.HASH,
  logRecords: [],
  // A comparator or record numbers are read to be refused with reasons (shape.ts).
  configNames: ['comparator', 'duplicates', 'dupComparator', 'recordNumbers', 'fillFactor',
    'expectedSize', 'hash'],
  // Pages of 64 KiB stay 64 KiB: a slot's 16-bit offset reaches no further (format.ts).
  filePageSize: (pageSize) => pageSize < PAGE_SIZE_MAX ? pageSize + PAGE_EXTRA_BYTES : pageSize,
  create(file: AmFile, config: AmConfig): void {
    createHash(file, hashShapeOf(config, file.name));
  },
  open(file: AmFile, config: AmConfig): AccessMethod {
    return new HashAccess(openHash(file, hashShapeOf(config, file.name)));
  },
};

/** `AccessMethod` over a `HashTable`. */
export class HashAccess implements AccessMethod {
  readonly kind = 'hash';
  readonly file: AmFile;
  readonly pageSize: number;
  /** The order of keys on a bucket page; a walk is in bucket order, not in this order. */
  readonly keyOrder = pageOrder;
  readonly duplicates: DuplicatesMode;
  readonly recordNumbers = false;

  constructor(readonly table: HashTable) {
    this.file = table.file;
    this.pageSize = table.pageSize;
    this.duplicates = table.shape.duplicates;
  }

  getWith<T>(key: Uint8Array, read: (value: Uint8Array) => T): T | undefined {
    const spot = this.table.find(key);
    if (!spot) return undefined;
    try {
      return read(valueAt(this.file, spot.frame, spot.index, 0));
    } finally {
      this.table.unpin(spot.frame);
    }
  }

  valuesWith<T>(key: Uint8Array, read: (value: Uint8Array) => T): T[] {
    const spot = this.table.find(key);
    if (!spot) return [];
    try {
      return valuesAt(this.table, spot).map(read);
    } finally {
      this.table.unpin(spot.frame);
    }
  }

  has(key: Uint8Array): boolean {
    const spot = this.table.find(key);
    if (spot) this.table.unpin(spot.frame);
    return spot !== undefined;
  }

  hasPair(key: Uint8Array, value: Uint8Array): boolean {
    return cursorWrites(this.table).findPair(key, value, 'exact') !== undefined;
  }

  getRecno<T>(_recno: number, _read: (key: Uint8Array, value: Uint8Array) => T): T | undefined {
    throw new InvalidArgumentError(`${this.table.name} is a hash database, which keeps no ` +
      'record numbers');
  }

  put(key: Uint8Array, value: Uint8Array, flags: number): AmPutResult {
    const t = this.table;
    if (this.duplicates === 'none') {
      return storePlain(t, key, value, (flags & AM_PUT_NO_OVERWRITE) !== 0);
    }
    const place = this.duplicates === 'sorted' ? 'sorted' : 'last';
    const { result } = storeDuplicate(t, key, value, flags, place);
    return result === 'replaced' ? 'stored' : result;
  }

  del(key: Uint8Array): number {
    const t = this.table;
    if (this.duplicates === 'none') return deletePlain(t, key);
    const spot = t.find(key);
    if (!spot) return 0;
    try {
      const n = valueCount(this.file, spot.frame, spot.index);
      t.beforeChange();
      deleteAt(t, spot, n);
      return n;
    } finally {
      t.unpin(spot.frame);
    }
  }

  delPair(key: Uint8Array, value: Uint8Array): boolean {
    const t = this.table;
    const at = cursorWrites(t).findPair(key, value, 'exact');
    if (!at) return false;
    const spot = { frame: t.pinChainPage(at.pgno), index: at.index, bucket: at.bucket };
    try {
      if (this.duplicates === 'none') {
        t.beforeChange();
        deleteAt(t, spot, 1);
      } else {
        deleteDuplicate(t, spot, at.dup);
      }
      return true;
    } finally {
      t.unpin(spot.frame);
    }
  }

  count(): number {
    return this.table.count();
  }

  countValues(key: Uint8Array): number {
    const spot = this.table.find(key);
    if (!spot) return 0;
    try {
      return valueCount(this.file, spot.frame, spot.index);
    } finally {
      this.table.unpin(spot.frame);
    }
  }

  keyRange(_key: Uint8Array): AmKeyRange {
    throw new UnsupportedError(`keyRange: ${this.table.name} is a hash database, whose keys ` +
      'have no order (Berkeley DB answers DB->key_range only on a btree)');
  }

  openCursor(): AmCursor {
    return new HashCursor(this.table);
  }

  openCursors(): number {
    return this.table.listeners.size;
  }

  compact(): AmCompactResult {
    return compactHash(this.table);
  }

  truncate(): number {
    return truncateHash(this.table);
  }

  verify(): AmVerifyReport {
    return verifyHash(this.table);
  }

  checkPage(pgno: number): string[] {
    return checkHashPage(this.table, pgno as never);
  }
}
