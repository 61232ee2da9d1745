/**
 * The small fixed codecs: `json`, `string`, `bytes`, `uint32` and `float64`.
 *
 * Layer: codec (rank 1). Imports util only.
 *
 * | codec   | bytes                                 | KeyCodec, orderPreserving |
 * | ------- | ------------------------------------- | ------------------------- |
 * | json    | `JSON.stringify` text in UTF-8        | no (plain Codec)          |
 * | string  | strict UTF-8                          | yes: code point order     |
 * | bytes   | the bytes themselves                  | yes: byte order           |
 * | uint32  | 4 bytes, big-endian                   | yes: numeric order        |
 * | float64 | 8 bytes, ordered double               | yes: numeric order        |
 *
 * Invariants:
 * 1. Each codec rejects input outside its domain with CodecError before producing bytes.
 * 2. Each `decode` checks the shape of its input (length, UTF-8 validity, JSON syntax) and
 *    throws CodecError on a mismatch.
 * 3. `bytes.encode` returns its input as is (the engine copies what it stores);
 *    `bytes.decode` returns a fresh plain Uint8Array the caller may keep.
 * 4. `float64` writes -0 as 0 (one key, as in `Map`) and every NaN as one canonical NaN that
 *    sorts after +Infinity.
 */
import {
  CodecError, allocBytes, describeError, describeType, describeValue,
} from '../util/index.js';
import type { Codec, KeyCodec } from './codec.js';
import { readOrderedDouble, writeOrderedDouble } from './ordered-double.js';
import { firstLoneSurrogate, readStrictUtf8, readString, stringToBytes } from './string-bytes.js';

/**
 * JSON text in UTF-8. Only what JSON can hold survives: Dates become strings, `undefined`
 * properties vanish, Map/Set become `{}`. Typed `Codec<any>` so it fits any value type.
 */
export const jsonCodec: Codec<any> = Object.freeze({
  encode(value: unknown): Uint8Array {
    let text: string | undefined;
    try {
      text = JSON.stringify(value) as string | undefined;
    } catch (cause) {
      const reason = describeError(cause);
      throw new CodecError(`codecs.json cannot encode ${describeType(value)}: ${reason}`,
        undefined, { cause });
    }
    if (text === undefined) {
      throw new CodecError(`codecs.json cannot encode ${describeType(value)}: JSON has no ` +
        'representation for it (undefined, functions and symbols are not JSON)');
    }
    // JSON.stringify escapes lone surrogates, so the text is always valid UTF-8.
    return stringToBytes(text);
  },
  decode(bytes: Uint8Array): unknown {
    const text = readString(bytes, 0, bytes.length);
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw new CodecError('malformed JSON record', undefined, { cause });
    }
  },
});

/**
 * Strict UTF-8 text; byte order is code point order. A string with a lone surrogate is
 * rejected (strict UTF-8 cannot hold it): `codecs.key` and `codecs.value` store those.
 */
export const stringCodec: KeyCodec<string> = Object.freeze({
  orderPreserving: true,
  encode(value: string): Uint8Array {
    if (typeof value !== 'string') {
      throw new CodecError(`codecs.string encodes strings, not ${describeType(value)}`);
    }
    const lone = firstLoneSurrogate(value);
    if (lone >= 0) {
      throw new CodecError(
        `codecs.string writes strict UTF-8, which cannot hold the lone surrogate at index ` +
          `${lone} of ${describeValue(value)}; codecs.key and codecs.value store any JS string`,
      );
    }
    return stringToBytes(value);
  },
  decode(bytes: Uint8Array): string {
    return readStrictUtf8(bytes, 0, bytes.length);
  },
});

/**
 * Raw bytes, unchanged. Decoding gives a Node `Buffer` (a `Uint8Array` subclass) holding a
 * copy, as lmdb-js and better-sqlite3 do: it is what Node code expects of stored bytes, and
 * `Buffer.allocUnsafe` carves it from Node's pool, the cheapest allocation there is.
 */
export const bytesCodec: KeyCodec<Uint8Array> = Object.freeze({
  orderPreserving: true,
  encode(value: Uint8Array): Uint8Array {
    if (!(value instanceof Uint8Array)) {
      throw new CodecError(`codecs.bytes encodes Uint8Array values, not ${describeType(value)}`);
    }
    return value;
  },
  decode(bytes: Uint8Array): Uint8Array {
    const out = Buffer.allocUnsafe(bytes.length);
    out.set(bytes);
    return out;
  },
});

/** Unsigned 32-bit integers as 4 big-endian bytes. */
export const uint32Codec: KeyCodec<number> = Object.freeze({
  orderPreserving: true,
  encode(value: number): Uint8Array {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new CodecError(
        `codecs.uint32 encodes integers in 0..4294967295, not ${describeValue(value)}`,
      );
    }
    return Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
  },
  decode(bytes: Uint8Array): number {
    if (bytes.length !== 4) {
      throw new CodecError(`malformed uint32 record: ${bytes.length} bytes, expected 4`);
    }
    return ((bytes[0]! << 24) >>> 0) + (bytes[1]! << 16) + (bytes[2]! << 8) + bytes[3]!;
  },
});

/** Any double as 8 order-preserving bytes (see ordered-double.ts). */
export const float64Codec: KeyCodec<number> = Object.freeze({
  orderPreserving: true,
  encode(value: number): Uint8Array {
    if (typeof value !== 'number') {
      throw new CodecError(`codecs.float64 encodes numbers, not ${describeType(value)}`);
    }
    const target = allocBytes(8);
    writeOrderedDouble(value, target, 0);
    return target;
  },
  decode(bytes: Uint8Array): number {
    if (bytes.length !== 8) {
      throw new CodecError(`malformed float64 record: ${bytes.length} bytes, expected 8`);
    }
    return readOrderedDouble(bytes, 0);
  },
});
