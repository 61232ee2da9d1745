/**
 * The append hint (inserts in key order skip the descent) stays correct when the rightmost
 * leaf changes under it: splits, deletes of the tail (merges), aborted transactions whose
 * undo restores or frees pages, and clears.
 *
 * Strategy: fast-check draws rounds of "append a run of ascending keys", "delete the last
 * keys", "abort a round of appends", "clear"; every round is compared with a Map model and
 * the tree is verified.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Environment } from '../../../src/index.js';
import { MemFs } from '../../../src/os/index.js';
import { propertySeed, scaled } from '../../support/seed.js';

type Round =
  | { kind: 'append' | 'abortedAppend'; count: number; size: number }
  | { kind: 'deleteTail'; count: number }
  | { kind: 'clear' };

const roundArb: fc.Arbitrary<Round> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('append' as const),
    count: fc.integer({ min: 1, max: 120 }), size: fc.integer({ min: 1, max: 300 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('abortedAppend' as const),
    count: fc.integer({ min: 1, max: 120 }), size: fc.integer({ min: 1, max: 300 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deleteTail' as const),
    count: fc.integer({ min: 1, max: 80 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

describe('append hint', () => {
  it('keeps appends correct through splits, tail deletes, aborts and clears', () => {
    const seed = propertySeed('append hint');
    fc.assert(fc.property(fc.array(roundArb, { minLength: 1, maxLength: 25, size: 'max' }), (rounds) => {
      const env = Environment.open('/h', { fileSystem: new MemFs(), pageSize: 512 });
      const map = env.openMap<number, string>('m');
      const model = new Map<number, string>();
      let next = 0;
      for (const r of rounds) {
        if (r.kind === 'append' || r.kind === 'abortedAppend') {
          const txn = env.begin();
          for (let i = 0; i < r.count; i++) {
            const k = next++;
            map.set(k, 'v'.repeat((k % r.size) + 1));
            if (r.kind === 'append') model.set(k, 'v'.repeat((k % r.size) + 1));
          }
          if (r.kind === 'append') txn.commit();
          else txn.abort();
        } else if (r.kind === 'deleteTail') {
          const keys = [...model.keys()].sort((a, b) => a - b).slice(-r.count);
          for (const k of keys) {
            expect(map.delete(k)).toBe(true);
            model.delete(k);
          }
        } else {
          map.clear();
          model.clear();
        }
        expect(map.size).toBe(model.size);
      }
      expect([...map]).toEqual([...model].sort((a, b) => a[0] - b[0]));
      expect(map.db.verify().errors).toEqual([]);
      env.close();
    }), { seed, numRuns: scaled(40) });
  });
});
