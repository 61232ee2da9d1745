/**
 * Key runs (the derived index on leaves of a tree with duplicates) must answer exactly as
 * binary searches over full keys and values. A sorted-duplicate tree in byte order (which
 * uses runs) is compared with one given explicit byte comparators for keys and duplicates
 * (which does not), on keys built to stress the index: long shared prefixes, keys that are
 * prefixes of others, zero bytes, the empty key, keys on overflow chains; values of several
 * sizes so that some go to overflow chains.
 *
 * Strategy: fast-check draws pairs and probes; both trees get the same puts and pair deletes,
 * with counts and lookups in between (so indexes are built, then rebuilt after each change);
 * every probe's count, pair lookup, value list and cursor seekRange must agree, and verify
 * passes. The test checks that indexes were both built and refused (a leaf with a key on an
 * overflow chain, or too many runs for its area).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareBytes } from '../../../src/util/index.js';
import { BtreeAccess, BtreeCursor, countDups } from '../../../src/am/btree/index.js';
import { readDups } from '../../../src/am/btree/duplicates.js';
import { runsState } from '../../../src/am/btree/key-runs.js';
import { type BtreeFixture, openBtreeFixture } from '../../support/btree-fixture.js';
import { propertySeed, scaled } from '../../support/seed.js';

const byteArb = fc.constantFrom(0, 1, 0x61, 0xff);
const keyArb = fc.tuple(
  fc.constantFrom('', 'k', 'user:0000', 'user:00001', 'x'.repeat(140)),
  fc.array(byteArb, { maxLength: 6 }),
).map(([prefix, tail]) => new Uint8Array([...Buffer.from(prefix), ...tail]));
const valueArb = fc.tuple(fc.constantFrom(0, 1, 3, 200), fc.nat(255))
  .map(([size, fill]) => new Uint8Array(size).fill(fill));
const pairArb = fc.tuple(keyArb, valueArb);

type State = ReturnType<typeof runsState>;

/** Counts the index states of the fixture's resident pages into `states`. */
function countStates(fixture: BtreeFixture, states: Map<State, number>): void {
  for (const frame of fixture.file.mp.frames.values()) {
    const state = runsState(frame);
    states.set(state, (states.get(state) ?? 0) + 1);
  }
}

/** Checks that both trees answer the same for `key` (and the pair with `value`). */
function agree(runs: BtreeFixture, plain: BtreeFixture, key: Uint8Array, value: Uint8Array):
  void {
  const copy = (v: Uint8Array): Uint8Array => v.slice();
  expect(countDups(runs.tree, key)).toBe(countDups(plain.tree, key));
  expect(countDups(runs.tree, key)).toBe(countDups(runs.tree, key));
  expect(new BtreeAccess(runs.tree).hasPair(key, value))
    .toBe(new BtreeAccess(plain.tree).hasPair(key, value));
  expect(readDups(runs.tree, key, copy)).toEqual(readDups(plain.tree, key, copy));
}

describe('key runs', () => {
  const states = new Map<State, number>();

  it.each([{ pageSize: 512 }, { pageSize: 1024 }, { pageSize: 4096 }])(
    'search exactly like full binary searches ($pageSize-byte pages)', ({ pageSize }) => {
      const seed = propertySeed(`key runs ${pageSize}`);
      fc.assert(fc.property(
        fc.array(pairArb, { minLength: 1, maxLength: 500, size: 'max' }),
        fc.array(pairArb, { minLength: 1, maxLength: 40 }),
        (pairs, probes) => {
          const runs = openBtreeFixture({ pageSize, config: { duplicates: 'sorted' } });
          const plain = openBtreeFixture({ pageSize, config: {
            duplicates: 'sorted', compare: compareBytes, dupCompare: compareBytes,
          } });
          pairs.forEach(([k, v], i) => {
            new BtreeAccess(runs.tree).put(k, v, 0);
            new BtreeAccess(plain.tree).put(k, v, 0);
            if (i % 5 === 4) {
              const [dk, dv] = pairs[i >> 1]!;
              expect(new BtreeAccess(runs.tree).delPair(dk, dv))
                .toBe(new BtreeAccess(plain.tree).delPair(dk, dv));
            }
            const [pk, pv] = pairs[(i * 7) % (i + 1)]!;
            agree(runs, plain, pk, pv);
          });
          const a = new BtreeCursor(runs.tree);
          const b = new BtreeCursor(plain.tree);
          for (const [k, v] of [...probes, ...pairs.slice(0, 40)]) {
            agree(runs, plain, k, v);
            expect(a.seekRange(k)).toBe(b.seekRange(k));
            if (a.current()) expect([a.key(), a.value()]).toEqual([b.key(), b.value()]);
            expect(a.seekBothRange(k, v)).toBe(b.seekBothRange(k, v));
            if (a.current()) expect([a.key(), a.value()]).toEqual([b.key(), b.value()]);
          }
          countStates(runs, states);
          a.close();
          b.close();
          runs.check();
          plain.check();
        }), { seed, numRuns: scaled(30) });
    });

  it('built indexes on some leaves and refused them on others', () => {
    expect(states.get('runs') ?? 0).toBeGreaterThan(0);
    expect(states.get('refused') ?? 0).toBeGreaterThan(0);
  });
});
