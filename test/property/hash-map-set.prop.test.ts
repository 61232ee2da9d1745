/**
 * Differential tests of `PersistentMap` and `PersistentSet` over a hash (`type: 'hash'`)
 * against `Map` and `Set`, compared as sets of entries (a hash walks in hash order, not in
 * key order), in memory (and the map on disk too), inside and outside transactions with
 * aborts and child transactions, with reopens (test/support/container-harness.ts:
 * 512-byte pages, a cache of 8 pages; test/support/hash-differential.ts: 40 runs of 250 to
 * 300 commands per test).
 *
 * Strategy: fast-check draws command sequences over a small key space (so keys collide),
 * with runs of keys from a wider one (so the table grows past many splits), some long
 * values (overflow chains) and long elements (overflow keys). One test of each container
 * takes one built by name (`env.openMap`, `env.openSet`), the other one built over a
 * low-level hash `Database` with a small fill factor (so buckets split by count, not only
 * when a page overflows): the map's with 1,024-byte pages, on disk. Each command runs on
 * both sides and the answers, and the size after every step, are compared. Walks are
 * checked to visit each entry once; walks that delete, never to show what they deleted
 * ahead; walks that insert (splitting buckets under the cursor), to show each entry they
 * did not change exactly once (the hash cursor's guarantee; Berkeley DB's may show one
 * again, HS-06). The calls that need key order are checked to throw.
 *
 * Invariants: every answer equals the model's; a walk is the model's entries, each once;
 * the ES2025 set methods give the built-in answers; `verify()` is ok at the end of each run.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  type Environment, PersistentMap, PersistentSet, UnsupportedError,
} from '../../src/index.js';
import { Harness, type TxnCmd, type Where, txnCmdArb } from '../support/container-harness.js';
import { once, runSequences } from '../support/hash-differential.js';

type WalkOp = 'iterate' | 'forEach' | 'keys' | 'values' | 'deleteWhileIterating' |
  'insertWhileIterating' | 'ordered' | 'clear';
type MapCmd =
  | { op: 'set' | 'setIfAbsent'; key: number; value: string }
  | { op: 'fill'; key: number; count: number }
  | { op: 'get' | 'has' | 'delete'; key: number }
  | { op: WalkOp; key: number }
  | TxnCmd;

const keyArb = fc.integer({ min: -40, max: 360 });
const valueArb = fc.oneof(
  { weight: 10, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 200, maxLength: 1500 }) },
);
/** The value of the keys a `fill` command sets. */
const FILL = 'fill'.padEnd(60, '.');
const walkArb = fc.constantFrom<WalkOp>('iterate', 'forEach', 'keys', 'values',
  'deleteWhileIterating', 'insertWhileIterating', 'ordered', 'ordered');
const mapCmdArb: fc.Arbitrary<MapCmd> = fc.oneof(
  { weight: 34, arbitrary: fc.record({ op: fc.constant('set' as const), key: keyArb,
    value: valueArb }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('setIfAbsent' as const), key: keyArb,
    value: valueArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('fill' as const),
    key: fc.integer({ min: 0, max: 3000 }), count: fc.integer({ min: 5, max: 30 }) }) },
  { weight: 10, arbitrary: fc.record({ op: fc.constantFrom('get' as const, 'has' as const),
    key: keyArb }) },
  { weight: 16, arbitrary: fc.record({ op: fc.constant('delete' as const), key: keyArb }) },
  { weight: 3, arbitrary: fc.record({ op: walkArb, key: keyArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const), key: keyArb }) },
  { weight: 4, arbitrary: txnCmdArb },
);

