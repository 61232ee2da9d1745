/**
 * What every container shares: where its database comes from (anonymous, opened by name,
 * or a low-level `Database` it validates), its codec and type options, the bounds of
 * `range`, the refusal of ordered calls over a hash, and the cursor iterators it hands out.
 *
 * Layer: collections (rank 7).
 *
 * Invariants:
 * 1. Every option failure is `InvalidArgumentError` naming the option, thrown before any
 *    database is opened or created.
 * 2. A container over a given `Database` checks its type (a btree or a hash; the one the
 *    `type` option names, when given), duplicates and record numbers against what the
 *    container needs (`InvalidArgumentError` naming both), as dbstl's constructors do.
 * 3. A call that needs key order (`first`, `last`, `range`, bounds) on a container over a
 *    hash throws `UnsupportedError` naming the call and the type before it reads anything
 *    (dbstl's InvalidFunctionCall); every other call works on both types.
 */
import {
  InvalidArgumentError, UnsupportedError, describeValue, optionNames, readOptions,
} from '../util/index.js';
import { type Codec, decodeOrThrow, encodeOrThrow, isCodec } from '../codec/index.js';
import {
  CoreEnvironment, Database, type DbCursor, type DuplicatesMode,
} from '../env/index.js';
import { type ByteRange, CursorIterator } from './cursor-iterator.js';

/** Bounds of `range`: keys, not encoded bytes. */
export interface RangeOptions<K> {
  gt?: K;
  gte?: K;
  lt?: K;
  lte?: K;
  reverse?: boolean;
  limit?: number;
}

const RANGE_OPTION_NAMES = optionNames<RangeOptions<unknown>>()([
  'gt', 'gte', 'lt', 'lte', 'reverse', 'limit',
]);

/** `source instanceof Database`, false for a proxy whose traps throw. */
export function isDatabase(source: unknown): source is Database {
  try {
    return source instanceof Database;
  } catch {
    return false;
  }
}

/** The `(source?, options?)` of a container constructor, told apart. */
export function splitSource<O>(source: Database | O | undefined, options: O | undefined):
  { db: Database | undefined; options: O | undefined } {
  if (isDatabase(source)) return { db: source, options };
  return { db: undefined, options: source ?? options };
}

/** Throws unless option `name` of `what` is undefined or a codec. */
export function checkCodecOption(value: unknown, name: string, what: string): void {
  if (value !== undefined && !isCodec(value)) {
    throw new InvalidArgumentError(
      `${what} option ${name} must be a codec with encode and decode, got ${describeValue(value)}`,
    );
  }
}

/**
 * The access methods a container can sit on: a btree (key order, the default) or a hash
 * (hash order; no ordered calls).
 */
export type ContainerType = 'btree' | 'hash';

const CONTAINER_TYPES: readonly string[] = ['btree', 'hash'] satisfies ContainerType[];

/** Throws unless option `type` of `what` is undefined, 'btree' or 'hash'. */
export function checkTypeOption(value: unknown, what: string): void {
  if (value !== undefined && !CONTAINER_TYPES.includes(value as string)) {
    throw new InvalidArgumentError(`${what} type ${describeValue(value)} is not supported ` +
      `(supported: ${CONTAINER_TYPES.map((t) => `'${t}'`).join(', ')})`);
  }
}

/** What a container needs of its database. */
export interface NeededShape {
  /** The container's name, for messages. */
  container: string;
  /** The duplicates mode(s) it works with. */
  duplicates: readonly DuplicatesMode[];
  /** The access method the `type` option asked for; any container type when not given. */
  type?: ContainerType | undefined;
}

/**
 * The container's database: `db` checked against `needed` (invariant 2), or a new anonymous
 * in-memory one of type `needed.type` (default btree) with `duplicates`.
 */
