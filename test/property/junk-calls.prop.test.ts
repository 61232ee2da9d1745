/**
 * Junk calls: about 2,000 calls of every public method of `Environment`, `Database`,
 * `Cursor`, `PersistentMap`, `Transaction` (and the iterators the maps hand out) with random
 * junk arguments: null, undefined, numbers, NaN, bigints, symbols, circular objects, proxies
 * that throw on every trap, revoked proxies, functions (some throwing), huge strings, byte
 * arrays, and option objects with junk values. A seeded generator draws them; the seed is
 * printed (replay with FC_SEED=<seed>).
 *
 * Invariants checked after every call: it returned, or threw a `DbError` that is not
 * `RunRecoveryError` (never a TypeError, RangeError or AssertionError); an error thrown by a
 * junk callback itself passes through unchanged. At the end: another map still works,
 * `verify()` is clean on every database, and so it is after a close and a reopen.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CoreEnvironment, Cursor, Database, DbError, Environment, InvalidArgumentError, PersistentMap,
  RunRecoveryError,
  type Transaction,
} from '../../src/index.js';
import { propertySeed, scaled } from '../support/seed.js';
import { tempDir } from '../support/temp-dir.js';

/** Thrown by a junk function when it is called: a user callback's own error. */
class JunkCallError extends Error {}
/** Thrown by the traps of a junk proxy. */
class TrapError extends Error {}

/** mulberry32: a small seeded generator, so a failing run replays from its seed. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function throwingProxy(): object {
  const trap = () => { throw new TrapError('trap'); };
  // Calling it runs user code, whose error is the caller's own: that one passes through.
  const call = () => { throw new JunkCallError('junk proxy called'); };
  return new Proxy(function target() {}, {
    get: trap, set: trap, has: trap, ownKeys: trap, getPrototypeOf: trap, apply: call,
    construct: call, getOwnPropertyDescriptor: trap, defineProperty: trap, deleteProperty: trap,
    isExtensible: trap, preventExtensions: trap, setPrototypeOf: trap,
  });
}

/** The fixed junk values; `drawJunk` also builds option objects holding them. */
function junkValues(): unknown[] {
  const circular: Record<string, unknown> = { a: 1 };
  circular['self'] = circular;
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const throwing = () => { throw new JunkCallError('junk callback'); };
  return [
    null, undefined, 0, -1, 1, 1.5, -0, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 31,
    10n, -(2n ** 70n), Symbol('junk'), Symbol.iterator, '', 'a', 'k', '../escape', 'a\u0000b',
    'x'.repeat(100_000), '\ud800', true, false, {}, [], [1, [2, [3]]], circular,
    Object.assign(Object.create(null) as object, { x: 1 }), throwingProxy(), revocable.proxy,
    { toString: throwing, valueOf: throwing }, function named() {}, () => 1, throwing,
    () => throwingProxy(), () => Promise.resolve(1), new Uint8Array(0), new Uint8Array([1]),
    new Uint8Array([1, 2, 3]), new Uint8Array(5000), new Uint8Array(2000).fill(7),
    new Date(0), new Date(NaN), new Map([[1, 2]]), new Set([1]), new Error('junk'),
    { encode: throwing, decode: throwing }, { encode: () => 'no bytes', decode: () => 1 },
    { encode: () => new Uint8Array([9]), decode: throwing },
  ];
}

/** A sane user comparator: reverse byte order. */
function reverseBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(b, a);
}

const OPTION_NAMES = [
  'create', 'type', 'comparator', 'pageSize', 'key', 'value', 'noOverwrite', 'remove',
  'durability', 'isolation', 'retries', 'gt', 'gte', 'lt', 'lte', 'reverse', 'limit',
  'cacheSize', 'transactional', 'duplicates', 'fileSystem',
];
/** Option values drawn for the option 'comparator' are restricted (see `draw`). */
const NOT_COMPARATORS = (value: unknown) => typeof value !== 'function';
const PLAUSIBLE = [
  'btree', 'hash', 'sync', 'none', 'serializable', 'snapshot', 512, 4096, 3000, 0, 2, true,
];

class Junk {
  private readonly values = junkValues();

