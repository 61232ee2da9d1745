/**
 * The codec layer (rank 1): how typed keys and values become bytes. Other layers import
 * codecs only through this file.
 *
 * Layer: codec (rank 1). Imports util only.
 *
 * Invariants:
 * 1. `codecs.key`, `codecs.string`, `codecs.bytes`, `codecs.uint32` and `codecs.float64` are
 *    KeyCodecs with `orderPreserving: true`; `codecs.value` and `codecs.json` are plain
 *    Codecs (their byte order means nothing).
 * 2. Every built-in codec reports bad input as `CodecError`; `encodeOrThrow`/`decodeOrThrow`
 *    extend that to user codecs.
 */
import { classOf, type ClassCodec, type ClassCodecOptions } from './class-codec.js';
import type { Codec, KeyCodec } from './codec.js';
import { keyCodec, transientKeyCodec, type KeyValue } from './key-order.js';
import { bytesCodec, float64Codec, jsonCodec, stringCodec, uint32Codec } from './simple.js';
import { valueCodec } from './value.js';

export type { Codec, KeyCodec } from './codec.js';
export { isCodec, isKeyCodec } from './codec.js';
export { encodeOrThrow, decodeOrThrow, type CodecRole } from './codec-call.js';
export type { KeyValue } from './key-order.js';
export type { ClassCodec, ClassCodecOptions } from './class-codec.js';

/** The built-in codecs. */
export interface Codecs {
  /** Default key codec: order-preserving numbers, bigints, strings, booleans, Dates, bytes
   *  and tuples of these (key-order.ts has the format and the type rank). */
  readonly key: KeyCodec<KeyValue>;
  /** Default value codec: any structured-clonable value (value.ts). */
  readonly value: Codec<any>;
  /** JSON text in UTF-8; not order preserving. */
  readonly json: Codec<any>;
  /** Strict UTF-8 strings, in code point order. */
  readonly string: KeyCodec<string>;
  /** Raw bytes, unchanged, in byte order; decodes to a `Buffer` copy. */
  readonly bytes: KeyCodec<Uint8Array>;
  /** Unsigned 32-bit integers, 4 bytes big-endian, in numeric order. */
  readonly uint32: KeyCodec<number>;
  /** Doubles, 8 bytes, in numeric order (-0 is 0; NaN sorts last). */
  readonly float64: KeyCodec<number>;
  /** Instances of `type` through class-transformer, with a schema version (class-codec.ts). */
  classOf<T extends object>(
    type: new (...args: any[]) => T,
    options?: ClassCodecOptions,
  ): ClassCodec<T>;
}

/** The built-in codecs: `codecs.key`, `codecs.value`, `codecs.classOf(User)`... */
export const codecs: Codecs = Object.freeze({
  key: keyCodec,
  value: valueCodec,
  json: jsonCodec,
  string: stringCodec,
  bytes: bytesCodec,
  uint32: uint32Codec,
  float64: float64Codec,
  classOf,
});

/**
 * @internal The codec to encode a key with when the bytes are needed only until the engine
 * call they are passed to returns (point operations): for `codecs.key`, one that writes
 * common keys into shared scratch space instead of allocating; any other codec as it is.
 */
export function pointKeyCodec<T>(codec: Codec<T>): Codec<T> {
  if (codec !== (keyCodec as Codec<unknown>)) return codec;
  return transientKeyCodec as Codec<unknown> as Codec<T>;
}
