/**
 * Property tests of `codecs.key` (and `codecs.float64`) against a reference comparator.
 *
 * Strategy: draw pairs of keys, per type (numbers incl. -0, ±Infinity and subnormals; bigints
 * up to ~600 bits; strings from full UTF-16 incl. lone surrogates, from astral-rich code
 * points, and from a tiny alphabet that forces shared prefixes and 0x00 bytes; Dates; byte
 * arrays rich in 0x00/0xFF) and mixed (scalars and nested tuples), and compare the byte order
 * of their encodings with `naturalCompare` written here from the documented type rank.
 *
 * Invariants:
 * 1. sign(compareBytes(encode(a), encode(b))) === sign(naturalCompare(a, b)).
 * 2. decode(encode(a)) deep-equals a, with -0 read as 0 and Buffers as plain Uint8Arrays.
 * 3. The scratch-space encoder of point operations gives the same bytes as `encode`.
 *
 * Seed: FC_SEED (printed); runs: FC_RUNS (default 300 per property).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codecs, type KeyValue, pointKeyCodec } from '../../src/codec/index.js';
import { compareBytes } from '../../src/util/index.js';

const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);
const numRuns = Number(process.env['FC_RUNS'] ?? 300);
console.log('fast-check seed', seed);

const key = codecs.key;

/** The documented type rank: false < true < number < bigint < Date < string < bytes < array. */
function rank(value: KeyValue): number {
  if (value === false) return 0;
  if (value === true) return 1;
  if (typeof value === 'number') return 2;
  if (typeof value === 'bigint') return 3;
  if (value instanceof Date) return 4;
  if (typeof value === 'string') return 5;
  if (value instanceof Uint8Array) return 6;
  return 7;
}

function compareCodePoints(a: string, b: string): number {
  const left = Array.from(a, (c) => c.codePointAt(0)!);
  const right = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    if (left[i] !== right[i]) return left[i]! - right[i]!;
  }
  return left.length - right.length;
}

function compareScalar<T extends number | bigint>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function naturalCompare(a: KeyValue, b: KeyValue): number {
  const rankDelta = rank(a) - rank(b);
  if (rankDelta !== 0) return rankDelta;
  if (typeof a === 'number') return compareScalar(a, b as number);
  if (typeof a === 'bigint') return compareScalar(a, b as bigint);
  if (typeof a === 'string') return compareCodePoints(a, b as string);
  if (a instanceof Date) return compareScalar(a.getTime(), (b as Date).getTime());
  if (a instanceof Uint8Array) {
    return Buffer.compare(Buffer.from(a), Buffer.from(b as Uint8Array));
  }
  if (typeof a === 'boolean') return 0;
  const left = a;
  const right = b as readonly KeyValue[];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const order = naturalCompare(left[i]!, right[i]!);
    if (order !== 0) return order;
  }
  return left.length - right.length;
}

/** What decode gives back for `value`: -0 as 0, Buffers as plain Uint8Arrays. */
function normalised(value: KeyValue): KeyValue {
  if (typeof value === 'number') return value === 0 ? 0 : value;
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return (value as readonly KeyValue[]).map(normalised);
  return value;
}

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

const numberKey = fc.oneof(
  fc.double({ noNaN: true }),
  fc.constantFrom(-0, 0, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE,
    2 ** -1022, -(2 ** -1022), Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1),
  fc.integer({ min: -1000, max: 1000 }),
);
const bigintKey = fc.oneof(
  fc.bigInt({ min: -(2n ** 600n), max: 2n ** 600n }),
  fc.bigInt({ min: -300n, max: 300n }),
);
const utf16String = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 12 })
  .map((units) => String.fromCharCode(...units));
