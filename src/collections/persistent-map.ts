/**
 * `PersistentMap<K, V>`: a `Map` whose entries live in a btree database. Drop-in for `Map`
 * (it `implements Map<K, V>`), iterated in key order, with the btree extras `first`, `last`,
 * `range`, `lowerBound`, `upperBound` and `setIfAbsent`.
 *
 * Layer: collections (rank 7).
 *
 * Invariants:
 * 1. A key or value that its codec cannot encode throws `CodecError` before anything is
 *    written; nothing half-written is left behind.
 * 2. Values handed out are decoded copies: changing them changes nothing stored.
 * 3. Order is the byte order of encoded keys (natural order with `codecs.key`), or the
 *    database's comparator.
 */
import { InvalidArgumentError, describeValue, optionNames, readOptions } from '../util/index.js';
import {
  type Codec, type KeyValue, codecs, decodeOrThrow, encodeOrThrow, isCodec, pointKeyCodec,
} from '../codec/index.js';
import { CoreEnvironment, Database, type DbCursor } from '../env/index.js';
import { type ByteRange, CursorIterator } from './cursor-iterator.js';

/** Options of a `PersistentMap`. */
export interface MapOptions<K, V> {
  /** Key codec; default `codecs.key` (order-preserving). */
  key?: Codec<K>;
  /** Value codec; default `codecs.value` (any structured-clonable value). */
  value?: Codec<V>;
  /** Access method; only 'btree' (the default) so far. */
  type?: 'btree';
}

/** Bounds of `range`: keys, not encoded bytes. */
export interface RangeOptions<K> {
  gt?: K;
  gte?: K;
  lt?: K;
  lte?: K;
  reverse?: boolean;
  limit?: number;
}

/** Every name `openMap` and the constructor accept: the one list their option check uses. */
const MAP_OPTION_NAMES = optionNames<MapOptions<unknown, unknown>>()(['key', 'value', 'type']);

const RANGE_OPTION_NAMES = optionNames<RangeOptions<unknown>>()([
  'gt', 'gte', 'lt', 'lte', 'reverse', 'limit',
]);

/**
 * @internal Reads and checks map options into a plain object; every failure is
 * `InvalidArgumentError` naming the option, thrown before anything is opened.
 */
export function checkMapOptions<K, V>(options: unknown): MapOptions<K, V> {
  const given = readOptions(options, MAP_OPTION_NAMES, 'map options');
  for (const role of ['key', 'value'] as const) {
    const c = given[role];
    if (c !== undefined && !isCodec(c)) {
      throw new InvalidArgumentError(
        `map option ${role} must be a codec with encode and decode, got ${describeValue(c)}`,
      );
    }
  }
  if (given.type !== undefined && given.type !== 'btree') {
    throw new InvalidArgumentError(
      `map type ${describeValue(given.type)} is not supported yet (supported: 'btree')`,
    );
  }
  return given as MapOptions<K, V>;
}

/** `source instanceof Database`, false for a proxy whose traps throw. */
function isDatabase(source: unknown): source is Database {
  try {
    return source instanceof Database;
  } catch {
    return false;
  }
}

export class PersistentMap<K = KeyValue, V = unknown> implements Map<K, V> {
  /** The low-level database holding the entries. */
  readonly db: Database;
  private readonly keyCodec: Codec<K>;
  private readonly valueCodec: Codec<V>;
  private readonly pointKeys: Codec<K>;
  private readonly decodeValue: (bytes: Uint8Array) => V;

  /**
   * `new PersistentMap()` is anonymous and in memory; `new PersistentMap(db, options)` works
   * over an opened database; `new PersistentMap(options)` is anonymous with codecs.
   */
  constructor(source?: Database | MapOptions<K, V>, options?: MapOptions<K, V>) {
    let db: Database | undefined;
    if (isDatabase(source)) db = source;
    else if (source !== undefined) options = source;
    const checked = checkMapOptions<K, V>(options);
    if (db) db.checkOpen();
    db ??= CoreEnvironment.anonymous().openDatabase('map');
    if (db.type !== 'btree') {
      throw new InvalidArgumentError('a PersistentMap needs a btree database');
    }
    this.db = db;
    this.keyCodec = (checked.key ?? codecs.key) as Codec<K>;
    this.valueCodec = (checked.value ?? codecs.value) as Codec<V>;
    this.pointKeys = pointKeyCodec(this.keyCodec);
    this.decodeValue = (bytes) => decodeOrThrow(this.valueCodec, bytes, 'value');
  }

