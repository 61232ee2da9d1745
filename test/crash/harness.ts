/**
 * The in-process crash harness shared by power-cut.test.ts and io-faults.test.ts: the
 * workload over a given file system (30 committed transactions of workload.mjs, an
 * explicitly aborted transaction, one whose function throws, and an explicit transaction
 * left open across a checkpoint), the progress it reports, and the recovery check (the
 * containers hold exactly an allowed committed prefix, every database verifies, the record
 * numbers of `r` count its records, the cache and lock invariants hold).
 */
import {
  type Database, Environment, type EnvironmentOptions, PersistentMap,
} from '../../src/index.js';
import type { FileSystem } from '../../src/os/index.js';
import {
  type Maps, matchPrefix, openContainers, recordNumberProblem, runTxnOps,
} from './workload.mjs';

export const HOME = '/env';
export const TXNS = 30;
/** The transactions before which the aborted ones run. */
const ABORT_BEFORE = 9;
const THROW_BEFORE = 21;

/** Small log files, frequent checkpoints and a 64 KiB cache: rotation and evictions. */
export const OPTIONS: EnvironmentOptions = {
  durability: 'sync',
  logFileSize: 64 * 1024,
  checkpointBytes: 96 * 1024,
  cacheSize: 64 * 1024,
};

/** How far the workload got. */
export interface Progress {
  /** Transactions whose commit returned: the prefix that must survive. */
  committed: number;
  /** A commit is under way: its transaction may survive too. */
  inFlight: boolean;
  /** The environment, once open. */
  env: Environment | undefined;
  maps: Maps | undefined;
  /** Called after each commit returned (a test may cut power there). */
  afterCommit?: () => void;
}

export function newProgress(): Progress {
  return { committed: 0, inFlight: false, env: undefined, maps: undefined };
}

/** The prefixes the home may hold after the workload stopped at `progress`. */
export function allowedPrefixes(progress: Progress): number[] {
  const c = progress.committed;
  return progress.inFlight ? [c, c + 1] : [c];
}

export function openMaps(env: Environment): Maps {
  return openContainers(env, PersistentMap);
}

/**
 * The checks after recovery besides the contents: every database of the workload verifies,
 * and the record numbers of `r` count its records in order. Returns what is wrong, if any.
 */
export function workloadProblems(maps: Maps): string | undefined {
  const dbs = [maps.a, maps.b, maps.m, maps.r, maps.h]
    .map((c) => (c as unknown as { db: Database }).db);
  for (const db of dbs) {
    const errors = db.verify().errors;
    if (errors.length > 0) return `verify ${db.name}: ${errors.slice(0, 3).join('; ')}`;
  }
  return recordNumberProblem(dbs[3]!);
}

/**
 * Writes that must never be visible: rewrites and deletes of committed keys and, when
 * `allocating`, new keys and large values (fresh pages at the end of the files).
 */
function junk(maps: Maps, tag: string, allocating: boolean): void {
  if (allocating) {
    for (let n = 0; n < 6; n++) maps.a.set(100_000 + n, `${tag}${n}`.repeat(n ? 1 : 1500));
    maps.b.set(1, `${tag}-rewrite`.repeat(700));
    for (let n = 0; n < 200; n++) maps.m.add(0, `${tag}${n}`);
    maps.r.set(100_000, `${tag}`.repeat(900));
    for (let n = 0; n < 300; n++) maps.h.set(200_000 + n, `${tag}${n}`);
  }
  maps.a.set(0, 'junk');
  maps.a.delete(1);
  maps.b.delete(0);
  maps.m.delete(0, 'h0.0');
  maps.m.add(1, `${tag}-junk`);
  maps.r.delete(1);
  maps.h.delete(2);
  maps.h.set(3, `${tag}-junk`);
}

/** Runs a transaction whose function throws after writing; only that throw is expected. */
function throwingTxn(env: Environment, maps: Maps, allocating: boolean): void {
  const fail = new Error('the transaction function throws');
  try {
    env.transaction(() => {
      junk(maps, 'thrown', allocating);
      throw fail;
    });
  } catch (e) {
    if (e !== fail) throw e;
  }
}

/** The workload of the file header; leaves its environment open (the caller ends it). */
export function workload(fs: FileSystem, progress: Progress, allocating: boolean): void {
  const env = Environment.open(HOME, { ...OPTIONS, fileSystem: fs });
  progress.env = env;
  const maps = openMaps(env);
  progress.maps = maps;
  for (let i = 0; i < TXNS; i++) {
    if (i === ABORT_BEFORE) {
      const txn = env.begin();
      junk(maps, 'aborted', allocating);
      txn.abort();
    }
    if (i === THROW_BEFORE) throwingTxn(env, maps, allocating);
    progress.inFlight = true;
    env.transaction(() => runTxnOps(maps, i));
    progress.committed = i + 1;
    progress.inFlight = false;
    progress.afterCommit?.();
  }
  env.begin();
  junk(maps, 'open', allocating);
  env.checkpoint();
  maps.a.set(100_010, 'open-after-checkpoint');
}

/**
 * Opens `fs` (recovery runs) and checks it against `candidates`; returns the prefix found.
 * Throws an Error naming what is wrong otherwise.
 */
export function recoverAndCheck(fs: FileSystem, candidates: number[]): number {
  const env = Environment.open(HOME, { ...OPTIONS, fileSystem: fs });
  try {
    const maps = openMaps(env);
    const match = matchPrefix(maps, candidates);
    if (match.k === undefined) {
      throw new Error(`not a committed prefix: ${match.misses?.join('; ')}`);
    }
    const problem = workloadProblems(maps);
    if (problem !== undefined) throw new Error(problem);
    env.checkInvariants();
    return match.k;
  } finally {
    env.close();
  }
}

/** `Name: message` of an error, with its causes. */
export function describeError(e: unknown): string {
  const parts: string[] = [];
  let c = e;
  while (c !== undefined && parts.length < 4) {
    parts.push(c instanceof Error ? `${c.constructor.name}: ${c.message}` : String(c));
    c = c instanceof Error ? c.cause : undefined;
  }
  return parts.join(' <- caused by ');
}
