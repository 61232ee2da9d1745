/**
 * `codecs.value`, the default value codec: any structured-clonable value, through Node's
 * built-in `node:v8` serializer (`v8.serialize`/`v8.deserialize`, the HTML structured clone
 * format that `postMessage` and `structuredClone` use), with one-byte-tag fast paths for the
 * common primitives and byte arrays.
 *
 * Layer: codec (rank 1). Imports util only.
 *
 * Format. The first byte says how the rest is written:
 *
 *   tag   value                      body
 *   0x01  string                     WTF-8 bytes (lone surrogates round-trip)
 *   0x02  number                     8 bytes, IEEE 754 little-endian (-0 and NaN kept)
 *   0x03  Uint8Array (exact class)   the bytes
 *   0x04  Buffer                     the bytes
 *   0x05  undefined, 0x06 null, 0x07 false, 0x08 true   (no body)
 *   0xFF  anything else              the whole record is `v8.serialize(value)`, whose own
 *                                    first byte is V8's version tag 0xFF
 *
 * Semantics are those of structured clone: plain objects, arrays, Date, RegExp, Map, Set,
 * bigint, boxed primitives, Error objects, ArrayBuffer and every typed array or DataView
 * round-trip with their class; nested values and shared or cyclic references are kept.
 * Class instances are stored as plain objects (their prototype and methods are not: use
 * `codecs.classOf(Class)`); symbol-keyed and non-enumerable properties are dropped.
 *
 * Invariants:
 * 1. decode(encode(x)) is structurally equal to x and of the same class: a Uint8Array comes
 *    back as a Uint8Array and a Buffer as a Buffer (also when nested).
 * 2. Values structured clone refuses (functions, symbols, WeakMap, Promise, ...) throw
 *    CodecError; nothing is partially written.
 * 3. decode never aliases its input: the record is copied before V8 reads it, since V8 would
 *    otherwise return typed arrays that are views into the page the record came from.
 */
import v8 from 'node:v8';
import {
  CodecError, allocBytes, copyBytes, describeError, describeType,
} from '../util/index.js';
import type { Codec } from './codec.js';
import { readString, stringByteLength, writeString } from './string-bytes.js';

const TAG_STRING = 0x01;
const TAG_NUMBER = 0x02;
const TAG_BYTES = 0x03;
const TAG_BUFFER = 0x04;
const TAG_UNDEFINED = 0x05;
const TAG_NULL = 0x06;
const TAG_FALSE = 0x07;
const TAG_TRUE = 0x08;
/** V8's serialization version tag: the first byte of every `v8.serialize` result. */
const TAG_V8 = 0xff;

const scratchView = new DataView(new ArrayBuffer(8));

/** Encodes any structured-clonable value. */
export function encodeValue(value: unknown): Uint8Array {
  switch (typeof value) {
    case 'string':
      return encodeString(value);
    case 'number':
      return encodeNumber(value);
    case 'boolean':
      return Uint8Array.of(value ? TAG_TRUE : TAG_FALSE);
    case 'undefined':
      return Uint8Array.of(TAG_UNDEFINED);
    case 'object':
      if (value === null) return Uint8Array.of(TAG_NULL);
      if (value instanceof Uint8Array) {
        if (value.constructor === Uint8Array) return tagged(TAG_BYTES, value);
        if (value.constructor === Buffer) return tagged(TAG_BUFFER, value);
      }
      return encodeStructured(value);
    default:
      return encodeStructured(value);
  }
}

function encodeString(text: string): Uint8Array {
  const length = text.length;
  const target = allocBytes(length + 1);
  target[0] = TAG_STRING;
  for (let i = 0; i < length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0x80) {
      const wide = allocBytes(stringByteLength(text) + 1);
      wide[0] = TAG_STRING;
      const end = writeString(text, wide, 1);
      return end === wide.length ? wide : wide.slice(0, end);
    }
    target[i + 1] = unit;
  }
  return target;
}

function encodeNumber(value: number): Uint8Array {
  const target = allocBytes(9);
  target[0] = TAG_NUMBER;
  scratchView.setFloat64(0, value, true);
  for (let i = 0; i < 8; i++) target[i + 1] = scratchView.getUint8(i);
  return target;
}

function tagged(tag: number, body: Uint8Array): Uint8Array {
  const target = allocBytes(body.length + 1);
  target[0] = tag;
  target.set(body, 1);
  return target;
}

function encodeStructured(value: unknown): Uint8Array {
  let record: Buffer;
  try {
    record = v8.serialize(value);
  } catch (cause) {
    const reason = describeError(cause);
    throw new CodecError(
      `cannot encode ${describeType(value)} with codecs.value: ${reason} codecs.value stores ` +
        'structured-clonable data (primitives, plain objects, arrays, Date, Map, Set, ' +
        'typed arrays...); for class instances use codecs.classOf(Class), or pass a value codec',
      undefined,
      { cause },
    );
  }
  return new Uint8Array(record.buffer, record.byteOffset, record.length);
}

/** Decodes a record written by `encodeValue`. The result never shares memory with `bytes`. */
export function decodeValue(bytes: Uint8Array): unknown {
  const tag = bytes[0];
  switch (tag) {
    case TAG_STRING:
      return readString(bytes, 1, bytes.length);
    case TAG_NUMBER:
      if (bytes.length !== 9) throw malformed('a number record is not 9 bytes');
      for (let i = 0; i < 8; i++) scratchView.setUint8(i, bytes[i + 1]!);
      return scratchView.getFloat64(0, true);
    case TAG_BYTES:
      return copyBytes(bytes.subarray(1));
    case TAG_BUFFER:
      return Buffer.from(bytes.subarray(1));
    case TAG_V8:
      return decodeStructured(bytes);
    default:
      return decodeConstant(tag, bytes);
  }
}

function decodeConstant(tag: number | undefined, bytes: Uint8Array): unknown {
  if (bytes.length !== 1) {
    throw malformed(tag === undefined ? 'empty record' : `unknown tag 0x${tag.toString(16)}`);
  }
  switch (tag) {
    case TAG_UNDEFINED:
      return undefined;
    case TAG_NULL:
      return null;
    case TAG_FALSE:
      return false;
    case TAG_TRUE:
      return true;
    default:
      throw malformed(`unknown tag 0x${(tag ?? 0).toString(16)}`);
  }
}

function decodeStructured(bytes: Uint8Array): unknown {
  try {
    // The copy owns its memory, so typed arrays in the result are not views of `bytes`.
    return v8.deserialize(new Uint8Array(bytes));
  } catch (cause) {
    throw new CodecError('malformed value record: V8 could not deserialize it', undefined, {
      cause,
    });
  }
}

function malformed(reason: string): CodecError {
  return new CodecError(`malformed value record (${reason})`);
}

/**
 * The default value codec. Typed `Codec<any>` so that it fits a container of any value type;
 * what it returns is whatever was stored.
 */
export const valueCodec: Codec<any> = Object.freeze({
  encode: encodeValue,
  decode: decodeValue,
});
