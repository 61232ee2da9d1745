/**
 * The four containers over a hash database (`type: 'hash'`): what works as over a btree
 * (the Map/Set calls, duplicates, the set methods, transactions), the calls that need key
 * order and throw `UnsupportedError` naming the call and the type, the three ways to get
 * each (anonymous, by name, over a validated low-level hash `Database`), the type
 * mismatches, walks in hash order that visit each entry once (also while the container
 * changes under them), and data surviving a reopen on real files.
 *
 * Layer: test (unit).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  Environment, InvalidArgumentError, MultiMap, MultiSet, PersistentMap, PersistentSet,
  UnsupportedError, codecs, type Codec,
} from '../../../src/index.js';
import { tempDir } from '../../support/temp-dir.js';
import { errorOf } from '../../support/thrown.js';

const envs: Environment[] = [];
/** An environment on real files (512-byte pages with `small`, so buckets split often). */
const openEnv = (dir = tempDir(), small = false): Environment => {
  const env = Environment.open(dir, small ? { pageSize: 512 } : {});
  envs.push(env);
  return env;
};
afterEach(() => {
  for (const env of envs.splice(0)) if (!env.isClosed) env.close();
});

const numbers = codecs.key as Codec<number>;
const counts = <T>(items: Iterable<T>): Map<T, number> => {
  const seen = new Map<T, number>();
  for (const item of items) seen.set(item, (seen.get(item) ?? 0) + 1);
  return seen;
};

describe('containers over a hash: what works as over a btree', () => {
  it('PersistentMap: the Map calls, setIfAbsent, clear, forEach', () => {
    const m = new PersistentMap<string, number>({ type: 'hash' });
    expect(m.db.type).toBe('hash');
    m.set('a', 1).set('b', 2).set('a', 3);
    expect([m.get('a'), m.get('zz'), m.has('b'), m.size]).toEqual([3, undefined, true, 2]);
    expect(m.setIfAbsent('a', 9)).toBe(false);
    expect(m.setIfAbsent('c', 4)).toBe(true);
    expect(new Map(m)).toEqual(new Map([['a', 3], ['b', 2], ['c', 4]]));
    const seen: [string, number][] = [];
    m.forEach((v, k) => seen.push([k, v]));
    expect(seen).toEqual([...m.entries()]);
    expect(new Set(m.keys())).toEqual(new Set(['a', 'b', 'c']));
    expect(m.delete('b')).toBe(true);
    expect(m.delete('b')).toBe(false);
    m.clear();
    expect([m.size, [...m]]).toEqual([0, []]);
  });

  it('PersistentSet: the Set calls and the ES2025 set methods, none of which needs order', () => {
    const s = new PersistentSet<number>({ type: 'hash' });
    for (const n of [5, 1, 4, 1, 3]) s.add(n);
    expect([s.size, s.has(4), s.has(2), s.delete(5), s.delete(5)]).toEqual([4, true, false, true,
      false]);
    expect(new Set(s)).toEqual(new Set([1, 3, 4]));
    expect([...s.entries()].every(([a, b]) => a === b)).toBe(true);
    const other = new Set([3, 4, 9]);
    expect(s.union(other)).toEqual(new Set([1, 3, 4, 9]));
    expect(s.intersection(other)).toEqual(new Set([3, 4]));
    expect(s.difference(other)).toEqual(new Set([1]));
    expect(s.symmetricDifference(other)).toEqual(new Set([1, 9]));
    expect([s.isSubsetOf(new Set([1, 3, 4, 7])), s.isSupersetOf(new Set([1, 4])),
      s.isDisjointFrom(new Set([2, 8]))]).toEqual([true, true, true]);
    const bigger = new PersistentSet<number>({ type: 'hash' });
    for (let n = 0; n < 50; n++) bigger.add(n);
    expect(s.isSubsetOf(bigger)).toBe(true);
    expect(bigger.intersection(s)).toEqual(new Set([1, 3, 4]));
  });

  it('MultiMap, sorted: values in the byte order of their encoding, an equal pair once', () => {
    const mm = new MultiMap<string, number>({ type: 'hash', value: numbers });
    for (const v of [5, -1, 3, 200, 0, 3]) mm.add('k', v);
    expect(mm.add('k', 5)).toBe(false);
    mm.add('j', 7);
    expect(mm.get('k')).toEqual([-1, 0, 3, 5, 200]);
    expect([...mm.valuesOf('k')]).toEqual([-1, 0, 3, 5, 200]);
    expect([...mm.valuesOf('absent')]).toEqual([]);
    expect([mm.count('k'), mm.size, mm.keyCount, mm.has('k', 3), mm.has('k', 4)])
      .toEqual([5, 6, 2, true, false]);
    expect(mm.delete('k', 3)).toBe(1);
    expect(mm.delete('j')).toBe(1);
    expect([...mm]).toEqual([['k', -1], ['k', 0], ['k', 5], ['k', 200]]);
  });

  it('MultiMap, unsorted: insertion order, an equal pair stored again', () => {
    const mm = new MultiMap<number, string>({ type: 'hash', duplicates: 'unsorted' });
    expect(mm.duplicates).toBe('unsorted');
    for (const v of ['b', 'a', 'b', 'c']) mm.add(1, v);
    mm.add(2, 'x');
    expect(mm.get(1)).toEqual(['b', 'a', 'b', 'c']);
    expect(mm.delete(1, 'b')).toBe(2);
    expect(mm.get(1)).toEqual(['a', 'c']);
    expect(new Set(mm.keys())).toEqual(new Set([1, 2]));
  });

  it('MultiMap: one key\'s values come together, keys once each in keys()', () => {
    const mm = new MultiMap<number, number>({ type: 'hash', value: numbers });
    for (let k = 0; k < 40; k++) for (let v = 0; v < 5; v++) mm.add(k, v);
    const keys = [...mm].map(([k]) => k);
    const runs = keys.filter((k, i) => i === 0 || keys[i - 1] !== k);
    expect(runs.length).toBe(40);
    expect([...mm.keys()]).toEqual(runs);
    expect([...mm.values()]).toEqual([...mm].map(([, v]) => v));
  });

  it('MultiSet: copies counted, together in the walk, uniqueValues once each', () => {
    const ms = new MultiSet<string>({ type: 'hash' });
    for (const e of ['b', 'a', 'b', 'c', 'b']) ms.add(e);
    expect([ms.size, ms.count('b'), ms.count('z'), ms.has('a')]).toEqual([5, 3, 0, true]);
    const walk = [...ms];
    expect(walk.filter((e, i) => i === 0 || walk[i - 1] !== e).length).toBe(3);
    expect(new Set(ms.uniqueValues())).toEqual(new Set(['a', 'b', 'c']));
    expect(ms.deleteOne('b')).toBe(true);
    expect(ms.delete('b')).toBe(2);
    expect(ms.deleteOne('b')).toBe(false);
    expect(counts(ms)).toEqual(new Map([['a', 1], ['c', 1]]));
  });

  it('joins transactions: an abort undoes, a commit keeps', () => {
    const env = openEnv();
    const m = env.openMap<number, string>('m', { type: 'hash' });
    const mm = env.openMultiMap<number, string>('mm', { type: 'hash' });
    m.set(1, 'one');
    expect(() => env.transaction(() => {
      m.set(2, 'two');
      m.delete(1);
      mm.add(1, 'x');
      throw new Error('undo');
    })).toThrow('undo');
    expect([[...m], mm.size]).toEqual([[[1, 'one']], 0]);
    const txn = env.begin();
    mm.add(1, 'y');
    m.set(3, 'three');
    txn.commit();
    expect([m.size, mm.get(1)]).toEqual([2, ['y']]);
  });
});