  get [Symbol.toStringTag](): string {
    return 'PersistentMap';
  }

  /** Entries stored. Complexity: O(1). */
  get size(): number {
    return this.db.count();
  }

  /** The value under `key` (a fresh copy), or `undefined`. Complexity: O(log n). */
  get(key: K): V | undefined {
    return this.db.getWith(this.encodePointKey(key), this.decodeValue);
  }

  /** Stores `value` under `key`. Complexity: O(log n). */
  set(key: K, value: V): this {
    const v = encodeOrThrow(this.valueCodec, value, 'value', key);
    this.db.putReporting(this.encodePointKey(key), v, false);
    return this;
  }

  /** Stores `value` only when `key` is absent; true when it stored it. */
  setIfAbsent(key: K, value: V): boolean {
    const v = encodeOrThrow(this.valueCodec, value, 'value', key);
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
    if (typeof callback !== 'function') {
      throw new InvalidArgumentError(
        `forEach needs a callback function, got ${describeValue(callback)}`,
      );
    }
    for (const [k, v] of this.entries()) Reflect.apply(callback, thisArg, [v, k, this]);
  }

  /** Entries in key order. */
  entries(): MapIterator<[K, V]> {
    return this.iterate({}, (c) => this.readEntry(c));
  }

  keys(): MapIterator<K> {
    return this.iterate({}, (c) => this.readKey(c));
  }

  values(): MapIterator<V> {
    return this.iterate({}, (c) => c.valueWith(this.decodeValue));
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  /** The entry with the smallest key, or `undefined`. Complexity: O(log n). */
  first(): [K, V] | undefined {
    return this.one({});
  }

  /** The entry with the largest key, or `undefined`. */
  last(): [K, V] | undefined {
    return this.one({ reverse: true });
  }

  /** The first entry with a key >= `key`. */
  lowerBound(key: K): [K, V] | undefined {
    return this.one({ gte: this.encodeKey(key) });
  }

  /** The first entry with a key > `key`. */
  upperBound(key: K): [K, V] | undefined {
    return this.one({ gt: this.encodeKey(key) });
  }

  /** Entries within bounds, in key order (or reverse), at most `limit` of them. */
  range(options?: RangeOptions<K>): IterableIterator<[K, V], undefined> {
    return this.iterate(this.encodeRange(options), (c) => this.readEntry(c));
  }

  private encodeRange(options: RangeOptions<K> | undefined): ByteRange {
    const given = readOptions(options, RANGE_OPTION_NAMES, 'range options');
    const { limit, reverse } = given;
    if (limit !== undefined && (!Number.isInteger(limit) || (limit as number) < 0)) {
      throw new InvalidArgumentError(
        `range limit must be a non-negative integer, got ${describeValue(limit)}`,
      );
    }
    if (reverse !== undefined && typeof reverse !== 'boolean') {
      throw new InvalidArgumentError(
        `range option reverse must be a boolean, got ${describeValue(reverse)}`,
      );
    }
    const r: ByteRange = { reverse: reverse === true, limit: limit as number | undefined };
    if (given.gt !== undefined) r.gt = this.encodeKey(given.gt as K);
    if (given.gte !== undefined) r.gte = this.encodeKey(given.gte as K);
    if (given.lt !== undefined) r.lt = this.encodeKey(given.lt as K);
    if (given.lte !== undefined) r.lte = this.encodeKey(given.lte as K);
    return r;
  }

  private one(range: ByteRange): [K, V] | undefined {
    const it = this.iterate({ ...range, limit: 1 }, (c) => this.readEntry(c));
    const r = it.next();
    it.return?.();
    return r.done ? undefined : r.value;
  }

  private iterate<T>(range: ByteRange, read: (c: DbCursor) => T): MapIterator<T> {
    return new CursorIterator(this.db, range, read) as unknown as MapIterator<T>;
  }

  private readKey(c: DbCursor): K {
    return c.keyWith((bytes) => decodeOrThrow(this.keyCodec, bytes, 'key'));
  }

  private readEntry(c: DbCursor): [K, V] {
    const key = this.readKey(c);
    return [key, c.valueWith((bytes) => decodeOrThrow(this.valueCodec, bytes, 'value', key))];
  }

  private encodeKey(key: K): Uint8Array {
    return encodeOrThrow(this.keyCodec, key, 'key');
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
