/**
 * Examples for `codecs.value`: the tagged fast paths, structured clone through `node:v8`,
 * class preservation of byte arrays, no aliasing of the input, and the errors.
 */
import { describe, expect, it } from 'vitest';
import { codecs } from '../../../src/codec/index.js';
import { CodecError } from '../../../src/util/index.js';
import { thrownBy } from '../../support/thrown.js';

const value = codecs.value;

function roundTrip<T>(input: T): T {
  return value.decode(value.encode(input)) as T;
}

describe('codecs.value', () => {
  it('round-trips primitives through one-tag fast paths', () => {
    for (const input of ['', 'hello', '\u{1F600}\u00e9', '\ud800x', 0, -0, 1.5, NaN, -Infinity,
      true, false, null, undefined]) {
      expect(Object.is(roundTrip(input), input)).toBe(true);
    }
    expect(value.encode('abc')).toEqual(Uint8Array.of(0x01, 0x61, 0x62, 0x63));
    expect(value.encode(undefined).length).toBe(1);
    expect(value.encode(2.5).length).toBe(9);
  });

  it('round-trips structured values', () => {
    const input = {
      text: 'x', list: [1, 'two', [3n]], when: new Date(1234), map: new Map<unknown, unknown>([
        ['a', 1], [2, { deep: new Set([1, 2]) }]]),
      set: new Set(['s']), big: -(2n ** 100n), none: undefined, nothing: null,
      pattern: /ab+c/gi, floats: new Float64Array([1.5, -0]), words: new Uint16Array([7]),
      error: new RangeError('boom'),
    };
    const output = roundTrip(input);
    expect(output).toStrictEqual(input);
    expect(output.error).toBeInstanceOf(RangeError);
    expect(output.floats).toBeInstanceOf(Float64Array);
    expect(output.map.get(2)).toEqual({ deep: new Set([1, 2]) });
  });

  it('keeps shared and cyclic references', () => {
    const shared = { n: 1 };
    const input: Record<string, unknown> = { a: shared, b: shared };
    input['self'] = input;
    const output = roundTrip(input);
    expect(output['a']).toBe(output['b']);
    expect(output['self']).toBe(output);
  });

  it('returns a Uint8Array as a Uint8Array and a Buffer as a Buffer, top-level or nested', () => {
    const bytes = roundTrip(Uint8Array.of(1, 2));
    expect(bytes.constructor).toBe(Uint8Array);
    expect(bytes).toEqual(Uint8Array.of(1, 2));
    const buffer = roundTrip(Buffer.from([3]));
    expect(Buffer.isBuffer(buffer)).toBe(true);
    expect([...buffer]).toEqual([3]);
    const nested = roundTrip({ bytes: Uint8Array.of(4), buffer: Buffer.from([5]) });
    expect(nested.bytes.constructor).toBe(Uint8Array);
    expect(Buffer.isBuffer(nested.buffer)).toBe(true);
  });

  it('decodes results that do not alias the record bytes', () => {
    for (const input of [Uint8Array.of(7, 7), { inner: Uint8Array.of(7, 7) }]) {
      const record = value.encode(input);
      const page = new Uint8Array(record.length + 16);
      page.set(record, 8);
      const output = value.decode(page.subarray(8, 8 + record.length)) as unknown;
      page.fill(0);
      const bytes = output instanceof Uint8Array ? output : (output as { inner: Uint8Array }).inner;
      expect([...bytes]).toEqual([7, 7]);
    }
  });

  it('stores class instances as plain objects (structured clone semantics)', () => {
    class Point {
      constructor(readonly x: number) {}
      norm(): number {
        return Math.abs(this.x);
      }
    }
    const output = roundTrip(new Point(-2)) as unknown;
    expect(output).toEqual({ x: -2 });
    expect(output).not.toBeInstanceOf(Point);
  });

  it.each([
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['an object holding a function', { f: () => 1 }],
    ['a WeakMap', new WeakMap()],
  ])('rejects %s with CodecError', (_name, input) => {
    const error = thrownBy(() => value.encode(input));
    expect(error).toBeInstanceOf(CodecError);
    expect((error as CodecError).message).toMatch(/structured-clonable/);
    expect((error as CodecError).cause).toBeInstanceOf(Error);
  });

  it('rejects malformed records with CodecError', () => {
    for (const bytes of [new Uint8Array(), Uint8Array.of(0x02, 1), Uint8Array.of(0x05, 0),
      Uint8Array.of(0x77), Uint8Array.of(0xff, 0x0f, 0x99)]) {
      expect(thrownBy(() => value.decode(bytes))).toBeInstanceOf(CodecError);
    }
  });
});