describe('calls that need key order throw UnsupportedError over a hash', () => {
  const map = (): PersistentMap<number, number> => new PersistentMap({ type: 'hash' });
  const set = (): PersistentSet<number> => new PersistentSet({ type: 'hash' });
  const multiMap = (): MultiMap<number, number> => new MultiMap({ type: 'hash' });
  const multiSet = (): MultiSet<number> => new MultiSet({ type: 'hash' });
  const calls: [string, string, () => unknown][] = [
    ['PersistentMap', 'first', () => map().first()],
    ['PersistentMap', 'last', () => map().last()],
    ['PersistentMap', 'lowerBound', () => map().lowerBound(1)],
    ['PersistentMap', 'upperBound', () => map().upperBound(1)],
    ['PersistentMap', 'range', () => map().range({ gte: 1 })],
    ['PersistentSet', 'first', () => set().first()],
    ['PersistentSet', 'last', () => set().last()],
    ['PersistentSet', 'lowerBound', () => set().lowerBound(1)],
    ['PersistentSet', 'upperBound', () => set().upperBound(1)],
    ['PersistentSet', 'range', () => set().range()],
    ['MultiMap', 'first', () => multiMap().first()],
    ['MultiMap', 'last', () => multiMap().last()],
    ['MultiMap', 'range', () => multiMap().range({ lt: 3, reverse: true })],
    ['MultiSet', 'first', () => multiSet().first()],
    ['MultiSet', 'last', () => multiSet().last()],
    ['MultiSet', 'range', () => multiSet().range({ limit: 1 })],
  ];

  it.each(calls)('%s.%s()', (container, call, action) => {
    const error = errorOf(action, UnsupportedError);
    expect(error.code).toBe('UNSUPPORTED');
    expect(error.message).toContain(`${container}.${call}()`);
    expect(error.message).toContain('hash');
    expect(error.message).toContain('key order');
  });

  it('refuses before reading anything, and the container stays usable', () => {
    const m = new PersistentMap<number, string>({ type: 'hash' });
    m.set(1, 'a');
    // Bad range options would be InvalidArgumentError over a btree: the type is checked first.
    expect(() => m.range({ limit: -1 })).toThrow(UnsupportedError);
    expect(() => m.lowerBound(NaN)).toThrow(UnsupportedError);
    expect([...m]).toEqual([[1, 'a']]);
    expect(m.db.verify().ok).toBe(true);
  });

  it('the same calls answer over a btree', () => {
    const m = new PersistentMap<number, number>();
    m.set(2, 20).set(1, 10);
    expect([m.first(), m.last(), m.lowerBound(2), [...m.range({ lt: 2 })]])
      .toEqual([[1, 10], [2, 20], [2, 20], [[1, 10]]]);
  });
});

