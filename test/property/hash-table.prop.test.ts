/**
 * Model-based test of the hash access method through the engine API: fast-check draws
 * commands (puts with every flag, cursor puts first/last/before/after, deletes of a key, of
 * a pair and at a cursor, reopen, transactions that commit or abort) and runs each on a hash
 * database and on a model (a map from key to its values in their order), comparing every
 * answer.
 *
 * After every run: a full forward walk visits exactly the model's pairs, each key's values
 * adjacent and in their order; a backward walk is its reverse; `count`, `countValues` and
 * `verify` agree. 512-byte pages and a tiny cache, with keys and values long enough for
 * overflow chains, so buckets split and chain many times and pages are evicted constantly.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareBytes } from '../../src/util/index.js';
import { Environment, type Database } from '../../src/index.js';
import { tempDir } from '../support/temp-dir.js';
import { propertySeed, scaled } from '../support/seed.js';

type Dups = 'none' | 'sorted' | 'unsorted';
type Cmd =
  | { op: 'put' | 'putNoOverwrite' | 'putFirst' | 'putLast' | 'putBefore' | 'putAfter';
    key: string; value: string }
  | { op: 'del' | 'cdel'; key: string }
  | { op: 'delPair'; key: string; value: string }
  | { op: 'reopen' | 'commit' | 'abort' | 'begin' };

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const cmp = (a: string, b: string): number => compareBytes(enc(a), enc(b));

const keyArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 400 }).map((n) => `k${n}`) },
  { weight: 1, arbitrary: fc.constantFrom('', 'L'.repeat(200), `${'L'.repeat(900)}x`) },
);
const valueArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 30 }).map((n) => `v${n}`) },
  { weight: 1, arbitrary: fc.string({ minLength: 100, maxLength: 700 }) },
);
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 20, arbitrary: fc.record({ op: fc.constantFrom('put' as const,
    'putNoOverwrite' as const, 'putFirst' as const, 'putLast' as const, 'putBefore' as const,
    'putAfter' as const), key: keyArb, value: valueArb }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constantFrom('del' as const, 'cdel' as const),
    key: keyArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delPair' as const), key: keyArb,
    value: valueArb }) },
  { weight: 1, arbitrary: fc.constantFrom({ op: 'reopen' as const }, { op: 'begin' as const },
    { op: 'commit' as const }, { op: 'abort' as const }) },
);

/** The values of each key in their order; a copy of it is kept at `begin`. */
class Model {
  map = new Map<string, string[]>();
  saved: Map<string, string[]> | undefined;
  constructor(readonly dups: Dups) {}

  put(key: string, value: string, where: 'first' | 'last' | number): 'stored' | 'exists' {
    const values = this.map.get(key);
    if (!values || this.dups === 'none') {
      this.map.set(key, [value]);
      return 'stored';
    }
    if (this.dups === 'sorted') {
      if (values.includes(value)) return 'exists';
      values.push(value);
      values.sort(cmp);
      return 'stored';
    }
    const at = where === 'first' ? 0 : where === 'last' ? values.length : where;
    values.splice(at, 0, value);
    return 'stored';
  }

  delPair(key: string, value: string): boolean {
    const values = this.map.get(key);
    const at = values?.indexOf(value) ?? -1;
    if (at < 0) return false;
    values!.splice(at, 1);
    if (values!.length === 0) this.map.delete(key);
    return true;
  }
}

interface Run {
  home: string;
  env: Environment;
  db: Database;
  txn: ReturnType<Environment['begin']> | undefined;
}

function open(home: string, dups: Dups): Run {
  const env = Environment.open(home, { create: true, cacheSize: 64 * 1024 });
  const db = env.openDatabase('h', { type: 'hash', duplicates: dups, pageSize: 512 });
  return { home, env, db, txn: undefined };
}

function apply(r: Run, m: Model, c: Cmd): void {
  const { db } = r;
  switch (c.op) {
    case 'put': {
      const before = m.dups === 'sorted' && (m.map.get(c.key) ?? []).includes(c.value);
      if (before) {
        expect(() => db.put(enc(c.key), enc(c.value))).toThrow(/already stored/);
      } else {
        db.put(enc(c.key), enc(c.value));
        m.put(c.key, c.value, 'last');
      }
      return;
    }
    case 'putNoOverwrite': {
      const stored = db.putIfAbsent(enc(c.key), enc(c.value));
      expect(stored).toBe(!m.map.has(c.key));
      if (stored) m.put(c.key, c.value, 'last');
      return;
    }
    case 'putFirst':
    case 'putLast':
      return cursorPut(r, m, c.key, c.value, c.op === 'putFirst' ? 'first' : 'last');
    case 'putBefore':
    case 'putAfter':
      return putBeside(r, m, c.key, c.value, c.op === 'putAfter' ? 1 : 0);
    case 'del':
      expect(db.delCounting(enc(c.key))).toBe(m.map.get(c.key)?.length ?? 0);
      m.map.delete(c.key);
      return;
    case 'cdel':
      return cursorDelete(r, m, c.key);
    case 'delPair':
      expect(db.delPair(enc(c.key), enc(c.value))).toBe(m.delPair(c.key, c.value));
      return;
    default:
      return control(r, m, c.op);
  }
}

function cursorPut(r: Run, m: Model, key: string, value: string, where: 'first' | 'last'): void {
  const c = r.db.cursor();
  try {
    const exists = m.dups === 'sorted' && (m.map.get(key) ?? []).includes(value);
    if (exists) {
      expect(() => c.putKey(enc(key), enc(value), where)).toThrow(/already stored/);
      return;
    }
    c.putKey(enc(key), enc(value), where);
    m.put(key, value, where);
    expect(dec(c.key())).toBe(key);
    expect(dec(c.value())).toBe(value);
  } finally {
    c.close();
  }
}

