/**
 * A user comparator that throws, or returns something that is not a number, is bad input,
 * not a broken engine: the call gets `InvalidArgumentError` naming the database (the
 * original error as `cause`), nothing is changed, nothing stays pinned, and the environment
 * stays usable (no `RunRecoveryError` for the other databases). Guards against a comparator
 * failure poisoning the environment, and against pins leaked by a search it cut short (in
 * an internal page, in a leaf, in the append hint's check, in a cursor seek).
 */
import { describe, expect, it } from 'vitest';
import {
  Environment, InvalidArgumentError, type Database,
} from '../../../src/index.js';
import { tempDir } from '../../support/temp-dir.js';
import { errorOf } from '../../support/thrown.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const POISON = enc.encode('poison');
const RECORDS = 3000;

/** Reverse byte order, failing as `mode` says whenever either side is the poison key. */
function comparatorFailing(mode: { kind: 'throw' | 'nan' | 'string' }) {
  return (a: Uint8Array, b: Uint8Array): number => {
    if (Buffer.from(a).equals(POISON) || Buffer.from(b).equals(POISON)) {
      if (mode.kind === 'throw') throw new TypeError('comparator blew up');
      return (mode.kind === 'nan' ? Number.NaN : 'less') as number;
    }
    return Buffer.compare(b, a);
  };
}

function key(i: number): Uint8Array {
  return enc.encode(`k${String(i).padStart(6, '0')}`);
}

/** Several levels of pages, so searches compare in internal pages and in leaves. */
function fill(db: Database): void {
  for (let i = 0; i < RECORDS; i++) db.put(key(i), enc.encode(`v${i}`));
}

/** The database's records still there, in reverse byte order, and other databases usable. */
function expectIntact(env: Environment, db: Database): void {
  const cursor = db.cursor();
  const seen: string[] = [];
  for (let ok = cursor.first(); ok; ok = cursor.next()) seen.push(dec.decode(cursor.key()));
  cursor.close();
  expect(seen.length).toBe(RECORDS);
  expect(seen[0]).toBe(dec.decode(key(RECORDS - 1)));
  expect(db.verify().errors).toEqual([]);
  const probe = env.openMap<string, number>('probe');
  probe.set('alive', 1);
  expect(probe.get('alive')).toBe(1);
  env.checkInvariants();
}

describe('a failing user comparator', () => {
  for (const kind of ['throw', 'nan', 'string'] as const) {
    it(`(${kind}) is InvalidArgumentError at every search, and poisons nothing`, () => {
      const env = Environment.open(tempDir(), { pageSize: 512 });
      const db = env.openDatabase('ordered', { comparator: comparatorFailing({ kind }) });
      fill(db);
      const calls: [string, () => unknown][] = [
        ['put', () => db.put(POISON, enc.encode('x'))],
        ['get', () => db.get(POISON)],
        ['exists', () => db.exists(POISON)],
        ['del', () => db.del(POISON)],
        ['seek', () => { const c = db.cursor(); try { c.seek(POISON); } finally { c.close(); } }],
        ['seekRange', () => {
          const c = db.cursor();
          try { c.seekRange(POISON); } finally { c.close(); }
        }],
      ];
      for (const [name, call] of calls) {
        const error = errorOf(call, InvalidArgumentError);
        expect(db.file.mp.pinnedCount(), `${name} left a page pinned`).toBe(0);
        expect(error.message, name).toMatch(/comparator of database \S*ordered\.db/);
        if (kind === 'throw') expect((error.cause as Error).message).toBe('comparator blew up');
        expectIntact(env, db);
      }
      env.close();
    });
  }

  it('fails the append hint check without a leaked pin (an ascending insert after the last key)', () => {
    const env = Environment.open(tempDir(), { pageSize: 512 });
    // Byte order, but the poison key fails; keys put in ascending order use the append hint.
    const failing = (a: Uint8Array, b: Uint8Array): number => {
      if (Buffer.from(a).equals(POISON) || Buffer.from(b).equals(POISON)) throw new Error('no');
      return Buffer.compare(a, b);
    };
    const db = env.openDatabase('ascending', { comparator: failing });
    for (let i = 0; i < RECORDS; i++) db.put(key(i), enc.encode('v'));
    errorOf(() => db.put(POISON, enc.encode('x')), InvalidArgumentError);
    expect(db.file.mp.pinnedCount()).toBe(0);
    env.checkInvariants();
    db.put(key(RECORDS), enc.encode('v'));
    expect(db.count()).toBe(RECORDS + 1);
    expect(db.verify().errors).toEqual([]);
    env.close();
  });

  it('leaves an explicit transaction open and its other writes committable', () => {
    const home = tempDir();
    let env = Environment.open(home, { pageSize: 512 });
    let db = env.openDatabase('ordered', { comparator: comparatorFailing({ kind: 'throw' }) });
    fill(db);
    const txn = env.begin();
    db.put(enc.encode('before'), enc.encode('1'));
    errorOf(() => db.put(POISON, enc.encode('x')), InvalidArgumentError);
    db.put(enc.encode('after'), enc.encode('2'));
    txn.commit();
    env.close();
    env = Environment.open(home, { pageSize: 512 });
    db = env.openDatabase('ordered', { comparator: comparatorFailing({ kind: 'throw' }) });
    expect(db.get(enc.encode('before'))).toEqual(enc.encode('1'));
    expect(db.get(enc.encode('after'))).toEqual(enc.encode('2'));
    expect(db.count()).toBe(RECORDS + 2);
    expect(db.verify().errors).toEqual([]);
    env.close();
  });
});
