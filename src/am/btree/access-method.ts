/**
 * The btree as an access method (am/common/access-method.ts): the kind the environment
 * registers, and the adapter from `AccessMethod` to `Btree`, `BtreeCursor` and the btree's
 * verify, truncate and key range.
 *
 * Layer: am/btree (rank 5).
 *
 * Invariants:
 * 1. The adapter adds no allocation and no closure to a point operation: each method is one
 *    call on the tree.
 * 2. The btree configuration is read from the config object once, at create or open, and
 *    checked there (shape.ts): a file opened with another shape than its own is
 *    `InvalidArgumentError`.
 */
import { InvalidArgumentError, compareBytes, copyBytes } from '../../util/index.js';
import {
  AM_PUT_NO_DUP_DATA, AM_PUT_NO_OVERWRITE, AM_PUT_OVERWRITE_DUP, type AccessMethod,
  type AccessMethodKind, type AmCompactResult, type AmConfig, type AmCursor, type AmKeyRange,
  type AmPutResult,
  type AmVerifyReport, AmType, type AmFile, type DuplicatesMode,
} from '../common/index.js';
import { Btree } from './btree.js';
import type { BtreeConfig } from './shape.js';
import { BtreeCursor } from './cursor.js';
import { checkBtreePage, verifyBtree } from './verify.js';
import { truncateBtree } from './truncate.js';
import { compactBtree } from './compact.js';
import { keyRange } from './key-range.js';
import {
  PUT_NO_DUP_DATA, PUT_NO_OVERWRITE, PUT_OVERWRITE_DUP, countDups, deleteSortedPair,
  putDuplicate, readDups,
} from './duplicates.js';
import { Locator } from './locator.js';
import { hasPairFromParents } from './child-runs.js';
import { leafKeyOf } from './long-keys.js';
import { leafValueOf } from './dup-order.js';

/** The btree options of a database config (the rest belongs to the environment). */
function btreeConfig(config: AmConfig): BtreeConfig {
  return {
    compare: config['comparator'] as BtreeConfig['compare'],
    duplicates: config['duplicates'] as BtreeConfig['duplicates'],
    dupCompare: config['dupComparator'] as BtreeConfig['dupCompare'],
    recordNumbers: config['recordNumbers'] as boolean | undefined,
  };
}

/** The btree, registered under the name 'btree'. */
export const btreeKind: AccessMethodKind = {
  name: 'btree',
  amType: AmType.BTREE,
  logRecords: [],
  configNames: ['comparator', 'duplicates', 'dupComparator', 'recordNumbers'],
  filePageSize: (pageSize) => pageSize,
  create(file: AmFile, config: AmConfig): void {
    Btree.create(file, btreeConfig(config));
  },
  open(file: AmFile, config: AmConfig): AccessMethod {
    return new BtreeAccess(Btree.open(file, btreeConfig(config)));
  },
};

const byteOrder = (a: Uint8Array, b: Uint8Array): number => compareBytes(a, b);

/** `AccessMethod` over a `Btree`. */
export class BtreeAccess implements AccessMethod {
  readonly kind = 'btree';
  readonly file: AmFile;
  readonly pageSize: number;
  readonly keyOrder: (a: Uint8Array, b: Uint8Array) => number;
  readonly duplicates: DuplicatesMode;
  readonly recordNumbers: boolean;

  constructor(readonly tree: Btree) {
    this.file = tree.file;
    this.pageSize = tree.file.pageSize;
    this.keyOrder = tree.compare ?? byteOrder;
    this.duplicates = tree.shape.duplicates;
    this.recordNumbers = tree.shape.recordNumbers;
  }

  getWith<T>(key: Uint8Array, read: (value: Uint8Array) => T): T | undefined {
    return this.tree.getWith(key, read);
  }

  valuesWith<T>(key: Uint8Array, read: (value: Uint8Array) => T): T[] {
    const t = this.tree;
    if (!t.plainKeys) return readDups(t, key, read);
    const values: T[] = [];
    t.getWith(key, (value) => values.push(read(value)));
    return values;
  }

  has(key: Uint8Array): boolean {
    return this.tree.has(key);
  }

  hasPair(key: Uint8Array, value: Uint8Array): boolean {
    const t = this.tree;
    const quick = t.sortedDups ? hasPairFromParents(t, key, value) : undefined;
    if (quick !== undefined) return quick;
    const found = new Locator(this.tree).pair(key, value);
    if (found) this.tree.unpin(found.leaf);
    return found !== undefined;
  }

  getRecno<T>(recno: number, read: (key: Uint8Array, value: Uint8Array) => T): T | undefined {
    if (!this.recordNumbers) {
      throw new InvalidArgumentError(`${this.tree.name} keeps no record numbers`);
    }
    const at = new Locator(this.tree).rank(recno - 1);
    if (!at) return undefined;
    try {
      const f = this.file;
      return read(copyBytes(leafKeyOf(f, at.leaf, at.index)),
        copyBytes(leafValueOf(f, at.leaf, at.index)));
    } finally {
      this.tree.unpin(at.leaf);
    }
  }

  put(key: Uint8Array, value: Uint8Array, flags: number): AmPutResult {
    const t = this.tree;
    if (!t.plainKeys) {
      const dupFlags = (flags & AM_PUT_NO_OVERWRITE ? PUT_NO_OVERWRITE : 0) |
        (flags & AM_PUT_NO_DUP_DATA ? PUT_NO_DUP_DATA : 0) |
        (flags & AM_PUT_OVERWRITE_DUP ? PUT_OVERWRITE_DUP : 0);
      return putDuplicate(t, key, value, dupFlags);
    }
    const noOverwrite = (flags & AM_PUT_NO_OVERWRITE) !== 0;
    if (t.put(key, value, noOverwrite)) return 'stored';
    return noOverwrite ? 'key-exists' : 'replaced';
  }

  del(key: Uint8Array): number {
    return this.tree.deleteCounting(key);
  }

  delPair(key: Uint8Array, value: Uint8Array): boolean {
    // Sorted duplicates: one descent finds the pair and deletes it there. (Through a cursor
    // it took two, and the second built the pages' search indexes for nothing.)
    if (this.tree.sortedDups) return deleteSortedPair(this.tree, key, value);
    const c = new BtreeCursor(this.tree);
    try {
      return c.seekBoth(key, value) && c.del();
    } finally {
      c.close();
    }
  }

  count(): number {
    return this.tree.count();
  }

  countValues(key: Uint8Array): number {
    const t = this.tree;
    return t.plainKeys ? (t.has(key) ? 1 : 0) : countDups(t, key);
  }

  keyRange(key: Uint8Array): AmKeyRange {
    return keyRange(this.tree, key);
  }

  openCursor(): AmCursor {
    return new BtreeCursor(this.tree);
  }

  openCursors(): number {
    return this.tree.listeners.size;
  }

  compact(): AmCompactResult {
    return compactBtree(this.tree);
  }

  truncate(): number {
    return truncateBtree(this.tree);
  }

  verify(): AmVerifyReport {
    return verifyBtree(this.tree);
  }

  checkPage(pgno: number): string[] {
    return checkBtreePage(this.tree, pgno as never);
  }
}