export function containerDatabase(db: Database | undefined, needed: NeededShape,
  duplicates: DuplicatesMode): Database {
  if (!db) {
    return CoreEnvironment.anonymous().openDatabase('container', {
      type: needed.type ?? 'btree', duplicates,
    });
  }
  db.checkOpen();
  if (!CONTAINER_TYPES.includes(db.type)) {
    throw new InvalidArgumentError(`a ${needed.container} needs a btree or hash database; ` +
      `${db.name} is a ${db.type}`);
  }
  if (needed.type !== undefined && db.type !== needed.type) {
    throw new InvalidArgumentError(`a ${needed.container} with type '${needed.type}' needs a ` +
      `${needed.type} database; ${db.name} is a ${db.type}`);
  }
  if (!needed.duplicates.includes(db.duplicates)) {
    throw new InvalidArgumentError(`a ${needed.container} needs a database with duplicates ` +
      `${needed.duplicates.map((d) => `'${d}'`).join(' or ')}; ${db.name} has '${db.duplicates}'`);
  }
  return db;
}

/**
 * Throws `UnsupportedError` unless `db` keeps its keys in order (a btree): `call` of
 * `container` (the class, and `noun`, what a user calls it) needs that order (invariant 3).
 */
export function requireKeyOrder(db: Database, container: string, noun: string,
  call: string): void {
  if (db.type === 'btree') return;
  throw new UnsupportedError(`${container}.${call}() needs key order; this ${noun} is over a ` +
    `${db.type} database (type '${db.type}'), which iterates in hash order`);
}

/** Reads and encodes `range` options (keys through `encodeKey`) into byte bounds. */
export function encodeRange<K>(options: RangeOptions<K> | undefined,
  encodeKey: (key: K) => Uint8Array): ByteRange {
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
  if (given.gt !== undefined) r.gt = encodeKey(given.gt as K);
  if (given.gte !== undefined) r.gte = encodeKey(given.gte as K);
  if (given.lt !== undefined) r.lt = encodeKey(given.lt as K);
  if (given.lte !== undefined) r.lte = encodeKey(given.lte as K);
  return r;
}

/** Encodes and decodes a container's keys and values; reads them at a cursor. */
export class ContainerCodecs<K, V> {
  constructor(readonly key: Codec<K>, readonly value: Codec<V>) {}

  encodeKey(key: K): Uint8Array {
    return encodeOrThrow(this.key, key, 'key');
  }

  encodeValue(value: V, key?: K): Uint8Array {
    return encodeOrThrow(this.value, value, 'value', key);
  }

  readKey(c: DbCursor): K {
    return c.keyWith((bytes) => decodeOrThrow(this.key, bytes, 'key'));
  }

  readValue(c: DbCursor, key?: K): V {
    return c.valueWith((bytes) => decodeOrThrow(this.value, bytes, 'value', key));
  }

  /** Decodes value bytes (of `key`, named in a `CodecError`). */
  decodeValue(bytes: Uint8Array, key?: K): V {
    return decodeOrThrow(this.value, bytes, 'value', key);
  }

  readEntry(c: DbCursor): [K, V] {
    const key = this.readKey(c);
    return [key, this.readValue(c, key)];
  }
}

/** An iterator over `range` of `db`, yielding `read(cursor)` at each item. */
export function iterate<T>(db: Database, range: ByteRange, read: (c: DbCursor) => T):
  IterableIterator<T, undefined> {
  return new CursorIterator(db, range, read);
}

/** The first item `iterate` would yield, or undefined; the cursor is closed. */
export function firstOf<T>(db: Database, range: ByteRange, read: (c: DbCursor) => T):
  T | undefined {
  const it = iterate(db, { ...range, limit: 1 }, read);
  const r = it.next();
  it.return?.();
  return r.done ? undefined : r.value;
}

/** Throws unless `callback` is a function (the argument of `forEach`). */
export function checkCallback(callback: unknown): void {
  if (typeof callback !== 'function') {
    throw new InvalidArgumentError(
      `forEach needs a callback function, got ${describeValue(callback)}`,
    );
  }
}
