/**
 * `Database.compact` (OP-12): the pages in use move down into the free pages and the file is
 * cut after the last one. Checks: after 100k inserts and 90% deletes the file shrinks and
 * every remaining key reads back; every shape (sorted duplicates with large sets, long keys
 * whose separators live on chains, long values, record numbers) keeps exactly its contents,
 * record numbers and `verify()`; compaction is refused with a cursor or a transaction open;
 * a power cut at each sync of a compaction recovers to the same contents.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  type Database, type DatabaseConfig, Environment, InvalidArgumentError,
} from '../../../src/index.js';
import { FaultFs, MemFs } from '../../../src/os/index.js';
import { tempDir } from '../../support/temp-dir.js';

const te = new TextEncoder();
const key = (i: number): Uint8Array => te.encode(`key-${String(i).padStart(6, '0')}`);

/** Every pair of `db` in order, as text (values by length and first bytes). */
function contents(db: Database): string[] {
  const c = db.cursor();
  const out: string[] = [];
  try {
    while (c.next()) {
      const v = c.value();
      out.push(`${Buffer.from(c.key()).toString('hex')}=${v.length}:${Buffer.from(v.subarray(0,
        12)).toString('hex')}`);
    }
  } finally {
    c.close();
  }
  return out;
}

/** Record number n of `db`'s walk is n (a tree with record numbers). */
function expectRecordNumbers(db: Database): void {
  const c = db.cursor();
  try {
    for (let n = 1; c.next(); n++) expect(c.recno()).toBe(n);
  } finally {
    c.close();
  }
}

