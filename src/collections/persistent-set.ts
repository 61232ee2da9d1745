/**
 * `PersistentSet<T>`: a `Set` whose elements are the keys of a btree database (or a hash
 * one, with `type: 'hash'`; dbstl's `db_set`). Drop-in for `Set` (it `implements Set<T>`),
 * iterated in element order (over a hash: in hash order), with the btree extras `first`,
 * `last`, `range`, `lowerBound`, `upperBound` and the ES2025 set methods (set-algebra.ts,
 * which need no order), which return plain `Set`s.
 *
 * Layer: collections (rank 7).
 *
 * Invariants:
 * 1. Each element is one key with an empty value, in a database without duplicates.
 * 2. An element its codec cannot encode throws `CodecError` before anything is written.
 * 3. Order is the byte order of encoded elements (natural order with `codecs.key`), or the
 *    database's comparator. Over a hash it is the hash's bucket order, and the btree extras
 *    throw `UnsupportedError` naming the call (container-base.ts, invariant 3).
 */
import { optionNames, readOptions } from '../util/index.js';
import { type Codec, type KeyValue, codecs, encodeOrThrow, pointKeyCodec } from '../codec/index.js';
import type { Database, DbCursor } from '../env/index.js';
import type { ByteRange } from './cursor-iterator.js';
import {
  ContainerCodecs, type RangeOptions, checkCallback, checkCodecOption, checkTypeOption,
  containerDatabase, encodeRange, firstOf, iterate, requireKeyOrder, splitSource,
} from './container-base.js';
import * as algebra from './set-algebra.js';
import type { SetLike } from './set-algebra.js';

/** Options of a `PersistentSet` (and of a `MultiSet`). */
export interface SetOptions<T> {
  /** Element codec; default `codecs.key` (order-preserving). */
  key?: Codec<T>;
  /**
   * Access method: 'btree' (the default; element order) or 'hash' (hash order, no ordered
   * calls: `first`, `last`, `range` and the bounds throw `UnsupportedError`). Fixed when the
   * database is created: give it at every open. Over a given `Database`, when given, it
   * must be that database's type.
   */
  type?: 'btree' | 'hash';
}

const SET_OPTION_NAMES = optionNames<SetOptions<unknown>>()(['key', 'type']);

/** @internal Reads and checks set options (`what`: the container, for messages). */
export function checkSetOptions<T>(options: unknown, what = 'set'): SetOptions<T> {
  const given = readOptions(options, SET_OPTION_NAMES, `${what} options`);
  checkCodecOption(given.key, 'key', what);
  checkTypeOption(given.type, what);
  return given as SetOptions<T>;
}

/** The value every element is stored with. */
export const EMPTY = new Uint8Array(0);

export class PersistentSet<T = KeyValue> implements Set<T> {
  /** The low-level database holding the elements. */
  readonly db: Database;
  private readonly codecs: ContainerCodecs<T, Uint8Array>;
  private readonly pointKeys: Codec<T>;

  /**
   * `new PersistentSet()` is anonymous and in memory; `new PersistentSet(db, options)` works
   * over an opened btree or hash database without duplicates; `new PersistentSet(options)`
   * is anonymous with these options.
   */
  constructor(source?: Database | SetOptions<T>, options?: SetOptions<T>) {
    const given = splitSource(source, options);
    const checked = checkSetOptions<T>(given.options);
    this.db = containerDatabase(given.db,
      { container: 'PersistentSet', duplicates: ['none'], type: checked.type }, 'none');
    const key = (checked.key ?? codecs.key) as Codec<T>;
    this.codecs = new ContainerCodecs(key, codecs.bytes);
    this.pointKeys = pointKeyCodec(key);
  }

  get [Symbol.toStringTag](): string {
    return 'PersistentSet';
  }

  /** `{}`, as `JSON.stringify` writes a built-in `Set` (spread it to serialise elements). */
  toJSON(): Record<string, never> {
    return {};
  }

  /** Elements stored. Complexity: O(1). */
  get size(): number {
    return this.db.count();
  }

