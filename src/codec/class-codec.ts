/**
 * `codecs.classOf(Class, options?)`: class instances through class-transformer, with a schema
 * version in every record so a class can evolve.
 *
 * Layer: codec (rank 1). Imports util only (plus the class-transformer and reflect-metadata
 * packages, which are peer dependencies, and Node's built-in `node:v8`).
 *
 * Format:
 *
 *   offset  size   field
 *   0       1      tag: 0xC1 (plain form), 0xC2 (plain form with raw values)
 *   1       1..5   schema version, unsigned LEB128 varint (1 .. 2^31 - 1)
 *   ...     rest   0xC1: `v8.serialize(plain)`; 0xC2: `v8.serialize([plain, rawPaths])`
 *
 * `plain` is `instanceToPlain(instance)`, written with V8's structured clone serializer
 * rather than JSON so that Date, bigint and `undefined` survive. class-transformer would
 * mangle Map, Set, typed arrays, DataView, ArrayBuffer, RegExp and Error values (a Set becomes
 * an array, a Map an object); those raw values are carried past it whole, at any depth, and
 * `rawPaths` lists where they sit in `plain` (class-raw-values.ts). A record without raw
 * values keeps the 0xC1 layout, which older versions of this codec wrote and read.
 *
 * The classes involved must be decorated through the class-transformer copy this codec
 * loads: a second loaded copy is refused with CodecError (class-transformer-copy.ts).
 *
 * Decoding: read the version; a record newer than the codec is refused; an older one is
 * handed to `migrate(plain, fromVersion)` (when given) before `plainToInstance`. Fields the
 * record lacks keep the class's initialiser defaults (class-transformer starts from
 * `new Class()`). Fields the class no longer declares are dropped (`dropUnknown`, default
 * true): a property is declared when a fresh `new Class()` has it (own or inherited) or it
 * carries `design:type` metadata (any decorator, e.g. `Type` or `Expose`, on the field).
 * Caveat: a field with no initialiser and no decorator is invisible under `[[Set]]` class
 * field semantics (`useDefineForClassFields: false`, the TypeScript default below target
 * ES2022); give such fields an initialiser or a decorator, or pass `dropUnknown: false`.
 * If a fresh instance has no own property at all, nothing is dropped (the class cannot be
 * told apart from a class whose fields are all invisible).
 *
 * Invariants:
 * 1. `decode(encode(x)) instanceof Class`, with nested `Type` classes and Dates restored as
 *    class-transformer restores them, and raw values (Map, Set, typed arrays...) restored
 *    whole wherever they sit, decorated or not.
 * 2. A record whose version is newer than the codec's throws CodecError (version mismatch);
 *    one whose tag is neither 0xC1 nor 0xC2 throws CodecError.
 * 3. `encode` refuses anything that is not `instanceof Class`; every failure inside
 *    class-transformer, V8 or `migrate` surfaces as CodecError with the original as `cause`.
 * 4. Creating the codec, and its first encode or decode, throw CodecError when the class or
 *    a class its `@Type`s name was decorated through another copy of class-transformer;
 *    encode checks the class of every instance it meets as well.
 */
import 'reflect-metadata';
import v8 from 'node:v8';
import {
  instanceToPlain,
  plainToInstance,
  type ClassConstructor,
  type ClassTransformOptions,
} from 'class-transformer';
import {
  CodecError, InvalidArgumentError, describeError, describeType, describeValue,
} from '../util/index.js';
import type { Codec } from './codec.js';
import { assertOneCopy, assertTypeGraphOneCopy } from './class-transformer-copy.js';
import {
  boxRawValues, encodeView, holdsRawValue, rawValuesOutside, takeRawValues, unboxRawValues,
  type RawPath,
} from './class-raw-values.js';

const TAG_CLASS_RECORD = 0xc1;
const TAG_CLASS_RECORD_RAW = 0xc2;
const VERSION_MAX = 0x7fffffff;

/** Options of `codecs.classOf`. */
export interface ClassCodecOptions {
  /** Schema version written into every record: a positive integer, default 1. */
  version?: number;
  /**
   * Upgrades the plain form of a record written at an older `fromVersion` to the shape of the
   * current version. Called once per decoded old record, before `plainToInstance`.
   */
  migrate?: (plain: Record<string, unknown>, fromVersion: number) => Record<string, unknown>;
  /** Passed to class-transformer's `instanceToPlain` and `plainToInstance`. */
  transform?: ClassTransformOptions;
  /** Drop decoded properties the class does not declare (default true; see class-codec.ts). */
  dropUnknown?: boolean;
}

/** A codec made by `codecs.classOf`. */
export interface ClassCodec<T extends object> extends Codec<T> {
  /** The class whose instances this codec stores. */
  readonly type: ClassConstructor<T>;
  /** The schema version this codec writes. */
  readonly version: number;
}

