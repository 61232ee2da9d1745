/**
 * An aborted transaction leaves a counted tree (duplicates or record numbers) exactly as it
 * was: same pairs, same counts, `verify()` clean. The writes mix long keys and values
 * (separators and items on overflow chains) with a hot key of many duplicates whose delete
 * merges pages, so an abort undoes count changes on internal pages whose items were moved
 * by the undo of later inserts and deletes on the same page.
 *
 * Layer: test (property).
 *
 * Strategy: fast-check draws a committed base and a batch of writes; the batch runs in a
 * transaction that is aborted; the database must equal the base, item for item. Then the
 * same batch is committed and must equal the model of it. With duplicates, each key's count
 * is checked before, inside and after the aborted transaction.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Environment } from '../../src/index.js';
import { propertySeed, scaled } from '../support/seed.js';
import { tempDir } from '../support/temp-dir.js';

type Shape = { duplicates?: 'sorted' | 'unsorted'; recordNumbers?: boolean };

const SHAPES: [string, Shape][] = [
  ['sorted duplicates', { duplicates: 'sorted' }],
  ['unsorted duplicates', { duplicates: 'unsorted' }],
  ['record numbers', { recordNumbers: true }],
];

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** A key or value: short, or long enough to go to an overflow chain on 512-byte pages. */
const text = (prefix: string) => fc.tuple(fc.integer({ min: 0, max: 40 }),
  fc.constantFrom(0, 0, 0, 300, 1200)).map(([n, pad]) => `${prefix}${n}`.padEnd(pad, '~'));

type Write = { op: 'put'; key: string; value: string } | { op: 'del'; key: string };

const write: fc.Arbitrary<Write> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('put' as const), key: text('k'),
    value: text('v') }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('del' as const), key: text('k') }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('del' as const),
    key: fc.constant('hot') }) },
  // Short keys with short values: leaves whose search indexes (and their parents' copies of
  // them, child-runs.ts) are built and must follow every change and its undo.
  { weight: 3, arbitrary: fc.record({ op: fc.constant('put' as const),
    key: fc.nat(29).map((n) => `w${n}`), value: fc.nat(99).map((n) => `${n}`) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('del' as const),
    key: fc.nat(29).map((n) => `w${n}`) }) },
);

const envs: Environment[] = [];
afterEach(() => {
  for (const env of envs.splice(0)) env.close();
});

function contents(db: ReturnType<Environment['openDatabase']>): string[] {
  const c = db.cursor();
  const out: string[] = [];
  try {
    for (let more = c.first(); more; more = c.next()) {
      out.push(`${dec(c.key())}=${dec(c.value())}`);
    }
  } finally {
    c.close();
  }
  return out;
}

/**
 * Checks each key's count (`countValues`) against the pairs `contents` lists, twice: the
 * second pass answers from the search indexes the first built (child-runs.ts copies).
 */
function expectKeyCounts(db: ReturnType<Environment['openDatabase']>, what: string): void {
  const expected = new Map<string, number>();
  for (const pair of contents(db)) {
    const key = pair.slice(0, pair.indexOf('='));
    expected.set(key, (expected.get(key) ?? 0) + 1);
  }
  for (let pass = 0; pass < 2; pass++) {
    for (const [key, n] of expected) expect(db.countValues(enc(key)), `${what}: ${key}`).toBe(n);
  }
}

describe.each(SHAPES)('an aborted transaction on a btree with %s', (_name, shape) => {
  it('leaves every pair and every count as they were', () => {
    const seed = propertySeed(`counted-abort ${_name}`);
    fc.assert(fc.property(fc.array(write, { minLength: 20, maxLength: 120 }),
      fc.array(write, { minLength: 1, maxLength: 60 }), (base, batch) => {
        const env = Environment.open(tempDir(), { transactional: true, durability: 'none' });
        envs.push(env);
        const db = env.openDatabase('t', { type: 'btree', pageSize: 512, ...shape });
        const apply = (writes: Write[]): void => {
          for (const w of writes) {
            if (w.op === 'put') db.putPair(enc(w.key), enc(w.value));
            else db.del(enc(w.key));
          }
        };
        env.transaction(() => {
          apply(base);
          if (shape.duplicates) {
            for (let i = 0; i < 150; i++) {
              db.putPair(enc('hot'), enc(`h${i}`.padEnd(i % 7 === 0 ? 200 : 0, '.')));
            }
            for (let i = 0; i < 600; i++) db.putPair(enc(`w${i % 30}`), enc(`${i % 97}`));
          }
        });
        const before = contents(db);
        if (shape.duplicates) expectKeyCounts(db, 'before');
        const txn = env.begin();
        apply(batch);
        expect(db.verify().errors, 'verify inside the transaction').toEqual([]);
        if (shape.duplicates) expectKeyCounts(db, 'inside the transaction');
        txn.abort();
        expect(db.verify().errors).toEqual([]);
        expect(contents(db)).toEqual(before);
        if (shape.duplicates) expectKeyCounts(db, 'after the abort');
        env.transaction(() => apply(batch));
        expect(db.verify().errors).toEqual([]);
        expect(db.count()).toBe(contents(db).length);
        env.close();
        envs.pop();
      }), { seed, numRuns: scaled(25) });
  });
});