const byKey = <K extends string | number, V>(entries: Iterable<[K, V]>): [K, V][] =>
  [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** A walk of up to 25 entries that deletes each and one other key ahead of it. */
function deleteWhileIterating(map: PersistentMap<number, string>, model: Map<number, string>,
  ahead: number): void {
  const seen: number[] = [];
  const deleted = new Set<number>();
  for (const [k] of map) {
    expect(deleted.has(k), `deleted ahead, yet visited: ${k}`).toBe(false);
    seen.push(k);
    expect(map.delete(k)).toBe(model.delete(k));
    const other = k + ahead;
    expect(map.delete(other)).toBe(model.delete(other));
    deleted.add(other);
    if (seen.length >= 25) break;
  }
  once(seen);
}

/** A full walk that sets up to 20 keys: every entry there throughout is visited once. */
function insertWhileIterating(map: PersistentMap<number, string>, model: Map<number, string>,
  from: number): void {
  const unchanged = new Set(model.keys());
  const seen = new Map<number, number>();
  let sets = 0;
  for (const [k] of map) {
    seen.set(k, (seen.get(k) ?? 0) + 1);
    if (sets < 20) {
      const key = from + sets++ * 13;
      map.set(key, `w${sets}`);
      model.set(key, `w${sets}`);
      unchanged.delete(key);
    }
  }
  for (const k of unchanged) expect(seen.get(k), `visits of ${k}`).toBe(1);
}

function orderedCallsThrow(map: PersistentMap<number, string>, key: number): void {
  for (const call of [() => map.first(), () => map.last(), () => map.lowerBound(key),
    () => map.upperBound(key), () => map.range({ gte: key })]) {
    expect(call).toThrow(UnsupportedError);
  }
}

function runMap(h: Harness<PersistentMap<number, string>, Map<number, string>>,
  cmd: MapCmd): void {
  if (h.step(cmd)) return;
  const map = h.container;
  const m = h.model;
  switch (cmd.op) {
    case 'set': map.set(cmd.key, cmd.value); m.set(cmd.key, cmd.value); break;
    case 'fill':
      // A run of keys with 60-byte values, to grow the table past many splits.
      for (let i = 0; i < cmd.count; i++) {
        map.set(cmd.key + i * 3, FILL);
        m.set(cmd.key + i * 3, FILL);
      }
      break;
    case 'setIfAbsent': {
      const stored = !m.has(cmd.key);
      if (stored) m.set(cmd.key, cmd.value);
      expect(map.setIfAbsent(cmd.key, cmd.value)).toBe(stored);
      break;
    }
    case 'get': expect(map.get(cmd.key)).toBe(m.get(cmd.key)); break;
    case 'has': expect(map.has(cmd.key)).toBe(m.has(cmd.key)); break;
    case 'delete': expect(map.delete(cmd.key)).toBe(m.delete(cmd.key)); break;
    case 'iterate': expect(byKey(map)).toEqual(byKey(m)); break;
    case 'forEach': {
      const seen: [number, string][] = [];
      map.forEach((v, k) => seen.push([k, v]));
      expect(byKey(seen)).toEqual(byKey(m));
      break;
    }
    case 'keys': expect(once(map.keys())).toEqual(new Set(m.keys())); break;
    case 'values': expect([...map.values()].sort()).toEqual([...m.values()].sort()); break;
    case 'deleteWhileIterating': deleteWhileIterating(map, m, 1 + Math.abs(cmd.key % 7)); break;
    case 'insertWhileIterating': insertWhileIterating(map, m, cmd.key); break;
    case 'ordered': orderedCallsThrow(map, cmd.key); break;
    case 'clear': map.clear(); m.clear(); break;
  }
  expect(map.size).toBe(m.size);
}

type Opening = 'by name' | 'over a Database';

/** The map under test: by name, or over a 1 KiB-page hash with fill factor 6. */
function openMap(opening: Opening): (env: Environment) => PersistentMap<number, string> {
  if (opening === 'by name') return (env) => env.openMap('diff', { type: 'hash' });
  return (env) => new PersistentMap(
    env.openDatabase('diff', { type: 'hash', pageSize: 1024, fillFactor: 6 }), { type: 'hash' });
}

describe('PersistentMap over a hash vs Map (differential)', () => {
  const cases: [Where, Opening][] = [['memory', 'by name'], ['disk', 'over a Database']];
  it.each(cases)('agrees on every step (%s, %s, transactions, 8-page cache)', (where, how) => {
    runSequences(`hash map ${where} ${how}`,
      () => new Harness(where, openMap(how), new Map<number, string>(), (m) => new Map(m)),
      mapCmdArb, runMap, (h) => expect(byKey(h.container)).toEqual(byKey(h.model)));
  });
});

type SetCmd =
  | { op: 'add' | 'has' | 'delete'; el: string }
  | { op: 'fill'; from: number; count: number }
  | { op: 'algebra'; other: string[] }
  | { op: 'iterate' | 'ordered' | 'deleteWhileIterating' | 'clear' }
  | TxnCmd;

const elArb = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: 300 }).map((n) => `e${n}`) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 20 }).map((n) => `long${n}`.padEnd(400, '#')) },
);
const setCmdArb: fc.Arbitrary<SetCmd> = fc.oneof(
  { weight: 32, arbitrary: fc.record({ op: fc.constant('add' as const), el: elArb }) },
  { weight: 10, arbitrary: fc.record({ op: fc.constant('has' as const), el: elArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('fill' as const),
    from: fc.integer({ min: 0, max: 3000 }), count: fc.integer({ min: 5, max: 30 }) }) },
  { weight: 15, arbitrary: fc.record({ op: fc.constant('delete' as const), el: elArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('algebra' as const),
    other: fc.array(elArb, { maxLength: 30 }) }) },
  { weight: 3, arbitrary: fc.constantFrom({ op: 'iterate' as const }, { op: 'ordered' as const },
    { op: 'deleteWhileIterating' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
  { weight: 4, arbitrary: txnCmdArb },
);

function checkAlgebra(s: PersistentSet<string>, m: Set<string>, other: Set<string>): void {
  const set = (xs: Iterable<string>): string[] => [...xs].sort();
  expect(set(s.union(other))).toEqual(set(new Set([...m, ...other])));
  expect(set(s.intersection(other))).toEqual(set([...m].filter((e) => other.has(e))));
  expect(set(s.difference(other))).toEqual(set([...m].filter((e) => !other.has(e))));
  expect(set(s.symmetricDifference(other))).toEqual(set([...m].filter((e) => !other.has(e))
    .concat([...other].filter((e) => !m.has(e)))));
  expect(s.isSubsetOf(other)).toBe([...m].every((e) => other.has(e)));
  expect(s.isSupersetOf(other)).toBe([...other].every((e) => m.has(e)));
  expect(s.isDisjointFrom(other)).toBe([...m].every((e) => !other.has(e)));
}

function runSet(h: Harness<PersistentSet<string>, Set<string>>, cmd: SetCmd): void {
  if (h.step(cmd)) return;
  const s = h.container;
  const m = h.model;
  switch (cmd.op) {
    case 'add': s.add(cmd.el); m.add(cmd.el); break;
    case 'fill':
      for (let i = 0; i < cmd.count; i++) {
        const el = `f${cmd.from + i}`.padEnd(60, '.');
        s.add(el);
        m.add(el);
      }
      break;
    case 'has': expect(s.has(cmd.el)).toBe(m.has(cmd.el)); break;
    case 'delete': expect(s.delete(cmd.el)).toBe(m.delete(cmd.el)); break;
    case 'algebra': checkAlgebra(s, m, new Set(cmd.other)); break;
    case 'iterate': expect(once(s)).toEqual(m); break;
    case 'ordered':
      for (const call of [() => s.first(), () => s.last(), () => s.lowerBound('e1'),
        () => s.upperBound('e1'), () => s.range()]) expect(call).toThrow(UnsupportedError);
      break;
    case 'deleteWhileIterating': {
      const seen: string[] = [];
      for (const e of s) {
        seen.push(e);
        expect(s.delete(e)).toBe(m.delete(e));
        if (seen.length >= 30) break;
      }
      once(seen);
      break;
    }
    case 'clear': s.clear(); m.clear(); break;
  }
  expect(s.size).toBe(m.size);
}

/** The set under test: by name, or over a hash with fill factor 4 (512-byte pages). */
function openSet(opening: Opening): (env: Environment) => PersistentSet<string> {
  if (opening === 'by name') return (env) => env.openSet('diff', { type: 'hash' });
  return (env) => new PersistentSet(env.openDatabase('diff', { type: 'hash', fillFactor: 4 }));
}

describe('PersistentSet over a hash vs Set (differential)', () => {
  // In memory only: the map's disk run above covers real files.
  it.each(['by name', 'over a Database'] as Opening[])('agrees on every step (memory, %s, ' +
    'transactions, 8-page cache)', (how) => {
    runSequences(`hash set memory ${how}`,
      () => new Harness('memory', openSet(how), new Set<string>(), (m) => new Set(m)),
      setCmdArb, runSet, (h) => expect(once(h.container)).toEqual(h.model));
  });
});
