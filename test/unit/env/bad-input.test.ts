/**
 * Bad input gets a typed error a user can act on, and never damages data: options of the
 * wrong type or value, unknown options, invalid page sizes, unencodable keys, files that are
 * not Stowage databases, truncated files and corrupted pages. One bad call never takes the
 * environment down: after it, every other map still works (no `RunRecoveryError`).
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  ClosedError, CodecError, CorruptionError, DbError, Environment, InvalidArgumentError, IoError,
  KeyExistsError, TransactionClosedError, codecs,
} from '../../../src/index.js';
import { tempDir } from '../../support/temp-dir.js';
import { errorOf } from '../../support/thrown.js';
import { requireDist } from '../../support/dist.js';

/** Values that break naive message building: `String(x)`, `${x}` or `JSON.stringify(x)`. */
function hostileValues(): unknown[] {
  const circular: Record<string, unknown> = {};
  circular['self'] = circular;
  const trap = () => { throw new Error('trap'); };
  const proxy = new Proxy({}, {
    get: trap, has: trap, ownKeys: trap, getPrototypeOf: trap, getOwnPropertyDescriptor: trap,
  });
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  return [
    10n, Symbol('s'), circular, Object.assign(Object.create(null), { x: 1 }) as object, proxy,
    revocable.proxy,
    { toString: trap, valueOf: trap }, { get [Symbol.toPrimitive]() { return trap(); }, junk: 1 },
  ];
}

/** Checks that `env` is still usable: a map of it can be written and read back. */
function expectUsable(env: Environment): void {
  const probe = env.openMap<string, number>('probe');
  probe.set('alive', 1);
  expect(probe.get('alive')).toBe(1);
}

describe('options', () => {
  it('rejects wrong option types and values with InvalidArgumentError naming the option', () => {
    const dir = tempDir();
    const cases: [object, RegExp][] = [
      [{ pageSize: 1000 }, /pageSize/],
      [{ pageSize: 256 }, /pageSize/],
      [{ pageSize: 131072 }, /pageSize/],
      [{ pageSize: '4096' }, /pageSize/],
      [{ cacheSize: -1 }, /cacheSize/],
      [{ durability: 'fast' }, /durability/],
      [{ fullPageWrites: 'yes' }, /fullPageWrites/],
      [{ transactional: 'yes' }, /transactional/],
      [{ bogus: 1 }, /bogus/],
    ];
    for (const [options, pattern] of cases) {
      expect(() => Environment.open(dir, options as never)).toThrow(InvalidArgumentError);
      expect(() => Environment.open(dir, options as never)).toThrow(pattern);
    }
    const env = Environment.open(dir);
    expect(() => env.openDatabase('../escape')).toThrow(InvalidArgumentError);
    expect(() => env.openDatabase('x', { pageSize: 3000 })).toThrow(/pageSize/);
    env.close();
  });

  it('honours DB_CONFIG overrides and reports bad lines', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'DB_CONFIG'), 'set_cachesize 0 1048576 1\nset_pagesize 8192\n');
    const env = Environment.open(dir, { cacheSize: 64 << 20, pageSize: 4096 });
    expect(env.options.cacheSize).toBe(1048576);
    const db = env.openDatabase('d');
    expect(db.stat().pageSize).toBe(8192);
    env.close();
    fs.writeFileSync(path.join(dir, 'DB_CONFIG'), 'set_whatever 1\n');
    expect(() => Environment.open(dir)).toThrow(/DB_CONFIG line 1/);
  });
});

