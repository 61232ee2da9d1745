/**
 * Bad input gets a typed error a user can act on, and never damages data: options of the
 * wrong type or value, invalid page sizes, unencodable keys, files that are not Stowage
 * databases, truncated files and corrupted pages.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CodecError, CorruptionError, Environment, InvalidArgumentError, KeyExistsError, codecs,
} from '../../../src/index.js';
import { tempDir } from '../../support/temp-dir.js';

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

  it('rejects oversized keys and no-overwrite duplicates with typed errors', () => {
    const env = Environment.open(tempDir(), { pageSize: 512 });
    const db = env.openDatabase('d');
    expect(() => db.put(new Uint8Array(2000), new Uint8Array(1))).toThrow(InvalidArgumentError);
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
