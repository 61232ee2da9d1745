/**
 * Damaged files after a clean close: database files truncated, emptied or with pages
 * zeroed, and the newest log file with bytes flipped or cut short.
 *
 * The bugs it guards against: a truncated database file iterated as fewer records with no
 * error (its `size` still the full count), an emptied one opened as an empty database, and
 * a damaged newest log that made open start recovery from an older checkpoint and undo
 * committed, checkpointed transactions, rewriting intact database files (reads then failed,
 * some with an untyped `RangeError`).
 *
 * Strategy: one environment (`MemFs`, small log files, frequent checkpoints, 512-byte pages)
 * is built once: two maps of committed transactions, large values among them, closed
 * cleanly. Each trial takes a clone, damages it in one seeded way, opens it, reads both maps
 * whole (entries, `size`, point reads) and verifies them. A few named cases come first;
 * then at least 100 seeded trials mix every kind of damage.
 *
 * Invariants: each trial ends either with exactly the committed data (and clean verifies)
 * or with a `DbError` (for damage to the log, a `CorruptionError`, and the database files
 * byte for byte as they were); never fewer records, never an untyped error.
 */
import { describe, expect, it } from 'vitest';
import {
  CorruptionError, DbError, Environment, type EnvironmentOptions,
} from '../../src/index.js';
import { MemFs } from '../../src/os/index.js';
import { propertySeed } from '../support/seed.js';
import { describeError } from './harness.js';

const HOME = '/env';
const PAGE = 512;
const OPTIONS: EnvironmentOptions = {
  pageSize: PAGE, logFileSize: 64 * 1024, checkpointBytes: 48 * 1024, cacheSize: 64 * 1024,
};
const NAMES = ['a', 'b'] as const;
type Model = Map<string, Map<number, string>>;

function value(name: string, key: number, round: number): string {
  return `${name}${key}r${round}-`.repeat(key % 50 === 0 ? 120 : 1 + (key % 5));
}

/** The clean image and what it holds. */
function build(): { image: MemFs; model: Model } {
  const mem = new MemFs();
  const env = Environment.open(HOME, { ...OPTIONS, fileSystem: mem });
  const model: Model = new Map(NAMES.map((n) => [n, new Map()]));
  for (let round = 0; round < 6; round++) {
    for (const name of NAMES) {
      const map = env.openMap<number, string>(name);
      const m = model.get(name)!;
      env.transaction(() => {
        for (let key = round * 250; key < round * 250 + 500; key++) {
          if (key % 17 === round) {
            map.delete(key);
            m.delete(key);
          } else {
            map.set(key, value(name, key, round));
            m.set(key, value(name, key, round));
          }
        }
      });
    }
  }
  env.close();
  return { image: mem, model };
}

const built = build();

function files(fs: MemFs, suffix: (name: string) => boolean): string[] {
  return fs.list(HOME).filter(suffix).sort().map((n) => `${HOME}/${n}`);
}
const isDb = (n: string) => n.endsWith('.db');
const isLog = (n: string) => n.startsWith('log.');

function bytesOf(fs: MemFs, path: string): Uint8Array {
  return Uint8Array.from(fs.readFile(path));
}

function sizeOf(fs: MemFs, path: string): number {
  const h = fs.open(path, 'read');
  try {
    return h.size();
  } finally {
    h.close();
  }
}

/** Where the records of a log file end (its preallocated tail is zeros). */
function logRecordsEnd(fs: MemFs, path: string): number {
  const bytes = bytesOf(fs, path);
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return end;
}

type Damage = (fs: MemFs, rand: () => number) => string;

const flipByte = (path: string, at: number): Damage => (fs) => {
  const h = fs.open(path, 'readwrite');
  const one = new Uint8Array(1);
  h.read(one, at);
  one[0] = one[0]! ^ 0xa5;
  h.write(one, at);
  h.close();
  return `flip byte ${at} of ${path}`;
};
const truncateTo = (path: string, length: number): Damage => (fs) => {
  const h = fs.open(path, 'readwrite');
  h.truncate(length);
  h.close();
  return `truncate ${path} to ${length}`;
};
const zeroRange = (path: string, from: number, length: number): Damage => (fs) => {
  const h = fs.open(path, 'readwrite');
  h.write(new Uint8Array(length), from);
  h.close();
  return `zero ${length} bytes at ${from} of ${path}`;
};

/** One seeded damage: to the newest log, or to a database file. */
function randomDamage(fs: MemFs, rand: () => number): { damage: Damage; logOnly: boolean } {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const kind = Math.floor(rand() * 6);
  if (kind < 3) {
    const log = files(fs, isLog).at(-1)!;
    const end = logRecordsEnd(fs, log);
    const at = 32 + Math.floor(rand() * (end - 32));
    const damage = kind === 0 ? flipByte(log, at) : kind === 1 ? truncateTo(log, at)
      : zeroRange(log, at, 1 + Math.floor(rand() * 200));
    return { damage, logOnly: true };
  }
  const db = pick(files(fs, isDb));
  const size = sizeOf(fs, db);
  const at = Math.floor(rand() * size);
  if (kind === 3) return { damage: flipByte(db, at), logOnly: false };
  if (kind === 4) return { damage: truncateTo(db, rand() < 0.5 ? at - (at % PAGE) : at), logOnly: false };
  const page = Math.floor(at / PAGE);
  return { damage: zeroRange(db, page * PAGE, PAGE * (1 + Math.floor(rand() * 3))), logOnly: false };
}

