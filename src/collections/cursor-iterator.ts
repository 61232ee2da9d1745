/**
 * `CursorIterator`: an iterator over a key range of a database, read through a cursor.
 * Every `for…of`, `keys()`, `values()`, `entries()` and `range()` of the containers is one.
 *
 * Layer: collections (rank 7).
 *
 * Invariants:
 * 1. The iterator belongs to the transaction current when it was created (or to none). Its
 *    cursor opens at the first `next()` and closes when the range is exhausted, when
 *    `return()` is called (`break`, `return` or a throw in a `for…of`), or when that
 *    transaction ends; a closed iterator reports `done`, or throws `TransactionClosedError`
 *    when its transaction ended before or under it, or `ClosedError` when its database was
 *    closed.
 * 2. Bounds are compared on encoded keys with the database's own order. A `key` range (one
 *    key's values) is positioned by `seek` and kept while the key compares equal (the same
 *    bytes, on a hash), so it needs no key order and works on a hash's walk in hash order.
 * 3. Changing the container during iteration is defined by the cursor (am/btree/cursor.ts,
 *    am/hash/cursor.ts): items inserted ahead are visited, items deleted ahead are not.
 */
import type { Database, DbCursor } from '../env/index.js';

/** Encoded bounds of a range. */
export interface ByteRange {
  gt?: Uint8Array;
  gte?: Uint8Array;
  lt?: Uint8Array;
  lte?: Uint8Array;
  reverse?: boolean;
  limit?: number;
  /** Visit one item per key (the first of its duplicates; the last one in reverse). */
  distinct?: boolean;
  /** Only this key's items, forward (no other bound applies): one key's duplicates. */
  key?: Uint8Array;
}

/** Reads the item under the cursor into what the iterator yields. */
export type ItemReader<T> = (cursor: DbCursor) => T;

export class CursorIterator<T> implements IterableIterator<T, undefined> {
  private cursor: DbCursor | undefined;
  private readonly openCursor: () => DbCursor;
  private started = false;
  private finished = false;
  private yielded = 0;
  private readonly compare: (a: Uint8Array, b: Uint8Array) => number;

  constructor(
    db: Database,
    private readonly range: ByteRange,
    private readonly read: ItemReader<T>,
  ) {
    this.compare = db.am.keyOrder;
    this.openCursor = db.cursorOpener();
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<T, undefined> {
    if (this.finished) return { done: true, value: undefined };
    if (this.range.limit !== undefined && this.yielded >= this.range.limit) return this.end();
    const cursor = this.cursor ?? (this.cursor = this.openCursor());
    const moved = this.started ? this.step(cursor) : this.position(cursor);
    this.started = true;
    if (!moved || !this.inBounds(cursor)) return this.end();
    this.yielded++;
    return { done: false, value: this.read(cursor) };
  }

  return(): IteratorResult<T, undefined> {
    return this.end();
  }

  private end(): IteratorResult<T, undefined> {
    this.finished = true;
    this.cursor?.close();
    this.cursor = undefined;
    return { done: true, value: undefined };
  }

  private step(cursor: DbCursor): boolean {
    if (this.range.distinct) return this.range.reverse ? cursor.prevNoDup() : cursor.nextNoDup();
    return this.range.reverse ? cursor.prev() : cursor.next();
  }

  private position(cursor: DbCursor): boolean {
    const r = this.range;
    if (r.key) return cursor.seek(r.key);
    if (r.reverse) {
      if (r.lt) return cursor.seekRangeBackward(r.lt, true);
      if (r.lte) return cursor.seekRangeBackward(r.lte, false);
      return cursor.last();
    }
    if (r.gt) return cursor.seekRange(r.gt, true);
    if (r.gte) return cursor.seekRange(r.gte, false);
    return cursor.first();
  }

  /** True while the cursor's key is inside the far bound. */
  private inBounds(cursor: DbCursor): boolean {
    const r = this.range;
    if (r.key) return cursor.keyWith((k) => this.compare(k, r.key!) === 0);
    if (r.reverse) {
      if (!r.gt && !r.gte) return true;
      return cursor.keyWith((k) =>
        (r.gt ? this.compare(k, r.gt) > 0 : this.compare(k, r.gte!) >= 0));
    }
    if (!r.lt && !r.lte) return true;
    return cursor.keyWith((k) =>
      (r.lt ? this.compare(k, r.lt) < 0 : this.compare(k, r.lte!) <= 0));
  }
}