describe('three ways to get each container over a hash', () => {
  it('by name from the environment, surviving a reopen on real files', () => {
    const dir = tempDir();
    let env = openEnv(dir, true);
    const m = env.openMap<number, string>('m', { type: 'hash' });
    const s = env.openSet<string>('s', { type: 'hash' });
    const mm = env.openMultiMap<number, number>('mm', { type: 'hash', value: numbers });
    const ms = env.openMultiSet<number>('ms', { type: 'hash' });
    // One commit for the bulk (one fsync, not one per call), then one more auto-commit.
    env.transaction(() => {
      for (let i = 0; i < 599; i++) {
        m.set(i, `v${i}`);
        s.add(`e${i}`);
        mm.add(i % 17, i);
        ms.add(i % 23);
      }
    });
    m.set(599, 'v599');
    s.add('e599');
    mm.add(599 % 17, 599);
    ms.add(599 % 23);
    env.close();
    env = openEnv(dir);
    const m2 = env.openMap<number, string>('m', { type: 'hash' });
    const s2 = env.openSet<string>('s', { type: 'hash' });
    const mm2 = env.openMultiMap<number, number>('mm', { type: 'hash', value: numbers });
    const ms2 = env.openMultiSet<number>('ms', { type: 'hash' });
    expect([m2.db.type, s2.db.type, mm2.db.type, ms2.db.type]).toEqual(['hash', 'hash',
      'hash', 'hash']);
    expect(new Map(m2)).toEqual(new Map(Array.from({ length: 600 }, (_, i) => [i, `v${i}`])));
    expect([s2.size, s2.has('e599'), s2.has('e600')]).toEqual([600, true, false]);
    expect([mm2.size, mm2.keyCount, mm2.get(3)]).toEqual([600, 17,
      Array.from({ length: 600 }, (_, i) => i).filter((i) => i % 17 === 3)]);
    expect([ms2.size, ms2.count(0), ms2.count(22)]).toEqual([600, 27, 26]);
    for (const c of [m2, s2, mm2, ms2]) expect(c.db.verify().errors).toEqual([]);
  });

  it('over a low-level hash Database, validated against what the container needs', () => {
    const env = openEnv();
    const plain = env.openDatabase('plain', { type: 'hash', pageSize: 512, fillFactor: 4 });
    const sorted = env.openDatabase('sorted', { type: 'hash', duplicates: 'sorted' });
    const unsorted = env.openDatabase('unsorted', { type: 'hash', duplicates: 'unsorted' });
    const m = new PersistentMap<number, number>(plain, { type: 'hash' });
    m.set(1, 2);
    expect(new PersistentSet(plain).db).toBe(plain);
    expect(new MultiMap(sorted).duplicates).toBe('sorted');
    expect(new MultiMap(unsorted, { type: 'hash', duplicates: 'unsorted' }).duplicates)
      .toBe('unsorted');
    expect(new MultiSet(unsorted).size).toBe(0);
    expect(() => new PersistentMap(sorted)).toThrow(/PersistentMap needs .*'none'/);
    expect(() => new PersistentSet(unsorted)).toThrow(InvalidArgumentError);
    expect(() => new MultiMap(plain)).toThrow(/MultiMap needs .*'sorted' or 'unsorted'/);
    expect(() => new MultiMap(sorted, { duplicates: 'unsorted' })).toThrow(InvalidArgumentError);
    expect(() => new MultiSet(sorted)).toThrow(/MultiSet needs .*'unsorted'/);
    expect(() => new PersistentMap(plain).first()).toThrow(UnsupportedError);
  });

  it('a type option that names another type than the database\'s is InvalidArgumentError', () => {
    const env = openEnv();
    const hash = env.openDatabase('h', { type: 'hash' });
    const btree = env.openDatabase('b');
    const hashDups = env.openDatabase('hd', { type: 'hash', duplicates: 'unsorted' });
    const btreeDups = env.openDatabase('bd', { duplicates: 'unsorted' });
    const mismatches: [() => unknown, RegExp][] = [
      [() => new PersistentMap(hash, { type: 'btree' }), /type 'btree' needs a btree .* h is/],
      [() => new PersistentMap(btree, { type: 'hash' }), /type 'hash' needs a hash .* b is/],
      [() => new PersistentSet(btree, { type: 'hash' }), /PersistentSet with type 'hash'/],
      [() => new MultiMap(hashDups, { type: 'btree' }), /MultiMap with type 'btree'/],
      [() => new MultiSet(btreeDups, { type: 'hash' }), /MultiSet with type 'hash'/],
    ];
    for (const [action, message] of mismatches) {
      expect(errorOf(action, InvalidArgumentError).message).toMatch(message);
    }
  });

  it('opening a name with another type, or an unknown type, is InvalidArgumentError', () => {
    const dir = tempDir();
    let env = openEnv(dir);
    env.openMap('hm', { type: 'hash' }).set(1, 1);
    env.openMap('bm').set(1, 1);
    env.close();
    env = openEnv(dir);
    expect(() => env.openMap('hm')).toThrow(InvalidArgumentError);
    expect(() => env.openMap('bm', { type: 'hash' })).toThrow(InvalidArgumentError);
    expect(() => env.openMultiMap('hm', { type: 'hash' })).toThrow(InvalidArgumentError);
    expect(env.openMap('hm', { type: 'hash' }).get(1)).toBe(1);
    const unknown = errorOf(() => env.openSet('new', { type: 'recno' as never }),
      InvalidArgumentError);
    expect(unknown.message).toMatch(/set type "recno" is not supported .*'btree', 'hash'/);
    expect(() => new MultiSet({ type: 'heap' as never })).toThrow(/multiset type "heap"/);
    expect(() => env.openDatabase('new', { create: false })).toThrow();
  });
});

