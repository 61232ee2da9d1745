/**
 * `PersistentMap<K, V>`: a `Map` whose entries live in a btree database (or a hash one, with
 * `type: 'hash'`). Drop-in for `Map` (it `implements Map<K, V>`), iterated in key order
 * (over a hash: in hash order), with `setIfAbsent` and the btree extras `first`, `last`,
 * `range`, `lowerBound` and `upperBound`.
 *
 * Layer: collections (rank 7).
 *
 * Invariants:
 * 1. A key or value that its codec cannot encode throws `CodecError` before anything is
 *    written; nothing half-written is left behind.
 * 2. Values handed out are decoded copies: changing them changes nothing stored.
 * 3. Order is the byte order of encoded keys (natural order with `codecs.key`), or the
 *    database's comparator. Over a hash it is the hash's bucket order, and the btree extras
 *    throw `UnsupportedError` naming the call (container-base.ts, invariant 3).
 */
import { optionNames, readOptions } from '../util/index.js';
import {
  type Codec, type KeyValue, codecs, decodeOrThrow, encodeOrThrow, pointKeyCodec,
} from '../codec/index.js';
import type { Database, DbCursor } from '../env/index.js';
import type { ByteRange } from './cursor-iterator.js';
import {
  ContainerCodecs, type RangeOptions, checkCallback, checkCodecOption, checkTypeOption,
  containerDatabase, encodeRange, firstOf, iterate, requireKeyOrder, splitSource,
} from './container-base.js';

export type { RangeOptions } from './container-base.js';

/** Options of a `PersistentMap`. */
export interface MapOptions<K, V> {
  /** Key codec; default `codecs.key` (order-preserving). */
  key?: Codec<K>;
  /** Value codec; default `codecs.value` (any structured-clonable value). */
  value?: Codec<V>;
  /**
   * Access method: 'btree' (the default; key order) or 'hash' (hash order, no ordered calls:
   * `first`, `last`, `range`, `lowerBound` and `upperBound` throw `UnsupportedError`). Fixed
   * when the database is created: give it at every open. Over a given `Database`, when
   * given, it must be that database's type.
   */
  type?: 'btree' | 'hash';
}

/** Every name `openMap` and the constructor accept: the one list their option check uses. */
const MAP_OPTION_NAMES = optionNames<MapOptions<unknown, unknown>>()(['key', 'value', 'type']);

/**
 * @internal Reads and checks map options into a plain object; every failure is
 * `InvalidArgumentError` naming the option, thrown before anything is opened.
 */
export function checkMapOptions<K, V>(options: unknown): MapOptions<K, V> {
  const given = readOptions(options, MAP_OPTION_NAMES, 'map options');
  checkCodecOption(given.key, 'key', 'map');
  checkCodecOption(given.value, 'value', 'map');
  checkTypeOption(given.type, 'map');
  return given as MapOptions<K, V>;
}

export class PersistentMap<K = KeyValue, V = unknown> implements Map<K, V> {
  /** The low-level database holding the entries. */
  readonly db: Database;
  private readonly pointKeys: Codec<K>;
  private readonly decodeValue: (bytes: Uint8Array) => V;
  private readonly codecs: ContainerCodecs<K, V>;

  /**
   * `new PersistentMap()` is anonymous and in memory; `new PersistentMap(db, options)` works
   * over an opened btree or hash database without duplicates; `new PersistentMap(options)`
   * is anonymous with these options (`{ type: 'hash' }`: over an anonymous hash).
   */
  constructor(source?: Database | MapOptions<K, V>, options?: MapOptions<K, V>) {
    const given = splitSource(source, options);
    const checked = checkMapOptions<K, V>(given.options);
    this.db = containerDatabase(given.db,
      { container: 'PersistentMap', duplicates: ['none'], type: checked.type }, 'none');
    this.codecs = new ContainerCodecs((checked.key ?? codecs.key) as Codec<K>,
      (checked.value ?? codecs.value) as Codec<V>);
    this.pointKeys = pointKeyCodec(this.codecs.key);
    this.decodeValue = (bytes) => decodeOrThrow(this.codecs.value, bytes, 'value');
  }

  get [Symbol.toStringTag](): string {
    return 'PersistentMap';
  }

