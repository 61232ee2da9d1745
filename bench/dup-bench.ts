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
 * per row (default 1000).
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

/** The rows, for one side; every side draws the same sequence. */
function addRows(bench: Bench, side: Side): void {
  const random = prng(42);
  const key = () => Math.floor(random() * KEYS);
  let sink = 0;
  bench.add(`${side.name}: get all ${VALUES_PER_KEY} values`, () => {
    sink += side.getAll(key());
  });
  bench.add(`${side.name}: count values`, () => {
    sink += side.count(key());
  });
  bench.add(`${side.name}: has(key, value)`, () => {
    if (side.has(key(), value(Math.floor(random() * VALUES_PER_KEY)))) sink++;
  });
  bench.add(`${side.name}: add+delete in a ${HOT_VALUES}-value key`, () => {
    side.addDelete(HOT_KEY, `x${value(Math.floor(random() * HOT_VALUES))}`);
  });
  if (sink < 0) console.log(sink);
}

/** Operations per second from the mean latency (as map-bench.ts); NaN for a failed row. */
function opsPerSecond(result: Task['result']): number {
  return result.state === 'completed' ? 1000 / result.period : NaN;
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
    const bench = new Bench({ time: TIME_MS, warmupTime: 200, throws: true });
    for (const side of [stowage.side, lmdb.side]) addRows(bench, side);
    await bench.run();
    const ops = new Map(bench.tasks.map((t) => [t.name, opsPerSecond(t.result)]));
    const rows = [...ops.keys()].filter((n) => n.startsWith('Stowage')).map((n) => {
      const row = n.slice('Stowage: '.length);
      const ours = ops.get(n)!;
      const theirs = ops.get(`lmdb-js: ${row}`)!;
      return {
        row, 'Stowage ops/s': Math.round(ours).toLocaleString('en-US'),
        'lmdb-js ops/s': Math.round(theirs).toLocaleString('en-US'),
        'Stowage / lmdb-js': (ours / theirs).toFixed(2),
      };
    });
    console.table(rows);
    console.log(`node ${process.version}, ${os.cpus().length} cpus, ${TIME_MS} ms per row`);
  } finally {
    stowage.close();
    await lmdb.close();
    fs.rmSync(base, { recursive: true, force: true });
  }
}

await main();
