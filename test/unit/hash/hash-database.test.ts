/**
 * The hash access method through the engine API: shape checks at create and open, the
 * table's growth (splits, presizing, the fill factor), overflow items and the pages they
 * free, truncate, compaction, a user hash function, an aborted split, and iteration while
 * the table splits (HS-06). Every test ends with `verify()`.
 *
 * Layer: test (unit). Real files in a temporary directory.
 */
import { describe, expect, it } from 'vitest';
import {
  type Database, Environment, InvalidArgumentError, UnsupportedError,
} from '../../../src/index.js';
import { tempDir } from '../../support/temp-dir.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function openEnv(home = tempDir()): Environment {
  return Environment.open(home, { create: true, cacheSize: 256 * 1024 });
}

function walk(db: Database): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const c = db.cursor();
  while (c.next()) {
    const k = dec(c.key());
    out.set(k, [...(out.get(k) ?? []), dec(c.value())]);
  }
  c.close();
  return out;
}

function expectSound(db: Database): void {
  expect(db.verify().errors).toEqual([]);
}

type HashStat = { buckets: number; chainPages: number; fillFactor: number;
  expectedSize: number; reservedPages: number };
const hashStat = (db: Database): HashStat => db.stat().hash!;

describe('hash shape', () => {
  it('refuses what a hash database has not: key order, record numbers', () => {
    const env = openEnv();
    expect(() => env.openDatabase('a', { type: 'hash', comparator: () => 0 }))
      .toThrow(InvalidArgumentError);
    expect(() => env.openDatabase('a', { type: 'hash', recordNumbers: true }))
      .toThrow(/record numbers/);
    expect(() => env.openDatabase('a', { fillFactor: 4 })).toThrow(/does not apply to a btree/);
    const db = env.openDatabase('h', { type: 'hash' });
    db.put(enc('k'), enc('v'));
    expect(() => db.keyRange(enc('k'))).toThrow(UnsupportedError);
    expect(() => db.getRecno(1)).toThrow(InvalidArgumentError);
    const c = db.cursor();
    expect(c.seekRange(enc('k'))).toBe(true);
    expect(() => c.seekRangeBackward(enc('k'))).toThrow(InvalidArgumentError);
    expect(() => c.seekRecno(1)).toThrow(InvalidArgumentError);
    c.close();
    env.close();
  });

  it('is checked at every open: duplicates, hash function, fill factor', () => {
    const home = tempDir();
    let env = openEnv(home);
    const h = (b: Uint8Array) => Math.imul(b.length + 1, 2654435761);
    env.openDatabase('h', { type: 'hash', duplicates: 'sorted', hash: h, fillFactor: 8 });
    env.close();
    env = openEnv(home);
    expect(() => env.openDatabase('h', { type: 'hash', duplicates: 'sorted' }))
      .toThrow(/user hash function/);
    expect(() => env.openDatabase('h', { type: 'hash', hash: h })).toThrow(/duplicates/);
    expect(() => env.openDatabase('h', { type: 'hash', duplicates: 'sorted',
      hash: (b) => b.length })).toThrow(/another hash function/);
    expect(() => env.openDatabase('h', { type: 'hash', duplicates: 'sorted', hash: h,
      fillFactor: 9 })).toThrow(/fillFactor 8/);
    expect(() => env.openDatabase('h', { duplicates: 'sorted' })).toThrow(/is a hash database/);
    const db = env.openDatabase('h', { type: 'hash', duplicates: 'sorted', hash: h });
    expect(hashStat(db).fillFactor).toBe(8);
    env.close();
  });

  it('a user hash function that throws or returns junk is a typed error', () => {
    const env = openEnv();
    let bad: unknown = 7;
    const db = env.openDatabase('h', { type: 'hash', hash: () => {
      if (bad instanceof Error) throw bad;
      return bad as number;
    } });
    db.put(enc('a'), enc('1'));
    bad = 1.5;
    expect(() => db.put(enc('b'), enc('2'))).toThrow(InvalidArgumentError);
    bad = new Error('boom');
    expect(() => db.get(enc('a'))).toThrow(/threw/);
    bad = -5;
    expect(db.get(enc('zz'))).toBeUndefined();
    bad = 7;
    expect(dec(db.get(enc('a'))!)).toBe('1');
    expectSound(db);
    env.close();
  });
});

