/**
 * `codecs.key`, the default key codec: an order-preserving encoding of numbers, bigints,
 * strings, booleans, Dates, byte arrays and tuples (arrays) of these.
 *
 * Layer: codec (rank 1). Imports util only.
 *
 * Format. Every key starts with a tag byte; tags are ordered, so mixed types order by rank:
 *
 *   tag   type              body
 *   0x01  false             (none)
 *   0x02  true              (none)
 *   0x10  number            8 bytes, ordered double (ordered-double.ts); -0 is written as 0
 *   0x20  bigint < 0        the 0x22 body with every byte inverted
 *   0x21  bigint 0          (none)
 *   0x22  bigint > 0        n (1 byte, 1..4), byteCount (n bytes, big-endian), magnitude
 *                           (byteCount bytes, big-endian, no leading zero byte)
 *   0x30  Date              8 bytes, ordered double of `getTime()` (milliseconds)
 *   0x40  string            WTF-8 bytes (string-bytes.ts)
 *   0x50  Uint8Array        the bytes
 *   0x60  array (tuple)     each element with its own tag, then 0x00
 *
 * So the type rank is: false < true < number < bigint < Date < string < Uint8Array < array
 * (numbers and bigints are separate ranks: `10n` sorts after `Infinity`). This follows
 * IndexedDB's key order (number < Date < string < binary < array), with booleans first.
 *
 * A top-level string or Uint8Array body runs to the end of the key, unescaped: the hot path
 * of string keys is one tag byte plus the raw bytes. Inside a tuple a string or byte body is
 * escaped (0x00 becomes 0x00 0xFF) and ends with 0x00 0x01, so a shorter string sorts first
 * and the element after it cannot be confused with its bytes. A tuple ends with 0x00, which
 * is below every tag: a tuple that is a prefix of another sorts first.
 *
 * Invariants:
 * 1. For accepted keys a and b, sign(compareBytes(encode(a), encode(b))) is the sign of their
 *    natural order: by type rank, then numerically (numbers, bigints, Dates), by code point
 *    (strings; a lone surrogate counts as its own code point), bytewise (Uint8Array), or
 *    element by element with a prefix first (arrays).
 * 2. decode(encode(x)) deep-equals x, except that -0 decodes as 0 and a Buffer decodes as a
 *    plain Uint8Array. Every JS string round-trips, lone surrogates included (WTF-8).
 * 3. Anything else (NaN, an invalid Date, null, undefined, objects, symbols, functions, other
 *    typed arrays, sparse array holes, nesting deeper than 64) throws CodecError.
 * 4. Encodings are prefix-free inside tuples, so decoding is unambiguous.
 */
import { CodecError, allocBytes, copyBytes, describeType } from '../util/index.js';
import type { KeyCodec } from './codec.js';
import { readOrderedDouble, writeOrderedDouble } from './ordered-double.js';
import { readString, stringByteLength, stringToBytes, writeString } from './string-bytes.js';

/** Every key `codecs.key` accepts: a scalar or a (nested) tuple of scalars. */
export type KeyValue =
  | number
  | bigint
  | string
  | boolean
  | Date
  | Uint8Array
  | readonly KeyValue[];

const TAG_END = 0x00;
const TAG_FALSE = 0x01;
const TAG_TRUE = 0x02;
const TAG_NUMBER = 0x10;
const TAG_BIGINT_NEGATIVE = 0x20;
const TAG_BIGINT_ZERO = 0x21;
const TAG_BIGINT_POSITIVE = 0x22;
const TAG_DATE = 0x30;
const TAG_STRING = 0x40;
const TAG_BYTES = 0x50;
const TAG_TUPLE = 0x60;

/** Inside a tuple: 0x00 0xFF is a literal 0x00 byte, 0x00 0x01 ends a string or byte body. */
const ESCAPE_ZERO = 0xff;
const ESCAPE_END = 0x01;

/** Deepest tuple nesting accepted: stops a cyclic array from recursing without end. */
const TUPLE_DEPTH_MAX = 64;

const ACCEPTED =
  'codecs.key accepts number, bigint, string, boolean, Date, Uint8Array and arrays of these';
const ADVICE =
  'pass a key codec in the options (e.g. { key: myKeyCodec }): a KeyCodec with ' +
  'orderPreserving: true that maps your keys to bytes in their order, or codecs.uint32, ' +
  'codecs.float64, codecs.string, codecs.bytes (codecs.json is not order preserving)';