describe('walks in hash order', () => {
  it('visit each entry once, through many bucket splits (512-byte pages)', () => {
    const env = openEnv(tempDir(), true);
    const m = env.openMap<number, string>('m', { type: 'hash' });
    const mm = env.openMultiMap<number, number>('mm', { type: 'hash', value: numbers });
    env.transaction(() => {
      for (let i = 0; i < 3000; i++) {
        m.set(i * 7919 % 10007, 'x'.repeat(i % 30));
        if (i % 3 === 0) mm.add(i % 101, i);
      }
    });
    const keys = [...m.keys()];
    expect(keys.length).toBe(3000);
    expect(new Set(keys).size).toBe(3000);
    const pairs = [...mm].map(([k, v]) => `${k}:${v}`);
    expect([pairs.length, new Set(pairs).size, mm.size]).toEqual([1000, 1000, 1000]);
    expect(new Set(mm.keys()).size).toBe(101);
    expect(m.db.stat()).toMatchObject({ type: 'hash' });
    expect(m.db.verify().errors).toEqual([]);
  });

  it('while deleting: each entry once, each deleted ahead not visited', () => {
    const m = new PersistentMap<number, number>({ type: 'hash' });
    for (let i = 0; i < 500; i++) m.set(i, i);
    const seen: number[] = [];
    const deletedAhead = new Set<number>();
    for (const [k] of m) {
      seen.push(k);
      m.delete(k);
      if (m.delete(k + 250)) deletedAhead.add(k + 250);
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const k of deletedAhead) expect(seen).not.toContain(k);
    expect(seen.length + deletedAhead.size).toBe(500);
    expect(m.size).toBe(0);
  });

  it('while inserting: each entry there for the whole walk once, as buckets split', () => {
    // Access-methods spec HS-06: Berkeley DB's hash may show a pair again when a split moves
    // it ahead of the cursor; Stowage's hash cursor walks split groups so it does not.
    const env = openEnv(tempDir(), true);
    const m = env.openMap<number, number>('m', { type: 'hash' });
    const seen = new Map<number, number>();
    let added = 0;
    // In one transaction, so the walk and its inserts cost one commit.
    env.transaction(() => {
      for (let i = 0; i < 300; i++) m.set(i, i);
      for (const [k] of m) {
        seen.set(k, (seen.get(k) ?? 0) + 1);
        if (added < 1500) m.set(100_000 + added++, 0);
      }
    });
    for (let i = 0; i < 300; i++) expect(seen.get(i), `key ${i}`).toBe(1);
    for (const n of seen.values()) expect(n).toBe(1);
    expect(added).toBeGreaterThan(300);
    expect(m.size).toBe(300 + added);
    expect(m.db.verify().errors).toEqual([]);
  });
});