describe('keys and values', () => {
  it('rejects unencodable keys and values with CodecError and stores nothing', () => {
    const env = Environment.open(tempDir());
    const map = env.openMap<unknown, unknown>('m');
    map.set('ok', 1);
    expect(() => map.set(NaN, 1)).toThrow(CodecError);
    expect(() => map.set({ a: 1 }, 1)).toThrow(CodecError);
    expect(() => map.set(undefined, 1)).toThrow(CodecError);
    expect(() => map.set('f', () => 1)).toThrow(CodecError);
    const failing = { encode: () => { throw new Error('nope'); }, decode: () => 0 };
    const bad = env.openMap<string, number>('bad', { value: failing });
    expect(() => bad.set('k', 1)).toThrow(CodecError);
    try { bad.set('k', 1); } catch (e) { expect((e as CodecError).key).toBe('k'); }
    expect(bad.size).toBe(0);
    expect([...map]).toEqual([['ok', 1]]);
    expect(map.db.verify().errors).toEqual([]);
    env.close();
  });

  it('stores keys longer than a page, and rejects no-overwrite duplicates', () => {
    const env = Environment.open(tempDir(), { pageSize: 512 });
    const db = env.openDatabase('d');
    const long = new Uint8Array(2000).fill(7);
    db.put(long, new Uint8Array(1));
    expect(db.get(long)).toEqual(new Uint8Array(1));
    db.put(new Uint8Array([1]), new Uint8Array([2]));
    expect(() => db.put(new Uint8Array([1]), new Uint8Array([3]), { noOverwrite: true }))
      .toThrow(KeyExistsError);
    expect(db.putIfAbsent(new Uint8Array([1]), new Uint8Array([3]))).toBe(false);
    expect(() => db.get('x' as never)).toThrow(InvalidArgumentError);
    expect(db.get(new Uint8Array([1]))).toEqual(new Uint8Array([2]));
    env.close();
  });
});

describe('damaged files', () => {
  function makeDb(dir: string): string {
    const env = Environment.open(dir, { pageSize: 512 });
    const map = env.openMap<number, string>('m', { value: codecs.string });
    env.transaction(() => { for (let i = 0; i < 500; i++) map.set(i, `value ${i}`); });
    env.close();
    return path.join(dir, 'm.db');
  }

  it('detects a corrupted byte in a page and names the file and page', () => {
    const dir = tempDir();
    const file = makeDb(dir);
    const bytes = fs.readFileSync(file);
    bytes[512 * 3 + 100] = bytes[512 * 3 + 100]! ^ 0xff;
    fs.writeFileSync(file, bytes);
    fs.rmSync(path.join(dir, 'log.0000000001'), { force: true });
    for (const f of fs.readdirSync(dir)) if (f.startsWith('log.')) fs.rmSync(path.join(dir, f));
    const env = Environment.open(dir, { pageSize: 512 });
    const map = env.openMap<number, string>('m', { value: codecs.string });
    let error: unknown;
    try {
      for (let i = 0; i < 500; i++) map.get(i);
      map.db.verify();
    } catch (e) { error = e; }
    expect(error).toBeInstanceOf(CorruptionError);
    expect((error as CorruptionError).message).toMatch(/m\.db: page 3 failed its checksum/);
    env.close();
  });

  it('refuses a file that is not a Stowage database, and a truncated one', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'notdb.db'), 'hello, I am a text file'.repeat(100));
    const env = Environment.open(dir, { transactional: false });
    expect(() => env.openDatabase('notdb')).toThrow(/not a Stowage database file/);
    env.close();
    const file = makeDb(tempDir());
    const dir2 = path.dirname(file);
    fs.truncateSync(file, fs.statSync(file).size - 100);
    const env2 = Environment.open(dir2, { transactional: false });
    expect(() => env2.openDatabase('m')).toThrow(CorruptionError);
    env2.close();
    expect(fs.readFileSync(path.join(dir, 'notdb.db'), 'utf8')).toMatch(/^hello/);
  });
});

