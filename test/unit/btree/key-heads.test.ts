/**
 * Key heads (the derived per-page search index) must answer exactly as a plain binary search
 * over full keys. A tree with the default order (which uses heads) is compared with one
 * ordered by an explicit byte comparator (which does not), on keys built to stress heads:
 * long shared prefixes, keys that are prefixes of others, zero bytes, empty keys.
 *
 * Strategy: fast-check draws key sets and probe keys; both trees get the same puts and
 * deletes, with gets in between; every probe's `get`, and cursor `seekRange`, must agree;
 * verify passes. Values of a few bytes leave too many keys per page for the frame's derived
 * area (the index is an object); longer ones let it fit there, heads only or with item
 * offsets: the test checks that each of the three homes was used.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareBytes } from '../../../src/util/index.js';
import { BtreeCursor } from '../../../src/am/btree/index.js';
import { type IndexHome, indexHome } from '../../../src/am/btree/key-heads.js';
import type { BtreeFixture } from '../../support/btree-fixture.js';
import { openBtreeFixture } from '../../support/btree-fixture.js';
import { propertySeed, scaled } from '../../support/seed.js';

const byteArb = fc.constantFrom(0, 1, 0x61, 0x62, 0xff);
const keyArb = fc.tuple(fc.constantFrom('', 'user:', 'user:0000', 'user:00001'),
  fc.array(byteArb, { maxLength: 9 }))
  .map(([prefix, tail]) => new Uint8Array([...Buffer.from(prefix), ...tail]));

/** Counts the index homes of the fixture's resident pages into `homes`. */
function countHomes(fixture: BtreeFixture, homes: Map<IndexHome, number>): void {
  for (const frame of fixture.file.mp.frames.values()) {
    const home = indexHome(frame);
    homes.set(home, (homes.get(home) ?? 0) + 1);
  }
}

describe('key heads', () => {
  const homes = new Map<IndexHome, number>();

  it.each([
    { pageSize: 512, valueBytes: 1 },
    { pageSize: 4096, valueBytes: 1 },
    { pageSize: 512, valueBytes: 40 },
    { pageSize: 1024, valueBytes: 90 },
  ])('search exactly like a full binary search ($pageSize-byte pages, $valueBytes-byte values)',
    ({ pageSize, valueBytes }) => {
      const seed = propertySeed(`key heads ${pageSize} ${valueBytes}`);
      fc.assert(fc.property(
        fc.array(keyArb, { minLength: 1, maxLength: 400, size: 'max' }),
        fc.array(keyArb, { minLength: 1, maxLength: 60 }),
        (keys, probes) => {
          const heads = openBtreeFixture({ pageSize });
          const plain = openBtreeFixture({ pageSize, compare: compareBytes });
          keys.forEach((k, i) => {
            const v = new Uint8Array(valueBytes).fill(i & 255);
            heads.tree.put(k, v);
            plain.tree.put(k, v);
            if (i % 7 === 3) {
              heads.tree.del(keys[i >> 1]!);
              plain.tree.del(keys[i >> 1]!);
            }
            // Searches between changes: indexes (and internal pages' child numbers) are
            // built, then must be rebuilt after each change.
            for (const k of [keys[i >> 2]!, keys[(i * 7) % (i + 1)]!]) {
              expect(heads.tree.get(k)).toEqual(plain.tree.get(k));
            }
          });
          const a = new BtreeCursor(heads.tree);
          const b = new BtreeCursor(plain.tree);
          for (const p of [...probes, ...keys.slice(0, 40)]) {
            expect(heads.tree.get(p)).toEqual(plain.tree.get(p));
            expect(a.seekRange(p)).toBe(b.seekRange(p));
            if (a.current()) expect(a.key()).toEqual(b.key());
          }
          countHomes(heads, homes);
          a.close();
          b.close();
          heads.check();
          plain.check();
        }), { seed, numRuns: scaled(40) });
    });

  it('used every home for an index', () => {
    expect(homes.get('area-pairs') ?? 0).toBeGreaterThan(0);
    expect(homes.get('area-heads') ?? 0).toBeGreaterThan(0);
    expect(homes.get('object') ?? 0).toBeGreaterThan(0);
  });
});
