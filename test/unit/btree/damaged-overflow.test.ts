/**
 * An overflow chain whose pages hold more bytes than the item that names it records is
 * corruption, reported as `CorruptionError` naming the file and page (it was an untyped
 * `RangeError` from copying past the end of the value).
 */
import { describe, expect, it } from 'vitest';
import { openBtreeFixture } from '../../support/btree-fixture.js';
import { CorruptionError } from '../../../src/index.js';
import { PageType, getExtra, getType, setExtra } from '../../../src/page/index.js';
import { metaLast, overflowCapacity } from '../../../src/am/common/index.js';
import { pgno } from '../../../src/util/index.js';
import { thrownBy } from '../../support/thrown.js';

describe('btree: damaged overflow chains', () => {
  it('reports a chain page holding more than the value has left', () => {
    const fx = openBtreeFixture({ pageSize: 512 });
    const key = new TextEncoder().encode('big');
    fx.tree.put(key, new Uint8Array(2000).fill(7));
    const meta = fx.file.mp.get(pgno(0));
    const last = metaLast(meta);
    fx.file.mp.release(meta);
    let damaged = 0;
    for (let p = 1; p <= last; p++) {
      const frame = fx.file.mp.get(pgno(p));
      if (getType(frame) === PageType.OVERFLOW && getExtra(frame) < overflowCapacity(512)) {
        fx.file.mp.markDirty(frame);
        setExtra(frame, overflowCapacity(512)); // the chain's last page claims to be full
        damaged = p;
      }
      fx.file.mp.release(frame);
    }
    expect(damaged).toBeGreaterThan(0);
    const error = thrownBy(() => fx.tree.get(key));
    expect(error).toBeInstanceOf(CorruptionError);
    expect((error as CorruptionError).detail).toMatchObject({ pgno: damaged });
  });
});