describe('one bad call does not take the environment down', () => {
  it('archive(null) is InvalidArgumentError and poisons nothing', () => {
    const env = Environment.open(tempDir());
    expect(() => env.archive(null as never)).toThrow(InvalidArgumentError);
    expect(() => env.archive({ remove: 'yes' } as never)).toThrow(/remove/);
    expect(() => env.archive({ purge: true } as never)).toThrow(/purge/);
    expectUsable(env);
    expect(env.archive()).toEqual([]);
    env.close();
  });

  it('a config whose getter or toString throws is InvalidArgumentError, nothing opened', () => {
    const dir = tempDir();
    const env = Environment.open(dir);
    const throwing = { get create(): boolean { throw new Error('boom'); } };
    const error = errorOf(() => env.openDatabase('x', throwing), InvalidArgumentError);
    expect(error.message).toMatch(/create.*boom/);
    const badType = { type: { toString() { throw new Error('b'); } } };
    expect(() => env.openDatabase('x', badType as never)).toThrow(InvalidArgumentError);
    expect(() => env.openMap('x', throwing as never)).toThrow(InvalidArgumentError);
    expect(fs.existsSync(path.join(dir, 'x.db'))).toBe(false);
    expectUsable(env);
    env.close();
  });

  it('transaction options are read once: a getter that throws the second time never runs again', () => {
    const env = Environment.open(tempDir());
    const m = env.openMap<string, number>('once');
    const onceOnly = () => {
      let reads = 0;
      return {
        get reads() { return reads; },
        options: {
          get durability(): 'none' {
            if (++reads > 1) throw new Error('read twice');
            return 'none';
          },
          get retries(): number {
            return 1;
          },
        },
      };
    };
    const forBegin = onceOnly();
    const txn = env.begin(forBegin.options);
    m.set('a', 1);
    txn.commit();
    expect(forBegin.reads).toBe(1);
    const forTransaction = onceOnly();
    env.transaction(() => m.set('b', 2), forTransaction.options);
    expect(forTransaction.reads).toBe(1);
    expect([...m]).toEqual([['a', 1], ['b', 2]]);
    expectUsable(env);
    env.close();
  });

  it('values that break String() and JSON get InvalidArgumentError, never TypeError', () => {
    const env = Environment.open(tempDir());
    const db = env.openDatabase('d');
    const map = env.openMap<number, number>('m');
    for (const value of hostileValues()) {
      const calls: (() => unknown)[] = [
        () => env.openDatabase(value as never),
        () => env.openDatabase('d2', value as never),
        () => env.openDatabase('d2', { type: value } as never),
        () => env.openDatabase('d2', { pageSize: value } as never),
        () => env.openMap('m2', value as never),
        () => env.openMap('m2', { key: value } as never),
        () => env.archive(value as never),
        () => env.begin(value as never),
        () => env.begin({ retries: value } as never),
        () => env.transaction(() => 1, { isolation: value } as never),
        () => db.get(value as never),
        () => db.put(new Uint8Array(1), new Uint8Array(1), value as never),
        () => map.range(value as never),
        () => map.range({ limit: value } as never),
        () => map.forEach(value as never),
        () => Environment.open(tempDir(), value as never),
        () => Environment.open(tempDir(), { cacheSize: value } as never),
      ];
      for (const [i, call] of calls.entries()) {
        expect(call, `call ${i} with ${typeof value}`).toThrow(DbError);
      }
    }
    expectUsable(env);
    env.close();
  });

  it('a call on a map whose database was closed is ClosedError, and poisons nothing', () => {
    const env = Environment.open(tempDir());
    const m = env.openMap<number, number>('m');
    m.set(1, 1);
    const iterator = m.keys();
    const cursor = m.db.cursor();
    m.db.close();
    expect(() => m.set(2, 2)).toThrow(ClosedError);
    expect(() => m.get(1)).toThrow(ClosedError);
    expect(() => m.size).toThrow(ClosedError);
    expect(() => iterator.next()).toThrow(ClosedError);
    expect(() => cursor.first()).toThrow(ClosedError);
    expect(errorOf(() => m.set(2, 2), ClosedError).code).toBe('CLOSED');
    expectUsable(env);
    expect(env.openMap<number, number>('m').get(1)).toBe(1);
    env.close();
  });

  it('a database is not closed under an open transaction', () => {
    const env = Environment.open(tempDir());
    const m = env.openMap<number, number>('m');
    const other = env.openMap<number, number>('other');
    const txn = env.begin();
    m.set(1, 1);
    expect(() => m.db.close()).toThrow(InvalidArgumentError);
    expect(m.db.isClosed).toBe(false);
    txn.commit();
    m.db.close();
    expect(m.db.isClosed).toBe(true);
    other.set(1, 2);
    expect(env.openMap<number, number>('m').get(1)).toBe(1);
    env.close();
  });

  it('a closed cursor, environment or database throws ClosedError; a transaction end, not', () => {
    const env = Environment.open(tempDir());
    const m = env.openMap<number, number>('m');
    m.set(1, 1);
    const cursor = m.db.cursor();
    cursor.close();
    expect(() => cursor.first()).toThrow(ClosedError);
    let inTxn: ReturnType<typeof m.db.cursor> | undefined;
    env.transaction(() => { inTxn = m.db.cursor(); });
    expect(() => inTxn!.first()).toThrow(TransactionClosedError);
    const db = m.db;
    env.close();
    expect(db.isClosed).toBe(true);
    expect(() => m.get(1)).toThrow(ClosedError);
    expect(() => env.openMap('m')).toThrow(ClosedError);
    expect(() => env.begin()).toThrow(ClosedError);
    expect(() => env.checkpoint()).toThrow(ClosedError);
  });
});

