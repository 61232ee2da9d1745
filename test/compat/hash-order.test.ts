/**
 * The order in which the real Berkeley DB 5.3 walks a hash database with default settings,
 * against Stowage's hash addressing (am/hash/addressing.ts): bucket by bucket, in bucket
 * order, under the real library's default hash and linear hashing's bucket map. This is the
 * first fact the hash access method must reproduce for the conformance scripts (issue 10).
 *
 * Layer: test (compat).
 *
 * Strategy: seeded key sets go through the oracle (`put` each, then `dump`).
 * - Small sets stay in the two buckets of a new table, on one page each: the walk is
 *   exactly bucket 0 then bucket 1, and within a bucket the keys in the page's order, which
 *   is byte order over their common length, the longer key first when one is a prefix of the
 *   other (observed: "k10" before "k1", "ab" before "a", the empty key last).
 * - A large set splits the table many times: some bucket count makes the walk's buckets
 *   ascend, and every bucket up to it is used.
 * Without Perl's BerkeleyDB module the test is skipped with the reason, and fails in CI.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { type BucketMasks, bucketFor, defaultHash, initialMasks } from '../../src/am/hash/index.js';
import { probeOracle, runOracle } from './oracle-process.js';
import { tempDir } from '../support/temp-dir.js';
import { propertySeed } from '../support/seed.js';

const oracle = probeOracle();
const inCi = process.env['CI'] === 'true';

/** The keys of a `dump` of a hash database holding `keys`, from the real library. */
async function realWalk(keys: string[]): Promise<string[]> {
  const dir = tempDir();
  const script = path.join(dir, 'hash.jsonl');
  const lines = [{ op: 'open', type: 'hash' }, ...keys.map((key) => ({ op: 'put', key,
    data: 'v' })), { op: 'dump' }];
  fs.writeFileSync(script, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const run = await runOracle(script, path.join(dir, 'out.txt'));
  const dump = JSON.parse(run.lines[run.lines.length - 1]!) as { pairs: [string, string][] };
  return dump.pairs.map(([k]) => k);
}

const bytes = (k: string): Uint8Array => new TextEncoder().encode(k);

/** The page order of two keys of one bucket (see the file header). */
function pageOrder(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return b.length - a.length;
}

/** The walk Stowage's addressing predicts for a table with masks `m`, one page a bucket. */
function predictedWalk(keys: string[], m: BucketMasks): string[] {
  const bucket = (k: string) => bucketFor(defaultHash(bytes(k)), m);
  return [...keys].sort((a, b) => bucket(a) - bucket(b) || pageOrder(bytes(a), bytes(b)));
}

describe.skipIf(!oracle.available && !inCi)('hash walk order of the real library', () => {
  it('is available in CI', () => {
    expect(oracle.available, oracle.available ? '' : oracle.reason).toBe(true);
  });

  it('walks a new two-bucket table bucket 0 then 1, each in page order', async () => {
    const keyArb = fc.string({ maxLength: 6, unit: fc.constantFrom('a', 'b', 'k', '1', '0', 'z') });
    const sets = fc.sample(fc.uniqueArray(keyArb, { minLength: 1, maxLength: 24 }),
      { seed: propertySeed('hash walk small'), numRuns: 12 });
    for (const keys of sets) {
      expect(await realWalk(keys), JSON.stringify(keys)).toEqual(predictedWalk(keys,
        initialMasks(2)));
    }
  });

  it('walks a table split many times in ascending buckets, every bucket used', async () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `key:${(i * 7919) % 100003}`);
    const walk = (await realWalk(keys)).map((k) => defaultHash(bytes(k)));
    const fits: number[] = [];
    for (let max = 1; max < 4096; max++) {
      const m: BucketMasks = { maxBucket: max, highMask: 0, lowMask: 0 };
      m.highMask = 2 ** Math.ceil(Math.log2(max + 1)) - 1;
      m.lowMask = m.highMask >>> 1;
      const buckets = walk.map((h) => bucketFor(h, m));
      if (buckets.every((b, i) => i === 0 || b >= buckets[i - 1]!) &&
        new Set(buckets).size === max + 1) fits.push(max);
    }
    expect(fits.length, 'bucket counts under which the walk ascends').toBeGreaterThan(0);
    expect(fits[0]).toBeGreaterThan(8);
  });
});
