/**
 * The crash suite's workload and its model, shared by the in-process tests (power cut, I/O
 * faults) and by the child process of the kill test (plain JavaScript: the child runs the
 * built library under plain Node, so this file cannot be TypeScript; see workload.d.mts).
 *
 * Transaction `i` is a pure function of `i`: the parent can compute the exact contents of
 * every container after transactions 0..k-1 for any k, which is what "a committed prefix"
 * is checked against. The containers: maps `a` and `b`; `m`, a MultiMap (sorted duplicates)
 * whose hot key 0 gains 20 values a transaction, so its set grows to thousands over many
 * pages; `r`, a map over a database with record numbers; and `h`, a map over a hash
 * database of 512-byte pages, whose table splits many times as it grows. Each transaction
 * writes several
 * keys in `a`, `b`, `r` and `h`, sets the meta key (`META_KEY` in `a`, naming the last committed
 * transaction, so a worker can resume), adds values to `m` and deletes single values of
 * earlier transactions from it, sometimes stores large values (5-9 KiB: overflow pages),
 * rewrites a key of an earlier transaction, deletes keys of an earlier transaction (which
 * renumbers the records of `r`), or replaces a large value by another.
 */

/** Key of map `a` holding `last=<i>`, the id of the last committed transaction. */
export const META_KEY = -1;

/**
 * Environment options of the kill test (worker and parent): every commit synced, small log
 * files and frequent checkpoints so rotation and checkpoints happen during a short run.
 */
export const KILL_OPTIONS = {
  durability: 'sync',
  logFileSize: 256 * 1024,
  checkpointBytes: 512 * 1024,
};

/** The names of the maps the workload writes (besides the MultiMap `m` and `r`). */
export const MAP_NAMES = ['a', 'b'];

/** Values the MultiMap's hot key gains per transaction. */
const HOT_ADDS = 20;

/**
 * Opens the workload's containers in `env`; `PersistentMap` is the library's class (the
 * worker passes the built one), for `r` over a database with record numbers.
 */
export function openContainers(env, PersistentMap) {
  return {
    a: env.openMap('a'),
    b: env.openMap('b'),
    m: env.openMultiMap('m'),
    r: new PersistentMap(env.openDatabase('r', { recordNumbers: true })),
    h: new PersistentMap(env.openDatabase('h', { type: 'hash', pageSize: 512 })),
  };
}

/** A small deterministic PRNG (mulberry32). */
export function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A value of 5-9 KiB: larger than a 4 KiB page, so it lives on overflow pages. */
function bigValue(tag, random) {
  const length = 5 * 1024 + Math.floor(random() * 4 * 1024);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let run = '';
  for (let n = 0; n < 64; n++) run += alphabet[Math.floor(random() * alphabet.length)];
  return `${tag}:${run.repeat(Math.ceil(length / run.length))}`.slice(0, length);
}

/** The operations of transaction `i`, in order. */
export function txnOps(i) {
  const random = prng(0x9e3779b1 ^ Math.imul(i + 1, 0x85ebca6b));
  const ops = [{ map: 'a', op: 'set', key: META_KEY, value: `last=${i}` }];
  for (let j = 0; j < 3; j++) {
    const big = j === 0 && random() < 0.3;
    const value = big ? bigValue(`a${i}`, random) : `a${i}.${j}`;
    ops.push({ map: 'a', op: 'set', key: i * 3 + j, value });
  }
  const value = i % 2 === 0 ? bigValue(`b${i}`, random) : `b${i}`;
  ops.push({ map: 'b', op: 'set', key: i, value });
  if (i >= 6 && random() < 0.5) {
    const d = i - 1 - Math.floor(random() * 5);
    ops.push({ map: 'a', op: 'delete', key: d * 3 + 1 }, { map: 'b', op: 'delete', key: d });
  }
  if (i >= 3 && random() < 0.4) {
    const u = Math.floor(random() * i);
    ops.push({ map: 'a', op: 'set', key: u * 3 + 2, value: `upd${i}` });
  }
  if (i >= 10 && random() < 0.25) {
    const u = Math.floor(random() * i);
    ops.push({ map: 'b', op: 'set', key: u, value: bigValue(`rb${i}`, random) });
  }
  ops.push(...multiMapOps(i, random), ...recordOps(i, random), ...hashOps(i, random));
  return ops;
}

