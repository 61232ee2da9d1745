/**
 * `MultiMap<K, V>`: an ordered multimap (dbstl's `db_multimap`) over a btree with
 * duplicates: sorted by default (each distinct pair once, values in the byte order of their
 * encoding), or unsorted (`{ duplicates: 'unsorted' }`: values in insertion order, an equal
 * pair stored again). With `type: 'hash'` it sits on a hash with duplicates: keys come in
 * hash order (each key's values together, in duplicate order) and `first`, `last` and
 * `range` throw `UnsupportedError` (container-base.ts, invariant 3).
 *
 * Layer: collections (rank 7).
 *
 * Invariants:
 * 1. Each pair is one record of the database; `size` counts pairs (O(1)), `count(key)` one
 *    key's values (O(log n), from the tree's subtree counts; a hash reads the key's item).
 * 2. A key or value its codec cannot encode throws `CodecError` before anything is written.
 * 3. `valuesOf(key)` reads one key's values through a cursor without materialising them
 *    (a seek and equal keys after it, so it needs no key order); `get(key)` holds the same
 *    values in an array.
 */
import { InvalidArgumentError, describeValue, optionNames, readOptions } from '../util/index.js';
import { type Codec, type KeyValue, codecs, encodeOrThrow, pointKeyCodec } from '../codec/index.js';
import type { Database, DbCursor, DuplicatesMode } from '../env/index.js';
import type { ByteRange } from './cursor-iterator.js';
import {
  ContainerCodecs, type RangeOptions, checkCallback, checkCodecOption, checkTypeOption,
  containerDatabase, encodeRange, firstOf, iterate, requireKeyOrder, splitSource,
} from './container-base.js';

/** Options of a `MultiMap`. */
export interface MultiMapOptions<K, V> {
  /** Key codec; default `codecs.key` (order-preserving). */
  key?: Codec<K>;
  /**
   * Value codec; default `codecs.value`. Sorted duplicates are kept in the byte order of
   * the encoded values: give `codecs.key` for the natural order of numbers and strings.
   */
  value?: Codec<V>;
  /** 'sorted' (the default, DB_DUPSORT) or 'unsorted' (DB_DUP, insertion order). */
  duplicates?: 'sorted' | 'unsorted';
  /**
   * Access method: 'btree' (the default; key order) or 'hash' (keys in hash order, each
   * key's values in duplicate order; `first`, `last` and `range` throw `UnsupportedError`).
   * Fixed when the database is created: give it at every open. Over a given `Database`,
   * when given, it must be that database's type.
   */
  type?: 'btree' | 'hash';
}

const MULTIMAP_OPTION_NAMES = optionNames<MultiMapOptions<unknown, unknown>>()([
  'key', 'value', 'duplicates', 'type',
]);

/** @internal Reads and checks multimap options (invariant: nothing is opened first). */
export function checkMultiMapOptions<K, V>(options: unknown): MultiMapOptions<K, V> {
  const given = readOptions(options, MULTIMAP_OPTION_NAMES, 'multimap options');
  checkCodecOption(given.key, 'key', 'multimap');
  checkCodecOption(given.value, 'value', 'multimap');
  checkTypeOption(given.type, 'multimap');
  const d = given.duplicates;
  if (d !== undefined && d !== 'sorted' && d !== 'unsorted') {
    throw new InvalidArgumentError(
      `multimap option duplicates must be 'sorted' or 'unsorted', got ${describeValue(d)}`,
    );
  }
  return given as MultiMapOptions<K, V>;
}

export class MultiMap<K = KeyValue, V = unknown> implements Iterable<[K, V]> {
  /** The low-level database holding the pairs. */
  readonly db: Database;
  /** How the values of one key are kept: 'sorted' or 'unsorted'. */
  readonly duplicates: DuplicatesMode;
  private readonly codecs: ContainerCodecs<K, V>;
  private readonly pointKeys: Codec<K>;

  /**
   * `new MultiMap()` is anonymous and in memory; `new MultiMap(db, options)` works over an
   * opened btree or hash database with duplicates (of the kind `options.duplicates` names,
   * when given); `new MultiMap(options)` is anonymous with these options.
   */
  constructor(source?: Database | MultiMapOptions<K, V>, options?: MultiMapOptions<K, V>) {
    const given = splitSource(source, options);
    const checked = checkMultiMapOptions<K, V>(given.options);
    const wanted: readonly DuplicatesMode[] = checked.duplicates ? [checked.duplicates]
      : ['sorted', 'unsorted'];
    this.db = containerDatabase(given.db,
      { container: 'MultiMap', duplicates: wanted, type: checked.type },
      checked.duplicates ?? 'sorted');
    this.duplicates = this.db.duplicates;
    const key = (checked.key ?? codecs.key) as Codec<K>;
    this.codecs = new ContainerCodecs(key, (checked.value ?? codecs.value) as Codec<V>);
    this.pointKeys = pointKeyCodec(key);
  }