function putBeside(r: Run, m: Model, key: string, value: string, after: 0 | 1): void {
  const values = m.map.get(key);
  if (!values || m.dups !== 'unsorted') return;
  const c = r.db.cursor();
  try {
    const d = Math.floor(values.length / 2);
    expect(c.seekBoth(enc(key), enc(values[d]!))).toBe(true);
    const at = values.indexOf(values[d]!);
    expect(after ? c.putAfter(enc(value)) : c.putBefore(enc(value))).toBe(true);
    m.put(key, value, at + after);
    expect(dec(c.value())).toBe(value);
  } finally {
    c.close();
  }
}

function cursorDelete(r: Run, m: Model, key: string): void {
  const c = r.db.cursor();
  try {
    const values = m.map.get(key);
    expect(c.seek(enc(key))).toBe(values !== undefined);
    if (!values) return;
    expect(dec(c.value())).toBe(values[0]);
    expect(c.del()).toBe(true);
    expect(c.where()).toBe('deleted');
    m.delPair(key, values[0]!);
  } finally {
    c.close();
  }
}

function control(r: Run, m: Model, op: 'reopen' | 'commit' | 'abort' | 'begin'): void {
  if (op === 'begin' && !r.txn) {
    r.txn = r.env.begin();
    m.saved = new Map([...m.map].map(([k, v]) => [k, [...v]]));
  } else if ((op === 'commit' || op === 'abort') && r.txn) {
    const txn = r.txn;
    r.txn = undefined;
    if (op === 'commit') txn.commit();
    else {
      txn.abort();
      m.map = m.saved!;
    }
  } else if (op === 'reopen' && !r.txn) {
    r.env.close();
    Object.assign(r, open(r.home, m.dups));
  }
}

/** The walk, checked against the model (see the file header). */
function checkWalk(r: Run, m: Model): void {
  const forward: [string, string][] = [];
  const c = r.db.cursor();
  while (c.next()) forward.push([dec(c.key()), dec(c.value())]);
  const backward: [string, string][] = [];
  for (let on = c.last(); on; on = c.prev()) backward.push([dec(c.key()), dec(c.value())]);
  c.close();
  expect(backward.length).toBe(forward.length);
  expect(backward.reverse()).toEqual(forward);
  const grouped = new Map<string, string[]>();
  let last: string | undefined;
  for (const [k, v] of forward) {
    if (k !== last) expect(grouped.has(k), `values of ${k} are adjacent`).toBe(false);
    grouped.set(k, [...(grouped.get(k) ?? []), v]);
    last = k;
  }
  expect(new Map([...grouped].sort())).toEqual(new Map([...m.map].sort()));
  let pairs = 0;
  for (const [k, values] of m.map) {
    pairs += values.length;
    expect(r.db.countValues(enc(k))).toBe(values.length);
  }
  expect(r.db.count()).toBe(pairs);
  const report = r.db.verify();
  expect(report.errors).toEqual([]);
}

describe.each<Dups>(['none', 'sorted', 'unsorted'])('hash table, duplicates %s', (dups) => {
  it('agrees with the model', () => {
    const seed = propertySeed(`hash-table ${dups}`);
    fc.assert(fc.property(fc.array(cmdArb, { minLength: 1, maxLength: 400 }), (cmds) => {
      const r = open(tempDir('stowage-hash-prop-'), dups);
      const m = new Model(dups);
      try {
        for (const c of cmds) apply(r, m, c);
        if (r.txn) control(r, m, 'commit');
        checkWalk(r, m);
      } finally {
        if (r.txn) r.txn.abort();
        r.env.close();
      }
    }), { seed, numRuns: scaled(30) });
  });
});

describe('hash walk while the table changes (HS-06)', () => {
  it('shows every pair present for the whole walk exactly once', () => {
    const seed = propertySeed('hash-walk-changes');
    const stepArb = fc.record({ inserts: fc.integer({ min: 0, max: 6 }),
      deletes: fc.integer({ min: 0, max: 2 }) });
    fc.assert(fc.property(fc.integer({ min: 1, max: 1500 }), fc.array(stepArb,
      { minLength: 1, maxLength: 300 }), (size, steps) => {
      const r = open(tempDir('stowage-hash-walk-'), 'none');
      try {
        for (let i = 0; i < size; i++) r.db.put(enc(`old${i}`), enc(`v${i % 13}`.repeat(i % 7)));
        const kept = new Set([...Array(size).keys()].map((i) => `old${i}`));
        const shown = new Map<string, number>();
        const c = r.db.cursor();
        let n = 0;
        for (let on = c.next(), s = 0; on; on = c.next(), s++) {
          const k = dec(c.key());
          shown.set(k, (shown.get(k) ?? 0) + 1);
          const step = steps[s % steps.length]!;
          for (let j = 0; j < step.inserts; j++) r.db.put(enc(`new${n++}`), enc('w'));
          for (let j = 0; j < step.deletes; j++) {
            const victim = `old${(s * 7 + j * 13) % size}`;
            if (victim !== k && r.db.del(enc(victim))) kept.delete(victim);
          }
          if (n > 5000) break;
        }
        if (n <= 5000) for (const k of kept) expect(shown.get(k), k).toBe(1);
        for (const [k, times] of shown) expect(times, k).toBe(1);
        c.close();
        expect(r.db.verify().errors).toEqual([]);
      } finally {
        r.env.close();
      }
    }), { seed, numRuns: scaled(8) });
  });
});
