/**
 * Hash scaling benchmark (`npm run bench:hash-scale`): loads n records into a hash
 * `PersistentMap` through a 64 MiB cache and times random gets as n grows, beside a btree
 * map on the same data, to show that a hash get touches the same pages whatever n is
 * (the meta page and one bucket page, and a chain page now and then) while a btree get
 * descends one more level each time the tree grows by its fan-out.
 *
 * For each n of `BENCH_SIZES` (default 1000000,4000000,10000000): a fresh environment
 * (durability 'none', cache 64 MiB), n records of 16-byte string keys in a shuffled order
 * and 100-byte values through `codecs.bytes`, committed 10,000 a transaction; then
 * `BENCH_TIME_MS` (default 3000) of gets of random stored keys. Prints load rec/s, get/s,
 * the cache hit rate during the gets and the file size. `BENCH_TYPES` (default 'hash,btree')
 * chooses the access methods; `BENCH_TMPDIR` where the environments live (a real disk).
 *
 * These are numbers to compare on one machine, not assertions: nothing here fails on a
 * slow result.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prng } from './prng.js';
import { Environment, codecs } from 'stowage';

const SIZES = (process.env.BENCH_SIZES ?? '1000000,4000000,10000000').split(',').map(Number);
const TYPES = (process.env.BENCH_TYPES ?? 'hash,btree').split(',') as ('hash' | 'btree')[];
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 3000);
const BATCH = 10_000;

/** The i-th key: 16 bytes, spread so that inserts land all over the table. */
function keyOf(i: number): string {
  return `k${(Math.imul(i, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0')}${i.toString(36)
    .padStart(7, '0')}`;
}

interface Row {
  type: string;
  n: number;
  loadRate: number;
  getRate: number;
  hitRate: number;
  fileMiB: number;
}

function run(type: 'hash' | 'btree', n: number): Row {
  const home = fs.mkdtempSync(path.join(process.env.BENCH_TMPDIR ?? os.tmpdir(), 'hscale-'));
  const env = Environment.open(home, { create: true, durability: 'none', cacheSize: 64 * 2 ** 20 });
  try {
    const map = env.openMap<string, Uint8Array>('bench', { type, value: codecs.bytes });
    const value = new Uint8Array(100).fill(7);
    const started = performance.now();
    for (let from = 0; from < n; from += BATCH) {
      env.transaction(() => {
        for (let i = from; i < Math.min(n, from + BATCH); i++) map.set(keyOf(i), value);
      });
    }
    const loadRate = n / ((performance.now() - started) / 1000);
    const before = env.stat().cache;
    const random = prng(n);
    let gets = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < TIME_MS) {
      for (let j = 0; j < 1000; j++) if (map.get(keyOf(Math.floor(random() * n)))) gets++;
    }
    const getRate = gets / ((performance.now() - t0) / 1000);
    const after = env.stat().cache;
    const hitRate = (after.hits - before.hits) / Math.max(1, after.requests - before.requests);
    const fileMiB = fs.statSync(path.join(home, 'bench.db')).size / 2 ** 20;
    return { type, n, loadRate, getRate, hitRate, fileMiB };
  } finally {
    env.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
for (const n of SIZES) {
  for (const type of TYPES) {
    const row = run(type, n);
    rows.push(row);
    console.log(`${type.padEnd(5)} n=${n}: load ${Math.round(row.loadRate)} rec/s, get ` +
      `${Math.round(row.getRate)}/s, cache hits ${(row.hitRate * 100).toFixed(1)}%, file ` +
      `${row.fileMiB.toFixed(0)} MiB`);
  }
}
console.log('\n| access method | n | load rec/s | get/s | cache hits | file MiB |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(`| ${r.type} | ${r.n} | ${Math.round(r.loadRate)} | ${Math.round(r.getRate)} | ` +
    `${(r.hitRate * 100).toFixed(1)}% | ${r.fileMiB.toFixed(0)} |`);
}