describe('compact (OP-12)', () => {
  it('100k inserts, 90% deleted: the file shrinks and every remaining key reads back', () => {
    const home = tempDir();
    const env = Environment.open(home, { durability: 'none' });
    const db = env.openDatabase('t');
    const value = (i: number) => te.encode(`value-${i}`.repeat(i % 50 === 7 ? 400 : 3));
    env.transaction(() => {
      for (let i = 0; i < 100_000; i++) db.put(key(i), value(i));
    });
    env.transaction(() => {
      for (let i = 0; i < 100_000; i++) if (i % 10 !== 0) db.del(key(i));
    });
    env.checkpoint();
    const file = path.join(home, 't.db');
    const before = fs.statSync(file).size;
    const report = db.compact();
    const after = fs.statSync(file).size;
    expect(after).toBeLessThan(before / 2);
    expect(after).toBe(report.pagesKept * 4096);
    expect(report.pagesTruncated).toBe((before - after) / 4096);
    expect(report.pagesMoved).toBeGreaterThan(0);
    expect(db.verify().errors).toEqual([]);
    for (let i = 0; i < 100_000; i += 10) {
      expect(Buffer.from(db.get(key(i))!).equals(Buffer.from(value(i)))).toBe(true);
    }
    expect(db.count()).toBe(10_000);
    env.close();
    const again = Environment.open(home);
    const reopened = again.openDatabase('t');
    expect(reopened.verify().errors).toEqual([]);
    expect(reopened.count()).toBe(10_000);
    reopened.put(key(1), value(1));
    expect(reopened.verify().errors).toEqual([]);
    again.close();
  });

  const shapes: [string, DatabaseConfig][] = [
    ['sorted duplicates', { duplicates: 'sorted' }],
    ['unsorted duplicates', { duplicates: 'unsorted' }],
    ['record numbers', { recordNumbers: true }],
    ['plain keys', {}],
  ];
  it.each(shapes)('%s: long keys, long values and large sets keep their contents', (_, config) => {
    const env = Environment.open(tempDir(), { durability: 'none', pageSize: 512 });
    const db = env.openDatabase('s', config);
    const dups = config.duplicates !== undefined;
    env.transaction(() => {
      for (let i = 0; i < 3000; i++) {
        const k = i % 7 === 0 ? te.encode(`long-${i}-`.repeat(40)) : key(dups ? i % 40 : i);
        const v = te.encode(`v${i}-`.repeat(i % 11 === 0 ? 300 : 2));
        db.put(k, v);
      }
    });
    env.transaction(() => {
      const c = db.cursor();
      for (let n = 0; c.next(); n++) if (n % 5 !== 0) c.del();
      c.close();
    });
    const kept = contents(db);
    const report = db.compact();
    expect(report.pagesMoved).toBeGreaterThan(0);
    expect(db.verify().errors).toEqual([]);
    expect(contents(db)).toEqual(kept);
    if (config.recordNumbers) expectRecordNumbers(db);
    db.put(key(99_999), te.encode('after compaction'));
    expect(db.verify().errors).toEqual([]);
    env.close();
  });

  it('is refused while a cursor or a transaction is open, and changes nothing then', () => {
    const env = Environment.open(tempDir(), { durability: 'none' });
    const db = env.openDatabase('r');
    for (let i = 0; i < 100; i++) db.put(key(i), key(i));
    const c = db.cursor();
    expect(() => db.compact()).toThrow(InvalidArgumentError);
    c.close();
    const txn = env.begin();
    expect(() => db.compact()).toThrow(InvalidArgumentError);
    txn.abort();
    expect(db.compact().pagesMoved).toBe(0);
    expect(db.count()).toBe(100);
    env.close();
  });

  it('recovers to the same contents after a power cut at any sync of a compaction', () => {
    /** Builds the workload on `fsys`; returns its contents before compaction. */
    const build = (fsys: FaultFs): { env: Environment; db: Database; kept: string[] } => {
      const env = Environment.open('/c', { fileSystem: fsys, pageSize: 512 });
      const db = env.openDatabase('c', { duplicates: 'sorted' });
      env.transaction(() => {
        for (let i = 0; i < 1500; i++) {
          db.put(key(i % 300), te.encode(`v${i}`.repeat(i % 9 ? 2 : 90)));
        }
      });
      env.transaction(() => {
        for (let i = 0; i < 300; i++) if (i % 4 !== 0) db.del(key(i));
      });
      env.checkpoint();
      return { env, db, kept: contents(db) };
    };
    const counting = new FaultFs(new MemFs());
    const first = build(counting);
    const start = counting.syncCount;
    first.db.compact();
    const syncs = counting.syncCount - start;
    first.env.close();
    expect(syncs).toBeGreaterThan(1);
    for (let cut = 1; cut <= syncs; cut++) {
      const mem = new MemFs();
      const fsys = new FaultFs(mem);
      const { env, db, kept } = build(fsys);
      const base = fsys.syncCount;
      let image: MemFs | undefined;
      fsys.onSync = (count) => {
        if (count === base + cut) {
          image = mem.powerCut();
          throw new Error('power cut');
        }
      };
      expect(() => db.compact()).toThrow();
      fsys.onSync = undefined;
      const recovered = Environment.open('/c', { fileSystem: image!, pageSize: 512 });
      const again = recovered.openDatabase('c', { duplicates: 'sorted' });
      expect(again.verify().errors, `cut at sync ${cut} of ${syncs}`).toEqual([]);
      expect(contents(again), `cut at sync ${cut} of ${syncs}`).toEqual(kept);
      recovered.close();
      void env;
    }
  });

  it('a write that fails in the middle of a compaction (pages evicted from a small cache) ' +
    'leaves, after recovery, the contents as they were', () => {
    for (const nth of [3, 20, 60]) {
      const mem = new MemFs();
      const fsys = new FaultFs(mem);
      const options = { fileSystem: fsys, pageSize: 512, cacheSize: 32 * 1024 };
      const env = Environment.open('/w', options);
      const db = env.openDatabase('w', { recordNumbers: true });
      env.transaction(() => {
        for (let i = 0; i < 4000; i++) db.put(key(i), te.encode(`w${i}`.repeat(i % 13 ? 3 : 60)));
      });
      env.transaction(() => {
        for (let i = 0; i < 4000; i++) if (i % 6 !== 0) db.del(key(i));
      });
      env.checkpoint();
      const kept = contents(db);
      fsys.failAt({ op: 'write', nth, errno: 'EIO' });
      expect(() => db.compact()).toThrow();
      fsys.clearFaults();
      env.close();
      const again = Environment.open('/w', options);
      const reopened = again.openDatabase('w', { recordNumbers: true });
      expect(reopened.verify().errors, `write ${nth} failed`).toEqual([]);
      expect(contents(reopened), `write ${nth} failed`).toEqual(kept);
      expectRecordNumbers(reopened);
      again.close();
    }
  });
});
