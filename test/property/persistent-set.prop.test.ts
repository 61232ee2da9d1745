/**
 * Differential test of `PersistentSet` against `Set` (plus a sorted view for order), in
 * memory and on disk with 512-byte pages and a cache of 8 pages, inside transactions with
 * aborts and child transactions (test/support/container-harness.ts).
 *
 * Strategy: fast-check draws command sequences over a small element space (so elements
 * collide) with some long string elements (overflow keys); each command runs on both and
 * the answers, and the size after every step, are compared.
 *
 * Invariants: every answer equals the model's; iteration is the model sorted; the ES2025
 * set methods give the built-in answers; `verify()` passes at the end of each run.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { PersistentSet } from '../../src/index.js';
import { propertySeed, scaled } from '../support/seed.js';
import { Harness, type TxnCmd, type Where, txnCmdArb } from '../support/container-harness.js';

type El = string;
type Cmd =
  | { op: 'add' | 'has' | 'delete' | 'lowerBound' | 'upperBound'; el: El }
  | { op: 'range'; from: El; to: El; reverse: boolean; limit: number }
  | { op: 'algebra'; other: El[] }
  | { op: 'clear' | 'iterate' | 'firstLast' | 'deleteWhileIterating' | 'forEach' }
  | TxnCmd;

/** Elements: short ones that collide, and a few long enough to be overflow keys. */
const elArb = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: 300 }).map((n) => `e${n}`) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 20 }).map((n) => `long${n}`.padEnd(400, '#')) },
);
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 30, arbitrary: fc.record({ op: fc.constant('add' as const), el: elArb }) },
  { weight: 10, arbitrary: fc.record({ op: fc.constant('has' as const), el: elArb }) },
  { weight: 14, arbitrary: fc.record({ op: fc.constant('delete' as const), el: elArb }) },
  { weight: 3, arbitrary: fc.record({
    op: fc.constantFrom('lowerBound' as const, 'upperBound' as const), el: elArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('range' as const), from: elArb, to: elArb,
    reverse: fc.boolean(), limit: fc.integer({ min: 0, max: 30 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('algebra' as const),
    other: fc.array(elArb, { maxLength: 30 }) }) },
  { weight: 2, arbitrary: fc.constantFrom({ op: 'iterate' as const }, { op: 'firstLast' as const },
    { op: 'deleteWhileIterating' as const }, { op: 'forEach' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
  { weight: 4, arbitrary: txnCmdArb },
);

const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
const sorted = (m: Set<El>): El[] => [...m].sort(byBytes);

function run(h: Harness<PersistentSet<El>, Set<El>>, cmd: Cmd): void {
  if (h.step(cmd)) return;
  const s = h.container;
  const m = h.model;
  switch (cmd.op) {
    case 'add': s.add(cmd.el); m.add(cmd.el); break;
    case 'has': expect(s.has(cmd.el)).toBe(m.has(cmd.el)); break;
    case 'delete': expect(s.delete(cmd.el)).toBe(m.delete(cmd.el)); break;
    case 'lowerBound': case 'upperBound': {
      const want = sorted(m).find((e) => (cmd.op === 'lowerBound' ? byBytes(e, cmd.el) >= 0
        : byBytes(e, cmd.el) > 0));
      expect(s[cmd.op](cmd.el)).toBe(want);
      break;
    }
    case 'range': {
      const [lo, hi] = byBytes(cmd.from, cmd.to) <= 0 ? [cmd.from, cmd.to] : [cmd.to, cmd.from];
      let want = sorted(m).filter((e) => byBytes(e, lo) >= 0 && byBytes(e, hi) <= 0);
      if (cmd.reverse) want.reverse();
      want = want.slice(0, cmd.limit);
      expect([...s.range({ gte: lo, lte: hi, reverse: cmd.reverse, limit: cmd.limit })])
        .toEqual(want);
      break;
    }
    case 'algebra': checkAlgebra(s, m, new Set(cmd.other)); break;
    case 'iterate': expect([...s]).toEqual(sorted(m)); break;
    case 'forEach': {
      const seen: El[] = [];
      s.forEach((v, v2, set) => {
        expect(v2).toBe(v);
        expect(set).toBe(s);
        seen.push(v);
      });
      expect(seen).toEqual(sorted(m));
      break;
    }
    case 'firstLast': {
      const all = sorted(m);
      expect([s.first(), s.last()]).toEqual([all[0], all[all.length - 1]]);
      break;
    }
    case 'deleteWhileIterating': {
      // Deleting the current element and the one after it: survivors only are visited.
      const seen: El[] = [];
      for (const e of s) {
        seen.push(e);
        const next = sorted(m).find((x) => byBytes(x, e) > 0);
        for (const d of [e, next]) if (d !== undefined) expect(s.delete(d)).toBe(m.delete(d));
        if (seen.length >= 15) break;
      }
      for (const e of seen) expect(m.has(e)).toBe(false);
      break;
    }
    case 'clear': s.clear(); m.clear(); break;
  }
  expect(h.container.size).toBe(h.model.size);
}

/** The ES2025 methods against what the built-in `Set` semantics give. */
function checkAlgebra(s: PersistentSet<El>, m: Set<El>, o: Set<El>): void {
  const sortSet = (x: Set<El>): El[] => [...x].sort(byBytes);
  const inO = (e: El): boolean => o.has(e);
  expect(sortSet(s.union(o))).toEqual(sortSet(new Set([...m, ...o])));
  expect(sortSet(s.intersection(o))).toEqual(sortSet(new Set([...m].filter(inO))));
  expect(sortSet(s.difference(o))).toEqual(sortSet(new Set([...m].filter((e) => !inO(e)))));
  expect(sortSet(s.symmetricDifference(o))).toEqual(sortSet(new Set(
    [...[...m].filter((e) => !inO(e)), ...[...o].filter((e) => !m.has(e))])));
  expect(s.isSubsetOf(o)).toBe([...m].every(inO));
  expect(s.isSupersetOf(o)).toBe([...o].every((e) => m.has(e)));
  expect(s.isDisjointFrom(o)).toBe(![...m].some(inO));
}

describe('PersistentSet vs Set (differential)', () => {
  for (const where of ['memory', 'disk'] as Where[]) {
    it(`agrees with Set on every step (${where}, transactions, 8-page cache)`, () => {
      const seed = propertySeed(`persistent-set ${where}`);
      let ops = 0;
      fc.assert(fc.property(fc.array(cmdArb, { minLength: 200, maxLength: 300 }), (cmds) => {
        const h = new Harness(where, (env) => env.openSet<El>('diff'), new Set<El>(),
          (m) => new Set(m));
        try {
          for (const cmd of cmds) run(h, cmd);
          expect([...h.container]).toEqual(sorted(h.model));
          ops += cmds.length;
        } finally {
          h.finish();
        }
      }), { seed, numRuns: scaled(50) });
      console.log(`[persistent-set ${where}] ${ops} operations compared`);
      expect(ops).toBeGreaterThanOrEqual(scaled(50) * 200);
    });
  }
});
