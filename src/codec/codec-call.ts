/**
 * Calling a codec from the engine side: every failure becomes a `CodecError` that names what
 * was being encoded and carries the user key and the original error as `cause`.
 *
 * Layer: codec (rank 1). Imports util only.
 *
 * Invariants:
 * 1. `encodeOrThrow` returns a `Uint8Array` or throws `CodecError`; nothing else escapes,
 *    except `AssertionError`, which marks a bug in Stowage and is never wrapped.
 * 2. When a `key` is given the thrown `CodecError` has `.key === key`.
 * 3. A `CodecError` the codec threw keeps its message; only a missing key is filled in.
 */
import {
  AssertionError, CodecError, describeError, describeType, describeValue,
} from '../util/index.js';
import type { Codec } from './codec.js';

/** Which side of a record a codec call is for. */
export type CodecRole = 'key' | 'value';

/**
 * Encodes `value` with `codec`, reporting any failure as `CodecError`.
 * @param what whether `value` is a key or a value (used in the message).
 * @param key the user key the record belongs to; defaults to `value` when `what` is 'key'.
 */
export function encodeOrThrow<T>(
  codec: Codec<T>,
  value: T,
  what: CodecRole,
  key?: unknown,
): Uint8Array {
  const userKey = key === undefined && what === 'key' ? value : key;
  let bytes: unknown;
  try {
    bytes = codec.encode(value);
  } catch (error) {
    throw toCodecError(error, 'encode', what, userKey);
  }
  if (!(bytes instanceof Uint8Array)) {
    throw new CodecError(
      `the ${what} codec's encode returned ${describeType(bytes)}, not a Uint8Array` +
        keySuffix(userKey),
      userKey,
    );
  }
  return bytes;
}

/**
 * Decodes `bytes` with `codec`, reporting any failure as `CodecError`.
 * @param key the user key the record belongs to, when known.
 */
export function decodeOrThrow<T>(
  codec: Codec<T>,
  bytes: Uint8Array,
  what: CodecRole,
  key?: unknown,
): T {
  try {
    return codec.decode(bytes);
  } catch (error) {
    throw toCodecError(error, 'decode', what, key);
  }
}

function toCodecError(
  error: unknown,
  operation: 'encode' | 'decode',
  what: CodecRole,
  key: unknown,
): Error {
  if (isInstance(error, AssertionError)) return error;
  if (isInstance(error, CodecError)) {
    if (key === undefined || error.key !== undefined) return error;
    return new CodecError(error.message, key, { cause: error.cause ?? error });
  }
  const reason = describeError(error);
  return new CodecError(
    `the ${what} codec failed to ${operation}${keySuffix(key)}: ${reason}`,
    key,
    { cause: error },
  );
}

/** `instanceof` that a thrown proxy whose traps throw cannot make throw. */
function isInstance<T>(value: unknown, type: abstract new (...args: never[]) => T): value is T {
  try {
    return value instanceof type;
  } catch {
    return false;
  }
}

function keySuffix(key: unknown): string {
  return key === undefined ? '' : ` (key ${describeValue(key)})`;
}
