/**
 * Hash addressing: Berkeley DB 5.3's default hash function, and extended linear hashing's
 * map from a hash to a bucket as the table grows one bucket at a time (Litwin).
 *
 * Layer: am/hash (rank 5). The first part of the hash access method (issue 10): with the
 * default settings a cursor must walk a hash database in the real library's order, which
 * is bucket by bucket, so both the function and the bucket map must be exactly its own.
 *
 * The table has buckets 0 .. `maxBucket`. `highMask` is the smallest 2^k - 1 at or above
 * `maxBucket`, and `lowMask` is `highMask >>> 1`. A hash h goes to `h & highMask`, or to
 * `h & lowMask` when that bucket does not exist yet.
 *
 * Invariants:
 * 1. `defaultHash` is the real library's `__ham_func5`: h starts at 0, and for each byte it
 *    is multiplied by 16777619 (mod 2^32), then xored with the byte.
 * 2. `bucketFor(h, m)` is in 0 .. m.maxBucket for every h.
 * 3. `grow` adds bucket `maxBucket + 1` and returns the bucket it splits: exactly the keys of
 *    that bucket whose bucket changes move, all of them to the new bucket; every other key
 *    keeps its bucket.
 */
import { InvalidArgumentError } from '../../util/index.js';

/** The three numbers of a hash table's meta page that place a key in a bucket. */
export interface BucketMasks {
  maxBucket: number;
  highMask: number;
  lowMask: number;
}

/** Berkeley DB 5.3's default hash of `bytes` (invariant 1). */
export function defaultHash(bytes: Uint8Array): number {
  let h = 0;
  for (let i = 0; i < bytes.length; i++) h = (Math.imul(h, 16777619) ^ bytes[i]!) >>> 0;
  return h;
}

/** The bucket of hash `hash` in a table with masks `m` (invariant 2). */
export function bucketFor(hash: number, m: BucketMasks): number {
  const bucket = (hash & m.highMask) >>> 0;
  return bucket > m.maxBucket ? (bucket & m.lowMask) >>> 0 : bucket;
}

/**
 * The masks of a new table of `buckets` buckets (a power of two, as the real library sizes
 * a new table: at least 2).
 */
export function initialMasks(buckets: number): BucketMasks {
  if (!Number.isInteger(buckets) || buckets < 2 || buckets > 2 ** 31 ||
    (buckets & (buckets - 1)) !== 0) {
    throw new InvalidArgumentError(
      `a new hash table has a power-of-two number of buckets from 2 to 2^31, got ${buckets}`);
  }
  const highMask = buckets - 1;
  return { maxBucket: highMask, highMask, lowMask: highMask >>> 1 };
}

/**
 * Adds one bucket to the table (a split), updating `m`; returns the bucket whose keys the
 * new one, `m.maxBucket` after the call, takes a share of (invariant 3).
 */
export function grow(m: BucketMasks): number {
  const added = m.maxBucket + 1;
  if (added > 0xffffffff) throw new InvalidArgumentError('a hash table holds at most 2^32 buckets');
  const split = (added & m.lowMask) >>> 0;
  m.maxBucket = added;
  if (added > m.highMask) {
    m.lowMask = m.highMask;
    m.highMask = (added | m.lowMask) >>> 0;
  }
  return split;
}
