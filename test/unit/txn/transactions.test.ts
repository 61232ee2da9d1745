/**
 * Transaction semantics through the public API: abort restores exact prior contents, nested
 * transactions, deadlocks between interleaved transactions and retries, read-only
 * transactions write no log, promise-returning functions are rejected, async contexts do
 * not leak, iterators close with their transaction.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AsyncResource } from 'node:async_hooks';
import {
  DeadlockError, Environment, InvalidArgumentError, type PersistentMap, TransactionClosedError,
  UnsupportedError,
} from '../../../src/index.js';
import { MemFs } from '../../../src/os/index.js';
import { propertySeed, scaled } from '../../support/seed.js';

function openEnv(fs = new MemFs()) {
  const env = Environment.open('/home', { fileSystem: fs, pageSize: 512, cacheSize: 8192 });
  return { env, map: env.openMap<number, string>('m'), fs };
}

/** Two "requests": each runs in its own async resource, as a server's requests do. */
function contexts() {
  const a = new AsyncResource('request-a');
  const b = new AsyncResource('request-b');
  return {
    run<T>(which: 1 | 2, fn: () => T): T {
      return (which === 1 ? a : b).runInAsyncScope(fn);
    },
  };
}

function check(env: Environment, ...maps: PersistentMap<number, string>[]) {
  for (const m of maps) expect(m.db.verify().errors).toEqual([]);
  env.checkInvariants();
}

describe('abort', () => {
  it('restores the exact prior contents (differential against a Map snapshot)', () => {
    const seed = propertySeed('txn abort');
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 200 }),
        value: fc.oneof(fc.string({ maxLength: 30 }), fc.string({ minLength: 300, maxLength: 900 })) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 200 }) }),
      fc.record({ kind: fc.constant('clear' as const) }),
    );
    fc.assert(fc.property(fc.array(fc.tuple(fc.array(op, { maxLength: 80, size: 'max' }), fc.boolean()),
      { minLength: 1, maxLength: 8 }), (txns) => {
      const { env, map } = openEnv();
      const model = new Map<number, string>();
      for (let i = 0; i < 150; i++) { map.set(i, `seed${i}`); model.set(i, `seed${i}`); }
      for (const [ops, commit] of txns) {
        const snapshot = new Map(model);
        const t = env.begin();
        for (const o of ops) {
          if (o.kind === 'set') { map.set(o.key, o.value); model.set(o.key, o.value); }
          else if (o.kind === 'delete') expect(map.delete(o.key)).toBe(model.delete(o.key));
          else { map.clear(); model.clear(); }
        }
        expect(map.size).toBe(model.size);
        if (commit) t.commit();
        else {
          t.abort();
          model.clear();
          for (const [k, v] of snapshot) model.set(k, v);
        }
        expect([...map]).toEqual([...model].sort((a, b) => a[0] - b[0]));
        expect(map.size).toBe(model.size);
      }
      check(env, map);
      env.close();
    }), { seed, numRuns: scaled(25) });
  });

  it('is durable across reopen: aborted work never reappears, committed work stays', () => {
    const { env, map, fs } = openEnv();
    map.set(1, 'one');
    const t = env.begin();
    map.set(2, 'two');
    map.delete(1);
    t.abort();
    env.transaction(() => map.set(3, 'three'));
    env.close();
    const again = openEnv(fs);
    expect([...again.map]).toEqual([[1, 'one'], [3, 'three']]);
    check(again.env, again.map);
    again.env.close();
  });
});

describe('nested transactions', () => {
  it('a child abort undoes only the child; a child commit folds into its parent', () => {
    const { env, map } = openEnv();
    const parent = env.begin();
    map.set(1, 'parent');
    const child = env.begin();
    map.set(2, 'child');
    map.delete(1);
    child.abort();
    expect([...map]).toEqual([[1, 'parent']]);
    const child2 = env.begin();
    map.set(3, 'child2');
    child2.commit();
    expect(map.size).toBe(2);
    parent.abort();
    expect([...map]).toEqual([]);
    env.transaction(() => {
      map.set(5, 'outer');
      env.transaction(() => map.set(6, 'inner'));
      try {
        env.transaction(() => { map.set(7, 'lost'); throw new Error('inner fails'); });
      } catch { /* the inner transaction aborted alone */ }
    });
    expect([...map]).toEqual([[5, 'outer'], [6, 'inner']]);
    check(env, map);
    env.close();
  });
});

