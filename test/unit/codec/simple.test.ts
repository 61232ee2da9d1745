/**
 * Examples for the small codecs: `json`, `string`, `bytes`, `uint32`, `float64`.
 */
import { describe, expect, it } from 'vitest';
import { codecs, isKeyCodec } from '../../../src/codec/index.js';
import { CodecError, compareBytes } from '../../../src/util/index.js';
import { thrownBy } from '../../support/thrown.js';

describe('which built-in codecs are KeyCodecs', () => {
  it('marks the order-preserving ones', () => {
    for (const codec of [codecs.key, codecs.string, codecs.bytes, codecs.uint32, codecs.float64]) {
      expect(isKeyCodec(codec)).toBe(true);
      expect((codec as { orderPreserving: boolean }).orderPreserving).toBe(true);
    }
    expect(isKeyCodec(codecs.json)).toBe(false);
    expect(isKeyCodec(codecs.value)).toBe(false);
  });
});

describe('codecs.json', () => {
  it('writes JSON text in UTF-8 and reads it back', () => {
    const input = { a: [1, 'é', null], b: { c: true } };
    const bytes = codecs.json.encode(input);
    expect(Buffer.from(bytes).toString('utf8')).toBe(JSON.stringify(input));
    expect(codecs.json.decode(bytes)).toEqual(input);
    expect(codecs.json.decode(codecs.json.encode('\ud800'))).toBe('\ud800');
  });

  it('rejects what JSON cannot hold, and malformed text', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    for (const bad of [undefined, () => 1, 5n, cyclic]) {
      expect(thrownBy(() => codecs.json.encode(bad))).toBeInstanceOf(CodecError);
    }
    expect(thrownBy(() => codecs.json.decode(Uint8Array.of(0x7b)))).toBeInstanceOf(CodecError);
  });
});

describe('codecs.string', () => {
  it('is strict UTF-8 in code point order', () => {
    expect(codecs.string.encode('é')).toEqual(Uint8Array.of(0xc3, 0xa9));
    expect(codecs.string.decode(codecs.string.encode('a\u{1F600}'))).toBe('a\u{1F600}');
    const low = codecs.string.encode('\uffff');
    const high = codecs.string.encode('\u{10000}');
    expect(compareBytes(low, high)).toBeLessThan(0);
  });

  it('rejects lone surrogates, non-strings and invalid UTF-8', () => {
    const error = thrownBy(() => codecs.string.encode('ab\ud800'));
    expect((error as CodecError).message).toMatch(/lone surrogate at index 2/);
    expect(thrownBy(() => codecs.string.encode(5 as unknown as string))).toBeInstanceOf(CodecError);
    for (const bytes of [Uint8Array.of(0xff), Uint8Array.of(0xed, 0xa0, 0x80)]) {
      expect(thrownBy(() => codecs.string.decode(bytes))).toBeInstanceOf(CodecError);
    }
  });
});

describe('codecs.bytes', () => {
  it('encodes as is and decodes a fresh copy, as a Buffer', () => {
    const input = Uint8Array.of(1, 2, 3);
    expect(codecs.bytes.encode(input)).toBe(input);
    const stored = Buffer.from([4, 5]);
    const output = codecs.bytes.decode(stored);
    expect(output).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(output)).toBe(true);
    stored.fill(0);
    expect([...output]).toEqual([4, 5]);
  });

  it('rejects anything that is not a Uint8Array', () => {
    for (const bad of ['ab', [1, 2], new Uint16Array(1)]) {
      const error = thrownBy(() => codecs.bytes.encode(bad as unknown as Uint8Array));
      expect(error).toBeInstanceOf(CodecError);
    }
  });
});

describe('codecs.uint32', () => {
  it('writes 4 big-endian bytes in numeric order', () => {
    expect(codecs.uint32.encode(0x01020304)).toEqual(Uint8Array.of(1, 2, 3, 4));
    const values = [0, 1, 255, 256, 65535, 0x7fffffff, 0x80000000, 0xffffffff];
    for (const v of values) expect(codecs.uint32.decode(codecs.uint32.encode(v))).toBe(v);
    for (let i = 0; i + 1 < values.length; i++) {
      const a = codecs.uint32.encode(values[i]!);
      const b = codecs.uint32.encode(values[i + 1]!);
      expect(compareBytes(a, b)).toBeLessThan(0);
    }
  });

  it('rejects non-integers, out-of-range values and bad records', () => {
    for (const bad of [-1, 1.5, 2 ** 32, NaN, Infinity, '1', 1n]) {
      const error = thrownBy(() => codecs.uint32.encode(bad as number));
      expect(error).toBeInstanceOf(CodecError);
    }
    expect(thrownBy(() => codecs.uint32.decode(Uint8Array.of(1, 2)))).toBeInstanceOf(CodecError);
  });
});

describe('codecs.float64', () => {
  it('writes 8 bytes in numeric order, -0 as 0 and NaN last', () => {
    const values = [-Infinity, -1, -5e-324, 0, 5e-324, 1, Infinity, NaN];
    for (let i = 0; i + 1 < values.length; i++) {
      const a = codecs.float64.encode(values[i]!);
      const b = codecs.float64.encode(values[i + 1]!);
      expect(compareBytes(a, b)).toBeLessThan(0);
    }
    expect(codecs.float64.encode(-0)).toEqual(codecs.float64.encode(0));
    expect(Number.isNaN(codecs.float64.decode(codecs.float64.encode(NaN)))).toBe(true);
    expect(codecs.float64.decode(codecs.float64.encode(-2.75))).toBe(-2.75);
  });

  it('rejects non-numbers and bad records', () => {
    expect(thrownBy(() => codecs.float64.encode('1' as unknown as number)))
      .toBeInstanceOf(CodecError);
    expect(thrownBy(() => codecs.float64.decode(new Uint8Array(9)))).toBeInstanceOf(CodecError);
  });
});
