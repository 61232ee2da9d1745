/**
 * Berkeley DB cursor rules the oracle scripts do not reach, checked on Stowage's public
 * `Cursor`: documented DBC errors on an unpositioned cursor, a failed move keeping the
 * position on multi-page trees, moves from a deleted item, and cursors of ended
 * transactions.
 *
 * Layer: test (compat).
 *
 * Invariants:
 * 1. Each expectation is Berkeley DB 5.3's documented answer (DBcursor->get/put/del: "EINVAL
 *    if the cursor has not been initialized"; "if DBcursor->get fails for any reason, the
 *    state of the cursor will be unchanged").
 */
import { describe, expect, it } from 'vitest';
import {
  Environment, InvalidArgumentError, KeyEmptyError, TransactionClosedError,
} from '../../src/index.js';
import { tempDir } from '../support/temp-dir.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const key = (i: number) => `k${String(i).padStart(6, '0')}`;

function openDb(n: number) {
  const env = Environment.open(tempDir(), { durability: 'none', pageSize: 512 });
  const db = env.openDatabase('edges', { type: 'btree' });
  env.transaction(() => {
    for (let i = 0; i < n; i++) db.put(enc(key(i)), enc(`v${i}`));
  });
  return { env, db };
}

describe('cursor edges (documented Berkeley DB behaviour)', () => {
  it('rejects reads, put and del on an unpositioned cursor with InvalidArgumentError', () => {
    const { env, db } = openDb(3);
    const c = db.cursor();
    expect(c.where()).toBe('unpositioned');
    expect(() => c.key()).toThrow(InvalidArgumentError);
    expect(() => c.put(enc('x'))).toThrow(InvalidArgumentError);
    expect(() => c.del()).toThrow(InvalidArgumentError);
    expect(c.seek(enc('absent'))).toBe(false);
    expect(c.where()).toBe('unpositioned');
    c.close();
    env.close();
  });

  it('keeps its position after any failed move, across many pages', () => {
    const { env, db } = openDb(400);
    const c = db.cursor();
    expect(c.last()).toBe(true);
    expect(c.next()).toBe(false);
    expect(dec(c.key())).toBe(key(399));
    expect(c.seekRange(enc('z'))).toBe(false);
    expect(c.seek(enc('k000100x'))).toBe(false);
    expect(dec(c.key())).toBe(key(399));
    expect(c.prev()).toBe(true);
    expect(dec(c.key())).toBe(key(398));
    expect(c.first()).toBe(true);
    expect(c.prev()).toBe(false);
    expect(c.seekRangeBackward(enc('a'))).toBe(false);
    expect(dec(c.value())).toBe('v0');
    c.close();
    env.close();
  });

  it('moves from a deleted item to its neighbours and reports it as KeyEmpty', () => {
    const { env, db } = openDb(400);
    const c = db.cursor();
    expect(c.seek(enc(key(200)))).toBe(true);
    expect(c.del()).toBe(true);
    for (let i = 150; i < 250; i++) if (i !== 200) db.del(enc(key(i)));
    expect(c.where()).toBe('deleted');
    expect(() => c.value()).toThrow(KeyEmptyError);
    expect(c.del()).toBe(false);
    expect(c.put(enc('back'))).toBe(false);
    expect(db.exists(enc(key(200)))).toBe(false);
    expect(c.next()).toBe(true);
    expect(dec(c.key())).toBe(key(250));
    expect(c.seek(enc(key(260))) && c.del()).toBe(true);
    expect(c.prev()).toBe(true);
    expect(dec(c.key())).toBe(key(259));
    expect(c.put(enc('new'))).toBe(true);
    expect(dec(db.get(enc(key(259)))!)).toBe('new');
    expect(dec(c.key())).toBe(key(259));
    c.close();
    env.close();
  });

  it('closes with its transaction and then throws TransactionClosedError', () => {
    const { env, db } = openDb(3);
    const txn = env.begin();
    const c = db.cursor();
    expect(c.first()).toBe(true);
    txn.commit();
    expect(c.isClosed).toBe(true);
    expect(() => c.next()).toThrow(TransactionClosedError);
    env.close();
  });
});
