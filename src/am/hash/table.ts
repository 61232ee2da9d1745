/**
 * `HashTable`: an open hash database: its shape, the table read from the meta page, the
 * bucket chains and the point operations on them (get, put, delete).
 *
 * Layer: am/hash (rank 5).
 *
 * A bucket is a chain of HASH_BUCKET pages: its primary page (where `bucketPage` says)
 * linked by `nextPgno` to the pages added when it overflowed (and back by `prevPgno`).
 * A key's pair is on exactly one page of its bucket's chain.
 *
 * Invariants:
 * 1. Every pair lives in bucket `bucketFor(hash(key))` of the current masks, on one page of
 *    that bucket's chain, and each page is in page order (page-items.ts).
 * 2. Every change calls `beforeChange()` first (cursors then find their place again by
 *    key), and the table is re-read from the meta page when its frame changed.
 * 3. A page of a chain other than the primary one is never empty: the delete that empties
 *    it unlinks and frees it.
 * 4. Nothing stays pinned between calls, also when a call throws.
 */
import {
  InvalidArgumentError, type Pgno, assert, copyBytes, describeError, describeValue,
} from '../../util/index.js';
import type { Frame } from '../../mpool/index.js';
import {
  PageType, createdPageSizeOf, getNext, getSlotCount, getType,
} from '../../page/index.js';
import {
  type AmFile, type DuplicatesMode, type KeyOrder, META_PGNO, metaCount, pinPage,
  writeOverflow,
} from '../common/index.js';
import { bucketFor, defaultHash } from './addressing.js';
import { type TableState, bucketPage, maxInlineKey, maxInlineValue, readTable } from './format.js';
import { type Part, itemKey, sameKey, searchPage } from './page-items.js';
import { keyHashes } from './page-view.js';

/** A user hash function: bytes to an unsigned 32-bit number. */
export type HashFunction = (bytes: Uint8Array) => number;

/** What a hash database is created (and must be opened) with. */
export interface HashShape {
  readonly duplicates: DuplicatesMode;
  readonly dupCompare: KeyOrder | undefined;
  readonly hash: HashFunction | undefined;
  /** Target pairs per bucket (0: split when a bucket page overflows). */
  readonly fillFactor: number;
  /** Expected number of pairs, which sizes a new table (with a fill factor). */
  readonly expectedSize: number;
}

/** A pair's place: the page (pinned) and slot of the bucket's chain holding `key`. */
export interface Spot {
  frame: Frame;
  index: number;
  bucket: number;
}

/** Something that must hear of every change (a cursor). */
export interface HashListener {
  detach(): void;
  /** Bucket `bucket` is about to split (after `detach`, before any pair moves). */
  beforeSplit(bucket: number): void;
  /**
   * Value `at` of `key` was just inserted (`delta` 1) or removed (-1) among its values:
   * a detached cursor on the key moves its value index with it (equal values of unsorted
   * duplicates are told apart by their place only).
   */
  dupShifted(key: Uint8Array, at: number, delta: 1 | -1): void;
  /** `key` was just deleted with all its values (a detached cursor on it is now on a hole). */
  keyDeleted(key: Uint8Array): void;
}

interface MetaView {
  version: number;
  table: TableState;
}

export class HashTable {
  /** Bumped by every change; cursors compare it with the version they positioned at. */
  version = 0;
  readonly listeners = new Set<HashListener>();
  readonly hash: HashFunction;
  readonly maxKey: number;
  readonly maxValue: number;
  /** The page size the database was created with (format.ts: its file's is larger). */
  readonly pageSize: number;

  constructor(readonly file: AmFile, readonly shape: HashShape) {
    this.hash = shape.hash ? checkedHash(shape.hash, file.name) : defaultHash;
    this.pageSize = createdPageSizeOf(file.pageSize);
    this.maxKey = maxInlineKey(this.pageSize);
    this.maxValue = maxInlineValue(this.pageSize);
  }

  get name(): string {
    return this.file.name;
  }

  /** The table as the meta page holds it now (invariant 2). */
  table(): TableState {
    const meta = this.file.mp.get(META_PGNO);
    try {
      const known = meta.derived as MetaView | undefined;
      if (known && known.version === meta.version && 'table' in known) return known.table;
      const view: MetaView = { version: meta.version, table: readTable(meta) };
      meta.derived = view;
      return view.table;
    } finally {
      this.file.mp.release(meta);
    }
  }

  /** Pairs stored, as the current transaction sees them. */
  count(): number {
    const meta = this.file.mp.get(META_PGNO);
    try {
      return metaCount(meta) + this.file.changes.pendingCount(this.file.mp);
    } finally {
      this.file.mp.release(meta);
    }
  }

  bucketOf(key: Uint8Array, t: TableState = this.table()): number {
    return bucketFor(this.hash(key), t);
  }

  pin(p: Pgno): Frame {
    return pinPage(this.file, p);
  }

