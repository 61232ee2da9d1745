/**
 * PersistentSet, MultiMap and MultiSet beyond their differential tests: the three ways to
 * get each (anonymous, by name from the environment, over a validated `Database`), the
 * shape checks, `JSON.stringify`, the iterator rules (closed on `break` and at the end of a
 * transaction, defined while the container changes), and data surviving a reopen.
 *
 * Layer: test (unit).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  Environment, InvalidArgumentError, MultiMap, MultiSet, PersistentMap, PersistentSet,
  TransactionClosedError, codecs, type Codec,
} from '../../../src/index.js';
import { tempDir } from '../../support/temp-dir.js';

const envs: Environment[] = [];
const openEnv = (dir = tempDir()): Environment => {
  const env = Environment.open(dir);
  envs.push(env);
  return env;
};
afterEach(() => {
  for (const env of envs.splice(0)) if (!env.isClosed) env.close();
});

describe('three ways to get each container', () => {
  it('anonymous, in memory', () => {
    expect([...new PersistentSet<number>().add(2).add(1)]).toEqual([1, 2]);
    const mm = new MultiMap<string, number>({ value: codecs.key as Codec<number> });
    mm.add('k', 2);
    mm.add('k', 1);
    expect(mm.get('k')).toEqual([1, 2]);
    expect([...new MultiSet<string>().add('b').add('a').add('b')]).toEqual(['a', 'b', 'b']);
  });

  it('by name from the environment, surviving a reopen', () => {
    const dir = tempDir();
    let env = openEnv(dir);
    env.openSet<string>('s').add('x');
    env.openMultiMap<string, number>('mm', { duplicates: 'unsorted' }).add('k', 3);
    env.openMultiSet<number>('ms').add(7).add(7);
    env.close();
    env = openEnv(dir);
    expect([...env.openSet<string>('s')]).toEqual(['x']);
    const mm = env.openMultiMap<string, number>('mm', { duplicates: 'unsorted' });
    expect(mm.duplicates).toBe('unsorted');
    expect(mm.get('k')).toEqual([3]);
    expect(env.openMultiSet<number>('ms').count(7)).toBe(2);
  });

  it('over a Database, validated against what the container needs', () => {
    const env = openEnv();
    const plain = env.openDatabase('plain');
    const sorted = env.openDatabase('sorted', { duplicates: 'sorted' });
    const unsorted = env.openDatabase('unsorted', { duplicates: 'unsorted' });
    expect(new PersistentSet(plain).size).toBe(0);
    expect(new MultiMap(sorted).duplicates).toBe('sorted');
    expect(new MultiMap(unsorted).duplicates).toBe('unsorted');
    expect(new MultiSet(unsorted).size).toBe(0);
    expect(() => new PersistentSet(sorted)).toThrow(InvalidArgumentError);
    expect(() => new PersistentMap(unsorted)).toThrow(/PersistentMap needs .*'none'/);
    expect(() => new MultiMap(plain)).toThrow(/MultiMap needs .*'sorted' or 'unsorted'/);
    expect(() => new MultiMap(sorted, { duplicates: 'unsorted' })).toThrow(InvalidArgumentError);
    expect(() => new MultiSet(sorted)).toThrow(/MultiSet needs .*'unsorted'/);
  });

  it('refuses a name that holds another shape, and bad options before opening', () => {
    const env = openEnv();
    env.openMultiMap('mm');
    env.close();
    const again = openEnv(env.home);
    expect(() => again.openSet('mm')).toThrow(InvalidArgumentError);
    expect(() => again.openMultiMap('x', { duplicates: 'both' as never }))
      .toThrow(/duplicates must be 'sorted' or 'unsorted'/);
    expect(() => again.openSet('y', { key: 42 as never })).toThrow(/codec/);
    expect(() => again.openDatabase('x', { create: false })).toThrow();
  });
});

describe('JSON.stringify', () => {
  it('writes {} for every container, as for the built-in Map and Set', () => {
    const env = openEnv();
    const holder = {
      map: env.openMap('m'), set: env.openSet('s'), multiMap: env.openMultiMap('mm'),
      multiSet: env.openMultiSet('ms'), anonymous: new PersistentMap(),
    };
    holder.map.set('a', 1);
    holder.set.add('a');
    expect(JSON.stringify(holder)).toBe(
      '{"map":{},"set":{},"multiMap":{},"multiSet":{},"anonymous":{}}');
    expect(JSON.stringify(new Map([['a', 1]]))).toBe('{}');
  });
});

describe('iterators', () => {
  it('close on break, and at the end of their transaction', () => {
    const env = openEnv();
    const mm = env.openMultiMap<string, number>('mm');
    for (let i = 0; i < 50; i++) mm.add('k', i);
    for (const v of mm.valuesOf('k')) if (v >= 0) break;
    const txn = env.begin();
    const it = mm.values();
    it.next();
    txn.commit();
    expect(() => it.next()).toThrow(TransactionClosedError);
  });

  it('are defined while the container changes: deleted ahead not visited, added ahead visited', () => {
    const ms = new MultiSet<number>();
    for (const n of [1, 2, 3, 4]) ms.add(n);
    const seen: number[] = [];
    for (const n of ms) {
      seen.push(n);
      if (n === 1) {
        ms.delete(3);
        ms.add(5);
      }
    }
    expect(seen).toEqual([1, 2, 4, 5]);
  });
});

describe('MultiMap specifics', () => {
  it('sorted: an equal pair is not stored again; unsorted: it is', () => {
    const sorted = new MultiMap<string, string>();
    expect(sorted.add('k', 'v')).toBe(true);
    expect(sorted.add('k', 'v')).toBe(false);
    const unsorted = new MultiMap<string, string>({ duplicates: 'unsorted' });
    unsorted.add('k', 'v');
    expect(unsorted.add('k', 'v')).toBe(true);
    expect(unsorted.count('k')).toBe(2);
    expect(unsorted.delete('k', 'v')).toBe(2);
  });

  it('has(key, undefined) asks for the pair, not the key', () => {
    const mm = new MultiMap<string, unknown>();
    mm.add('k', 1);
    expect(mm.has('k')).toBe(true);
    expect(mm.has('k', undefined)).toBe(false);
    mm.add('k', undefined);
    expect(mm.has('k', undefined)).toBe(true);
    expect(mm.keyCount).toBe(1);
  });
});
