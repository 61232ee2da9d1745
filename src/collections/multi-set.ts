/**
 * `MultiSet<T>`: an ordered multiset (dbstl's `db_multiset`): each copy of an element is one
 * record of a btree with unsorted duplicates (the element is the key, the value is empty),
 * so copies are counted in O(log n) and iterated in order with repeats. With
 * `type: 'hash'` it sits on a hash with unsorted duplicates: elements come in hash order
 * (equal copies together) and `first`, `last` and `range` throw `UnsupportedError`
 * (container-base.ts, invariant 3).
 *
 * Layer: collections (rank 7).
 *
 * Invariants:
 * 1. The database has unsorted duplicates: equal copies are distinct records (sorted
 *    duplicates would keep one).
 * 2. An element its codec cannot encode throws `CodecError` before anything is written.
 */
import { type Codec, type KeyValue, codecs, encodeOrThrow, pointKeyCodec } from '../codec/index.js';
import type { Database, DbCursor } from '../env/index.js';
import type { ByteRange } from './cursor-iterator.js';
import {
  ContainerCodecs, type RangeOptions, checkCallback, containerDatabase, encodeRange, firstOf,
  iterate, requireKeyOrder, splitSource,
} from './container-base.js';
import { EMPTY, type SetOptions, checkSetOptions } from './persistent-set.js';

export class MultiSet<T = KeyValue> implements Iterable<T> {
  /** The low-level database holding the copies. */
  readonly db: Database;
  private readonly codecs: ContainerCodecs<T, Uint8Array>;
  private readonly pointKeys: Codec<T>;

  /**
   * `new MultiSet()` is anonymous and in memory; `new MultiSet(db, options)` works over an
   * opened btree or hash database with unsorted duplicates; `new MultiSet(options)` is
   * anonymous with these options.
   */
  constructor(source?: Database | SetOptions<T>, options?: SetOptions<T>) {
    const given = splitSource(source, options);
    const checked = checkSetOptions<T>(given.options, 'multiset');
    this.db = containerDatabase(given.db,
      { container: 'MultiSet', duplicates: ['unsorted'], type: checked.type }, 'unsorted');
    const key = (checked.key ?? codecs.key) as Codec<T>;
    this.codecs = new ContainerCodecs(key, codecs.bytes);
    this.pointKeys = pointKeyCodec(key);
  }

  get [Symbol.toStringTag](): string {
    return 'MultiSet';
  }

  /** `{}`, as `JSON.stringify` writes a built-in `Set` (spread it to serialise elements). */
  toJSON(): Record<string, never> {
    return {};
  }

  /** Copies stored, repeats included. Complexity: O(1). */
  get size(): number {
    return this.db.count();
  }

  /** Adds one copy of `value`. Complexity: O(log n). */
  add(value: T): this {
    this.db.putPair(this.pointKey(value), EMPTY);
    return this;
  }

  /** Copies of `value`. Complexity: O(log n). */
  count(value: T): number {
    return this.db.countValues(this.pointKey(value));
  }

  has(value: T): boolean {
    return this.db.exists(this.pointKey(value));
  }

  /** Removes every copy of `value`; returns how many there were. */
  delete(value: T): number {
    return this.db.delCounting(this.pointKey(value));
  }

  /** Removes one copy of `value`; false when there was none. */
  deleteOne(value: T): boolean {
    return this.db.delPair(this.pointKey(value), EMPTY);
  }

  clear(): void {
    this.db.clearAll();
  }

  forEach(callback: (value: T, set: MultiSet<T>) => void, thisArg?: unknown): void {
    checkCallback(callback);
    for (const v of this.values()) Reflect.apply(callback, thisArg, [v, this]);
  }

  /** Every copy, in order (over a hash: in hash order), equal copies one after another. */
  values(): IterableIterator<T, undefined> {
    return this.iterate({}, (c) => this.codecs.readKey(c));
  }

  /** Each distinct element once, in order (over a hash: in hash order). */
  uniqueValues(): IterableIterator<T, undefined> {
    return this.iterate({ distinct: true }, (c) => this.codecs.readKey(c));
  }

  [Symbol.iterator](): IterableIterator<T, undefined> {
    return this.values();
  }

  /** The smallest element, or `undefined`. Btree only (`UnsupportedError` over a hash). */
  first(): T | undefined {
    this.requireOrder('first');
    return firstOf(this.db, {}, (c) => this.codecs.readKey(c));
  }

  /** The largest element, or `undefined`. Btree only. */
  last(): T | undefined {
    this.requireOrder('last');
    return firstOf(this.db, { reverse: true }, (c) => this.codecs.readKey(c));
  }

  /** Copies within bounds, in order (or reverse), at most `limit` of them. Btree only. */
  range(options?: RangeOptions<T>): IterableIterator<T, undefined> {
    this.requireOrder('range');
    const range = encodeRange(options, (v: T) => this.codecs.encodeKey(v));
    return this.iterate(range, (c) => this.codecs.readKey(c));
  }

  /** `UnsupportedError` unless the multiset is over a btree (`call` needs element order). */
  private requireOrder(call: string): void {
    requireKeyOrder(this.db, 'MultiSet', 'multiset', call);
  }

  private iterate<R>(range: ByteRange, read: (c: DbCursor) => R): IterableIterator<R, undefined> {
    return iterate(this.db, range, read);
  }

  /** Encodes for a point call (scratch space: nothing may run before the engine call). */
  private pointKey(value: T): Uint8Array {
    return encodeOrThrow(this.pointKeys, value, 'key');
  }
}
