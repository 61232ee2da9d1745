import { describe, expect, it } from 'vitest';
import { openBtreeFixture } from '../../support/btree-fixture.js';
import { BtreeCursor } from '../../../src/am/btree/index.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);
const key = (i: number) => enc(`k${String(i).padStart(8, '0')}`);

describe('btree basics', () => {
  it('puts, gets and deletes through splits and merges with a tiny cache', () => {
    const fx = openBtreeFixture({ pageSize: 512, cacheSizeBytes: 16 * 1024 });
    const n = 3000;
    for (let i = 0; i < n; i++) expect(fx.tree.put(key(i), enc(`v${i}`))).toBe(true);
    fx.check();
    expect(fx.tree.count()).toBe(n);
    for (let i = 0; i < n; i += 7) expect(dec(fx.tree.get(key(i)))).toBe(`v${i}`);
    for (let i = 0; i < n; i += 2) expect(fx.tree.del(key(i))).toBe(true);
    fx.check();
    expect(fx.tree.count()).toBe(n / 2);
    for (let i = 1; i < n; i += 2) fx.tree.del(key(i));
    fx.check();
    expect(fx.tree.count()).toBe(0);
    expect(fx.pool.stat().evictions).toBeGreaterThan(0);
  });

  it('stores values bigger than a page on overflow chains and frees them', () => {
    const fx = openBtreeFixture({ pageSize: 512 });
    const big = new Uint8Array(5000).map((_, i) => i % 251);
    fx.tree.put(enc('big'), big);
    fx.tree.put(enc('small'), enc('x'));
    fx.check();
    expect(fx.tree.get(enc('big'))).toEqual(big);
    fx.tree.put(enc('big'), enc('now small'));
    fx.check();
    expect(dec(fx.tree.get(enc('big')))).toBe('now small');
    const r = fx.reopen();
    expect(dec(r.tree.get(enc('big')))).toBe('now small');
    r.check();
  });

  it('cursors walk in order both ways and survive deletes and inserts', () => {
    const fx = openBtreeFixture({ pageSize: 512 });
    for (let i = 0; i < 500; i += 2) fx.tree.put(key(i), enc(`v${i}`));
    const c = new BtreeCursor(fx.tree);
    const seen: string[] = [];
    for (let ok = c.first(); ok; ok = c.next()) {
      const k = dec(c.key())!;
      seen.push(k);
      const i = Number(k.slice(1));
      if (i === 100) {
        fx.tree.del(key(102));
        fx.tree.put(key(103), enc('new'));
        fx.tree.del(key(100));
        expect(c.current()).toBe(false);
      }
    }
    expect(seen).toContain(dec(key(103)));
    expect(seen).not.toContain(dec(key(102)));
    expect(seen.length).toBe(250 - 1 + 1);
    const back: string[] = [];
    for (let ok = c.last(); ok; ok = c.prev()) back.push(dec(c.key())!);
    expect(back).toEqual([...back].sort().reverse());
    c.close();
    fx.check();
  });
});