const prefixString = fc.string({
  unit: fc.constantFrom('a', 'b', '\0', '\u0001', '\u00ff', '\ud800', '\udc00', '\uffff', '😀'),
  maxLength: 6,
});
const stringKey = fc.oneof(fc.string({ unit: 'binary' }), utf16String, prefixString);
const dateKey = fc.date({ noInvalidDate: true });
const bytesKey = fc.oneof(
  fc.uint8Array({ maxLength: 12 }),
  fc.array(fc.constantFrom(0, 1, 255), { maxLength: 6 }).map((b) => Uint8Array.from(b)),
  fc.uint8Array({ maxLength: 6 }).map((b) => Buffer.from(b)),
);
const scalarKey: fc.Arbitrary<KeyValue> = fc.oneof(
  fc.boolean(), numberKey, bigintKey, stringKey, dateKey, bytesKey,
);
const { tuple: tupleKey } = fc.letrec<{ tuple: KeyValue[]; item: KeyValue }>((tie) => ({
  tuple: fc.array(tie('item'), { maxLength: 4 }),
  item: fc.oneof({ depthSize: 'small' }, scalarKey, scalarKey, tie('tuple')),
}));
const anyKey: fc.Arbitrary<KeyValue> = fc.oneof(scalarKey, tupleKey);

function checkPair(a: KeyValue, b: KeyValue): void {
  const byteOrder = sign(compareBytes(key.encode(a), key.encode(b)));
  expect(byteOrder).toBe(sign(naturalCompare(a, b)));
}

function checkRoundTrip(a: KeyValue): void {
  expect(key.decode(key.encode(a))).toEqual(normalised(a));
}

const cases: [string, fc.Arbitrary<KeyValue>][] = [
  ['numbers', numberKey],
  ['bigints', bigintKey],
  ['strings', stringKey],
  ['Dates', dateKey],
  ['byte arrays', bytesKey],
  ['mixed scalars', scalarKey],
  ['tuples', tupleKey],
  ['anything', anyKey],
];

describe('codecs.key order and round trip', () => {
  for (const [name, arbitrary] of cases) {
    it(`byte order equals natural order for ${name}`, () => {
      fc.assert(fc.property(arbitrary, arbitrary, (a, b) => checkPair(a, b)), { seed, numRuns });
    });

    it(`decode(encode(x)) equals x for ${name}`, () => {
      fc.assert(fc.property(arbitrary, (a) => checkRoundTrip(a)), { seed, numRuns });
    });
  }

  it('tuples sharing a prefix compare like their tails', () => {
    fc.assert(
      fc.property(tupleKey, tupleKey, tupleKey, (prefix, a, b) => {
        checkPair([...prefix, ...a], [...prefix, ...b]);
        checkPair([...prefix, a], [...prefix, b]);
      }),
      { seed, numRuns },
    );
  });

  it('a top-level string round-trips and sorts like its nested form', () => {
    fc.assert(
      fc.property(stringKey, stringKey, (a, b) => {
        const topLevel = sign(compareBytes(key.encode(a), key.encode(b)));
        const nested = sign(compareBytes(key.encode([a]), key.encode([b])));
        expect(topLevel).toBe(nested);
        expect(key.decode(key.encode(a))).toBe(a);
      }),
      { seed, numRuns },
    );
  });
});

describe('point-operation key encoding (scratch space)', () => {
  const point = pointKeyCodec(key);
  const longAscii = fc.string({ minLength: 250, maxLength: 300, unit: 'grapheme-ascii' });

  it('is a different encoder for codecs.key and the same codec for any other', () => {
    expect(point).not.toBe(key);
    expect(pointKeyCodec(codecs.string)).toBe(codecs.string);
  });

  it('gives the bytes encode gives, for every kind of key and length', () => {
    fc.assert(fc.property(fc.oneof(anyKey, longAscii), (a) => {
      expect(Array.from(point.encode(a))).toEqual(Array.from(key.encode(a)));
    }), { seed, numRuns });
  });

  it('rejects NaN like encode does', () => {
    expect(() => point.encode(Number.NaN)).toThrow(/NaN/);
  });
});

describe('codecs.float64 order', () => {
  it('byte order equals numeric order and round-trips', () => {
    fc.assert(
      fc.property(numberKey, numberKey, (a, b) => {
        const order = compareBytes(codecs.float64.encode(a), codecs.float64.encode(b));
        expect(sign(order)).toBe(sign(compareScalar(a, b)));
        expect(codecs.float64.decode(codecs.float64.encode(a))).toBe(a === 0 ? 0 : a);
      }),
      { seed, numRuns },
    );
  });
});