/** The hash map's part of transaction `i`: eight keys set, a large value, deletes. */
function hashOps(i, random) {
  const ops = [];
  for (let j = 0; j < 8; j++) {
    ops.push({ map: 'h', op: 'set', key: i * 8 + j, value: `h${i}.${j}` });
  }
  if (random() < 0.3) {
    ops.push({ map: 'h', op: 'set', key: i * 8, value: bigValue(`h${i}`, random) });
  }
  for (let n = 0; i >= 3 && n < 3; n++) {
    ops.push({ map: 'h', op: 'delete', key: Math.floor(random() * i * 8) });
  }
  return ops;
}

/** The MultiMap's part of transaction `i`: adds to the hot key 0 and to key 1 + i % 7. */
function multiMapOps(i, random) {
  const ops = [];
  for (let j = 0; j < HOT_ADDS; j++) {
    ops.push({ map: 'm', op: 'add', key: 0, value: `h${i}.${j}` });
  }
  ops.push({ map: 'm', op: 'add', key: 1 + (i % 7), value: `c${i}` });
  if (i >= 2) {
    for (let n = 0; n < 3; n++) {
      const u = Math.floor(random() * i);
      const j = Math.floor(random() * HOT_ADDS);
      ops.push({ map: 'm', op: 'deleteValue', key: 0, value: `h${u}.${j}` });
    }
  }
  if (i >= 7 && random() < 0.15) ops.push({ map: 'm', op: 'delete', key: 1 + (i % 7) });
  return ops;
}

/** The record-number map's part of transaction `i`: two keys set, one earlier one deleted. */
function recordOps(i, random) {
  const ops = [
    { map: 'r', op: 'set', key: i * 2, value: `r${i}` },
    { map: 'r', op: 'set', key: i * 2 + 1, value: i % 4 === 0 ? bigValue(`r${i}`, random)
      : `s${i}` },
  ];
  if (i >= 4) ops.push({ map: 'r', op: 'delete', key: Math.floor(random() * i) * 2 });
  return ops;
}

/** Runs the operations of transaction `i` on `maps` (the containers, or a model). */
export function runTxnOps(maps, i) {
  for (const o of txnOps(i)) {
    if (o.op === 'set') maps[o.map].set(o.key, o.value);
    else if (o.op === 'delete') maps[o.map].delete(o.key);
    else if (o.op === 'add') maps[o.map].add(o.key, o.value);
    else maps[o.map].delete(o.key, o.value);
  }
}

/** The model of a MultiMap with sorted duplicates: key -> set of values. */
export class MultiModel {
  constructor() {
    this.sets = new Map();
  }

  add(key, value) {
    if (!this.sets.has(key)) this.sets.set(key, new Set());
    this.sets.get(key).add(value);
  }

  /** Deletes `value` of `key`, or the whole key when `value` is omitted. */
  delete(key, value) {
    if (value === undefined) return this.sets.delete(key);
    const set = this.sets.get(key);
    const gone = set?.delete(value) ?? false;
    if (set?.size === 0) this.sets.delete(key);
    return gone;
  }
}

/** Key -> sorted values of a MultiMap or a MultiModel, keys in order. */
function groupedValues(multi) {
  const out = [];
  if (multi instanceof MultiModel) {
    const keys = [...multi.sets.keys()].sort((x, y) => x - y);
    for (const k of keys) out.push([k, [...multi.sets.get(k)].sort()]);
  } else {
    for (const k of multi.keys()) out.push([k, [...multi.get(k)].sort()]);
  }
  return out;
}