  unpin(frame: Frame): void {
    this.file.mp.release(frame);
  }

  /** Pins the primary page of bucket `bucket`, checking its kind. */
  pinBucket(bucket: number, t: TableState = this.table()): Frame {
    return this.pinChainPage(bucketPage(t, bucket));
  }

  /** Pins a page of a bucket chain, checking its kind. */
  pinChainPage(p: Pgno): Frame {
    const frame = this.pin(p);
    if (getType(frame) !== PageType.HASH_BUCKET) {
      this.unpin(frame);
      this.file.mp.damageSeen = true;
      throw new InvalidArgumentError(`${this.name}: page ${p} is not a hash bucket page`);
    }
    return frame;
  }

  /** The pinned page and slot of `key`, or undefined (nothing pinned then). */
  find(key: Uint8Array): Spot | undefined {
    const table = this.table();
    const h = this.hash(key);
    const bucket = bucketFor(h, table);
    let frame = this.pinBucket(bucket, table);
    for (;;) {
      const index = findOnPage(this.file, frame, key, h, this.hash);
      if (index >= 0) return { frame, index, bucket };
      const next = getNext(frame);
      this.unpin(frame);
      if (next === 0) return undefined;
      frame = this.pinChainPage(next);
    }
  }

  /** Runs `visit` on each page of bucket `bucket`'s chain, in order, until it returns true. */
  walkChain(bucket: number, visit: (frame: Frame) => boolean | void): void {
    let frame = this.pinBucket(bucket);
    for (;;) {
      let stop: boolean | void;
      try {
        stop = visit(frame);
      } catch (e) {
        this.unpin(frame);
        throw e;
      }
      const next = getNext(frame);
      this.unpin(frame);
      if (stop === true || next === 0) return;
      frame = this.pinChainPage(next);
    }
  }

  /** A copy of the key of the pair at `spot`. */
  keyAt(spot: Spot): Uint8Array {
    return copyBytes(itemKey(this.file, spot.frame, spot.index));
  }

  /** Tells cursors that value `at` of `key` was inserted or removed (`HashListener`). */
  noteDupShift(key: Uint8Array, at: number, delta: 1 | -1): void {
    if (this.listeners.size > 0) for (const l of this.listeners) l.dupShifted(key, at, delta);
  }

  /** Tells cursors that `key` was deleted with all its values (`HashListener`). */
  noteKeyDeleted(key: Uint8Array): void {
    if (this.listeners.size > 0) for (const l of this.listeners) l.keyDeleted(key);
  }

  /** Tells cursors the table is about to change (invariant 2). */
  beforeChange(): void {
    this.version++;
    if (this.listeners.size > 0) for (const l of this.listeners) l.detach();
  }

  /** How `key` is stored: on the page, or on a new overflow chain. */
  keyPart(key: Uint8Array): Part {
    if (key.length <= this.maxKey) return { bytes: key };
    return { chain: writeOverflow(this.file, key), length: key.length };
  }

  /** How `value` is stored: on the page, or on a new overflow chain. */
  valuePart(value: Uint8Array): Part {
    if (value.length <= this.maxValue) return { bytes: value };
    return { chain: writeOverflow(this.file, value), length: value.length };
  }

  /** Slots on a page, asserting the page is a bucket page. */
  slots(frame: Frame): number {
    assert(getType(frame) === PageType.HASH_BUCKET, 'a bucket page');
    return getSlotCount(frame);
  }
}

/**
 * The slot of `key` (whose hash is `h`) on `frame`, or -1: through the page's key hashes
 * when built (page-view.ts), else a binary search.
 */
function findOnPage(f: AmFile, frame: Frame, key: Uint8Array, h: number,
  hash: HashFunction): number {
  const hashes = keyHashes(frame, hash);
  if (!hashes) {
    const at = searchPage(f, frame, key);
    return at.found ? at.index : -1;
  }
  for (let i = hashes.indexOf(h); i >= 0; i = hashes.indexOf(h, i + 1)) {
    if (sameKey(frame, i, key)) return i;
  }
  return -1;
}

/**
 * Wraps a user hash function: a signed 32-bit result is read as unsigned; what it throws,
 * or a result that is not a 32-bit integer, becomes an `InvalidArgumentError` naming the
 * database (before any change).
 */
function checkedHash(user: HashFunction, name: string): HashFunction {
  return (bytes) => {
    let h: unknown;
    try {
      h = user(bytes);
    } catch (error) {
      throw new InvalidArgumentError(
        `the hash function of database ${name} threw ${describeError(error)}; nothing was ` +
          'changed', { cause: error });
    }
    if (typeof h !== 'number' || !Number.isInteger(h) || h < -(2 ** 31) || h > 0xffffffff) {
      throw new InvalidArgumentError(`the hash function of database ${name} returned ` +
        `${describeValue(h)}; it must return a 32-bit integer (signed or unsigned)`);
    }
    return h >>> 0;
  };
}