interface ClassSettings<T extends object> {
  readonly type: ClassConstructor<T>;
  readonly name: string;
  /** `codecs.classOf(Name)`, the start of error messages. */
  readonly context: string;
  readonly version: number;
  /** Tag and version of a record without raw values, and of one with raw values. */
  readonly header: Uint8Array;
  readonly rawHeader: Uint8Array;
  readonly migrate: ClassCodecOptions['migrate'];
  readonly transform: ClassTransformOptions | undefined;
  readonly dropUnknown: boolean;
  /** Properties of a fresh instance; computed on first decode; null: cannot tell. */
  declared?: Set<string> | null;
  /** Whether the first encode or decode has checked the `@Type` graph (invariant 4). */
  graphChecked: boolean;
}

/** A codec for instances of `type` (see the file header for format and evolution rules). */
export function classOf<T extends object>(
  type: ClassConstructor<T>,
  options: ClassCodecOptions = {},
): ClassCodec<T> {
  const settings = makeSettings(type, options);
  return Object.freeze({
    type,
    version: settings.version,
    encode: (value: T): Uint8Array => encodeInstance(settings, value),
    decode: (bytes: Uint8Array): T => decodeInstance(settings, bytes),
  });
}

function makeSettings<T extends object>(
  type: ClassConstructor<T>,
  options: ClassCodecOptions,
): ClassSettings<T> {
  if (typeof type !== 'function') {
    throw new InvalidArgumentError(`codecs.classOf needs a class, not ${describeType(type)}`);
  }
  const version = options.version ?? 1;
  if (!Number.isInteger(version) || version < 1 || version > VERSION_MAX) {
    throw new InvalidArgumentError(
      `codecs.classOf: version must be an integer in 1..${VERSION_MAX}, ` +
        `not ${describeValue(version)}`,
    );
  }
  if (options.migrate !== undefined && typeof options.migrate !== 'function') {
    throw new InvalidArgumentError('codecs.classOf: migrate must be a function');
  }
  const declared: unknown = type.name;
  const name = typeof declared === 'string' && declared !== '' ? declared : 'anonymous class';
  const context = `codecs.classOf(${name})`;
  // Type functions that name classes declared later are followed again on first use.
  assertOneCopy(type, context);
  assertTypeGraphOneCopy(type, context);
  return {
    type,
    name,
    context,
    version,
    header: Uint8Array.from([TAG_CLASS_RECORD, ...varintBytes(version)]),
    rawHeader: Uint8Array.from([TAG_CLASS_RECORD_RAW, ...varintBytes(version)]),
    migrate: options.migrate,
    transform: options.transform,
    dropUnknown: options.dropUnknown ?? true,
    graphChecked: false,
  };
}

function checkGraphOnce<T extends object>(settings: ClassSettings<T>): void {
  if (settings.graphChecked) return;
  assertTypeGraphOneCopy(settings.type, settings.context);
  settings.graphChecked = true;
}

function encodeInstance<T extends object>(settings: ClassSettings<T>, value: T): Uint8Array {
  const { name } = settings;
  if (!(value instanceof settings.type)) {
    throw new CodecError(
      `codecs.classOf(${name}) encodes instances of ${name}, not ${describeType(value)}`,
    );
  }
  checkGraphOnce(settings);
  let body: Buffer;
  let header = settings.header;
  try {
    const viewed = holdsRawValue(value, settings.context);
    const source = viewed ? encodeView(value, settings.context) : value;
    const plain: object = instanceToPlain(source, settings.transform);
    const rawPaths = viewed ? takeRawValues(plain) : [];
    if (rawPaths.length > 0) header = settings.rawHeader;
    body = v8.serialize(rawPaths.length === 0 ? plain : [plain, rawPaths]);
  } catch (cause) {
    if (cause instanceof CodecError) throw cause;
    const reason = describeError(cause);
    throw new CodecError(`cannot encode an instance of ${name}: ${reason}`, undefined, { cause });
  }
  const record = new Uint8Array(header.length + body.length);
  record.set(header, 0);
  record.set(body, header.length);
  return record;
}