describe('hash growth', () => {
  it('splits one bucket at a time and keeps every pair (100k inserts, HS-01)', () => {
    const env = openEnv();
    const db = env.openDatabase('h', { type: 'hash', pageSize: 512 });
    env.transaction(() => {
      for (let i = 0; i < 100_000; i++) db.put(enc(`key-${i}`), enc(`v${i % 97}`));
    });
    expect(db.count()).toBe(100_000);
    for (let i = 0; i < 100_000; i += 997) expect(dec(db.get(enc(`key-${i}`))!)).toBe(`v${i % 97}`);
    const seen = walk(db);
    expect(seen.size).toBe(100_000);
    expect(hashStat(db).buckets).toBeGreaterThan(1000);
    expectSound(db);
    env.close();
  });

  it('presizes from the expected size with a fill factor (HS-03) and splits by it (HS-02)', () => {
    const env = openEnv();
    const sized = env.openDatabase('s', { type: 'hash', fillFactor: 50, expectedSize: 100_000 });
    expect(hashStat(sized).buckets).toBeGreaterThanOrEqual(2000);
    expect(hashStat(sized).expectedSize).toBe(100_000);
    const db = env.openDatabase('f', { type: 'hash', fillFactor: 4 });
    const plain = env.openDatabase('p', { type: 'hash' });
    for (let i = 0; i < 400; i++) {
      db.put(enc(`k${i}`), enc('v'));
      plain.put(enc(`k${i}`), enc('v'));
    }
    // A page holding more pairs than the fill factor splits the table (per page, as the
    // real library counts); without one, 400 short pairs fit the first two buckets.
    expect(hashStat(db).buckets).toBeGreaterThanOrEqual(100);
    expect(hashStat(plain).buckets).toBe(2);
    expectSound(sized);
    expectSound(db);
    env.close();
  });

  it('stays correct with a constant hash function (one bucket, a long chain)', () => {
    const env = openEnv();
    const db = env.openDatabase('c', { type: 'hash', pageSize: 512, hash: () => 42 });
    for (let i = 0; i < 2000; i++) db.put(enc(`k${i}`), enc(`v${i}`));
    for (let i = 0; i < 2000; i += 2) expect(db.del(enc(`k${i}`))).toBe(true);
    expect(walk(db).size).toBe(1000);
    expect(dec(db.get(enc('k1999'))!)).toBe('v1999');
    expectSound(db);
    env.close();
  });

  it('an aborted transaction undoes its splits and its pages', () => {
    const env = openEnv();
    const db = env.openDatabase('h', { type: 'hash', pageSize: 512 });
    for (let i = 0; i < 50; i++) db.put(enc(`k${i}`), enc('before'));
    const before = { buckets: hashStat(db).buckets, pages: db.stat().totalPages };
    const txn = env.begin();
    for (let i = 0; i < 5000; i++) db.put(enc(`n${i}`), enc('x'.repeat(i % 300)));
    expect(hashStat(db).buckets).toBeGreaterThan(before.buckets);
    txn.abort();
    expect(hashStat(db).buckets).toBe(before.buckets);
    expect(db.count()).toBe(50);
    expect([...walk(db).keys()].sort()).toEqual([...Array(50).keys()].map((i) => `k${i}`).sort());
    expectSound(db);
    env.close();
  });
});

describe('hash items', () => {
  it('keeps keys and values of any size on overflow chains and frees them', () => {
    const env = openEnv();
    const db = env.openDatabase('h', { type: 'hash', pageSize: 512 });
    const big = (n: number, c: string) => c.repeat(n);
    for (let i = 0; i < 40; i++) db.put(enc(big(300 + i, 'K') + i), enc(big(5000, 'v') + i));
    db.put(enc(''), enc(''));
    for (let i = 0; i < 40; i++) {
      expect(dec(db.get(enc(big(300 + i, 'K') + i))!)).toBe(big(5000, 'v') + i);
    }
    expect(db.stat().overflowPages).toBeGreaterThan(400);
    for (let i = 0; i < 40; i++) db.del(enc(big(300 + i, 'K') + i));
    expect(db.stat().overflowPages).toBe(0);
    expect(db.stat().freePages).toBeGreaterThan(400);
    expect(walk(db)).toEqual(new Map([['', ['']]]));
    expectSound(db);
    env.close();
  });

  it('truncate empties every bucket; compact gives the free pages back', () => {
    const env = openEnv();
    const db = env.openDatabase('h', { type: 'hash', pageSize: 512, duplicates: 'unsorted' });
    for (let i = 0; i < 3000; i++) db.put(enc(`k${i % 700}`), enc(`v${i}`.repeat(i % 9 ? 1 : 90)));
    expect(db.truncate()).toBe(3000);
    expect(db.count()).toBe(0);
    expect(walk(db).size).toBe(0);
    expectSound(db);
    for (let i = 0; i < 200; i++) db.put(enc(`k${i}`), enc('y'.repeat(600)));
    for (let i = 0; i < 200; i += 3) db.del(enc(`k${i}`));
    const before = db.stat();
    const report = db.compact();
    expect(report.pagesTruncated).toBeGreaterThan(0);
    expect(db.stat().totalPages).toBe(report.pagesKept);
    expect(report.pagesKept).toBeLessThan(before.totalPages);
    expect(db.stat().freePages).toBeLessThan(before.freePages);
    const left = walk(db);
    expect(left.size).toBe(133);
    expect(left.get('k1')).toEqual(['y'.repeat(600)]);
    expectSound(db);
    env.close();
  });
});

describe('hash iteration while the table splits (HS-06)', () => {
  it('visits every pair present for the whole walk exactly once', () => {
    const env = openEnv();
    const db = env.openDatabase('h', { type: 'hash', pageSize: 512 });
    for (let i = 0; i < 2000; i++) db.put(enc(`old${i}`), enc('v'));
    const bucketsBefore = hashStat(db).buckets;
    const seen = new Map<string, number>();
    const c = db.cursor();
    let added = 0;
    while (c.next()) {
      const k = dec(c.key());
      seen.set(k, (seen.get(k) ?? 0) + 1);
      if (added < 6000) for (let j = 0; j < 3; j++) db.put(enc(`new${added++}`), enc('w'));
    }
    c.close();
    expect(hashStat(db).buckets).toBeGreaterThan(bucketsBefore);
    for (let i = 0; i < 2000; i++) expect(seen.get(`old${i}`), `old${i}`).toBe(1);
    for (const [k, n] of seen) expect(n, k).toBe(1);
    expectSound(db);
    env.close();
  });
});