/** Opens `fs` and reads everything; throws when anything differs from `model`. */
function readAll(fs: MemFs, model: Model): void {
  const env = Environment.open(HOME, { ...OPTIONS, fileSystem: fs });
  try {
    for (const name of NAMES) {
      const map = env.openMap<number, string>(name);
      const expected = model.get(name)!;
      const got = new Map(map.entries());
      if (got.size !== expected.size || map.size !== expected.size) {
        throw new Error(`${name}: ${got.size} records iterated, size ${map.size}, ` +
          `expected ${expected.size}`);
      }
      for (const [k, v] of expected) {
        if (got.get(k) !== v || map.get(k) !== v) throw new Error(`${name}: key ${k} differs`);
      }
      const errors = env.openDatabase(name).verify().errors;
      if (errors.length > 0) throw new Error(`${name} verify: ${errors[0]}`);
    }
  } finally {
    env.close();
  }
}

type Outcome = { ok: true } | { ok: false; error: unknown };

function attempt(fs: MemFs): Outcome {
  try {
    readAll(fs, built.model);
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Applies `damage` to a clone and checks the outcome; returns a failure line or undefined. */
function trial(damage: Damage, logOnly: boolean, rand: () => number = Math.random) {
  const fs = built.image.clone();
  const what = damage(fs, rand);
  const dbBefore = files(fs, isDb).map((p) => bytesOf(fs, p));
  const outcome = attempt(fs);
  if (outcome.ok) return { what, outcome, failure: undefined };
  const e = outcome.error;
  let failure: string | undefined;
  if (!(e instanceof DbError)) failure = `${what}: untyped ${describeError(e)}`;
  else if (logOnly && !(e instanceof CorruptionError)) failure = `${what}: ${describeError(e)}`;
  else if (logOnly) {
    const after = files(fs, isDb).map((p) => bytesOf(fs, p));
    if (after.some((b, i) => Buffer.compare(b, dbBefore[i]!) !== 0)) {
      failure = `${what}: a database file was rewritten from the damaged log`;
    }
  }
  return { what, outcome, failure };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function expectCorruption(outcome: Outcome, pattern: RegExp): void {
  expect(outcome.ok).toBe(false);
  const error = (outcome as { error: unknown }).error;
  expect(error, describeError(error)).toBeInstanceOf(CorruptionError);
  expect((error as Error).message).toMatch(pattern);
}

describe('damaged database files after a clean close', () => {
  const db = `${HOME}/a.db`;

  it('reports a file truncated to a third instead of reading fewer records', () => {
    const size = sizeOf(built.image, db);
    const r = trial(truncateTo(db, Math.floor(size / 3 / PAGE) * PAGE), false);
    expectCorruption(r.outcome, /a\.db holds \d+ pages but its meta page records pages up to/);
  });

  it('reports an emptied file instead of opening an empty database', () => {
    const r = trial(truncateTo(db, 0), false);
    expectCorruption(r.outcome, /a\.db is empty/);
  });

  it('keeps the environment usable: the other database still reads', () => {
    const fs = built.image.clone();
    truncateTo(db, 0)(fs, Math.random);
    const env = Environment.open(HOME, { ...OPTIONS, fileSystem: fs });
    expect(() => env.openMap('a')).toThrow(CorruptionError);
    expect(env.openMap<number, string>('b').size).toBe(built.model.get('b')!.size);
    env.close();
  });

  it('reports zeroed leaf pages reached through sibling links or the tree', () => {
    const size = sizeOf(built.image, db);
    for (let page = 2; page < size / PAGE; page += 7) {
      const r = trial(zeroRange(db, page * PAGE, PAGE), false);
      if (r.outcome.ok) continue; // a page the tree no longer references (free) may be zero
      expect(r.failure).toBeUndefined();
      expect((r.outcome.error as Error).message).toMatch(/a\.db/);
    }
  });
});

describe('a damaged newest log file after a clean close', () => {
  const newestLog = () => files(built.image, isLog).at(-1)!;

  it('reports a truncated log, naming the file and offset, and rewrites nothing', () => {
    const log = newestLog();
    const r = trial(truncateTo(log, Math.floor(logRecordsEnd(built.image, log) / 2)), true);
    expect(r.failure).toBeUndefined();
    expectCorruption(r.outcome, /log file .*log\.\d+ is damaged or truncated: .* offset \d+/);
  });

  it('says that removing the log is safe after a clean close, and it is', () => {
    const fs = built.image.clone();
    const log = newestLog();
    truncateTo(log, Math.floor(logRecordsEnd(fs, log) / 2))(fs, Math.random);
    expectCorruption(attempt(fs), /closed cleanly.*remove every log file/);
    for (const path of files(fs, isLog)) fs.remove(path);
    const reopened = attempt(fs);
    expect(reopened.ok, reopened.ok ? "" : describeError(reopened.error)).toBe(true);
  });

  it('reports flipped bytes in the middle of the log', () => {
    const log = newestLog();
    const r = trial(flipByte(log, Math.floor(logRecordsEnd(built.image, log) / 3)), true);
    expect(r.failure).toBeUndefined();
    expectCorruption(r.outcome, /checksum mismatch|bad length|bad back link|zero length/);
  });
});

describe('corruption fuzzing of log and database files', () => {
  it('every seeded damage ends in the committed data or a typed error', () => {
    const seed = propertySeed('damaged-files');
    const rand = mulberry32(seed);
    const failures: string[] = [];
    let typed = 0;
    const trials = 120;
    for (let i = 0; i < trials; i++) {
      const fs = built.image.clone();
      const { damage, logOnly } = randomDamage(fs, rand);
      const r = trial(damage, logOnly, rand);
      if (r.failure) failures.push(r.failure);
      if (!r.outcome.ok) typed++;
    }
    console.log(`[damaged-files] ${trials} trials (seed ${seed}): ${typed} typed errors, ` +
      `${trials - typed} exact, ${failures.length} failures`);
    expect(failures.slice(0, 5)).toEqual([]);
  });
});