  /** Adds `value` (nothing changes when it is there). Complexity: O(log n). */
  add(value: T): this {
    this.db.putReporting(this.pointKey(value), EMPTY, true);
    return this;
  }

  has(value: T): boolean {
    return this.db.exists(this.pointKey(value));
  }

  /** Removes `value`; false when it was not there. */
  delete(value: T): boolean {
    return this.db.del(this.pointKey(value));
  }

  clear(): void {
    this.db.clearAll();
  }

  forEach(callback: (value: T, value2: T, set: Set<T>) => void, thisArg?: unknown): void {
    checkCallback(callback);
    for (const v of this.values()) Reflect.apply(callback, thisArg, [v, v, this]);
  }

  /** Elements in order (over a hash: in hash order). */
  values(): SetIterator<T> {
    return this.iterate({}, (c) => this.codecs.readKey(c));
  }

  keys(): SetIterator<T> {
    return this.values();
  }

  /** `[value, value]` for each element, as `Set.prototype.entries`. */
  entries(): SetIterator<[T, T]> {
    return this.iterate({}, (c) => {
      const v = this.codecs.readKey(c);
      return [v, v];
    });
  }

  [Symbol.iterator](): SetIterator<T> {
    return this.values();
  }

  /**
   * The smallest element, or `undefined`. Complexity: O(log n). Btree only
   * (`UnsupportedError` over a hash), as are `last`, `lowerBound`, `upperBound`, `range`.
   */
  first(): T | undefined {
    this.requireOrder('first');
    return this.one({});
  }

  /** The largest element, or `undefined`. */
  last(): T | undefined {
    this.requireOrder('last');
    return this.one({ reverse: true });
  }

  /** The first element >= `value`. */
  lowerBound(value: T): T | undefined {
    this.requireOrder('lowerBound');
    return this.one({ gte: this.codecs.encodeKey(value) });
  }

  /** The first element > `value`. */
  upperBound(value: T): T | undefined {
    this.requireOrder('upperBound');
    return this.one({ gt: this.codecs.encodeKey(value) });
  }

  /** Elements within bounds, in order (or reverse), at most `limit` of them. */
  range(options?: RangeOptions<T>): IterableIterator<T, undefined> {
    this.requireOrder('range');
    const range = encodeRange(options, (v: T) => this.codecs.encodeKey(v));
    return this.iterate(range, (c) => this.codecs.readKey(c));
  }

  union<U>(other: SetLike<U>): Set<T | U> {
    return algebra.union(this, other);
  }

  intersection<U>(other: SetLike<U>): Set<T & U> {
    return algebra.intersection(this, other);
  }

  difference<U>(other: SetLike<U>): Set<T> {
    return algebra.difference(this, other);
  }

  symmetricDifference<U>(other: SetLike<U>): Set<T | U> {
    return algebra.symmetricDifference(this, other);
  }

  isSubsetOf(other: SetLike<unknown>): boolean {
    return algebra.isSubsetOf(this, other);
  }

  isSupersetOf(other: SetLike<unknown>): boolean {
    return algebra.isSupersetOf(this, other);
  }

  isDisjointFrom(other: SetLike<unknown>): boolean {
    return algebra.isDisjointFrom(this, other);
  }

  /** `UnsupportedError` unless the set is over a btree (`call` needs element order). */
  private requireOrder(call: string): void {
    requireKeyOrder(this.db, 'PersistentSet', 'set', call);
  }

  private one(range: ByteRange): T | undefined {
    return firstOf(this.db, range, (c) => this.codecs.readKey(c));
  }

  private iterate<R>(range: ByteRange, read: (c: DbCursor) => R): SetIterator<R> {
    return iterate(this.db, range, read) as unknown as SetIterator<R>;
  }

  /** Encodes for a point call (scratch space: nothing may run before the engine call). */
  private pointKey(value: T): Uint8Array {
    return encodeOrThrow(this.pointKeys, value, 'key');
  }
}
