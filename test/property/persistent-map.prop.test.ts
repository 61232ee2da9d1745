/**
 * Differential test of `PersistentMap` against `Map` (plus a sorted view for order).
 *
 * Strategy: fast-check draws sequences of commands (set, get, has, delete, setIfAbsent,
 * clear, iterate, range, first/last/bounds, reopen) over a small key space so keys collide,
 * with some values large enough for overflow pages. Each command runs on both the model and
 * the map and their answers are compared at once; the size after every step.
 * It runs in memory and on real files, with 512-byte pages and a cache of 8 pages, so
 * splits, merges and evictions happen constantly.
 *
 * Invariants: every answer equals the model's; iteration is the model sorted by key;
 * `verify()` passes and no page is left pinned at the end of each run.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Environment, type PersistentMap } from '../../src/index.js';
import { MemFs } from '../../src/os/index.js';
import { propertySeed, scaled } from '../support/seed.js';
import { tempDir } from '../support/temp-dir.js';

type Key = number;
type Cmd =
  | { op: 'set' | 'setIfAbsent'; key: Key; value: string }
  | { op: 'get' | 'has' | 'delete' | 'lowerBound' | 'upperBound'; key: Key }
  | { op: 'range'; from: Key; to: Key; reverse: boolean; limit: number }
  | { op: 'clear' | 'iterate' | 'reopen' | 'firstLast' | 'deleteWhileIterating' };

const keyArb = fc.integer({ min: -50, max: 400 });
const valueArb = fc.oneof(
  { weight: 8, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 200, maxLength: 3000 }) },
);
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 30, arbitrary: fc.record({ op: fc.constant('set' as const), key: keyArb, value: valueArb }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('setIfAbsent' as const), key: keyArb, value: valueArb }) },
  { weight: 10, arbitrary: fc.record({ op: fc.constantFrom('get' as const, 'has' as const), key: keyArb }) },
  { weight: 14, arbitrary: fc.record({ op: fc.constant('delete' as const), key: keyArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('lowerBound' as const, 'upperBound' as const), key: keyArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('range' as const), from: keyArb, to: keyArb, reverse: fc.boolean(), limit: fc.integer({ min: 0, max: 30 }) }) },
  { weight: 1, arbitrary: fc.constantFrom({ op: 'clear' as const }, { op: 'firstLast' as const }) },
  { weight: 2, arbitrary: fc.constantFrom({ op: 'iterate' as const }, { op: 'reopen' as const }, { op: 'deleteWhileIterating' as const }) },
);

interface Subject {
  map: PersistentMap<number, string>;
  reopen(): void;
  finish(): void;
}

function sortedEntries(model: Map<Key, string>): [Key, string][] {
  return [...model.entries()].sort((a, b) => a[0] - b[0]);
}

function run(subject: Subject, model: Map<Key, string>, cmd: Cmd): void {
  const map = subject.map;
  switch (cmd.op) {
    case 'set':
      map.set(cmd.key, cmd.value);
      model.set(cmd.key, cmd.value);
      break;
    case 'setIfAbsent': {
      const expected = !model.has(cmd.key);
      if (expected) model.set(cmd.key, cmd.value);
      expect(map.setIfAbsent(cmd.key, cmd.value)).toBe(expected);
      break;
    }
    case 'get': expect(map.get(cmd.key)).toBe(model.get(cmd.key)); break;
    case 'has': expect(map.has(cmd.key)).toBe(model.has(cmd.key)); break;
    case 'delete': expect(map.delete(cmd.key)).toBe(model.delete(cmd.key)); break;
    case 'lowerBound':
    case 'upperBound': {
      const all = sortedEntries(model);
      const hit = all.find(([k]) => (cmd.op === 'lowerBound' ? k >= cmd.key : k > cmd.key));
      expect(map[cmd.op](cmd.key)).toEqual(hit);
      break;
    }
    case 'range': {
      const [lo, hi] = cmd.from <= cmd.to ? [cmd.from, cmd.to] : [cmd.to, cmd.from];
      let want = sortedEntries(model).filter(([k]) => k >= lo && k < hi);
      if (cmd.reverse) want.reverse();
      want = want.slice(0, cmd.limit);
      const got = [...map.range({ gte: lo, lt: hi, reverse: cmd.reverse, limit: cmd.limit })];
      expect(got).toEqual(want);
      break;
    }
    case 'clear': map.clear(); model.clear(); break;
    case 'firstLast': {
      const all = sortedEntries(model);
      expect(map.first()).toEqual(all[0]);
      expect(map.last()).toEqual(all[all.length - 1]);
      break;
    }
    case 'iterate': expect([...map]).toEqual(sortedEntries(model)); break;
    case 'deleteWhileIterating': {
      // Deleting the current key and every third key ahead: only survivors are visited.
      const seen: Key[] = [];
      for (const [k] of map) {
        seen.push(k);
        map.delete(k);
        model.delete(k);
        if (model.has(k + 3)) { map.delete(k + 3); model.delete(k + 3); }
        if (seen.length >= 20) break;
      }
      for (const k of seen) expect(model.has(k)).toBe(false);
      break;
    }
    case 'reopen': subject.reopen(); break;
  }
  expect(subject.map.size).toBe(model.size);
}

function envSubject(open: () => Environment): Subject {
  let env = open();
  const subject: Subject = {
    map: env.openMap<number, string>('diff'),
    reopen() {
      env.close();
      env = open();
      subject.map = env.openMap<number, string>('diff');
    },
    finish() {
      const report = subject.map.db.verify();
      expect(report.errors).toEqual([]);
      expect(subject.map.db.file.mp.pinnedCount()).toBe(0);
      env.close();
    },
  };
  return subject;
}

const small = { pageSize: 512, cacheSize: 4096, transactional: false } as const;

describe('PersistentMap vs Map (differential)', () => {
  for (const where of ['memory', 'disk'] as const) {
    it(`agrees with Map on every step (${where}, 512-byte pages, 8-page cache)`, () => {
      const seed = propertySeed(`persistent-map ${where}`);
      let ops = 0;
      fc.assert(
        fc.property(fc.array(cmdArb, { minLength: 150, maxLength: 300 }), (cmds) => {
          const dir = where === 'disk' ? tempDir() : '/mem';
          const fs = where === 'memory' ? new MemFs() : undefined;
          const subject = envSubject(() =>
            Environment.open(dir, { ...small, ...(fs ? { fileSystem: fs } : {}) }));
          const model = new Map<Key, string>();
          try {
            for (const cmd of cmds) run(subject, model, cmd);
            expect([...subject.map]).toEqual(sortedEntries(model));
            ops += cmds.length;
          } finally {
            subject.finish();
          }
        }),
        { seed, numRuns: scaled(60) },
      );
      console.log(`[persistent-map ${where}] ${ops} operations compared`);
      expect(ops).toBeGreaterThanOrEqual(scaled(60) * 150);
    });
  }
});
