/**
 * Examples for `codecs.key`: the type rank, order inside each type, tuples, round trips and
 * the errors for keys it cannot order.
 */
import { describe, expect, it } from 'vitest';
import { codecs, type KeyValue } from '../../../src/codec/index.js';
import { CodecError, compareBytes } from '../../../src/util/index.js';
import { thrownBy } from '../../support/thrown.js';

const key = codecs.key;

function sign(value: number): number {
  return value < 0 ? -1 : value > 0 ? 1 : 0;
}

function expectAscending(keys: readonly KeyValue[]): void {
  const encoded = keys.map((k) => key.encode(k));
  for (let i = 0; i + 1 < encoded.length; i++) {
    const order = sign(compareBytes(encoded[i]!, encoded[i + 1]!));
    expect(order, `${String(keys[i])} < ${String(keys[i + 1])}`).toBe(-1);
  }
}

describe('codecs.key', () => {
  it('is an order-preserving key codec', () => {
    expect(key.orderPreserving).toBe(true);
  });

  it('orders mixed types by rank: false < true < number < bigint < Date < string < bytes < array',
    () => {
      expectAscending([
        false, true, -Infinity, 0, Infinity, -(10n ** 40n), 0n, 10n ** 40n, new Date(-1),
        new Date(8.64e15), '', 'zzz', new Uint8Array(), Uint8Array.of(255), [], [false],
      ]);
    });

  it('orders numbers numerically, with -0 the same key as 0', () => {
    expectAscending([
      -Infinity, -Number.MAX_VALUE, -1e10, -1.5, -1, -Number.MIN_VALUE, 0, Number.MIN_VALUE,
      2 ** -1022, 0.5, 1, 1.0000000000000002, 2 ** 53, Number.MAX_VALUE, Infinity,
    ]);
    expect(key.encode(-0)).toEqual(key.encode(0));
    expect(Object.is(key.decode(key.encode(-0)), 0)).toBe(true);
  });

  it('orders bigints of any size', () => {
    expectAscending([
      -(2n ** 2100n), -(2n ** 64n), -256n, -255n, -1n, 0n, 1n, 255n, 256n, 2n ** 64n,
      2n ** 2100n,
    ]);
    const huge = 3n ** 70000n;
    expect(key.decode(key.encode(huge))).toBe(huge);
    expect(key.decode(key.encode(-huge))).toBe(-huge);
  });

  it('orders strings by code point, not by UTF-16 code unit', () => {
    // '\uffff' < '\u{10000}' by code point, although its code unit 0xFFFF > 0xD800.
    expectAscending(['', '\0', '\0\0', 'a', 'a\0', 'ab', 'b', '\u00e9', '\ud7ff', '\ud800',
      '\udfff', '\ue000', '\uffff', '\u{10000}', '\u{10ffff}']);
  });

  it('round-trips lone surrogates (WTF-8)', () => {
    for (const text of ['\ud800', 'a\udc00b', '\udbff\udbff', '\udc00\ud800', 'x\ud83d']) {
      expect(key.decode(key.encode(text))).toBe(text);
      expect(key.decode(key.encode([text, 1]))).toEqual([text, 1]);
    }
  });

  it('writes a top-level ASCII string as one tag byte plus the raw bytes', () => {
    const encoded = key.encode('user:0000000042');
    expect(encoded.length).toBe(16);
    expect(Buffer.from(encoded.subarray(1)).toString('latin1')).toBe('user:0000000042');
    expect(key.decode(encoded)).toBe('user:0000000042');
  });

  it('orders Dates by time and byte arrays bytewise', () => {
    expectAscending([new Date(-8.64e15), new Date(-1), new Date(0), new Date(1)]);
    expectAscending([new Uint8Array(), Uint8Array.of(0), Uint8Array.of(0, 0), Uint8Array.of(1),
      Uint8Array.of(1, 0), Uint8Array.of(255)]);
  });

  it('orders tuples element by element, a prefix first', () => {
    expectAscending([
      [], [1], [1, 'a'], [1, 'a', 0], [1, 'a\0'], [1, 'ab'], [1, 'b'], [1, ['x']], [2],
      [2, Uint8Array.of(0)], [2, Uint8Array.of(0, 0)], [2, Uint8Array.of(1)], ['a'],
    ]);
    expectAscending([['a'], ['a', ''], ['a\0'], ['a\0', 'x'], ['a\u0001']]);
    expectAscending([[[]], [[], []], [[0]], [[0], 0], [[1]]]);
  });

  it('round-trips every kind of key', () => {
    const samples: KeyValue[] = [
      true, false, 0, -1.5, Infinity, -Infinity, 5e-324, 7n, -(2n ** 200n), 0n,
      new Date(1700000000000), '', 'hello', '\u{1F600}', Uint8Array.of(0, 1, 255),
      [], [1, 'a', [true, [new Date(5), Uint8Array.of(0)]], -3n], ['\0', Uint8Array.of(0, 0)],
    ];
    for (const sample of samples) expect(key.decode(key.encode(sample))).toEqual(sample);
  });

  it('accepts a Buffer and decodes it as a plain Uint8Array', () => {
    const decoded = key.decode(key.encode(Buffer.from([1, 2, 3])));
    expect(decoded).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(decoded)).toBe(false);
    expect(decoded).toEqual(Uint8Array.of(1, 2, 3));
    const nested = key.decode(key.encode([Buffer.from([0, 7])])) as KeyValue[];
    expect(Buffer.isBuffer(nested[0])).toBe(false);
    expect(nested[0]).toEqual(Uint8Array.of(0, 7));
  });

  it('decodes a copy that does not alias the encoded bytes', () => {
    const encoded = key.encode(Uint8Array.of(9, 9));
    const decoded = key.decode(encoded) as Uint8Array;
    encoded.fill(0);
    expect(decoded).toEqual(Uint8Array.of(9, 9));
  });

  it('rejects NaN with a CodecError that says why', () => {
    const error = thrownBy(() => key.encode(Number.NaN));
    expect(error).toBeInstanceOf(CodecError);
    expect((error as CodecError).message).toMatch(/NaN/);
    expect(thrownBy(() => key.encode([1, Number.NaN]))).toBeInstanceOf(CodecError);
  });

  it('rejects an invalid Date', () => {
    const error = thrownBy(() => key.encode(new Date(Number.NaN)));
    expect(error).toBeInstanceOf(CodecError);
    expect((error as CodecError).message).toMatch(/invalid Date/);
  });

  it.each([
    ['object', { id: 1 }, /object/],
    ['class instance', new Map(), /object \(Map\)/],
    ['undefined', undefined, /undefined/],
    ['null', null, /null/],
    ['symbol', Symbol('s'), /symbol/],
    ['function', () => 1, /function/],
    ['other typed array', new Uint16Array(2), /Uint16Array/],
  ])('rejects %s, naming the type and suggesting a key codec', (_name, bad, typeName) => {
    const error = thrownBy(() => key.encode(bad as unknown as KeyValue));
    expect(error).toBeInstanceOf(CodecError);
    const message = (error as CodecError).message;
    expect(message).toMatch(typeName);
    expect(message).toMatch(/key codec/);
    expect(message).toMatch(/codecs\.json is not order preserving/);
    expect((error as CodecError).key).toBe(bad);
  });

  it('rejects bad tuple elements: holes, objects, cycles', () => {
    const sparse: number[] = [1];
    sparse[2] = 2;
    expect(thrownBy(() => key.encode(sparse))).toBeInstanceOf(CodecError);
    const withObject = thrownBy(() => key.encode([1, {}] as unknown as KeyValue));
    expect((withObject as CodecError).message).toMatch(/tuple element/);
    const cyclic: unknown[] = [1];
    cyclic.push(cyclic);
    const error = thrownBy(() => key.encode(cyclic as KeyValue));
    expect(error).toBeInstanceOf(CodecError);
    expect((error as CodecError).message).toMatch(/nested deeper/);
  });

  it('rejects malformed bytes on decode with CodecError', () => {
    const bad = [
      new Uint8Array(), Uint8Array.of(0x99), Uint8Array.of(0x10, 1, 2), Uint8Array.of(0x60, 0x01),
      Uint8Array.of(0x60, 0x40, 0x61), Uint8Array.of(0x60, 0x40, 0x00, 0x07, 0x00),
      Uint8Array.of(0x22, 9), Uint8Array.of(0x22, 1, 5, 1), Uint8Array.of(0x01, 0x01),
    ];
    for (const bytes of bad) expect(thrownBy(() => key.decode(bytes))).toBeInstanceOf(CodecError);
  });
});
