/**
 * Raw values in class records: the values class-transformer would mangle (Map, Set, typed
 * arrays, DataView, ArrayBuffer, RegExp, Error), carried past it so that structured clone
 * stores them whole.
 *
 * Layer: codec (rank 1). Imports util only (and, inside the codec folder, the
 * class-transformer metadata access of class-transformer-copy.ts).
 *
 * Why: class-transformer 0.5 writes a Set as an array, a Map as an object with string keys,
 * and a typed array, ArrayBuffer, RegExp or Error as an object of its indices or as `{}`;
 * reading back it turns a Set into an array, reads a Map's entries as properties and drops
 * a typed array's contents. It leaves functions alone on both ways. So:
 *
 * - Encoding, `holdsRawValue` tells whether the instance holds any raw value; most do not,
 *   and go to class-transformer as they are. Otherwise class-transformer is handed a view
 *   (`encodeView`): a proxy per object, a copy per array, whose raw values are replaced by a
 *   box, a function that returns itself (class-transformer calls a function-valued field
 *   and passes the result through). `takeRawValues` then puts the raw values back into the
 *   plain form and lists where they are (paths of keys and indices from the plain root).
 * - Decoding, `boxRawValues` boxes the raw values again before `plainToInstance`, and
 *   `unboxRawValues` puts them into the instance it returned.
 *
 * Left to class-transformer: a Map or Set in a field whose `@Type` metadata reflects that
 * very collection (it rebuilds those, with their members as `@Type` instances; a Map's keys
 * must then be strings, else CodecError), every field with a `@Transform`, and Dates and
 * Buffers (it copies them correctly, and a `@Type(() => Buffer)` field needs a real Buffer).
 *
 * Invariants:
 * 1. A raw value reaches V8 as itself (same identity, so shared values stay shared) and
 *    comes back into the instance at the same place.
 * 2. Views never write to the user's objects (they are proxies and copies); what
 *    class-transformer itself writes (a discriminator property) reaches them as before.
 * 3. Only raw values boxed here are unboxed: a raw value that class-transformer itself put
 *    into the plain form (a `@Transform` result) is handed to class-transformer as it is.
 * 4. `holdsRawValue(x)` is false only when `encodeView(x)` would box nothing.
 */
import { types } from 'node:util';
import { CodecError } from '../util/index.js';
import { describeValue } from '../util/index.js';
import { assertOneCopy, fieldMetadata, plainProperties } from './class-transformer-copy.js';

/** Where a raw value sits in the plain form: keys and indices from the root. */
export type RawPath = (string | number)[];

type RawBox = (() => RawBox) & { readonly [BOXED]: unknown };

const BOXED = Symbol('stowage.rawValue');

/** Whether class-transformer would mangle `value` and structured clone keeps it whole. */
export function isRawValue(value: unknown): value is object {
  if (types.isArrayBufferView(value)) return !Buffer.isBuffer(value);
  return types.isMap(value) || types.isSet(value) || types.isAnyArrayBuffer(value) ||
    types.isRegExp(value) || types.isNativeError(value);
}

function box(value: unknown): RawBox {
  const boxed = (() => boxed) as unknown as { [BOXED]: unknown };
  boxed[BOXED] = value;
  return boxed as unknown as RawBox;
}

function isBox(value: unknown): value is RawBox {
  return typeof value === 'function' && BOXED in value;
}

/**
 * Whether `instance` holds a raw value that `encodeView` would box; when not, the instance
 * can go to class-transformer as it is (the common case, and cheaper than a view). It reads
 * what class-transformer reads: the properties of class instances it writes (own enumerable
 * and `@Expose`, less `@Exclude`), plain objects' properties, elements of arrays, members of
 * `@Type` Maps and Sets. Every class met is checked by `assertOneCopy`.
 */
export function holdsRawValue(instance: object, context: string): boolean {
  const seen = new Set<object>([instance]);
  const pending: object[] = [instance];
  for (let at = pending.pop(); at !== undefined; at = pending.pop()) {
    for (const [owner, key, value] of childSlots(at, context)) {
      if (typeof value !== 'object' || value === null || seen.has(value)) continue;
      if (types.isDate(value) || Buffer.isBuffer(value)) continue;
      const metadata = owner === undefined ? undefined : fieldMetadata(owner, key);
      if (metadata?.plainTransform === true) continue;
      if (isRawValue(value) && !isTypedCollection(metadata?.reflectedType, value)) return true;
      // The view refuses a @Type Map with a key that is not a string.
      if (value instanceof Map && [...value.keys()].some((k) => typeof k !== 'string')) return true;
      seen.add(value);
      pending.push(value);
    }
  }
  return false;
}