  constructor(readonly random: () => number) {}

  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** One junk argument: a fixed value, a plausible one, or an options object of junk. */
  draw(): unknown {
    const roll = this.random();
    if (roll < 0.6) return this.pick(this.values);
    if (roll < 0.75) return this.pick(PLAUSIBLE);
    const options: Record<string, unknown> = {};
    for (let i = this.int(3); i >= 0; i--) {
      const name = this.pick(OPTION_NAMES);
      // A comparator is user code run inside the tree's searches: it must be a total order
      // (see docs/api.md), so only a sane one or a non-function is drawn here; one that
      // throws is test/unit/env/comparator-errors.test.ts.
      if (name === 'comparator') {
        options[name] = this.random() < 0.7
          ? reverseBytes : this.pick(this.values.filter(NOT_COMPARATORS));
      } else {
        options[name] = this.random() < 0.5 ? this.pick(this.values) : this.pick(PLAUSIBLE);
      }
    }
    return options;
  }

  args(): unknown[] {
    return Array.from({ length: this.int(4) }, () => this.draw());
  }
}

/** Every public member per class (members marked @internal are not called). */
const PUBLIC = {
  env: ['openDatabase', 'openMap', 'begin', 'transaction', 'checkpoint', 'archive', 'printLog',
    'stat', 'close', 'isClosed', 'wasUnclean', 'recovery', 'home', 'options', 'fs'],
  db: ['get', 'exists', 'put', 'putIfAbsent', 'del', 'count', 'cursor', 'truncate', 'verify',
    'stat', 'close', 'isClosed', 'name', 'type'],
  cursor: ['first', 'last', 'next', 'prev', 'seek', 'seekRange', 'seekRangeBackward', 'where',
    'current', 'key', 'value', 'put', 'del', 'close', 'isClosed'],
  map: ['size', 'get', 'set', 'setIfAbsent', 'has', 'delete', 'clear', 'forEach', 'entries',
    'keys', 'values', 'first', 'last', 'lowerBound', 'upperBound', 'range', 'db',
    Symbol.iterator, Symbol.toStringTag],
  txn: ['id', 'state', 'commit', 'abort'],
  iterator: ['next', 'return', Symbol.iterator],
} as const;

/** The live objects the calls are made on; results of calls join them. */
interface Targets {
  env: Environment;
  dbs: Database[];
  cursors: Cursor[];
  maps: PersistentMap<unknown, unknown>[];
  txns: Transaction[];
  iterators: Iterator<unknown>[];
  extraEnvs: CoreEnvironment[];
}

function adopt(t: Targets, result: unknown): void {
  const push = <T>(list: T[], item: T) => {
    if (list.length >= 8) list.splice(0, 1);
    list.push(item);
  };
  if (result instanceof Database) push(t.dbs, result);
  else if (result instanceof Cursor) push(t.cursors, result);
  else if (result instanceof PersistentMap) push(t.maps, result);
  else if (result instanceof CoreEnvironment) t.extraEnvs.push(result);
  else if (result !== null && typeof result === 'object' && 'commit' in result) {
    push(t.txns, result as Transaction);
  } else if (result !== null && typeof result === 'object' && 'next' in result) {
    push(t.iterators, result as Iterator<unknown>);
  }
}

/** Calls (or reads) member `name` of `target` with junk arguments. */
function invoke(target: object, name: string | symbol, args: unknown[]): unknown {
  const member = (target as Record<string | symbol, unknown>)[name];
  if (typeof member !== 'function') return member;
  return (member as (...a: unknown[]) => unknown).apply(target, args);
}