function decodeInstance<T extends object>(settings: ClassSettings<T>, bytes: Uint8Array): T {
  const { name } = settings;
  if (bytes[0] !== TAG_CLASS_RECORD && bytes[0] !== TAG_CLASS_RECORD_RAW) {
    throw new CodecError(
      `not a ${settings.context} record (first byte ${bytes[0] ?? 'missing'}, ` +
        `expected 193 or 194)`,
    );
  }
  checkGraphOnce(settings);
  const { value: version, end } = readVarint(bytes, 1);
  if (version > settings.version) {
    throw new CodecError(
      `version mismatch: a ${name} record has schema version ${version}, newer than this ` +
        `codec's version ${settings.version}; read it with codecs.classOf(${name}, ` +
        `{ version: ${version} }) from code that knows that schema`,
    );
  }
  const body = readBody(settings, bytes, end, bytes[0] === TAG_CLASS_RECORD_RAW);
  const migrating = version < settings.version && settings.migrate !== undefined;
  let plain = body.plain;
  let boxedCount = 0;
  // Without raw paths and migrate, every raw value is class-transformer's own: none to box.
  if (body.rawPaths.length > 0 || migrating) {
    // Raw values class-transformer put there itself (a @Transform's result) stay its own.
    const theirs = rawValuesOutside(plain, body.rawPaths, name);
    if (migrating) plain = runMigrate(settings, plain, version);
    boxedCount = boxRawValues(plain, theirs);
  }
  let instance: T;
  try {
    instance = plainToInstance(settings.type, plain, settings.transform);
  } catch (cause) {
    const reason = describeError(cause);
    throw new CodecError(`cannot rebuild an instance of ${name}: ${reason}`, undefined, { cause });
  }
  if (boxedCount > 0) unboxRawValues(instance, boxedCount);
  if (settings.dropUnknown) dropUndeclared(settings, instance);
  return instance;
}

interface RecordBody {
  readonly plain: Record<string, unknown>;
  readonly rawPaths: readonly RawPath[];
}

function readBody<T extends object>(
  settings: ClassSettings<T>,
  bytes: Uint8Array,
  start: number,
  withRawValues: boolean,
): RecordBody {
  let body: unknown;
  try {
    // A copy, so typed arrays in the result are not views of the caller's page.
    body = v8.deserialize(new Uint8Array(bytes.subarray(start)));
  } catch (cause) {
    throw new CodecError(`malformed ${settings.name} record`, undefined, { cause });
  }
  if (!withRawValues && isPlainRecord(body)) return { plain: body, rawPaths: [] };
  const [plain, rawPaths] = Array.isArray(body) && body.length === 2 ? body : [];
  if (withRawValues && isPlainRecord(plain) && isRawPathList(rawPaths)) {
    return { plain, rawPaths };
  }
  throw new CodecError(`malformed ${settings.name} record: the body is not an object`);
}

function isRawPathList(value: unknown): value is RawPath[] {
  return Array.isArray(value) && value.every((path) => Array.isArray(path) &&
    path.every((key) => typeof key === 'string' || typeof key === 'number'));
}

function runMigrate<T extends object>(
  settings: ClassSettings<T>,
  plain: Record<string, unknown>,
  fromVersion: number,
): Record<string, unknown> {
  let migrated: unknown;
  try {
    migrated = settings.migrate!(plain, fromVersion);
  } catch (cause) {
    const reason = describeError(cause);
    throw new CodecError(
      `migrate of a ${settings.name} record from version ${fromVersion} failed: ${reason}`,
      undefined,
      { cause },
    );
  }
  if (!isPlainRecord(migrated)) {
    throw new CodecError(
      `migrate of a ${settings.name} record from version ${fromVersion} returned ` +
        `${describeType(migrated)}, not an object`,
    );
  }
  return migrated;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deletes own properties of `instance` that the current class does not declare. */
function dropUndeclared<T extends object>(settings: ClassSettings<T>, instance: T): void {
  if (settings.declared === undefined) settings.declared = declaredProperties(settings.type);
  const declared = settings.declared;
  if (declared === null) return;
  const prototype: object = settings.type.prototype as object;
  for (const key of Object.keys(instance)) {
    if (declared.has(key) || hasDesignType(prototype, key)) continue;
    Reflect.deleteProperty(instance, key);
  }
}

function declaredProperties(type: ClassConstructor<object>): Set<string> | null {
  let fresh: object;
  try {
    fresh = new type();
  } catch {
    return null;
  }
  const names = new Set<string>();
  for (let at: object | null = fresh; at !== null && at !== Object.prototype;) {
    for (const key of Object.getOwnPropertyNames(at)) names.add(key);
    at = Object.getPrototypeOf(at) as object | null;
  }
  return Object.keys(fresh).length === 0 ? null : names;
}

function hasDesignType(prototype: object, key: string): boolean {
  return typeof Reflect.hasMetadata === 'function' &&
    Reflect.hasMetadata('design:type', prototype, key);
}

function varintBytes(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
}

function readVarint(bytes: Uint8Array, start: number): { value: number; end: number } {
  let value = 0;
  let scale = 1;
  for (let at = start; at < bytes.length && at < start + 5; at++) {
    const byte = bytes[at]!;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) {
      if (value > VERSION_MAX) break;
      return { value, end: at + 1 };
    }
    scale *= 0x80;
  }
  throw new CodecError('malformed class record: bad schema version varint');
}
