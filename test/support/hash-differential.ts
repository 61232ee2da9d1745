/**
 * What the differential tests of the containers over a hash share (test/property/hash-*):
 * the check that a walk visits each item once, and the driver that runs fast-check command
 * sequences through a fresh container harness each, checks `verify()` after each run and
 * that the tables grew past many bucket splits.
 *
 * Layer: test support.
 */
import { expect } from 'vitest';
import fc from 'fast-check';
import { propertySeed, scaled } from './seed.js';
import type { Harness } from './container-harness.js';

/** Sequences per test: 40 of at least 250 commands, 10,000 commands or more in all. */
export const RUNS = 40;
/** The fewest commands in a sequence. */
export const COMMANDS_MIN = 250;

/** The items of `items` as a set, checked to come once each. */
export function once<T>(items: Iterable<T>): Set<T> {
  const seen = new Set<T>();
  for (const item of items) {
    expect(seen.has(item), `visited twice: ${String(item)}`).toBe(false);
    seen.add(item);
  }
  return seen;
}

/** A container under test: its database verifies and reports its hash's buckets. */
export interface HashBacked {
  db: { verify(): { ok: boolean; errors: string[] } };
}

/**
 * Runs `RUNS` sequences of `cmdArb` (each through a fresh harness from `make`), `run` on
 * each command and `last` at the end of each sequence, then `verify()` (ok). Prints the seed
 * and the commands compared; expects 10,000 or more of them, and some table of 16 buckets
 * or more. Returns the commands compared.
 */
export function runSequences<C extends HashBacked, M, Cmd>(label: string,
  make: () => Harness<C, M>, cmdArb: fc.Arbitrary<Cmd>,
  run: (h: Harness<C, M>, cmd: Cmd) => void, last: (h: Harness<C, M>) => void): number {
  const seed = propertySeed(label);
  let ops = 0;
  let bucketsMax = 0;
  const sequences = fc.array(cmdArb, { minLength: COMMANDS_MIN, maxLength: 300 });
  fc.assert(fc.property(sequences, (list) => {
    const h = make();
    try {
      for (const cmd of list) run(h, cmd);
      last(h);
      const report = h.container.db.verify() as { ok: boolean; hash?: { buckets: number } };
      expect(report.ok).toBe(true);
      bucketsMax = Math.max(bucketsMax, report.hash?.buckets ?? 0);
      ops += list.length;
    } finally {
      h.finish();
    }
  }), { seed, numRuns: scaled(RUNS) });
  console.log(`[${label}] ${ops} operations compared; at most ${bucketsMax} buckets`);
  expect(ops).toBeGreaterThanOrEqual(scaled(RUNS) * COMMANDS_MIN);
  // The tables grew well past their first buckets: buckets split many times.
  expect(bucketsMax).toBeGreaterThanOrEqual(16);
  return ops;
}