  get [Symbol.toStringTag](): string {
    return 'MultiMap';
  }

  /** `{}`, as `JSON.stringify` writes a built-in `Map` (spread it to serialise pairs). */
  toJSON(): Record<string, never> {
    return {};
  }

  /** Pairs stored. Complexity: O(1). */
  get size(): number {
    return this.db.count();
  }

  /** Distinct keys stored. Complexity: O(k log n) for k keys (one step per key). */
  get keyCount(): number {
    let n = 0;
    for (const c = this.iterate({ distinct: true }, () => undefined); !c.next().done;) n++;
    return n;
  }

  /**
   * Adds the pair. With sorted duplicates an equal pair is already there: nothing changes
   * and the answer is false. With unsorted ones it is stored again, after the key's others.
   */
  add(key: K, value: V): boolean {
    const v = this.codecs.encodeValue(value, key);
    return this.db.putPair(this.pointKey(key), v);
  }

  /** The values of `key` in duplicate order (an empty array when absent). */
  get(key: K): V[] {
    return this.db.getAllWith(this.pointKey(key), (v) => this.codecs.decodeValue(v, key));
  }

  /** The values of `key`, read one at a time through a cursor. */
  valuesOf(key: K): IterableIterator<V, undefined> {
    const k = this.codecs.encodeKey(key);
    return this.iterate({ key: k }, (c) => this.codecs.readValue(c, key));
  }

  /** True when `key` has a value, or (with `value`) when the pair is stored. */
  has(key: K, value?: V): boolean {
    // Given or not is told by the argument count: `undefined` may be a stored value.
    if (arguments.length < 2) return this.db.exists(this.pointKey(key));
    const v = this.codecs.encodeValue(value as V, key);
    return this.db.getBoth(this.pointKey(key), v);
  }

  /** Values stored under `key`. Complexity: O(log n). */
  count(key: K): number {
    return this.db.countValues(this.pointKey(key));
  }

  /**
   * Removes every value of `key`, or (with `value`) every pair equal to (`key`, `value`).
   * Returns how many pairs went.
   */
  delete(key: K, value?: V): number {
    if (arguments.length < 2) return this.db.delCounting(this.codecs.encodeKey(key));
    const v = this.codecs.encodeValue(value as V, key);
    const k = this.codecs.encodeKey(key);
    // Sorted duplicates hold an equal pair at most once; unsorted ones may repeat it.
    if (this.duplicates === 'sorted') return this.db.delPair(k, v) ? 1 : 0;
    let n = 0;
    while (this.db.delPair(k, v)) n++;
    return n;
  }

  clear(): void {
    this.db.clearAll();
  }

  forEach(callback: (value: V, key: K, map: MultiMap<K, V>) => void, thisArg?: unknown): void {
    checkCallback(callback);
    for (const [k, v] of this.entries()) Reflect.apply(callback, thisArg, [v, k, this]);
  }

  /** Every pair, ordered by key (over a hash: in hash order), then by duplicate order. */
  entries(): IterableIterator<[K, V], undefined> {
    return this.iterate({}, (c) => this.codecs.readEntry(c));
  }

  /** Distinct keys, in order (over a hash: in hash order). */
  keys(): IterableIterator<K, undefined> {
    return this.iterate({ distinct: true }, (c) => this.codecs.readKey(c));
  }

  /** Every value, in pair order. */
  values(): IterableIterator<V, undefined> {
    return this.iterate({}, (c) => this.codecs.readValue(c));
  }

  [Symbol.iterator](): IterableIterator<[K, V], undefined> {
    return this.entries();
  }

  /** The first pair, or `undefined`. Btree only (`UnsupportedError` over a hash). */
  first(): [K, V] | undefined {
    this.requireOrder('first');
    return firstOf(this.db, {}, (c) => this.codecs.readEntry(c));
  }

  /** The last pair, or `undefined`. Btree only. */
  last(): [K, V] | undefined {
    this.requireOrder('last');
    return firstOf(this.db, { reverse: true }, (c) => this.codecs.readEntry(c));
  }

  /**
   * Pairs whose keys are within bounds, in order (or reverse), at most `limit` of them.
   * Btree only.
   */
  range(options?: RangeOptions<K>): IterableIterator<[K, V], undefined> {
    this.requireOrder('range');
    const range = encodeRange(options, (k: K) => this.codecs.encodeKey(k));
    return this.iterate(range, (c) => this.codecs.readEntry(c));
  }

  /** `UnsupportedError` unless the multimap is over a btree (`call` needs key order). */
  private requireOrder(call: string): void {
    requireKeyOrder(this.db, 'MultiMap', 'multimap', call);
  }

  private iterate<R>(range: ByteRange, read: (c: DbCursor) => R): IterableIterator<R, undefined> {
    return iterate(this.db, range, read);
  }

  /** Encodes for a point call (scratch space: nothing may run before the engine call). */
  private pointKey(key: K): Uint8Array {
    return encodeOrThrow(this.pointKeys, key, 'key');
  }
}
