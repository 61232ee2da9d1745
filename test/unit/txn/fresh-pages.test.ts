/**
 * Pages a transaction allocated itself are changed without item records and imaged at
 * commit (am/common/fresh-pages.ts). This checks the cases where that could go wrong:
 * nested transactions changing their parent's fresh pages (the image must be logged first,
 * and the parent's later changes of them need records, for the child's records to undo),
 * aborts at every level, and recovery after a crash (the live image of a process crash,
 * with and without a checkpoint in the middle), each compared with a Map model.
 *
 * Strategy: fast-check draws a parent bulk load, a child that updates and deletes some of
 * those keys and inserts its own, outcomes for child and parent, and a crash point; the
 * recovered state must equal the model of what committed.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Environment } from '../../../src/index.js';
import { MemFs } from '../../../src/os/index.js';
import { META_PGNO, metaLast } from '../../../src/am/common/index.js';
import { PageType, getType } from '../../../src/page/index.js';
import { pgno } from '../../../src/util/index.js';
import { propertySeed, scaled } from '../../support/seed.js';

const scenarioArb = fc.record({
  load: fc.integer({ min: 1, max: 400 }),
  size: fc.integer({ min: 1, max: 200 }),
  childOps: fc.array(fc.tuple(fc.constantFrom('set', 'delete'), fc.integer({ min: 0, max: 600 })),
    { maxLength: 80, size: 'max' }),
  childCommits: fc.boolean(),
  /** The parent's own writes after the child ended, on pages the child changed. */
  afterOps: fc.array(fc.tuple(fc.constantFrom('set', 'delete'), fc.integer({ min: 0, max: 600 })),
    { maxLength: 120, size: 'max' }),
  parentCommits: fc.boolean(),
  checkpointInside: fc.boolean(),
});

describe('fresh pages', () => {
  it('commit, abort and recover exactly like item-logged changes', () => {
    const seed = propertySeed('fresh pages');
    fc.assert(fc.property(scenarioArb, (s) => {
      const fs = new MemFs();
      const options = { fileSystem: fs, pageSize: 512, cacheSize: 8192 } as const;
      const env = Environment.open('/h', options);
      const map = env.openMap<number, string>('m');
      for (let i = 0; i < 20; i++) map.set(1000 + i, 'before');
      const model = new Map<number, string>([...map]);
      const working = new Map(model);
      const parent = env.begin();
      for (let i = 0; i < s.load; i++) { map.set(i, 'p'.repeat((i % s.size) + 1)); working.set(i, 'p'.repeat((i % s.size) + 1)); }
      if (s.checkpointInside) env.checkpoint();
      const beforeChild = new Map(working);
      const child = env.begin();
      for (const [op, k] of s.childOps) {
        if (op === 'set') { map.set(k, `c${k}`); working.set(k, `c${k}`); }
        else { map.delete(k); working.delete(k); }
      }
      if (s.childCommits) child.commit();
      else { child.abort(); working.clear(); for (const [k, v] of beforeChild) working.set(k, v); }
      expect([...map]).toEqual([...working].sort((a, b) => a[0] - b[0]));
      for (const [op, k] of s.afterOps) {
        if (op === 'set') { map.set(k, `a${k}`); working.set(k, `a${k}`); }
        else { map.delete(k); working.delete(k); }
      }
      if (s.parentCommits) parent.commit();
      else parent.abort();
      const committed = s.parentCommits ? working : model;
      expect([...map]).toEqual([...committed].sort((a, b) => a[0] - b[0]));
      const crashed = fs.clone();
      env.close();
      const again = Environment.open('/h', { ...options, fileSystem: crashed });
      const m2 = again.openMap<number, string>('m');
      expect([...m2]).toEqual([...committed].sort((a, b) => a[0] - b[0]));
      expect(m2.db.verify().errors).toEqual([]);
      again.close();
    }), { seed, numRuns: scaled(60) });
  });

  it('unformats the pages an aborted transaction grew the file by', () => {
    const env = Environment.open('/h', { fileSystem: new MemFs(), pageSize: 512 });
    const map = env.openMap<number, string>('m');
    for (let i = 0; i < 10; i++) map.set(i, 'kept');
    const { mp } = map.db.file;
    const lastOf = (): number => {
      const meta = mp.get(META_PGNO);
      try {
        return metaLast(meta);
      } finally {
        mp.release(meta);
      }
    };
    const lastBefore = lastOf();
    const txn = env.begin();
    for (let i = 10; i < 400; i++) map.set(i, 'x'.repeat(40));
    const grownTo = lastOf();
    expect(grownTo).toBeGreaterThan(lastBefore + 10);
    txn.abort();
    expect(lastOf()).toBe(lastBefore);
    for (let p = lastBefore + 1; p <= grownTo; p++) {
      const frame = mp.get(pgno(p));
      expect(getType(frame)).toBe(PageType.INVALID);
      mp.release(frame);
    }
    for (let i = 10; i < 50; i++) map.set(i, 'again');
    expect(map.size).toBe(50);
    expect(map.get(49)).toBe('again');
    expect(map.db.verify().errors).toEqual([]);
    env.close();
  });
});
