/**
 * Hash addressing (am/hash/addressing.ts): the default hash function's arithmetic, and
 * linear hashing's bucket map as the table grows one bucket at a time: every hash lands in
 * an existing bucket, and a split moves keys only out of the bucket it splits, only into
 * the new bucket. (test/compat/hash-order.test.ts checks both against the real library.)
 *
 * Layer: test (unit, hash).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  type BucketMasks, bucketFor, defaultHash, grow, initialMasks,
} from '../../../src/am/hash/index.js';
import { InvalidArgumentError } from '../../../src/util/index.js';
import { propertySeed, scaled } from '../../support/seed.js';

/** The hash by its definition, in exact integer arithmetic (BigInt). */
function reference(bytes: Uint8Array): number {
  let h = 0n;
  for (const b of bytes) h = ((h * 16777619n) % 2n ** 32n) ^ BigInt(b);
  return Number(h);
}

describe('defaultHash', () => {
  it('is 0 for no bytes and the byte itself for one byte', () => {
    expect(defaultHash(new Uint8Array(0))).toBe(0);
    expect(defaultHash(new Uint8Array([0x61]))).toBe(0x61);
    expect(defaultHash(new Uint8Array([0xff]))).toBe(0xff);
  });

  it('multiplies by 16777619 modulo 2^32, then xors each byte', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      expect(defaultHash(bytes)).toBe(reference(bytes));
    }), { seed: propertySeed('default hash'), numRuns: scaled(500) });
  });
});

describe('bucketFor and grow', () => {
  it('keep every hash in an existing bucket, and a split moves keys only to the new one', () => {
    fc.assert(fc.property(
      fc.constantFrom(2, 4, 16), fc.integer({ min: 1, max: 300 }),
      fc.array(fc.nat({ max: 0xffffffff }), { minLength: 1, maxLength: 200 }),
      (start, splits, hashes) => {
        const m: BucketMasks = initialMasks(start);
        let buckets = hashes.map((h) => bucketFor(h, m));
        for (let s = 0; s < splits; s++) {
          const split = grow(m);
          expect(m.highMask).toBeGreaterThanOrEqual(m.maxBucket);
          expect(m.lowMask).toBe(m.highMask >>> 1);
          const after = hashes.map((h) => bucketFor(h, m));
          after.forEach((b, i) => {
            expect(b).toBeLessThanOrEqual(m.maxBucket);
            if (b !== buckets[i]) expect([buckets[i], b]).toEqual([split, m.maxBucket]);
          });
          buckets = after;
        }
      }), { seed: propertySeed('bucket map'), numRuns: scaled(200) });
  });

  it('start from a power of two, as the real library sizes a new table', () => {
    expect(initialMasks(2)).toEqual({ maxBucket: 1, highMask: 1, lowMask: 0 });
    expect(initialMasks(8)).toEqual({ maxBucket: 7, highMask: 7, lowMask: 3 });
    for (const bad of [0, 1, 3, 6, 1.5, -2]) {
      expect(() => initialMasks(bad)).toThrow(InvalidArgumentError);
    }
  });

  it('splits bucket 0 into 2, then 1 into 3, from a two-bucket table', () => {
    const m = initialMasks(2);
    expect(grow(m)).toBe(0);
    expect(m).toEqual({ maxBucket: 2, highMask: 3, lowMask: 1 });
    expect(grow(m)).toBe(1);
    expect(m).toEqual({ maxBucket: 3, highMask: 3, lowMask: 1 });
    expect(grow(m)).toBe(0);
    expect(m).toEqual({ maxBucket: 4, highMask: 7, lowMask: 3 });
  });
});