  /**
   * What `JSON.stringify` writes for the map: `{}`, as for a built-in `Map` (the entries
   * stay in the database; spread them into an array or object to serialise them).
   */
  toJSON(): Record<string, never> {
    return {};
  }

  /** Entries stored. Complexity: O(1). */
  get size(): number {
    return this.db.count();
  }

  /**
   * The value under `key` (a fresh copy), or `undefined`. Complexity: O(log n) (a hash:
   * O(1) expected).
   */
  get(key: K): V | undefined {
    return this.db.getWith(this.encodePointKey(key), this.decodeValue);
  }

  /** Stores `value` under `key`. Complexity: O(log n). */
  set(key: K, value: V): this {
    const v = this.codecs.encodeValue(value, key);
    this.db.putReporting(this.encodePointKey(key), v, false);
    return this;
  }

  /** Stores `value` only when `key` is absent; true when it stored it. */
  setIfAbsent(key: K, value: V): boolean {
    const v = this.codecs.encodeValue(value, key);
    return this.db.putReporting(this.encodePointKey(key), v, true);
  }

  has(key: K): boolean {
    return this.db.exists(this.encodePointKey(key));
  }

  delete(key: K): boolean {
    return this.db.del(this.encodePointKey(key));
  }

  /** Removes every entry. */
  clear(): void {
    this.db.clearAll();
  }

  forEach(callback: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    checkCallback(callback);
    for (const [k, v] of this.entries()) Reflect.apply(callback, thisArg, [v, k, this]);
  }

  /** Entries in key order (over a hash: in hash order). */
  entries(): MapIterator<[K, V]> {
    return this.iterate({}, (c) => this.codecs.readEntry(c));
  }

  keys(): MapIterator<K> {
    return this.iterate({}, (c) => this.codecs.readKey(c));
  }

  values(): MapIterator<V> {
    return this.iterate({}, (c) => c.valueWith(this.decodeValue));
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  /**
   * The entry with the smallest key, or `undefined`. Complexity: O(log n). Btree only
   * (`UnsupportedError` over a hash), as are `last`, `lowerBound`, `upperBound`, `range`.
   */
  first(): [K, V] | undefined {
    this.requireOrder('first');
    return this.one({});
  }

  /** The entry with the largest key, or `undefined`. */
  last(): [K, V] | undefined {
    this.requireOrder('last');
    return this.one({ reverse: true });
  }

  /** The first entry with a key >= `key`. */
  lowerBound(key: K): [K, V] | undefined {
    this.requireOrder('lowerBound');
    return this.one({ gte: this.encodeKey(key) });
  }

  /** The first entry with a key > `key`. */
  upperBound(key: K): [K, V] | undefined {
    this.requireOrder('upperBound');
    return this.one({ gt: this.encodeKey(key) });
  }

  /** Entries within bounds, in key order (or reverse), at most `limit` of them. */
  range(options?: RangeOptions<K>): IterableIterator<[K, V], undefined> {
    this.requireOrder('range');
    return this.iterate(this.encodeRange(options), (c) => this.codecs.readEntry(c));
  }

  /** `UnsupportedError` unless the map is over a btree (`call` needs key order). */
  private requireOrder(call: string): void {
    requireKeyOrder(this.db, 'PersistentMap', 'map', call);
  }

  private encodeRange(options: RangeOptions<K> | undefined): ByteRange {
    return encodeRange(options, (k) => this.encodeKey(k));
  }

  private one(range: ByteRange): [K, V] | undefined {
    return firstOf(this.db, range, (c) => this.codecs.readEntry(c));
  }

  private iterate<T>(range: ByteRange, read: (c: DbCursor) => T): MapIterator<T> {
    return iterate(this.db, range, read) as unknown as MapIterator<T>;
  }

  private encodeKey(key: K): Uint8Array {
    return this.codecs.encodeKey(key);
  }

  /**
   * Encodes a key for a point operation, possibly into scratch space overwritten by the next
   * encoding: so nothing else runs between this and the engine call (in `set`, the value is
   * encoded first, since a value codec is user code).
   */
  private encodePointKey(key: K): Uint8Array {
    return encodeOrThrow(this.pointKeys, key, 'key');
  }
}