describe('unknown options', () => {
  it('openDatabase and openMap reject an unknown option by name and create nothing', () => {
    const dir = tempDir();
    const env = Environment.open(dir);
    const dbError = errorOf(
      () => env.openDatabase('d', { duplicates: true } as never), InvalidArgumentError,
    );
    expect(dbError.message).toMatch(/duplicates/);
    const mapError = errorOf(
      () => env.openMap('m', { duplicates: true } as never), InvalidArgumentError,
    );
    expect(mapError.message).toMatch(/duplicates/);
    expect(() => env.begin({ durabilty: 'none' } as never)).toThrow(/durabilty/);
    expect(() => env.openMap<number, number>('m').range({ from: 1 } as never)).toThrow(/from/);
    expect(fs.existsSync(path.join(dir, 'd.db'))).toBe(false);
    expectUsable(env);
    env.close();
  });
});

describe('a database opened again with another shape', () => {
  it('is InvalidArgumentError naming both shapes, while open as when its file is opened', () => {
    const home = tempDir();
    const env = Environment.open(home);
    const dups = env.openDatabase('d', { duplicates: 'sorted' });
    const numbered = env.openDatabase('r', { recordNumbers: true });
    expect(env.openDatabase('d', { duplicates: 'sorted' })).toBe(dups);
    expect(env.openDatabase('r', { recordNumbers: true })).toBe(numbered);
    for (const again of [() => env.openDatabase('d'), () => env.openMap('d'),
      () => env.openDatabase('d', { duplicates: 'unsorted' }), () => env.openDatabase('r')]) {
      const error = errorOf(again, InvalidArgumentError);
      expect(error.message).toMatch(/is open as type 'btree', duplicates '\w+', recordNumbers/);
    }
    env.close();
    const reopened = Environment.open(home);
    expect(() => reopened.openDatabase('d')).toThrow(InvalidArgumentError);
    expectUsable(reopened);
    reopened.close();
  });
});

describe('homes that cannot be made', () => {
  it.skipIf(process.platform !== 'linux')('Environment.open under /proc fails with IoError', () => {
    // Run in a child process with a timeout: a synchronous hang could not be interrupted here.
    const dist = requireDist();
    const source = `
      import { Environment } from ${JSON.stringify(dist)};
      try { Environment.open('/proc/stowage-no-such-dir/home'); console.log('opened'); }
      catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', source], {
      encoding: 'utf8', timeout: 15_000,
    });
    expect(run.error?.message ?? '', 'the open must return, not hang').toBe('');
    const reported = JSON.parse(run.stdout) as { name: string; code: string; message: string };
    expect(reported.name).toBe('IoError');
    expect(reported.code).toBe('IO');
    expect(reported.message).toMatch(/\/proc\/stowage-no-such-dir/);
    expect(reported.message).toMatch(/ENOENT/);
  }, 30_000);

  it('a home below a file is IoError naming the path', () => {
    const file = path.join(tempDir(), 'plain-file');
    fs.writeFileSync(file, 'x');
    const error = errorOf(() => Environment.open(path.join(file, 'home')), IoError);
    expect(error.message).toMatch(/plain-file/);
  });
});
