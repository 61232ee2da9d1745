/**
 * A key with 100,000 duplicates (sorted and unsorted): counting them, seeking one value and
 * deleting one value stay logarithmic. Proven by the page requests each operation makes
 * (the cache's `requests` counter), never by time: a scan of the set would request
 * hundreds of pages, these operations request a few dozen at most.
 */
import { describe, expect, it } from 'vitest';
import { BtreeCursor, countDups, type Duplicates } from '../../../src/am/btree/index.js';
import { openBtreeFixture } from '../../support/btree-fixture.js';

const be = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};
const KEY = new TextEncoder().encode('hot');
const VALUES = 100_000;
/** Pages a logarithmic operation may request on this tree (a few descents of ~4 levels). */
const LOGARITHMIC = 60;

describe.each<Duplicates>(['sorted', 'unsorted'])('a key with 100,000 %s duplicates', (dups) => {
  it('counts, seeks and deletes one value with a logarithmic number of page requests', () => {
    const fx = openBtreeFixture({ pageSize: 4096, cacheSizeBytes: 1 << 22,
      config: { duplicates: dups } });
    fx.tree.put(new TextEncoder().encode('a'), be(1));
    for (let v = 0; v < VALUES; v++) fx.tree.put(KEY, be(v));
    fx.tree.put(new TextEncoder().encode('z'), be(1));
    const requests = (): number => fx.pool.stat().requests;
    const cost = <T>(fn: () => T): [T, number] => {
      const before = requests();
      const result = fn();
      return [result, requests() - before];
    };
    const [count, countCost] = cost(() => countDups(fx.tree, KEY));
    expect(count).toBe(VALUES);
    expect(countCost).toBeLessThan(LOGARITHMIC);
    const c = new BtreeCursor(fx.tree);
    if (dups === 'sorted') {
      const [found, seekCost] = cost(() => c.seekBoth(KEY, be(77_777)));
      expect(found).toBe(true);
      expect(seekCost).toBeLessThan(LOGARITHMIC);
    } else {
      expect(c.seek(KEY)).toBe(true);
      for (let i = 0; i < 10; i++) c.next();
      expect(c.value()).toEqual(be(10));
    }
    const [deleted, delCost] = cost(() => c.del());
    expect(deleted).toBe(true);
    expect(delCost).toBeLessThan(LOGARITHMIC);
    expect(countDups(fx.tree, KEY)).toBe(VALUES - 1);
    expect(c.next()).toBe(true);
    expect(c.value()).toEqual(dups === 'sorted' ? be(77_778) : be(11));
    c.close();
    fx.check();
    fx.close();
  });
});
