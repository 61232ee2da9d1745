/**
 * Value heads (am/btree/value-heads.ts) must place a value exactly where the binary search
 * over the run's full values (search.ts `searchRun`) does: the same slot and the same
 * "found", for values below, inside and above the run's prefix, ending inside it, equal to
 * stored ones, and differing only past the head.
 *
 * Layer: test (unit, btree).
 *
 * Strategy: one key's sorted duplicates on a single leaf (a 4 KiB root leaf); fast-check
 * draws the stored values around a shared prefix and the probes; each probe is searched
 * twice before the comparison so the run is indexed (invariant 2), and the test checks it
 * was.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BtreeAccess, ROOT_PGNO } from '../../../src/am/btree/index.js';
import { AT_VALUE, DupTarget } from '../../../src/am/btree/dup-order.js';
import { searchRun, type SearchResult } from '../../../src/am/btree/search.js';
import { searchValueHeads, valueHeadsState } from '../../../src/am/btree/value-heads.js';
import { getSlotCount } from '../../../src/page/index.js';
import { openBtreeFixture } from '../../support/btree-fixture.js';
import { propertySeed, scaled } from '../../support/seed.js';

const KEY = new Uint8Array([7]);
const prefixArb = fc.constantFrom('', 'v', 'value:', 'value:0000');
const tailArb = fc.array(fc.constantFrom(0, 1, 0x30, 0x39, 0xff), { maxLength: 7 });
const valueArb = fc.tuple(prefixArb, tailArb)
  .map(([prefix, tail]) => new Uint8Array([...Buffer.from(prefix), ...tail]));

describe('value heads', () => {
  it('search a run exactly like the binary search over its values', () => {
    const seed = propertySeed('value heads');
    fc.assert(fc.property(
      fc.uniqueArray(valueArb, { minLength: 1, maxLength: 120, size: 'max',
        selector: (v) => Buffer.from(v).toString('hex') }),
      fc.array(valueArb, { minLength: 1, maxLength: 60 }),
      (stored, probes) => {
        const fx = openBtreeFixture({ pageSize: 4096, config: { duplicates: 'sorted' } });
        for (const v of stored) new BtreeAccess(fx.tree).put(KEY, v, 0);
        const leaf = fx.tree.pin(ROOT_PGNO);
        try {
          const end = getSlotCount(leaf);
          const target = new DupTarget();
          const viaHeads: SearchResult = { index: 0, found: false, item: -1 };
          const viaRun: SearchResult = { index: 0, found: false, item: -1 };
          for (const probe of [...probes, ...stored]) {
            searchValueHeads(leaf, 0, end, probe, viaHeads);
            expect(searchValueHeads(leaf, 0, end, probe, viaHeads)).toBe(true);
            searchRun(fx.tree, leaf, target.set(KEY, AT_VALUE, probe), 0, end, viaRun);
            expect([viaHeads.index, viaHeads.found], Buffer.from(probe).toString('hex'))
              .toEqual([viaRun.index, viaRun.found]);
          }
          expect(valueHeadsState(leaf)).toBe('indexed');
        } finally {
          fx.tree.unpin(leaf);
        }
        fx.check();
      }), { seed, numRuns: scaled(60) });
  });
});