/**
 * Checks the record numbers of a database with them (the `db` of map `r`): walking it in
 * order, the record number of the n-th pair is n, and the count is the last one. Returns
 * undefined, or what is wrong.
 */
export function recordNumberProblem(db) {
  const c = db.cursor();
  try {
    let n = 0;
    while (c.next()) {
      n++;
      if (c.recno() !== n) return `r: record ${n} reports record number ${c.recno()}`;
    }
    return db.count() === n ? undefined : `r: count ${db.count()}, walked ${n} records`;
  } finally {
    c.close();
  }
}

/** The transaction a worker continues with: one past the meta key, or 0. */
export function nextTxnFrom(mapA) {
  const meta = mapA.get(META_KEY);
  return typeof meta === 'string' ? Number(meta.slice('last='.length)) + 1 : 0;
}

/** The model after transactions 0..k-1: { a: Map, b: Map }. */
export function modelAfter(k) {
  const model = { a: new Map(), b: new Map(), m: new MultiModel(), r: new Map(), h: new Map() };
  for (let i = 0; i < k; i++) applyTxn(model, i);
  return model;
}

/** Applies transaction `i` to a model. */
export function applyTxn(model, i) {
  runTxnOps(model, i);
}

/**
 * Compares a map's entries (in key order) with a model map; returns undefined when equal,
 * else a short description of the first differences (values are long, so never printed).
 */
export function diffEntries(name, actual, expected) {
  const want = [...expected.entries()].sort((x, y) => x[0] - y[0]);
  const problems = [];
  if (actual.length !== want.length) {
    problems.push(`${name}: ${actual.length} entries, expected ${want.length}`);
  }
  const have = new Map(actual);
  for (const [k, v] of want) {
    if (!have.has(k)) problems.push(`${name}[${k}] missing`);
    else if (have.get(k) !== v) {
      problems.push(`${name}[${k}] = ${short(have.get(k))}, expected ${short(v)}`);
    }
  }
  for (const [k] of actual) if (!expected.has(k)) problems.push(`${name}[${k}] unexpected`);
  for (let n = 1; n < actual.length; n++) {
    if (!(actual[n - 1][0] < actual[n][0])) problems.push(`${name}: keys out of order at ${n}`);
  }
  return problems.length === 0 ? undefined : problems.slice(0, 8).join('; ');
}

function short(v) {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s === undefined ? 'undefined' : s.length > 24 ? `${s.slice(0, 24)}...(${s.length})` : s;
}

/**
 * Which prefix the maps hold: the k in `candidates` whose model equals the contents, or
 * undefined with the differences against each candidate.
 */
export function matchPrefix(maps, candidates) {
  const actual = {
    a: [...maps.a.entries()], b: [...maps.b.entries()], r: [...maps.r.entries()],
    m: JSON.stringify(groupedValues(maps.m)),
    // A hash map walks in hash order: its entries are compared in key order.
    h: [...maps.h.entries()].sort((x, y) => x[0] - y[0]),
  };
  const misses = [];
  for (const k of candidates) {
    const model = modelAfter(k);
    const diff = diffEntries('a', actual.a, model.a) ?? diffEntries('b', actual.b, model.b) ??
      diffEntries('r', actual.r, model.r) ?? diffMulti(actual.m, model.m) ??
      diffEntries('h', actual.h, model.h);
    if (diff === undefined) return { k };
    misses.push(`prefix ${k}: ${diff}`);
  }
  return { k: undefined, misses };
}

/** Compares the MultiMap's grouped values (as JSON) with the model's. */
function diffMulti(actualJson, model) {
  const want = groupedValues(model);
  if (actualJson === JSON.stringify(want)) return undefined;
  const have = JSON.parse(actualJson);
  const sizes = (g) => g.map(([k, v]) => `${k}:${v.length}`).join(',');
  return `m: keys:values ${sizes(have)}, expected ${sizes(want)}`;
}
