/**
 * `checkBtreePage`, the one-page structure check of the STOWAGE_VERIFY tier: every page of a
 * tree with internal, leaf, overflow and free pages passes it, and each kind of damage a
 * page can carry alone is named; pages beyond the file's last page are not checked.
 */
import { describe, expect, it } from 'vitest';
import { openBtreeFixture } from '../../support/btree-fixture.js';
import { checkBtreePage } from '../../../src/am/btree/index.js';
import { META_PGNO, metaLast } from '../../../src/am/common/index.js';
import { PageType, getType } from '../../../src/page/index.js';
import { pgno, type Pgno } from '../../../src/util/index.js';

const enc = (s: string) => new TextEncoder().encode(s);
const key = (i: number) => enc(`k${String(i).padStart(8, '0')}`);

describe('checkBtreePage', () => {
  const fx = openBtreeFixture({ pageSize: 512, cacheSizeBytes: 64 * 1024 });
  for (let i = 0; i < 2000; i++) fx.tree.put(key(i), enc(i % 50 ? `v${i}` : 'big'.repeat(400)));
  for (let i = 0; i < 2000; i += 3) fx.tree.del(key(i));
  const mp = fx.file.mp;
  const meta = mp.get(META_PGNO);
  const last = metaLast(meta);
  mp.release(meta);
  const pagesOfType = new Map<number, Pgno[]>();
  for (let p = 0; p <= last; p++) {
    const frame = mp.get(pgno(p));
    const type = getType(frame);
    mp.release(frame);
    pagesOfType.set(type, [...pagesOfType.get(type) ?? [], pgno(p)]);
  }
  const first = (type: number) => pagesOfType.get(type)![0]!;

  /** Damages page `p` in the cache, runs the check, then puts the bytes back. */
  function damaged(p: Pgno, damage: (data: Uint8Array, view: DataView) => void): string[] {
    const frame = mp.get(p);
    const saved = frame.data.slice();
    try {
      damage(frame.data, new DataView(frame.data.buffer, frame.data.byteOffset));
      return checkBtreePage(fx.tree, p);
    } finally {
      frame.data.set(saved);
      mp.release(frame);
    }
  }

  it('passes every page of a well-formed tree, of every kind', () => {
    for (const type of [PageType.META, PageType.BTREE_INTERNAL, PageType.BTREE_LEAF,
      PageType.OVERFLOW, PageType.FREE]) {
      expect(pagesOfType.get(type)?.length ?? 0).toBeGreaterThan(0);
    }
    for (let p = 0; p <= last; p++) expect(checkBtreePage(fx.tree, pgno(p))).toEqual([]);
    fx.check();
  });

  it('names the damage a single page carries', () => {
    const leaf = first(PageType.BTREE_LEAF);
    const swapSlots = (data: Uint8Array) =>
      data.set([...data.slice(44, 48), ...data.slice(40, 44)], 40);
    expect(damaged(leaf, swapSlots).join()).toMatch(/items 0 and 1 out of order/);
    const moreGarbage = (_: Uint8Array, v: DataView) =>
      v.setUint32(32, v.getUint32(32, true) + 1, true);
    expect(damaged(leaf, moreGarbage).join()).toMatch(/garbage bytes/);
    const internal = first(PageType.BTREE_INTERNAL);
    const childOfSlot0 = (data: Uint8Array, v: DataView) =>
      v.setUint32(data[40]! | (data[41]! << 8), last + 5, true);
    expect(damaged(internal, childOfSlot0).join()).toMatch(/child 0 is page/);
    expect(damaged(leaf, (data) => { data[16] = 9; }).join()).toMatch(/type 9 inside the file/);
    expect(damaged(first(PageType.FREE), (_, v) => v.setUint32(28, last + 1, true)).join())
      .toMatch(/next link .* beyond the file/);
    expect(damaged(META_PGNO, (data) => { data[16] = PageType.FREE; }).join())
      .toMatch(/meta page is page 0/);
  });

  it('does not check pages beyond the last page', () => {
    expect(checkBtreePage(fx.tree, pgno(last + 1))).toEqual([]);
  });
});
