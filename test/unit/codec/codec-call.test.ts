/**
 * Examples for `encodeOrThrow`/`decodeOrThrow` and the codec type guards: every failure of
 * any codec reaches the caller as a CodecError carrying the key and the original cause.
 */
import { describe, expect, it } from 'vitest';
import {
  codecs,
  decodeOrThrow,
  encodeOrThrow,
  isCodec,
  isKeyCodec,
  type Codec,
} from '../../../src/codec/index.js';
import { AssertionError, CodecError } from '../../../src/util/index.js';
import { thrownBy } from '../../support/thrown.js';

const failure = new TypeError('user codec exploded');
const throwingCodec: Codec<unknown> = {
  encode: () => {
    throw failure;
  },
  decode: () => {
    throw failure;
  },
};

describe('encodeOrThrow / decodeOrThrow', () => {
  it('returns what the codec returns', () => {
    expect(encodeOrThrow(codecs.key, 'k', 'key')).toEqual(codecs.key.encode('k'));
    expect(decodeOrThrow(codecs.key, codecs.key.encode(7), 'key')).toBe(7);
  });

  it('wraps a user codec throw into CodecError with key and cause', () => {
    const error = thrownBy(() => encodeOrThrow(throwingCodec, { v: 1 }, 'value', 'user:1'));
    expect(error).toBeInstanceOf(CodecError);
    const codecError = error as CodecError;
    expect(codecError.code).toBe('CODEC');
    expect(codecError.key).toBe('user:1');
    expect(codecError.cause).toBe(failure);
    expect(codecError.message).toMatch(/value codec failed to encode/);
    expect(codecError.message).toMatch(/user:1/);
    expect(codecError.message).toMatch(/user codec exploded/);

    const decodeError = thrownBy(() =>
      decodeOrThrow(throwingCodec, Uint8Array.of(1), 'value', 'user:2')) as CodecError;
    expect(decodeError).toBeInstanceOf(CodecError);
    expect(decodeError.key).toBe('user:2');
    expect(decodeError.cause).toBe(failure);
  });

  it('uses the value itself as the key of a failing key encode', () => {
    const error = thrownBy(() => encodeOrThrow(throwingCodec, 'the-key', 'key')) as CodecError;
    expect(error.key).toBe('the-key');
  });

  it('fills the key into a CodecError that lacks one and keeps its message', () => {
    const error = thrownBy(() => encodeOrThrow(codecs.value, () => 1, 'value', 'k9'));
    expect(error).toBeInstanceOf(CodecError);
    expect((error as CodecError).key).toBe('k9');
    expect((error as CodecError).message).toMatch(/structured-clonable/);
    const objectKey = { a: 1 } as never;
    const keyError = thrownBy(() => encodeOrThrow(codecs.key, objectKey, 'key')) as CodecError;
    expect(keyError.key).toBe(objectKey);
  });

  it('reports NaN, object and undefined keys with helpful messages', () => {
    const nan = thrownBy(() => encodeOrThrow(codecs.key, Number.NaN, 'key')) as CodecError;
    expect(nan).toBeInstanceOf(CodecError);
    expect(nan.message).toMatch(/NaN/);
    for (const bad of [{ id: 1 }, undefined]) {
      const error = thrownBy(() => encodeOrThrow(codecs.key, bad as never, 'key')) as CodecError;
      expect(error).toBeInstanceOf(CodecError);
      expect(error.message).toMatch(/key codec/);
    }
  });

  it('rejects a codec that returns something other than a Uint8Array', () => {
    const sloppy: Codec<string> = { encode: (v) => v as unknown as Uint8Array, decode: String };
    const error = thrownBy(() => encodeOrThrow(sloppy, 'x', 'key')) as CodecError;
    expect(error).toBeInstanceOf(CodecError);
    expect(error.message).toMatch(/not a Uint8Array/);
    expect(error.key).toBe('x');
  });

  it('never wraps an AssertionError (a Stowage bug)', () => {
    const buggy: Codec<number> = {
      encode: () => {
        throw new AssertionError('bug');
      },
      decode: () => 0,
    };
    expect(thrownBy(() => encodeOrThrow(buggy, 1, 'value'))).toBeInstanceOf(AssertionError);
  });
});

describe('isCodec / isKeyCodec', () => {
  it('recognise codec shapes', () => {
    const plain = { encode: () => new Uint8Array(), decode: () => 1 };
    expect(isCodec(plain)).toBe(true);
    expect(isKeyCodec(plain)).toBe(false);
    expect(isKeyCodec({ ...plain, orderPreserving: false })).toBe(true);
    expect(isCodec(null)).toBe(false);
    expect(isCodec({ encode: 1, decode: () => 1 })).toBe(false);
    expect(isKeyCodec(codecs.classOf(class Empty {}))).toBe(false);
  });
});
