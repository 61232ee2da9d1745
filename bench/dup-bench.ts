/**
 * Duplicates benchmark (`npm run bench:dups`): Stowage's `MultiMap` (sorted duplicates) and
 * lmdb-js opened with `dupSort`, side by side in one process, on the same data and the same
 * seeded operation sequence.
 *
 * Data: 10,000 keys x 100 values each (1,000,000 pairs), loaded in one transaction on each
 * side, and a hot key holding 100,000 values. Keys are numbers; values are 8-character
 * strings (`00000042`), so both sides order them the same way (Stowage's default key codec,
 * lmdb's `ordered-binary`). Rows:
 * - get all values of a random key (`multiMap.get(k)`, `[...db.getValues(k)]`);
 * - count the values of a random key (`count(k)`, `db.getValuesCount(k)`);
 * - has(key, value) of a random stored pair (`has(k, v)`, `db.doesExist(k, v)`);
 * - add then delete one value in the hot key (two auto-committed writes each side;
 *   Stowage durability 'none', lmdb `noSync`: neither flushes to disk).
 *
 * lmdb-js is not a dependency of this repository: it is loaded from `BENCH_PEERS` (default
 * `/tmp/kv-bench`, the copy of ../shared/bench the side-by-side README makes, after its
 * `npm install`). `BENCH_TMPDIR` chooses where both stores live; `BENCH_TIME_MS` the time
 * per row and side (default 1000); `BENCH_ROUNDS` how many times every row runs on both
 * sides, taking turns to go first (default 3). The table gives median rates, and the median
 * and range of the ratios of the rounds.
 *
 * These are numbers to compare on one machine, not assertions: nothing here fails on a
 * slow result.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { prng } from './prng.js';
import { Bench, type Task } from 'tinybench';
import { Environment, type MultiMap } from 'stowage';

const KEYS = 10_000;
const VALUES_PER_KEY = 100;
const HOT_KEY = -1;
const HOT_VALUES = 100_000;
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** The part of lmdb-js's database API the rows use. */
interface LmdbDb {
  getValues(key: number): Iterable<string>;
  getValuesCount(key: number): number;
  doesExist(key: number, value: string): boolean;
  putSync(key: number, value: string): void;
  removeSync(key: number, value: string): boolean;
  transactionSync<T>(fn: () => T): T;
  put(key: number, value: string): unknown;
  close(): Promise<void>;
}

/** A store under test: the rows' operations. */
interface Side {
  name: string;
  getAll(k: number): number;
  count(k: number): number;
  has(k: number, v: string): boolean;
  addDelete(k: number, v: string): void;
}

const value = (j: number): string => String(j).padStart(8, '0');


function loadLmdb(dir: string): { side: Side; close: () => Promise<void> } {
  const peers = process.env.BENCH_PEERS ?? '/tmp/kv-bench';
  const require = createRequire(path.join(peers, 'package.json'));
  const lmdb = require('lmdb') as { open(options: object): LmdbDb };
  const db = lmdb.open({ path: dir, dupSort: true, encoding: 'ordered-binary', noSync: true });
  db.transactionSync(() => {
    for (let k = 0; k < KEYS; k++) for (let j = 0; j < VALUES_PER_KEY; j++) db.put(k, value(j));
    for (let j = 0; j < HOT_VALUES; j++) db.put(HOT_KEY, value(j));
  });
  const side: Side = {
    name: 'lmdb-js',
    getAll: (k) => [...db.getValues(k)].length,
    count: (k) => db.getValuesCount(k),
    has: (k, v) => db.doesExist(k, v),
    addDelete: (k, v) => {
      db.putSync(k, v);
      db.removeSync(k, v);
    },
  };
  return { side, close: () => db.close() };
}

