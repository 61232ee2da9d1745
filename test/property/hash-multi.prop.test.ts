/**
 * Differential tests of `MultiMap` (sorted and unsorted duplicates) and `MultiSet` over a
 * hash (`type: 'hash'`) against a multimap model (key → values in duplicate order) and a
 * count model (element → copies), in memory (the unsorted multimap on disk), inside and
 * outside transactions with aborts and child transactions, with reopens
 * (test/support/container-harness.ts: 512-byte pages, a cache of 8 pages;
 * test/support/hash-differential.ts: 40 runs of 250 to 300 commands per test).
 * One multiset test takes one built by name, the other one over a low-level hash
 * `Database` with a small fill factor.
 *
 * Strategy: a few hot keys collect many values (one key's duplicates outgrow a page and
 * move to duplicate pages), others a handful; runs of keys from a wider space grow the
 * table past many splits; some values are long (overflow items). The multimap model keeps
 * each key's values as test/property/multi-map.prop.test.ts does: sorted by the bytes of
 * the encoded value, or in insertion order. A hash walks keys in hash order, so walks are
 * compared per key: each key's values form one run, in the model's order.
 *
 * Invariants: every answer equals the model's; a walk shows each key's values together,
 * each key once, and the model's pairs; `size` and `keyCount` agree after every step; the
 * calls that need key order throw `UnsupportedError`; `verify()` is ok after each run.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  type Environment, type MultiMap, MultiSet, UnsupportedError, codecs,
} from '../../src/index.js';
import { Harness, type TxnCmd, type Where, txnCmdArb } from '../support/container-harness.js';
import { once, runSequences } from '../support/hash-differential.js';

/** Groups a walk's items by key, checking that each key's items form one run. */
function runsOf<K, V>(walk: Iterable<[K, V]>): Map<K, V[]> {
  const groups = new Map<K, V[]>();
  let previous: K | undefined;
  for (const [k, v] of walk) {
    if (k !== previous) {
      expect(groups.has(k), `key ${String(k)} comes in two runs`).toBe(false);
      groups.set(k, []);
      previous = k;
    }
    groups.get(k)!.push(v);
  }
  return groups;
}