describe('locking', () => {
  it('interleaved transactions on the same page get DeadlockError; retries then succeed', () => {
    const { env, map } = openEnv();
    map.set(1, 'a');
    const other = contexts();
    const t1 = other.run(1, () => env.begin());
    other.run(1, () => map.set(1, 'by t1'));
    let attempts = 0;
    expect(() => other.run(2, () => env.transaction(() => { attempts++; map.get(1); },
      { retries: 2 }))).toThrow(DeadlockError);
    expect(attempts).toBe(3);
    attempts = 0;
    const value = other.run(2, () => env.transaction(() => {
      attempts++;
      if (attempts === 2) t1.commit();
      return map.get(1);
    }, { retries: 3 }));
    expect(attempts).toBe(2);
    expect(value).toBe('by t1');
    check(env, map);
    env.close();
  });

  it('an explicit writer blocked by another gets DeadlockError and can abort cleanly', () => {
    const { env, map } = openEnv();
    for (let i = 0; i < 5; i++) map.set(i, `v${i}`);
    const ctx = contexts();
    const t1 = ctx.run(1, () => env.begin());
    ctx.run(1, () => map.set(2, 't1'));
    const t2 = ctx.run(2, () => env.begin());
    expect(() => ctx.run(2, () => map.set(3, 't2'))).toThrow(DeadlockError);
    ctx.run(2, () => t2.abort());
    ctx.run(1, () => t1.commit());
    expect(map.get(2)).toBe('t1');
    expect(map.get(3)).toBe('v3');
    check(env, map);
    env.close();
  });
});

describe('transaction API', () => {
  it('read-only transactions write no log', () => {
    const { env, map } = openEnv();
    map.set(1, 'x');
    const before = env.endLsn;
    env.transaction(() => map.get(1));
    const t = env.begin();
    expect(map.has(1)).toBe(true);
    t.commit();
    expect(env.endLsn).toBe(before);
    env.close();
  });

  it('rejects a function that returns a promise, and aborts its work', () => {
    const { env, map } = openEnv();
    expect(() => env.transaction((async () => { map.set(9, 'x'); }) as never))
      .toThrow(InvalidArgumentError);
    expect(map.has(9)).toBe(false);
    env.close();
  });

  it('binds the current transaction to the async context', async () => {
    const { env, map } = openEnv();
    const ctx = contexts();
    const t = ctx.run(1, () => env.begin());
    await ctx.run(2, async () => {
      await Promise.resolve();
      map.set(100, 'auto-commit');
    });
    ctx.run(1, () => map.set(101, 'in t'));
    ctx.run(1, () => t.abort());
    expect(map.has(100)).toBe(true);
    expect(map.has(101)).toBe(false);
    env.close();
  });

  it('closes iterators when their transaction ends', () => {
    const { env, map } = openEnv();
    for (let i = 0; i < 10; i++) map.set(i, `v${i}`);
    const t = env.begin();
    const it = map.entries();
    expect(it.next().value).toEqual([0, 'v0']);
    t.commit();
    expect(() => it.next()).toThrow(TransactionClosedError);
    expect(() => t.commit()).toThrow(TransactionClosedError);
    env.close();
  });

  it('reports unsupported isolation levels and bad options', () => {
    const { env } = openEnv();
    expect(() => env.begin({ isolation: 'snapshot' })).toThrow(UnsupportedError);
    expect(() => env.begin({ durability: 'fast' as never })).toThrow(InvalidArgumentError);
    expect(() => env.transaction(() => 1, { retries: -1 })).toThrow(InvalidArgumentError);
    env.close();
  });
});