type Slot = readonly [owner: Function | undefined, key: string, value: unknown];

function childSlots(container: object, context: string): Slot[] {
  if (container instanceof Map) return [...container.values()].map((value) => slot(value));
  if (container instanceof Set || Array.isArray(container)) {
    return [...(container as Iterable<unknown>)].map((value) => slot(value));
  }
  if (typeof (container as { then?: unknown }).then === 'function') return [];
  const owner = (container as { constructor?: unknown }).constructor;
  if (typeof owner !== 'function' || owner === Object) {
    return Object.keys(container).map((key) => slot(Reflect.get(container, key), key));
  }
  assertOneCopy(owner, context);
  return plainProperties(owner, container)
    .map((key) => slot(Reflect.get(container, key), key, owner));
}

function slot(value: unknown, key = '', owner?: Function): Slot {
  return [owner, key, value];
}

/** Whether class-transformer rebuilds `value` itself: a Map or Set `@Type` field of that type. */
function isTypedCollection(reflectedType: unknown, value: object): boolean {
  return reflectedType === Map && value instanceof Map ||
    reflectedType === Set && value instanceof Set;
}

/**
 * A view of `instance` for `instanceToPlain`, raw values boxed. `context` names the codec
 * in errors; every class met is checked by `assertOneCopy`.
 */
export function encodeView(instance: object, context: string): object {
  return new EncodeView(context).of(instance) as object;
}

class EncodeView {
  private readonly views = new WeakMap<object, unknown>();

  constructor(private readonly context: string) {}

  /** The view of a value in a position without collection metadata. */
  of(value: unknown): unknown {
    if (typeof value !== 'object' || value === null) return value;
    if (types.isDate(value) || Buffer.isBuffer(value)) return value;
    const known = this.views.get(value);
    if (known !== undefined) return known;
    if (isRawValue(value)) return this.remember(value, box(value));
    if (Array.isArray(value)) return this.arrayView(value);
    if (typeof (value as { then?: unknown }).then === 'function') return value;
    const owner = (value as { constructor?: unknown }).constructor;
    if (typeof owner === 'function' && owner !== Object) assertOneCopy(owner, this.context);
    const proxy = new Proxy(value, { get: (target, key) => this.field(target, key) });
    return this.remember(value, proxy);
  }

  private remember<V>(value: object, view: V): V {
    this.views.set(value, view);
    return view;
  }

  private arrayView(value: unknown[]): unknown[] {
    const copy = this.remember(value, new Array<unknown>(value.length));
    for (let index = 0; index < value.length; index++) {
      if (index in value) copy[index] = this.of(value[index]);
    }
    return copy;
  }

  /** Reads `target[key]` for class-transformer (the proxy's `get`). */
  private field(target: object, key: string | symbol): unknown {
    const value: unknown = Reflect.get(target, key);
    if (typeof key === 'symbol' || typeof value !== 'object' || value === null) return value;
    const owner = (target as { constructor?: unknown }).constructor;
    if (typeof owner !== 'function' || owner === Object) return this.of(value);
    const metadata = fieldMetadata(owner, key);
    if (metadata.plainTransform) return value;
    if (!isTypedCollection(metadata.reflectedType, value)) return this.of(value);
    if (value instanceof Map) return this.typedMap(value, owner, key);
    return this.typedSet(value as Set<unknown>);
  }

  private typedMap(value: Map<unknown, unknown>, owner: Function, key: string): unknown {
    const known = this.views.get(value);
    if (known !== undefined) return known;
    const copy = this.remember(value, new Map<unknown, unknown>());
    for (const [entryKey, entryValue] of value) {
      if (typeof entryKey !== 'string') {
        throw new CodecError(
          `${this.context}: ${owner.name}.${key} is a Map with @Type, and class-transformer ` +
            `stores such a Map's keys as strings, but one key is ${describeValue(entryKey)}; ` +
            `use string keys, or remove @Type from ${key} (the Map is then stored whole, ` +
            `but class instances in it come back as plain objects)`,
        );
      }
      copy.set(entryKey, this.of(entryValue));
    }
    return copy;
  }

  private typedSet(value: Set<unknown>): unknown {
    const known = this.views.get(value);
    if (known !== undefined) return known;
    const copy = this.remember(value, new Set<unknown>());
    for (const member of value) copy.add(this.of(member));
    return copy;
  }
}

/**
 * Replaces the boxes in `plain` (the output of `instanceToPlain` on an `encodeView`) by the
 * raw values they hold, and returns the paths where it put them.
 */
