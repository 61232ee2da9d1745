/**
 * `keyRange` (Berkeley DB's DB->key_range, BT-10): keys 1..100 put as big-endian u32, the
 * share of keys before 50 is about 0.49; exact in a tree with record numbers and with
 * duplicates, estimated (within a few percent) without.
 */
import { describe, expect, it } from 'vitest';
import { keyRange } from '../../../src/am/btree/index.js';
import { openBtreeFixture } from '../../support/btree-fixture.js';

const be = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};

describe('keyRange', () => {
  it('estimates the share of keys before a key in a plain tree', () => {
    const fx = openBtreeFixture({ pageSize: 512 });
    for (let n = 1; n <= 100; n++) fx.tree.put(be(n), new Uint8Array(20));
    const r = keyRange(fx.tree, be(50));
    expect(r.less).toBeGreaterThan(0.44);
    expect(r.less).toBeLessThan(0.54);
    expect(r.equal).toBeGreaterThan(0);
    expect(r.less + r.equal + r.greater).toBeCloseTo(1, 9);
    expect(keyRange(fx.tree, be(1000)).equal).toBe(0);
    fx.check();
    fx.close();
  });

  it('is exact with record numbers', () => {
    const fx = openBtreeFixture({ pageSize: 512, config: { recordNumbers: true } });
    for (let n = 1; n <= 100; n++) fx.tree.put(be(n), new Uint8Array(20));
    expect(keyRange(fx.tree, be(50))).toEqual({ less: 0.49, equal: 0.01, greater: 0.5 });
    expect(keyRange(fx.tree, be(0))).toEqual({ less: 0, equal: 0, greater: 1 });
    fx.check();
    fx.close();
  });

  it('counts every duplicate with sorted duplicates', () => {
    const fx = openBtreeFixture({ pageSize: 512, config: { duplicates: 'sorted' } });
    for (let n = 1; n <= 10; n++) {
      for (let d = 0; d < 10; d++) fx.tree.put(be(n), be(d));
    }
    expect(keyRange(fx.tree, be(5))).toEqual({ less: 0.4, equal: 0.1, greater: 0.5 });
    expect(keyRange(fx.tree, be(11)).greater).toBe(0);
    fx.check();
    fx.close();
  });

  it('answers zeros for an empty tree', () => {
    const fx = openBtreeFixture({ pageSize: 512 });
    expect(keyRange(fx.tree, be(1))).toEqual({ less: 0, equal: 0, greater: 0 });
    fx.close();
  });
});
