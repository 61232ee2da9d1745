/**
 * Property tests of the value-side codecs: `codecs.value` on arbitrary structured values,
 * `codecs.string`/`codecs.json` on arbitrary text, `codecs.uint32` order.
 *
 * Strategy: fast-check's `anything` with Map, Set, Date, bigint, typed arrays, sparse arrays,
 * boxed values and unicode strings, plus full UTF-16 strings with lone surrogates.
 *
 * Invariants:
 * 1. codecs.value: decode(encode(x)) is strictly equal in structure and class to x.
 * 2. codecs.string: round trip for every well-formed string; byte order = code point order.
 * 3. codecs.uint32: round trip and byte order = numeric order on 0..2^32-1.
 *
 * Seed: FC_SEED (printed); runs: FC_RUNS (default 300 per property).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codecs } from '../../src/codec/index.js';
import { compareBytes } from '../../src/util/index.js';

const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);
const numRuns = Number(process.env['FC_RUNS'] ?? 300);
console.log('fast-check seed', seed);

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

const structured = fc.anything({
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
  withBoxedValues: true,
  withUnicodeString: true,
  maxDepth: 4,
});
const utf16String = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 20 })
  .map((units) => String.fromCharCode(...units));

describe('codecs.value round trip', () => {
  it('keeps structure and classes of structured values', () => {
    fc.assert(
      fc.property(structured, (input) => {
        expect(codecs.value.decode(codecs.value.encode(input))).toStrictEqual(input);
      }),
      { seed, numRuns },
    );
  });

  it('keeps every JS string, numbers bit for bit and byte arrays', () => {
    fc.assert(
      fc.property(
        fc.oneof(utf16String, fc.string({ unit: 'binary' }), fc.double(), fc.uint8Array()),
        (input) => {
          const output = codecs.value.decode(codecs.value.encode(input));
          if (input instanceof Uint8Array) {
            expect(output).toStrictEqual(input);
          } else {
            expect(Object.is(output, input)).toBe(true);
          }
        },
      ),
      { seed, numRuns },
    );
  });
});

describe('codecs.string and codecs.json', () => {
  it('codecs.string round-trips well-formed strings in code point order', () => {
    const text = fc.string({ unit: 'binary' });
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(codecs.string.decode(codecs.string.encode(a))).toBe(a);
        const byteOrder = sign(compareBytes(codecs.string.encode(a), codecs.string.encode(b)));
        const pointsA = Array.from(a, (c) => c.codePointAt(0)!);
        const pointsB = Array.from(b, (c) => c.codePointAt(0)!);
        let expected = 0;
        for (let i = 0; i < Math.min(pointsA.length, pointsB.length) && expected === 0; i++) {
          expected = sign(pointsA[i]! - pointsB[i]!);
        }
        if (expected === 0) expected = sign(pointsA.length - pointsB.length);
        expect(byteOrder).toBe(expected);
      }),
      { seed, numRuns },
    );
  });

  it('codecs.json round-trips JSON values, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.jsonValue(), utf16String, (input, text) => {
        expect(codecs.json.decode(codecs.json.encode(input))).toEqual(
          JSON.parse(JSON.stringify(input)),
        );
        expect(codecs.json.decode(codecs.json.encode(text))).toBe(text);
      }),
      { seed, numRuns },
    );
  });
});

describe('codecs.uint32', () => {
  it('round-trips and keeps numeric order', () => {
    const uint = fc.nat({ max: 0xffffffff });
    fc.assert(
      fc.property(uint, uint, (a, b) => {
        expect(codecs.uint32.decode(codecs.uint32.encode(a))).toBe(a);
        const byteOrder = sign(compareBytes(codecs.uint32.encode(a), codecs.uint32.encode(b)));
        expect(byteOrder).toBe(sign(a - b));
      }),
      { seed, numRuns },
    );
  });
});