/** A growable byte buffer for keys that are not a top-level string or number. */
class KeyWriter {
  bytes = new Uint8Array(32);
  length = 0;

  ensure(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(needed, this.bytes.length * 2));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  byte(value: number): void {
    this.ensure(1);
    this.bytes[this.length++] = value;
  }

  finish(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

/** Encodes a key. Complexity: O(encoded size). */
export function encodeKey(value: KeyValue): Uint8Array {
  if (typeof value === 'string') return encodeTopString(value);
  if (typeof value === 'number') return encodeTopNumber(value, value);
  if (value instanceof Uint8Array) {
    const target = allocBytes(value.length + 1);
    target[0] = TAG_BYTES;
    target.set(value, 1);
    return target;
  }
  const writer = new KeyWriter();
  writeElement(writer, value, 0, value);
  return writer.finish();
}

/** The hot path: tag + raw bytes, with a plain char loop while the string is ASCII. */
function encodeTopString(text: string): Uint8Array {
  const target = allocBytes(text.length + 1);
  return writeTopAscii(text, target) ? target : encodeTopStringSlow(text);
}

/** Writes the encoding of `text` into `target` when it is ASCII; false (partly written) if not. */
function writeTopAscii(text: string, target: Uint8Array): boolean {
  const length = text.length;
  target[0] = TAG_STRING;
  for (let i = 0; i < length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0x80) return false;
    target[i + 1] = unit;
  }
  return true;
}

function encodeTopStringSlow(text: string): Uint8Array {
  const target = allocBytes(stringByteLength(text) + 1);
  target[0] = TAG_STRING;
  const end = writeString(text, target, 1);
  return end === target.length ? target : target.slice(0, end);
}

function encodeTopNumber(value: number, root: unknown): Uint8Array {
  const target = allocBytes(9);
  writeTopNumber(value, root, target);
  return target;
}

function writeTopNumber(value: number, root: unknown, target: Uint8Array): void {
  if (value !== value) throw rejectNaN(root);
  target[0] = TAG_NUMBER;
  writeOrderedDouble(value, target, 1);
}

/** Where `encodeKeyTransient` writes, with a view of every length it can return. */
const SCRATCH_BYTES = 256;
const scratch = new Uint8Array(SCRATCH_BYTES);
const scratchViews = Array.from({ length: SCRATCH_BYTES + 1 }, (_, n) => scratch.subarray(0, n));

/**
 * `encodeKey` for a key needed only until the engine call it is passed to returns (a point
 * get, set, has or delete): a number or a short ASCII string is written into one shared
 * scratch buffer, and the view returned is overwritten by the next call. Other keys are
 * encoded as `encodeKey` does. Complexity: O(encoded size), no allocation on the fast path.
 */
export function encodeKeyTransient(value: KeyValue): Uint8Array {
  if (typeof value === 'number') {
    writeTopNumber(value, value, scratch);
    return scratchViews[9]!;
  }
  if (typeof value === 'string' && value.length < SCRATCH_BYTES && writeTopAscii(value, scratch)) {
    return scratchViews[value.length + 1]!;
  }
  return encodeKey(value);
}

function writeElement(writer: KeyWriter, value: unknown, depth: number, root: unknown): void {
  switch (typeof value) {
    case 'number':
      if (value !== value) throw rejectNaN(root);
      writer.ensure(9);
      writer.bytes[writer.length] = TAG_NUMBER;
      writeOrderedDouble(value, writer.bytes, writer.length + 1);
      writer.length += 9;
      return;
    case 'string':
      writer.byte(TAG_STRING);
      writeEscapedString(writer, value);
      return;
    case 'boolean':
      writer.byte(value ? TAG_TRUE : TAG_FALSE);
      return;
    case 'bigint':
      writeBigint(writer, value);
      return;
    case 'object':
      writeObject(writer, value, depth, root);
      return;
    default:
      throw rejectType(value, depth, root);
  }
}

function writeObject(writer: KeyWriter, value: object | null, depth: number, root: unknown): void {
  if (value instanceof Date) {
    const time = value.getTime();
    if (time !== time) {
      throw new CodecError('cannot encode an invalid Date (getTime() is NaN) as a key', root);
    }
    writer.ensure(9);
    writer.bytes[writer.length] = TAG_DATE;
    writeOrderedDouble(time, writer.bytes, writer.length + 1);
    writer.length += 9;
  } else if (value instanceof Uint8Array) {
    writer.byte(TAG_BYTES);
    writeEscapedBytes(writer, value);
  } else if (Array.isArray(value)) {
    if (depth >= TUPLE_DEPTH_MAX) {
      throw new CodecError(
        `cannot encode a key with tuples nested deeper than ${TUPLE_DEPTH_MAX} ` +
          '(is the array cyclic?)',
        root,
      );
    }
    writer.byte(TAG_TUPLE);
    const items = value as readonly unknown[];
    for (let i = 0; i < items.length; i++) writeElement(writer, items[i], depth + 1, root);
    writer.byte(TAG_END);
  } else {
    throw rejectType(value, depth, root);
  }
}

function writeEscapedString(writer: KeyWriter, text: string): void {
  if (text.indexOf('\0') < 0) {
    writer.ensure(stringByteLength(text) + 2);
    writer.length = writeString(text, writer.bytes, writer.length);
    writer.bytes[writer.length++] = TAG_END;
    writer.bytes[writer.length++] = ESCAPE_END;
    return;
  }
  writeEscapedBytes(writer, stringToBytes(text));
}

function writeEscapedBytes(writer: KeyWriter, source: Uint8Array): void {
  writer.ensure(source.length * 2 + 2);
  const bytes = writer.bytes;
  let at = writer.length;
  for (let i = 0; i < source.length; i++) {
    const value = source[i]!;
    bytes[at++] = value;
    if (value === 0) bytes[at++] = ESCAPE_ZERO;
  }
  bytes[at++] = TAG_END;
  bytes[at++] = ESCAPE_END;
  writer.length = at;
}

function writeBigint(writer: KeyWriter, value: bigint): void {
  if (value === 0n) {
    writer.byte(TAG_BIGINT_ZERO);
    return;
  }
  const negative = value < 0n;
  let hex = (negative ? -value : value).toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const magnitude = Buffer.from(hex, 'hex');
  const byteCount = magnitude.length;
  const countBytes =
    byteCount < 0x100 ? 1 : byteCount < 0x10000 ? 2 : byteCount < 0x1000000 ? 3 : 4;
  const flip = negative ? 0xff : 0x00;
  writer.ensure(2 + countBytes + byteCount);
  const bytes = writer.bytes;
  let at = writer.length;
  bytes[at++] = negative ? TAG_BIGINT_NEGATIVE : TAG_BIGINT_POSITIVE;
  bytes[at++] = countBytes ^ flip;
  for (let k = countBytes - 1; k >= 0; k--) {
    bytes[at++] = ((byteCount >>> (8 * k)) & 0xff) ^ flip;
  }
  for (let i = 0; i < byteCount; i++) bytes[at++] = magnitude[i]! ^ flip;
  writer.length = at;
}

function rejectNaN(root: unknown): CodecError {
  return new CodecError(
    'cannot encode NaN as a key: NaN has no place in key order (map NaN to a value of your ' +
      'choice, or use codecs.float64, which orders NaN after Infinity)',
    root,
  );
}

function rejectType(value: unknown, depth: number, root: unknown): CodecError {
  const what = depth === 0 ? 'a key' : 'a tuple element of a key';
  return new CodecError(
    `cannot encode ${describeType(value)} as ${what}: ${ACCEPTED}. For other keys, ${ADVICE}`,
    root,
  );
}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

/** Read position while decoding. */
interface KeyReader {
  readonly bytes: Uint8Array;
  offset: number;
}

/** Decodes a key written by `encodeKey`. Complexity: O(encoded size). */
export function decodeKey(bytes: Uint8Array): KeyValue {
  const tag = bytes[0];
  if (tag === TAG_STRING) return readString(bytes, 1, bytes.length);
  if (tag === TAG_NUMBER && bytes.length === 9) return readOrderedDouble(bytes, 1);
  if (tag === TAG_BYTES) return copyBytes(bytes.subarray(1));
  const reader: KeyReader = { bytes, offset: 0 };
  const value = readElement(reader, 0);
  if (reader.offset !== bytes.length) throw malformed(reader, 'trailing bytes after the key');
  return value;
}

function readElement(reader: KeyReader, depth: number): KeyValue {
  const { bytes } = reader;
  if (reader.offset >= bytes.length) throw malformed(reader, 'the key ends early');
  const tag = bytes[reader.offset++]!;
  switch (tag) {
    case TAG_FALSE:
      return false;
    case TAG_TRUE:
      return true;
    case TAG_NUMBER:
      return readDouble(reader);
    case TAG_BIGINT_NEGATIVE:
      return -readMagnitude(reader, 0xff);
    case TAG_BIGINT_ZERO:
      return 0n;
    case TAG_BIGINT_POSITIVE:
      return readMagnitude(reader, 0x00);
    case TAG_DATE:
      return new Date(readDouble(reader));
    case TAG_STRING: {
      const body = readEscaped(reader);
      return readString(body, 0, body.length);
    }
    case TAG_BYTES:
      return readEscaped(reader);
    case TAG_TUPLE:
      return readTuple(reader, depth);
    default:
      throw malformed(reader, `unknown tag 0x${tag.toString(16)}`);
  }
}

function readDouble(reader: KeyReader): number {
  if (reader.offset + 8 > reader.bytes.length) throw malformed(reader, 'a number is cut short');
  const value = readOrderedDouble(reader.bytes, reader.offset);
  reader.offset += 8;
  return value;
}

function readMagnitude(reader: KeyReader, flip: number): bigint {
  const { bytes } = reader;
  const countBytes = (bytes[reader.offset] ?? 0) ^ flip;
  if (countBytes < 1 || countBytes > 4) throw malformed(reader, 'bad bigint length');
  let byteCount = 0;
  for (let k = 1; k <= countBytes; k++) {
    byteCount = byteCount * 256 + ((bytes[reader.offset + k] ?? 0) ^ flip);
  }
  const start = reader.offset + 1 + countBytes;
  if (byteCount === 0 || start + byteCount > bytes.length) {
    throw malformed(reader, 'a bigint is cut short');
  }
  const magnitude = Buffer.alloc(byteCount);
  for (let i = 0; i < byteCount; i++) magnitude[i] = bytes[start + i]! ^ flip;
  reader.offset = start + byteCount;
  return BigInt(`0x${magnitude.toString('hex')}`);
}

/** Reads an escaped string or byte body and its 0x00 0x01 end; returns a fresh array. */
function readEscaped(reader: KeyReader): Uint8Array {
  const { bytes } = reader;
  const start = reader.offset;
  let zero = bytes.indexOf(0, start);
  if (zero >= 0 && bytes[zero + 1] === ESCAPE_END) {
    reader.offset = zero + 2;
    return copyBytes(bytes.subarray(start, zero));
  }
  const parts: number[] = [];
  let at = start;
  for (;;) {
    if (zero < 0 || zero + 1 >= bytes.length) throw malformed(reader, 'unterminated string');
    for (let i = at; i < zero; i++) parts.push(bytes[i]!);
    const marker = bytes[zero + 1];
    if (marker === ESCAPE_END) break;
    if (marker !== ESCAPE_ZERO) throw malformed(reader, 'bad escape in a string');
    parts.push(0);
    at = zero + 2;
    zero = bytes.indexOf(0, at);
  }
  reader.offset = zero + 2;
  return Uint8Array.from(parts);
}

function readTuple(reader: KeyReader, depth: number): KeyValue[] {
  if (depth >= TUPLE_DEPTH_MAX) throw malformed(reader, 'tuples nested too deep');
  const items: KeyValue[] = [];
  for (;;) {
    if (reader.offset >= reader.bytes.length) throw malformed(reader, 'unterminated tuple');
    if (reader.bytes[reader.offset] === TAG_END) {
      reader.offset++;
      return items;
    }
    items.push(readElement(reader, depth + 1));
  }
}

function malformed(reader: KeyReader, reason: string): CodecError {
  return new CodecError(`malformed key bytes (${reason}, near offset ${reader.offset})`);
}

/** The default key codec (see the format table at the top of this file). */
export const keyCodec: KeyCodec<KeyValue> = Object.freeze({
  orderPreserving: true,
  encode: encodeKey,
  decode: decodeKey,
});

/** `keyCodec` encoding into scratch space (`encodeKeyTransient`), for point operations. */
export const transientKeyCodec: KeyCodec<KeyValue> = Object.freeze({
  orderPreserving: true,
  encode: encodeKeyTransient,
  decode: decodeKey,
});
