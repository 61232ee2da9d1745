/**
 * Key runs (the derived index on leaves of a tree with duplicates), separator heads (the
 * one on its internal pages), the parents' copies of key runs (child runs) and value heads
 * must answer exactly as binary searches over full keys and values. A tree with duplicates in byte order (which uses both) is compared with one given
 * explicit byte comparators for keys and duplicates (which uses neither), sorted and
 * unsorted, on keys built to stress the indexes: long shared prefixes, keys that are
 * prefixes of others, zero bytes, the empty key, keys on overflow chains; values of several
 * sizes so that some go to overflow chains.
 *
 * Strategy: fast-check draws pairs and probes; both trees get the same puts and pair deletes,
 * with counts and lookups in between (so indexes are built, then rebuilt after each change);
 * every probe's count, pair lookup, value list and cursor seekRange must agree, and verify
 * passes. The test checks that indexes of both kinds were built and refused (a page with a
 * key on an overflow chain, or too many runs or separators for its area).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareBytes } from '../../../src/util/index.js';
import { BtreeAccess, BtreeCursor, countDups } from '../../../src/am/btree/index.js';
import { readDups } from '../../../src/am/btree/duplicates.js';
import { runsState } from '../../../src/am/btree/key-runs.js';
import { separatorsState } from '../../../src/am/btree/separator-heads.js';
import { valueHeadsState } from '../../../src/am/btree/value-heads.js';
import { PageType, getType } from '../../../src/page/index.js';
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

type State = `leaf ${ReturnType<typeof runsState>}` |
  `internal ${ReturnType<typeof separatorsState>}` | 'values indexed';

/** Counts the index states of the fixture's resident pages into `states`. */
function countStates(fixture: BtreeFixture, states: Map<State, number>): void {
  for (const frame of fixture.file.mp.frames.values()) {
    const type = getType(frame);
    const state: State | undefined = type === PageType.BTREE_LEAF ? `leaf ${runsState(frame)}`
      : type === PageType.BTREE_INTERNAL ? `internal ${separatorsState(frame)}` : undefined;
    if (state) states.set(state, (states.get(state) ?? 0) + 1);
    if (valueHeadsState(frame) === 'indexed') {
      states.set('values indexed', (states.get('values indexed') ?? 0) + 1);
    }
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

const CASES = [512, 1024, 4096].flatMap((pageSize) =>
  (['sorted', 'unsorted'] as const).map((duplicates) => ({ pageSize, duplicates })));

describe('key runs and separator heads', () => {
  const states = new Map<State, number>();

  it.each(CASES)(
    'search exactly like full binary searches ($pageSize-byte pages, $duplicates)',
    ({ pageSize, duplicates }) => {
      const seed = propertySeed(`key runs ${pageSize} ${duplicates}`);
      fc.assert(fc.property(
        fc.array(pairArb, { minLength: 1, maxLength: 500, size: 'max' }),
        fc.array(pairArb, { minLength: 1, maxLength: 40 }),
        (pairs, probes) => {
          const runs = openBtreeFixture({ pageSize, config: { duplicates } });
          const plain = openBtreeFixture({ pageSize, config: {
            duplicates, compare: compareBytes,
            ...(duplicates === 'sorted' ? { dupCompare: compareBytes } : {}),
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
        }), { seed, numRuns: scaled(15) });
    });

  it('built indexes on some pages of each kind and refused them on others', () => {
    const kinds = ['leaf runs', 'leaf refused', 'internal heads', 'internal elsewhere',
      'internal refused', 'values indexed'];
    for (const state of kinds) {
      expect(states.get(state as State) ?? 0, state).toBeGreaterThan(0);
    }
  });
});