/** One random call; returns a label for failure messages and the call itself. */
function drawCall(t: Targets, junk: Junk, home: string): [string, () => unknown] {
  const args = junk.args();
  const roll = junk.int(100);
  if (roll < 3) {
    const homeArg = typeof args[0] === 'string' ? path.join(home, 'h', args[0]) : args[0];
    return ['Environment.open', () => Environment.open(homeArg as string, args[1] as never)];
  }
  if (roll < 5) return ['Environment.anonymous', () => Environment.anonymous(args[0] as never)];
  if (roll < 7) {
    return ['new PersistentMap', () => new PersistentMap(args[0] as never, args[1] as never)];
  }
  const kinds: [keyof typeof PUBLIC, object[]][] = [
    ['env', [t.env]], ['db', t.dbs], ['cursor', t.cursors], ['map', t.maps], ['txn', t.txns],
    ['iterator', t.iterators],
  ];
  const live = kinds.filter(([, objects]) => objects.length > 0);
  const [kind, objects] = junk.pick(live);
  let name = junk.pick<string | symbol>(PUBLIC[kind]);
  // Closing is rare (the environment's rarest), so that most calls reach open handles.
  if (name === 'close' && junk.random() < (kind === 'env' ? 0.9 : 0.6)) name = 'isClosed';
  const target = junk.pick(objects);
  const label = `${kind}.${String(name)}`;
  if (junk.random() < 0.15 && !t.env.isClosed) {
    // The same call inside a transaction: it joins it, and a throw aborts it.
    return [`transaction(${label})`, () => t.env.transaction(() => invoke(target, name, args))];
  }
  return [label, () => invoke(target, name, args)];
}

function openTargets(home: string): Targets {
  const env = Environment.open(home, { pageSize: 512, cacheSize: 64 * 1024, durability: 'none' });
  return {
    env, dbs: [env.openDatabase('fuzz-db')], cursors: [], iterators: [], extraEnvs: [],
    maps: [env.openMap('fuzz-map')], txns: [],
  };
}

/** Opens every database file of the home (with the fuzz's comparator where it has one). */
function expectEveryDatabaseClean(env: Environment): void {
  const names = fs.readdirSync(env.home).filter((f) => f.endsWith('.db'))
    .map((f) => f.slice(0, -3));
  expect(names).toContain('fuzz-map');
  for (const name of names) {
    let db: Database;
    try {
      db = env.openDatabase(name);
    } catch (e) {
      if (!(e instanceof InvalidArgumentError) || !/comparator/.test(e.message)) throw e;
      db = env.openDatabase(name, { comparator: reverseBytes });
    }
    expect(db.verify().errors, name).toEqual([]);
  }
  env.checkInvariants();
}

describe('junk calls', () => {
  it('2,000 junk calls give only typed errors and leave the environment usable', () => {
    const seed = propertySeed('junk-calls');
    const junk = new Junk(generator(seed));
    const home = tempDir();
    let t = openTargets(home);
    const calls = scaled(2000);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < calls; i++) {
      if (t.env.isClosed) t = reopen(home, t);
      const [label, call] = drawCall(t, junk, home);
      let error: unknown;
      let result: unknown;
      try {
        result = call();
      } catch (e) {
        error = e;
      }
      try {
        adopt(t, result);
      } catch {
        // A junk value handed back (a proxy): nothing to adopt.
      }
      checkOutcome(error, `seed ${seed}, call ${i}: ${label}`);
      const outcome = error instanceof DbError ? error.code : error ? 'callback' : 'returned';
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      for (const extra of t.extraEnvs.splice(0)) extra.close();
    }
    console.log(`[junk-calls] outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`);
    // The calls must reach the engine, not only its argument checks.
    expect(outcomes.get('returned') ?? 0).toBeGreaterThan(calls / 5);
    for (const txn of [...t.txns].reverse()) if (txn.state === 'active') txn.abort();
    const probe = t.env.openMap<string, number>('probe');
    probe.set('alive', 1);
    expect(probe.get('alive')).toBe(1);
    expectEveryDatabaseClean(t.env);
    t.env.close();
    const again = Environment.open(home, { pageSize: 512 });
    expectEveryDatabaseClean(again);
    expect(again.openMap<string, number>('probe').get('alive')).toBe(1);
    again.close();
  });
});

function reopen(home: string, old: Targets): Targets {
  const fresh = openTargets(home);
  // Keep the stale handles: calls on them must throw ClosedError, not crash.
  fresh.dbs.push(...old.dbs.slice(-2));
  fresh.maps.push(...old.maps.slice(-2));
  fresh.cursors.push(...old.cursors.slice(-2));
  return fresh;
}

function checkOutcome(error: unknown, where: string): void {
  if (error === undefined || error instanceof JunkCallError) return;
  if (!(error instanceof DbError) || error instanceof RunRecoveryError) {
    const shown = error instanceof Error ? `${error.name}: ${error.message}` : typeof error;
    expect.fail(`${where} threw ${shown}\n${error instanceof Error ? error.stack : ''}`);
  }
}
