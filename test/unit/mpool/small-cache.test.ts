/**
 * The page cache works with far more data than it can hold: 100 MB of records through a
 * 1 MB cache, with eviction and dirty write-back all the way, then everything read back.
 * Also checks the cache's statistics and invariants.
 */
import { describe, expect, it } from 'vitest';
import { Environment, codecs } from '../../../src/index.js';
import { tempDir } from '../../support/temp-dir.js';

describe('a cache far smaller than the data', () => {
  it('stores and reads back 100 MB through a 1 MB cache', () => {
    const env = Environment.open(tempDir(), {
      cacheSize: 1 << 20, transactional: true, durability: 'none', logFileSize: 32 << 20,
    });
    const map = env.openMap<number, Uint8Array>('big', { value: codecs.bytes });
    const recordBytes = 1000;
    const count = 100_000;
    const value = (i: number) => new Uint8Array(recordBytes).fill(i % 251);
    for (let start = 0; start < count; start += 10_000) {
      env.transaction(() => {
        for (let i = start; i < start + 10_000; i++) map.set((i * 7919) % count, value(i));
      });
    }
    expect(map.size).toBe(count);
    let seen = 0;
    for (const [k, v] of map) {
      expect(k).toBe(seen);
      expect(v.length).toBe(recordBytes);
      expect(v[0]).toBe(inverse(k, count) % 251);
      seen++;
    }
    expect(seen).toBe(count);
    const stat = env.stat().cache;
    expect(stat.bytesResident).toBeLessThanOrEqual(1 << 20);
    expect(stat.evictions).toBeGreaterThan(20_000);
    expect(stat.dirtyEvictions).toBeGreaterThan(1000);
    expect(map.db.verify().errors).toEqual([]);
    env.checkInvariants();
    env.close();
  });
});

/** The i with (i * 7919) % n === k: keys were written in a permuted order. */
function inverse(k: number, n: number): number {
  // 7919 is prime and coprime with n = 100000; find its inverse once.
  inverse.cache ??= modInverse(7919, n);
  return (k * inverse.cache) % n;
}
inverse.cache = undefined as number | undefined;

function modInverse(a: number, m: number): number {
  let [oldR, r] = [a, m];
  let [oldS, s] = [1, 0];
  while (r !== 0) {
    const q = Math.floor(oldR / r);
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}
