/**
 * The ES2025 set methods (`union`, `intersection`, `difference`, `symmetricDifference`,
 * `isSubsetOf`, `isSupersetOf`, `isDisjointFrom`) for any set that can be iterated and
 * asked `has`, with an argument that is set-like as the standard defines it (`size`, `has`,
 * `keys`). Results are plain `Set`s, as the built-in methods return.
 *
 * Layer: collections (rank 7).
 *
 * Invariants:
 * 1. An argument that is not set-like is `InvalidArgumentError` naming what is missing,
 *    before anything is read.
 * 2. Each method reads each side at most once through its iterator (a persistent set is
 *    read through one cursor at a time).
 * 3. No method depends on the order of either side (each walks one side and asks the other
 *    `has`; no sorted walks are merged), so they work alike over a btree and a hash.
 */
import { InvalidArgumentError, describeValue } from '../util/index.js';

/** What the set methods accept as their argument (the standard's set-like record). */
export interface SetLike<T> {
  readonly size: number;
  has(value: T): boolean;
  keys(): Iterator<T>;
}

/** The receiver: a set that can be iterated and asked `has`. */
export interface ReadableSet<T> extends Iterable<T> {
  readonly size: number;
  has(value: T): boolean;
}

/** Throws unless `other` is set-like (invariant 1). */
export function checkSetLike(other: unknown, method: string): asserts other is SetLike<unknown> {
  const o = other as Partial<SetLike<unknown>> | null;
  const missing = typeof other !== 'object' || o === null ? 'an object'
    : typeof o.size !== 'number' || Number.isNaN(o.size) ? 'a numeric size'
      : typeof o.has !== 'function' ? 'a has method'
        : typeof o.keys !== 'function' ? 'a keys method' : undefined;
  if (missing !== undefined) {
    throw new InvalidArgumentError(`${method} needs a set-like argument with ${missing}, got ` +
      describeValue(other));
  }
}

function* keysOf<T>(other: SetLike<T>): Generator<T> {
  const it = other.keys();
  for (let r = it.next(); !r.done; r = it.next()) yield r.value;
}

export function union<T, U>(self: ReadableSet<T>, other: SetLike<U>): Set<T | U> {
  checkSetLike(other, 'union');
  const out = new Set<T | U>(self);
  for (const v of keysOf(other)) out.add(v);
  return out;
}

export function intersection<T, U>(self: ReadableSet<T>, other: SetLike<U>): Set<T & U> {
  checkSetLike(other, 'intersection');
  const out = new Set<T & U>();
  if (self.size <= other.size) {
    for (const v of self) if (other.has(v as unknown as U)) out.add(v as T & U);
  } else {
    for (const v of keysOf(other)) if (self.has(v as unknown as T)) out.add(v as T & U);
  }
  return out;
}

export function difference<T, U>(self: ReadableSet<T>, other: SetLike<U>): Set<T> {
  checkSetLike(other, 'difference');
  const out = new Set<T>();
  for (const v of self) if (!other.has(v as unknown as U)) out.add(v);
  return out;
}

export function symmetricDifference<T, U>(self: ReadableSet<T>, other: SetLike<U>):
  Set<T | U> {
  checkSetLike(other, 'symmetricDifference');
  const out = new Set<T | U>(difference(self, other));
  for (const v of keysOf(other)) if (!self.has(v as unknown as T)) out.add(v);
  return out;
}

export function isSubsetOf<T>(self: ReadableSet<T>, other: SetLike<unknown>): boolean {
  checkSetLike(other, 'isSubsetOf');
  if (self.size > other.size) return false;
  for (const v of self) if (!other.has(v)) return false;
  return true;
}

export function isSupersetOf<T>(self: ReadableSet<T>, other: SetLike<unknown>): boolean {
  checkSetLike(other, 'isSupersetOf');
  if (self.size < other.size) return false;
  for (const v of keysOf(other)) if (!self.has(v as T)) return false;
  return true;
}

export function isDisjointFrom<T>(self: ReadableSet<T>, other: SetLike<unknown>): boolean {
  checkSetLike(other, 'isDisjointFrom');
  if (self.size <= other.size) {
    for (const v of self) if (other.has(v)) return false;
  } else {
    for (const v of keysOf(other)) if (self.has(v as T)) return false;
  }
  return true;
}