export function takeRawValues(plain: object): RawPath[] {
  const paths: RawPath[] = [];
  const visit = (container: object, path: RawPath, seen: Set<object>): void => {
    if (seen.has(container)) return;
    seen.add(container);
    for (const key of slotKeys(container)) {
      const value: unknown = (container as Record<string | number, unknown>)[key];
      if (isBox(value)) {
        (container as Record<string | number, unknown>)[key] = value[BOXED];
        paths.push([...path, key]);
      } else if (isPlainContainer(value)) {
        visit(value, [...path, key], seen);
      }
    }
  };
  visit(plain, [], new Set());
  return paths;
}

/**
 * The raw values of a decoded plain form that are not at `paths` (class-transformer's own,
 * left to it by `boxRawValues`). Throws CodecError when a path does not lead to a raw value.
 */
export function rawValuesOutside(
  plain: object,
  paths: readonly RawPath[],
  name: string,
): Set<object> {
  const atPaths = new Set<object>();
  for (const path of paths) {
    let at: unknown = plain;
    for (const key of path) {
      at = isPlainContainer(at) ? (at as Record<string | number, unknown>)[key] : undefined;
    }
    if (!isRawValue(at)) throw new CodecError(`malformed ${name} record: bad raw value path`);
    atPaths.add(at);
  }
  const outside = new Set<object>();
  forEachPlainSlot(plain, (value) => {
    if (isRawValue(value) && !atPaths.has(value)) outside.add(value);
  });
  return outside;
}

/** Boxes every raw value in `plain` except those in `keep`; returns how many slots it boxed. */
export function boxRawValues(plain: object, keep: ReadonlySet<object>): number {
  let boxedCount = 0;
  const boxes = new Map<object, RawBox>();
  forEachPlainSlot(plain, (value, container, key) => {
    if (!isRawValue(value) || keep.has(value)) return;
    let boxed = boxes.get(value);
    if (boxed === undefined) boxes.set(value, boxed = box(value));
    (container as Record<string | number, unknown>)[key] = boxed;
    boxedCount++;
  });
  return boxedCount;
}

function forEachPlainSlot(
  root: object,
  visit: (value: unknown, container: object, key: string | number) => void,
): void {
  const seen = new Set<object>([root]);
  const pending: object[] = [root];
  for (let container = pending.pop(); container !== undefined; container = pending.pop()) {
    for (const key of slotKeys(container)) {
      const value: unknown = (container as Record<string | number, unknown>)[key];
      visit(value, container, key);
      if (isPlainContainer(value) && !seen.has(value)) {
        seen.add(value);
        pending.push(value);
      }
    }
  }
}

function isPlainContainer(value: unknown): value is object {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function slotKeys(container: object): (string | number)[] {
  if (!Array.isArray(container)) return Object.keys(container);
  const indices: number[] = [];
  for (let index = 0; index < container.length; index++) {
    if (index in container) indices.push(index);
  }
  return indices;
}

/**
 * Replaces the boxes in `instance` (the output of `plainToInstance` on a boxed plain form)
 * by their raw values; stops once `boxedCount` slots are done.
 */
export function unboxRawValues(instance: object, boxedCount: number): void {
  let remaining = boxedCount;
  const seen = new Set<object>([instance]);
  const pending: object[] = [instance];
  const take = (value: unknown): unknown => {
    if (!isBox(value)) {
      if (typeof value === 'object' && value !== null && !seen.has(value)) {
        seen.add(value);
        if (mayHoldBoxes(value)) pending.push(value);
      }
      return value;
    }
    remaining--;
    const raw = value[BOXED] as object;
    seen.add(raw);
    return raw;
  };
  for (let at = pending.pop(); at !== undefined && remaining > 0; at = pending.pop()) {
    unboxSlots(at, take);
  }
}

function unboxSlots(container: object, take: (value: unknown) => unknown): void {
  if (container instanceof Map) {
    for (const [key, value] of container) {
      const taken = take(value);
      if (taken !== value) container.set(key, taken);
    }
  } else if (container instanceof Set) {
    const members = [...container];
    const taken = members.map(take);
    if (taken.some((member, index) => member !== members[index])) {
      container.clear();
      for (const member of taken) container.add(member);
    }
  } else {
    const slots = container as Record<string | number, unknown>;
    for (const key of slotKeys(container)) {
      const value = slots[key];
      const taken = take(value);
      if (taken !== value) slots[key] = taken;
    }
  }
}

/** Containers class-transformer builds: arrays, objects, instances, Maps and Sets. */
function mayHoldBoxes(value: object): boolean {
  return value instanceof Map || value instanceof Set || !isRawValue(value) && !types.isDate(value);
}
