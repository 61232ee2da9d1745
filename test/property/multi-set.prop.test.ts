/**
 * Differential test of `MultiSet` against a counted bag (element → copies), in memory and
 * on disk with 512-byte pages and a cache of 8 pages, inside transactions with aborts and
 * child transactions (test/support/container-harness.ts).
 *
 * Strategy: a few hot elements collect hundreds of copies (their duplicates span pages),
 * some elements are long (overflow keys); each command runs on both and the answers, and
 * the size after every step, are compared.
 *
 * Invariants: every answer equals the bag's; iteration is the bag in order with repeats;
 * `verify()` passes at the end of each run.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { MultiSet } from '../../src/index.js';
import { propertySeed, scaled } from '../support/seed.js';
import { Harness, type TxnCmd, type Where, txnCmdArb } from '../support/container-harness.js';

type Cmd =
  | { op: 'add' | 'count' | 'has' | 'delete' | 'deleteOne'; el: string }
  | { op: 'range'; from: string; to: string; reverse: boolean; limit: number }
  | { op: 'clear' | 'iterate' | 'unique' | 'firstLast' }
  | TxnCmd;

const elArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 2 }).map((n) => `hot${n}`) },
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 150 }).map((n) => `e${n}`) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 8 }).map((n) => `long${n}`.padEnd(300, '=')) },
);
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 40, arbitrary: fc.record({ op: fc.constant('add' as const), el: elArb }) },
  { weight: 10, arbitrary: fc.record({ op: fc.constantFrom('count' as const, 'has' as const),
    el: elArb }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constant('deleteOne' as const), el: elArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), el: elArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('range' as const), from: elArb, to: elArb,
    reverse: fc.boolean(), limit: fc.integer({ min: 0, max: 50 }) }) },
  { weight: 2, arbitrary: fc.constantFrom({ op: 'iterate' as const }, { op: 'unique' as const },
    { op: 'firstLast' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
  { weight: 4, arbitrary: txnCmdArb },
);

type Bag = Map<string, number>;
const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
const distinct = (b: Bag): string[] => [...b.keys()].sort(byBytes);
const copies = (b: Bag): string[] => distinct(b).flatMap((e) => Array<string>(b.get(e)!).fill(e));
const sizeOf = (b: Bag): number => [...b.values()].reduce((n, c) => n + c, 0);

function run(h: Harness<MultiSet<string>, Bag>, cmd: Cmd): void {
  if (h.step(cmd)) return;
  const s = h.container;
  const b = h.model;
  switch (cmd.op) {
    case 'add': s.add(cmd.el); b.set(cmd.el, (b.get(cmd.el) ?? 0) + 1); break;
    case 'count': expect(s.count(cmd.el)).toBe(b.get(cmd.el) ?? 0); break;
    case 'has': expect(s.has(cmd.el)).toBe(b.has(cmd.el)); break;
    case 'delete': expect(s.delete(cmd.el)).toBe(b.get(cmd.el) ?? 0); b.delete(cmd.el); break;
    case 'deleteOne': {
      const n = b.get(cmd.el) ?? 0;
      expect(s.deleteOne(cmd.el)).toBe(n > 0);
      if (n > 1) b.set(cmd.el, n - 1);
      else b.delete(cmd.el);
      break;
    }
    case 'range': {
      const [lo, hi] = byBytes(cmd.from, cmd.to) <= 0 ? [cmd.from, cmd.to] : [cmd.to, cmd.from];
      let want = copies(b).filter((e) => byBytes(e, lo) >= 0 && byBytes(e, hi) < 0);
      if (cmd.reverse) want.reverse();
      want = want.slice(0, cmd.limit);
      expect([...s.range({ gte: lo, lt: hi, reverse: cmd.reverse, limit: cmd.limit })])
        .toEqual(want);
      break;
    }
    case 'iterate': expect([...s]).toEqual(copies(b)); break;
    case 'unique': expect([...s.uniqueValues()]).toEqual(distinct(b)); break;
    case 'firstLast': {
      const all = distinct(b);
      expect([s.first(), s.last()]).toEqual([all[0], all[all.length - 1]]);
      break;
    }
    case 'clear': s.clear(); b.clear(); break;
  }
  expect(s.size).toBe(sizeOf(b));
}

describe('MultiSet vs a counted bag (differential)', () => {
  for (const where of ['memory', 'disk'] as Where[]) {
    it(`agrees on every step (${where}, transactions, 8-page cache)`, () => {
      const seed = propertySeed(`multi-set ${where}`);
      let ops = 0;
      fc.assert(fc.property(fc.array(cmdArb, { minLength: 200, maxLength: 300 }), (cmds) => {
        const h = new Harness(where, (env) => env.openMultiSet<string>('diff'), new Map() as Bag,
          (m) => new Map(m));
        try {
          for (const cmd of cmds) run(h, cmd);
          expect([...h.container]).toEqual(copies(h.model));
          ops += cmds.length;
        } finally {
          h.finish();
        }
      }), { seed, numRuns: scaled(50) });
      console.log(`[multi-set ${where}] ${ops} operations compared`);
      expect(ops).toBeGreaterThanOrEqual(scaled(50) * 200);
    });
  }
});