function loadStowage(dir: string): { side: Side; close: () => void } {
  const env = Environment.open(dir, { durability: 'none' });
  const mm: MultiMap<number, string> = env.openMultiMap<number, string>('dups');
  env.transaction(() => {
    for (let k = 0; k < KEYS; k++) for (let j = 0; j < VALUES_PER_KEY; j++) mm.add(k, value(j));
    for (let j = 0; j < HOT_VALUES; j++) mm.add(HOT_KEY, value(j));
  });
  const side: Side = {
    name: 'Stowage',
    getAll: (k) => mm.get(k).length,
    count: (k) => mm.count(k),
    has: (k, v) => mm.has(k, v),
    addDelete: (k, v) => {
      mm.add(k, v);
      mm.delete(k, v);
    },
  };
  return { side, close: () => env.close() };
}

/** A row: one operation drawn from `random` (each side gets the same sequence). */
interface Row {
  name: string;
  run(side: Side, random: () => number): number;
}

const ROWS: Row[] = [
  { name: `get all ${VALUES_PER_KEY} values`,
    run: (side, random) => side.getAll(Math.floor(random() * KEYS)) },
  { name: 'count values', run: (side, random) => side.count(Math.floor(random() * KEYS)) },
  { name: 'has(key, value)', run: (side, random) => Number(side.has(Math.floor(random() * KEYS),
    value(Math.floor(random() * VALUES_PER_KEY)))) },
  { name: `add+delete in a ${HOT_VALUES}-value key`, run: (side, random) => {
    side.addDelete(HOT_KEY, `x${value(Math.floor(random() * HOT_VALUES))}`);
    return 1;
  } },
];

/** Operations per second from the mean latency (as map-bench.ts); NaN for a failed row. */
function opsPerSecond(result: Task['result']): number {
  return result.state === 'completed' ? 1000 / result.period : NaN;
}

/** Runs `row` on `side` for TIME_MS; returns its operations per second. */
async function measure(row: Row, side: Side, random: () => number): Promise<number> {
  const bench = new Bench({ time: TIME_MS, warmupTime: 200, throws: true });
  let sink = 0;
  bench.add(row.name, () => {
    sink += row.run(side, random);
  });
  await bench.run();
  if (sink < 0) console.log(sink);
  return opsPerSecond(bench.tasks[0]!.result);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * Every row on both sides, ROUNDS times, the sides taking turns to go first, so a slow
 * spell of the machine falls on both; per row, the median rates and the median and range
 * of the round ratios.
 */
async function compare(ours: Side, theirs: Side): Promise<Record<string, string>[]> {
  const streams = ROWS.map((_, i) => [prng(42 + i), prng(42 + i)] as const);
  const rates = ROWS.map(() => ({ ours: [] as number[], theirs: [] as number[] }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, row] of ROWS.entries()) {
      const [a, b] = streams[i]!;
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const which of order) {
        const rate = await measure(row, which === 0 ? ours : theirs, which === 0 ? a : b);
        rates[i]![which === 0 ? 'ours' : 'theirs'].push(rate);
      }
    }
  }
  return ROWS.map((row, i) => {
    const { ours: o, theirs: t } = rates[i]!;
    const ratios = o.map((x, r) => x / t[r]!);
    return {
      row: row.name, 'Stowage ops/s': Math.round(median(o)).toLocaleString('en-US'),
      'lmdb-js ops/s': Math.round(median(t)).toLocaleString('en-US'),
      'Stowage / lmdb-js': median(ratios).toFixed(2),
      'ratio range': `${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`,
    };
  });
}

function timed<T>(what: string, fn: () => T): T {
  const t0 = performance.now();
  const out = fn();
  console.log(`${what}: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  return out;
}

async function main(): Promise<void> {
  const base = fs.mkdtempSync(path.join(process.env.BENCH_TMPDIR ?? os.tmpdir(), 'dup-bench-'));
  const lmdb = timed('lmdb-js load (1.1M pairs)', () => loadLmdb(path.join(base, 'lmdb')));
  const stowage = timed('Stowage load (1.1M pairs)', () => loadStowage(path.join(base, 'st')));
  try {
    const rows = await compare(stowage.side, lmdb.side);
    console.table(rows);
    console.log(`node ${process.version}, ${os.cpus().length} cpus, ${TIME_MS} ms per row and ` +
      `side, ${ROUNDS} rounds`);
  } finally {
    stowage.close();
    await lmdb.close();
    fs.rmSync(base, { recursive: true, force: true });
  }
}

await main();
