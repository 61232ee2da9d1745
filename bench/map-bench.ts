/**
 * In-repo microbenchmarks of `PersistentMap` (`npm run bench`): point reads, auto-commit and
 * durable writes, range and full scans, and multi-operation transaction commits, measured
 * with tinybench on a fresh environment in a temporary directory.
 *
 * Keys and values follow the side-by-side harness (../shared/bench): 16-byte ASCII string
 * keys (`k000000000012345`, sorted = numeric order) through the default key codec, and
 * 100-byte values through `codecs.bytes`. Random choices come from a seeded PRNG.
 *
 * Environment variables: `BENCH_TMPDIR` (where the environment lives; use a real disk, not
 * tmpfs, for the durable rows), `BENCH_RECORDS` (records loaded, default 20000),
 * `BENCH_TIME_MS` (time per task, default 400).
 *
 * These are numbers to compare commits of this repository on one machine, not assertions:
 * nothing here fails on a slow result.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prng } from './prng.js';
import { Bench, type Task } from 'tinybench';
import { Environment, codecs, type PersistentMap } from 'stowage';

const RECORDS = positiveInt(process.env.BENCH_RECORDS, 20_000);
const TIME_MS = positiveInt(process.env.BENCH_TIME_MS, 400);
const VALUE_BYTES = 100;
const SCAN_LENGTH = 100;
const TXN_SETS = 10;

function positiveInt(text: string | undefined, fallback: number): number {
  const n = Number(text);
  return text !== undefined && Number.isInteger(n) && n > 0 ? n : fallback;
}


const key = (i: number): string => `k${String(i).padStart(15, '0')}`;

function makeValues(random: () => number): Uint8Array[] {
  const pool: Uint8Array[] = [];
  for (let p = 0; p < 256; p++) {
    const v = new Uint8Array(VALUE_BYTES);
    for (let b = 0; b < VALUE_BYTES; b++) v[b] = Math.floor(random() * 256);
    pool.push(v);
  }
  return pool;
}

function load(env: Environment, map: PersistentMap<string, Uint8Array>, values: Uint8Array[]) {
  env.transaction(() => {
    for (let i = 0; i < RECORDS; i++) map.set(key(i), values[i % values.length]!);
  });
}

function addTasks(bench: Bench, env: Environment, map: PersistentMap<string, Uint8Array>,
  values: Uint8Array[]): void {
  const random = prng(42);
  const pick = () => Math.floor(random() * RECORDS);
  let sink = 0;
  bench.add('get (random existing key)', () => {
    sink += map.get(key(pick()))?.length ?? 0;
  });
  bench.add('set (auto-commit, durability none)', () => {
    map.set(key(pick()), values[pick() & 255]!);
  });
  bench.add('set (one-set txn, durability sync)', () => {
    env.transaction(() => map.set(key(pick()), values[pick() & 255]!), { durability: 'sync' });
  });
  bench.add(`txn commit (${TXN_SETS} sets, durability none)`, () => {
    env.transaction(() => {
      for (let i = 0; i < TXN_SETS; i++) map.set(key(pick()), values[i]!);
    });
  });
  bench.add(`scan ${SCAN_LENGTH} (range from random key)`, () => {
    let n = 0;
    for (const [, v] of map.range({ gte: key(pick()), limit: SCAN_LENGTH })) n += v.length;
    sink += n;
  });
  bench.add(`full scan (${RECORDS} records)`, () => {
    let n = 0;
    for (const [, v] of map) n += v.length;
    if (n !== RECORDS * VALUE_BYTES) throw new Error(`full scan read ${n} bytes`);
  });
  bench.add('has (random existing key)', () => {
    if (map.has(key(pick()))) sink++;
  });
  if (sink < 0) console.log(sink);
}

/** Records per operation of a task, to show records/s beside ops/s. */
function recordsPerOp(name: string): number {
  if (name.startsWith('full scan')) return RECORDS;
  if (name.startsWith('scan')) return SCAN_LENGTH;
  if (name.startsWith('txn commit')) return TXN_SETS;
  return 1;
}

function printTable(tasks: Task[]): void {
  const rows = tasks.map((t) => {
    const r = t.result;
    if (r.state !== 'completed') {
      const reason = r.state === 'errored' ? String(r.error) : r.state;
      return {
        task: t.name, 'ops/s': reason, 'records/s': '', 'mean µs': '', '±%': '', runs: '',
      };
    }
    // Operations per second from the mean latency (total time / runs). tinybench's
    // `throughput.mean` averages per-sample rates, which fast outliers inflate.
    const ops = 1000 / r.period;
    return {
      task: t.name,
      'ops/s': Math.round(ops).toLocaleString('en-US'),
      'records/s': Math.round(ops * recordsPerOp(t.name)).toLocaleString('en-US'),
      'mean µs': (r.latency.mean * 1000).toFixed(1),
      '±%': r.latency.rme.toFixed(1),
      runs: t.runs,
    };
  });
  console.table(rows);
}

async function main(): Promise<void> {
  const base = process.env.BENCH_TMPDIR ?? os.tmpdir();
  const home = fs.mkdtempSync(path.join(base, 'stowage-bench-'));
  const env = Environment.open(home, { durability: 'none' });
  try {
    const map = env.openMap<string, Uint8Array>('bench', { value: codecs.bytes });
    const values = makeValues(prng(7));
    const t0 = performance.now();
    load(env, map, values);
    const loadMs = performance.now() - t0;
    console.log(`Stowage map bench: ${RECORDS} records of ${VALUE_BYTES} B in ${home}`);
    console.log(`load: ${Math.round((RECORDS * 1000) / loadMs).toLocaleString('en-US')} ` +
      'records/s (one transaction)');
    const bench = new Bench({ time: TIME_MS, warmupTime: 100, throws: true });
    addTasks(bench, env, map, values);
    await bench.run();
    printTable(bench.tasks);
    const cache = env.stat().cache;
    console.log(`cache: ${((100 * cache.hits) / Math.max(cache.requests, 1)).toFixed(1)}% hits ` +
      `of ${cache.requests} page requests; node ${process.version}, ${os.cpus().length} cpus`);
  } finally {
    env.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

await main();
