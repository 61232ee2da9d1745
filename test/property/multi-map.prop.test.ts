/**
 * Differential test of `MultiMap` against a sorted multimap model, with sorted and with
 * unsorted duplicates, in memory and on disk with 512-byte pages and a cache of 8 pages,
 * inside transactions with aborts and child transactions (test/support/container-harness.ts).
 *
 * Strategy: a few hot keys collect hundreds of values (so one key's duplicates span
 * pages), others a handful; some values are long (overflow items). The model keeps each
 * key's values in duplicate order: by the bytes of the encoded value when sorted, by
 * insertion when unsorted.
 *
 * Invariants: every answer equals the model's; `size`, `keyCount` and iteration agree after
 * every step; `verify()` passes at the end of each run.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { type MultiMap, codecs } from '../../src/index.js';
import { propertySeed, scaled } from '../support/seed.js';
import { Harness, type TxnCmd, type Where, txnCmdArb } from '../support/container-harness.js';

type Cmd =
  | { op: 'add' | 'has' | 'deletePair'; key: number; value: string }
  | { op: 'get' | 'hasKey' | 'count' | 'delete' | 'valuesOf'; key: number }
  | { op: 'range'; from: number; to: number; reverse: boolean; limit: number }
  | { op: 'clear' | 'iterate' | 'keys' | 'values' | 'firstLast' | 'forEach' }
  | TxnCmd;

const keyArb = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 3 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 120 }) },
);
const valueArb = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: 60 }).map((n) => `v${n}`) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 5 }).map((n) => `long${n}`.padEnd(700, '*')) },
);
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 40, arbitrary: fc.record({ op: fc.constant('add' as const), key: keyArb,
    value: valueArb }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constantFrom('has' as const, 'deletePair' as const),
    key: keyArb, value: valueArb }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constantFrom('get' as const, 'hasKey' as const,
    'count' as const, 'valuesOf' as const), key: keyArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), key: keyArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('range' as const), from: keyArb,
    to: keyArb, reverse: fc.boolean(), limit: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 2, arbitrary: fc.constantFrom({ op: 'iterate' as const }, { op: 'keys' as const },
    { op: 'values' as const }, { op: 'firstLast' as const }, { op: 'forEach' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
  { weight: 4, arbitrary: txnCmdArb },
);

/** The model: each key's values in duplicate order. */
type Model = Map<number, string[]>;
type Pair = [number, string];

const valueBytes = (v: string): Buffer => Buffer.from(codecs.value.encode(v));

function modelAdd(m: Model, sortedDups: boolean, key: number, value: string): boolean {
  const values = m.get(key) ?? [];
  m.set(key, values);
  if (!sortedDups) {
    values.push(value);
    return true;
  }
  if (values.includes(value)) return false;
  const at = values.findIndex((v) => Buffer.compare(valueBytes(v), valueBytes(value)) > 0);
  values.splice(at < 0 ? values.length : at, 0, value);
  return true;
}

const pairsOf = (m: Model): Pair[] => [...m.keys()].sort((a, b) => a - b)
  .flatMap((k) => m.get(k)!.map((v): Pair => [k, v]));
const sizeOf = (m: Model): number => [...m.values()].reduce((n, vs) => n + vs.length, 0);

function run(h: Harness<MultiMap<number, string>, Model>, sortedDups: boolean, cmd: Cmd): void {
  if (h.step(cmd)) return;
  const mm = h.container;
  const m = h.model;
  const valuesOf = (k: number): string[] => m.get(k) ?? [];
  switch (cmd.op) {
    case 'add': expect(mm.add(cmd.key, cmd.value)).toBe(modelAdd(m, sortedDups, cmd.key, cmd.value)); break;
    case 'has': expect(mm.has(cmd.key, cmd.value)).toBe(valuesOf(cmd.key).includes(cmd.value)); break;
    case 'hasKey': expect(mm.has(cmd.key)).toBe(valuesOf(cmd.key).length > 0); break;
    case 'get': expect(mm.get(cmd.key)).toEqual(valuesOf(cmd.key)); break;
    case 'count': expect(mm.count(cmd.key)).toBe(valuesOf(cmd.key).length); break;
    case 'valuesOf': {
      // A partial walk of one key's values, stopped early: the cursor is closed by `break`.
      const got: string[] = [];
      for (const v of mm.valuesOf(cmd.key)) {
        got.push(v);
        if (got.length === 5) break;
      }
      expect(got).toEqual(valuesOf(cmd.key).slice(0, 5));
      break;
    }
    case 'delete': {
      expect(mm.delete(cmd.key)).toBe(valuesOf(cmd.key).length);
      m.delete(cmd.key);
      break;
    }
    case 'deletePair': {
      const left = valuesOf(cmd.key).filter((v) => v !== cmd.value);
      expect(mm.delete(cmd.key, cmd.value)).toBe(valuesOf(cmd.key).length - left.length);
      if (left.length > 0) m.set(cmd.key, left);
      else m.delete(cmd.key);
      break;
    }
    case 'range': {
      const [lo, hi] = cmd.from <= cmd.to ? [cmd.from, cmd.to] : [cmd.to, cmd.from];
      let want = pairsOf(m).filter(([k]) => k >= lo && k < hi);
      if (cmd.reverse) want.reverse();
      want = want.slice(0, cmd.limit);
      expect([...mm.range({ gte: lo, lt: hi, reverse: cmd.reverse, limit: cmd.limit })])
        .toEqual(want);
      break;
    }
    case 'iterate': expect([...mm]).toEqual(pairsOf(m)); break;
    case 'keys': expect([...mm.keys()]).toEqual([...m.keys()].sort((a, b) => a - b)); break;
    case 'values': expect([...mm.values()]).toEqual(pairsOf(m).map(([, v]) => v)); break;
    case 'firstLast': {
      const all = pairsOf(m);
      expect([mm.first(), mm.last()]).toEqual([all[0], all[all.length - 1]]);
      break;
    }
    case 'forEach': {
      const seen: Pair[] = [];
      mm.forEach((v, k) => seen.push([k, v]));
      expect(seen).toEqual(pairsOf(m));
      break;
    }
    case 'clear': mm.clear(); m.clear(); break;
  }
  expect(mm.size).toBe(sizeOf(m));
  if (cmd.op === 'add' && cmd.value.length > 10) expect(mm.keyCount).toBe(m.size);
}

const clone = (m: Model): Model => new Map([...m].map(([k, vs]) => [k, [...vs]]));

describe.each(['sorted', 'unsorted'] as const)('MultiMap with %s duplicates vs a model', (d) => {
  for (const where of ['memory', 'disk'] as Where[]) {
    it(`agrees on every step (${where}, transactions, 8-page cache)`, () => {
      const seed = propertySeed(`multi-map ${d} ${where}`);
      let ops = 0;
      fc.assert(fc.property(fc.array(cmdArb, { minLength: 200, maxLength: 300 }), (cmds) => {
        const h = new Harness(where,
          (env) => env.openMultiMap<number, string>('diff', { duplicates: d }),
          new Map() as Model, clone);
        try {
          for (const cmd of cmds) run(h, d === 'sorted', cmd);
          expect([...h.container]).toEqual(pairsOf(h.model));
          expect(h.container.keyCount).toBe(h.model.size);
          ops += cmds.length;
        } finally {
          h.finish();
        }
      }), { seed, numRuns: scaled(50) });
      console.log(`[multi-map ${d} ${where}] ${ops} operations compared`);
      expect(ops).toBeGreaterThanOrEqual(scaled(50) * 200);
    });
  }
});