/** A map with its entries in key order, to compare two maps whatever their order. */
const sortedMap = <K extends number | string, V>(m: Map<K, V>): [K, V][] =>
  [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

type MapCmd =
  | { op: 'add' | 'has' | 'deletePair'; key: number; value: string }
  | { op: 'get' | 'hasKey' | 'count' | 'delete' | 'valuesOf'; key: number }
  | { op: 'fill'; key: number; count: number }
  | { op: 'iterate' | 'keys' | 'values' | 'forEach' | 'ordered' | 'clear' }
  | TxnCmd;

const keyArb = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 3 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 150 }) },
);
const valueArb = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: 60 }).map((n) => `v${n}`) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 5 }).map((n) => `long${n}`.padEnd(700, '*')) },
);
const mapCmdArb: fc.Arbitrary<MapCmd> = fc.oneof(
  { weight: 36, arbitrary: fc.record({ op: fc.constant('add' as const), key: keyArb,
    value: valueArb }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constantFrom('has' as const, 'deletePair' as const),
    key: keyArb, value: valueArb }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constantFrom('get' as const, 'hasKey' as const,
    'count' as const, 'valuesOf' as const), key: keyArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), key: keyArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('fill' as const),
    key: fc.integer({ min: 1000, max: 4000 }), count: fc.integer({ min: 5, max: 30 }) }) },
  { weight: 3, arbitrary: fc.constantFrom({ op: 'iterate' as const }, { op: 'keys' as const },
    { op: 'values' as const }, { op: 'forEach' as const }, { op: 'ordered' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
  { weight: 4, arbitrary: txnCmdArb },
);

/** The multimap model: each key's values in duplicate order. */
type Model = Map<number, string[]>;
type Pair = [number, string];

const valueBytes = (v: string): Buffer => Buffer.from(codecs.value.encode(v));
const FILL = 'fill'.padEnd(60, '.');

/** Adds the pair to the model as the database keeps it; false when sorted holds it. */
function modelAdd(m: Model, sortedDups: boolean, key: number, value: string): boolean {
  const values = m.get(key) ?? [];
  m.set(key, values);
  if (!sortedDups) {
    values.push(value);
    return true;
  }
  if (values.includes(value)) return false;
  const at = values.findIndex((v) => Buffer.compare(valueBytes(v), valueBytes(value)) > 0);
  values.splice(at < 0 ? values.length : at, 0, value);
  return true;
}

const sizeOf = (m: Model): number => [...m.values()].reduce((n, vs) => n + vs.length, 0);

function checkWalks(mm: MultiMap<number, string>, m: Model, op: MapCmd['op']): void {
  switch (op) {
    case 'iterate': expect(sortedMap(runsOf(mm))).toEqual(sortedMap(m)); break;
    case 'keys': expect(once(mm.keys())).toEqual(new Set(m.keys())); break;
    case 'values': {
      const walk = [...mm].map(([, v]) => v);
      expect([...mm.values()]).toEqual(walk);
      expect(walk.sort()).toEqual([...m.values()].flat().sort());
      break;
    }
    case 'forEach': {
      const seen: Pair[] = [];
      mm.forEach((v, k) => seen.push([k, v]));
      expect(sortedMap(runsOf(seen))).toEqual(sortedMap(m));
      break;
    }
    case 'ordered':
      for (const call of [() => mm.first(), () => mm.last(), () => mm.range({ gte: 1 })]) {
        expect(call).toThrow(UnsupportedError);
      }
      break;
    default: break;
  }
}

function runMultiMap(h: Harness<MultiMap<number, string>, Model>, sortedDups: boolean,
  cmd: MapCmd): void {
  if (h.step(cmd)) return;
  const mm = h.container;
  const m = h.model;
  const valuesOf = (k: number): string[] => m.get(k) ?? [];
  switch (cmd.op) {
    case 'add':
      expect(mm.add(cmd.key, cmd.value)).toBe(modelAdd(m, sortedDups, cmd.key, cmd.value));
      break;
    case 'fill':
      for (let i = 0; i < cmd.count; i++) {
        expect(mm.add(cmd.key + i, FILL)).toBe(modelAdd(m, sortedDups, cmd.key + i, FILL));
      }
      break;
    case 'has': expect(mm.has(cmd.key, cmd.value)).toBe(valuesOf(cmd.key).includes(cmd.value));
      break;
    case 'hasKey': expect(mm.has(cmd.key)).toBe(valuesOf(cmd.key).length > 0); break;
    case 'get': expect(mm.get(cmd.key)).toEqual(valuesOf(cmd.key)); break;
    case 'count': expect(mm.count(cmd.key)).toBe(valuesOf(cmd.key).length); break;
    case 'valuesOf': {
      // A partial walk of one key's values, left early: `break` closes the cursor.
      const got: string[] = [];
      for (const v of mm.valuesOf(cmd.key)) {
        got.push(v);
        if (got.length === 6) break;
      }
      expect(got).toEqual(valuesOf(cmd.key).slice(0, 6));
      break;
    }
    case 'delete':
      expect(mm.delete(cmd.key)).toBe(valuesOf(cmd.key).length);
      m.delete(cmd.key);
      break;
    case 'deletePair': {
      const left = valuesOf(cmd.key).filter((v) => v !== cmd.value);
      expect(mm.delete(cmd.key, cmd.value)).toBe(valuesOf(cmd.key).length - left.length);
      if (left.length > 0) m.set(cmd.key, left);
      else m.delete(cmd.key);
      break;
    }
    case 'clear': mm.clear(); m.clear(); break;
    default: checkWalks(mm, m, cmd.op);
  }
  expect(mm.size).toBe(sizeOf(m));
  if (cmd.op === 'fill') expect(mm.keyCount).toBe(m.size);
}

const cloneModel = (m: Model): Model => new Map([...m].map(([k, vs]) => [k, [...vs]]));

describe.each(['sorted', 'unsorted'] as const)('MultiMap over a hash, %s duplicates', (d) => {
  const where: Where = d === 'sorted' ? 'memory' : 'disk';
  it(`agrees with a multimap model on every step (${where}, transactions, 8-page cache)`, () => {
    const open = (env: Environment): MultiMap<number, string> =>
      env.openMultiMap<number, string>('diff', { type: 'hash', duplicates: d });
    runSequences(`hash multimap ${d} ${where}`,
      () => new Harness(where, open, new Map() as Model, cloneModel), mapCmdArb,
      (h, cmd) => runMultiMap(h, d === 'sorted', cmd), (h) => {
        expect(sortedMap(runsOf(h.container))).toEqual(sortedMap(h.model));
        expect(h.container.keyCount).toBe(h.model.size);
      });
  });
});

type SetCmd =
  | { op: 'add' | 'count' | 'has' | 'delete' | 'deleteOne'; el: string }
  | { op: 'fill'; from: number; count: number }
  | { op: 'iterate' | 'unique' | 'ordered' | 'clear' }
  | TxnCmd;

const elArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 2 }).map((n) => `hot${n}`) },
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 150 }).map((n) => `e${n}`) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 8 }).map((n) => `long${n}`.padEnd(300, '=')) },
);
const setCmdArb: fc.Arbitrary<SetCmd> = fc.oneof(
  { weight: 36, arbitrary: fc.record({ op: fc.constant('add' as const), el: elArb }) },
  { weight: 10, arbitrary: fc.record({ op: fc.constantFrom('count' as const, 'has' as const),
    el: elArb }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constant('deleteOne' as const), el: elArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), el: elArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('fill' as const),
    from: fc.integer({ min: 0, max: 3000 }), count: fc.integer({ min: 5, max: 30 }) }) },
  { weight: 3, arbitrary: fc.constantFrom({ op: 'iterate' as const }, { op: 'unique' as const },
    { op: 'ordered' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
  { weight: 4, arbitrary: txnCmdArb },
);

/** The count model: element → copies (never 0). */
type Bag = Map<string, number>;
const sizeOfBag = (b: Bag): number => [...b.values()].reduce((n, c) => n + c, 0);

/** A walk's copies counted, checking that equal copies come together. */
function countsOf(walk: Iterable<string>): Bag {
  const groups = runsOf([...walk].map((e): [string, null] => [e, null]));
  return new Map([...groups].map(([e, copies]) => [e, copies.length]));
}

function runMultiSet(h: Harness<MultiSet<string>, Bag>, cmd: SetCmd): void {
  if (h.step(cmd)) return;
  const s = h.container;
  const b = h.model;
  const add = (el: string): void => {
    s.add(el);
    b.set(el, (b.get(el) ?? 0) + 1);
  };
  switch (cmd.op) {
    case 'add': add(cmd.el); break;
    case 'fill':
      for (let i = 0; i < cmd.count; i++) add(`f${cmd.from + i}`.padEnd(60, '.'));
      break;
    case 'count': expect(s.count(cmd.el)).toBe(b.get(cmd.el) ?? 0); break;
    case 'has': expect(s.has(cmd.el)).toBe(b.has(cmd.el)); break;
    case 'delete': expect(s.delete(cmd.el)).toBe(b.get(cmd.el) ?? 0); b.delete(cmd.el); break;
    case 'deleteOne': {
      const n = b.get(cmd.el) ?? 0;
      expect(s.deleteOne(cmd.el)).toBe(n > 0);
      if (n > 1) b.set(cmd.el, n - 1);
      else b.delete(cmd.el);
      break;
    }
    case 'iterate': expect(sortedMap(countsOf(s))).toEqual(sortedMap(b)); break;
    case 'unique': expect(once(s.uniqueValues())).toEqual(new Set(b.keys())); break;
    case 'ordered':
      for (const call of [() => s.first(), () => s.last(), () => s.range()]) {
        expect(call).toThrow(UnsupportedError);
      }
      break;
    case 'clear': s.clear(); b.clear(); break;
  }
  expect(s.size).toBe(sizeOfBag(b));
}

type Opening = 'by name' | 'over a Database';

/** The multiset under test: by name, or over a hash with fill factor 5 (512-byte pages). */
function openMultiSet(opening: Opening): (env: Environment) => MultiSet<string> {
  if (opening === 'by name') return (env) => env.openMultiSet('diff', { type: 'hash' });
  return (env) => new MultiSet(
    env.openDatabase('diff', { type: 'hash', duplicates: 'unsorted', fillFactor: 5 }));
}

describe('MultiSet over a hash vs a count model (differential)', () => {
  // In memory only: the unsorted multimap's run above covers real files.
  it.each(['by name', 'over a Database'] as Opening[])('agrees on every step (memory, %s, ' +
    'transactions, 8-page cache)', (how) => {
    runSequences(`hash multiset memory ${how}`,
      () => new Harness('memory', openMultiSet(how), new Map() as Bag, (m) => new Map(m)),
      setCmdArb, runMultiSet,
      (h) => expect(sortedMap(countsOf(h.container))).toEqual(sortedMap(h.model)));
  });
});
