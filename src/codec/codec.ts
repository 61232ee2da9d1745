/**
 * The codec contracts: how a typed key or value becomes bytes and back.
 *
 * Layer: codec (rank 1). Imports nothing.
 *
 * Invariants:
 * 1. `decode(encode(x))` equals `x` for every `x` the codec accepts (each codec documents its
 *    own notion of "equals", e.g. `-0` becomes `0` in key codecs).
 * 2. `encode` never keeps or changes its input; `decode` never keeps `bytes` (the engine may
 *    reuse that memory), so what it returns belongs to the caller.
 * 3. A codec reports bad input by throwing; `encodeOrThrow`/`decodeOrThrow` turn any throw
 *    into a `CodecError`.
 * 4. A `KeyCodec` with `orderPreserving: true` promises: the unsigned byte order of
 *    encodings equals the natural order of the values, and equal encodings mean equal keys.
 */

/** Turns values of type `T` into bytes and back. Any object with these two methods is one. */
export interface Codec<T> {
  /** The bytes of `value`. Throws (preferably `CodecError`) when `value` is not accepted. */
  encode(value: T): Uint8Array;
  /** The value whose encoding is `bytes`. Must not keep a reference to `bytes`. */
  decode(bytes: Uint8Array): T;
}

/** A codec for keys. Ordered containers (btree) need `orderPreserving: true`. */
export interface KeyCodec<T> extends Codec<T> {
  /**
   * True when unsigned byte order of encodings is the natural order of the keys, so range
   * queries, `first()`/`last()` and iteration follow key order. False: keys are only compared
   * for equality (fine for a hash-backed map) and iteration order is byte order.
   */
  readonly orderPreserving: boolean;
}

/** True when `candidate` has `encode` and `decode` methods. */
export function isCodec(candidate: unknown): candidate is Codec<unknown> {
  if (typeof candidate !== 'object' || candidate === null) return false;
  const shape = candidate as { encode?: unknown; decode?: unknown };
  try {
    return typeof shape.encode === 'function' && typeof shape.decode === 'function';
  } catch {
    return false; // a getter or proxy that throws: not a codec one can call
  }
}

/**
 * True when `candidate` is a codec that states its key order (`orderPreserving` is a
 * boolean). Whether the order is natural is `candidate.orderPreserving`.
 */
export function isKeyCodec(candidate: unknown): candidate is KeyCodec<unknown> {
  if (!isCodec(candidate)) return false;
  try {
    return typeof (candidate as { orderPreserving?: unknown }).orderPreserving === 'boolean';
  } catch {
    return false;
  }
}
