/**
 * Pages a transaction allocated itself are changed without item records and imaged at
 * commit (am/common/fresh-pages.ts). This checks the cases where that could go wrong:
 * nested transactions changing their parent's fresh pages (the image must be logged first),
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
import { propertySeed, scaled } from '../../support/seed.js';

const scenarioArb = fc.record({
  load: fc.integer({ min: 1, max: 400 }),
  size: fc.integer({ min: 1, max: 200 }),
  childOps: fc.array(fc.tuple(fc.constantFrom('set', 'delete'), fc.integer({ min: 0, max: 600 })),
    { maxLength: 80 }),
  childCommits: fc.boolean(),
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
});
