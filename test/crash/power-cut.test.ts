/**
 * Crash tests 2, 8 and 9 of the spec (§11): a power cut at any sync point of a workload,
 * with synced commits, leaves exactly a committed prefix after recovery, and so does a
 * second power cut during that recovery. Guards against commits acknowledged before their
 * log record is durable, page writes that reach a database file ahead of their log records
 * (data in the DB only), log file creation or rotation that a cut leaves unreadable, a
 * checkpoint cut half-way that recovery trusts, uncommitted pages flushed by a checkpoint
 * that recovery fails to undo, and recovery that is not idempotent.
 *
 * Strategy: the workload (harness.ts over workload.mjs) runs in this process on a `MemFs`
 * (which keeps a durable image per file and per directory) wrapped by a `FaultFs` (which
 * counts syncs): 30 committed transactions over maps `a` and `b` (large values, deletes,
 * rewrites), an explicitly aborted transaction and one whose function throws, and at the
 * end one explicit transaction left open across a checkpoint (so uncommitted pages reach the
 * database files). Small log files, frequent checkpoints and a 64 KiB cache make log
 * rotation, checkpoints and page evictions happen. A first run counts the sync points N.
 * Then, for every k in 1..N+1, the workload runs again on a fresh MemFs whose k-th sync
 * captures `powerCut()` and throws to stop it (k = N+1 cuts after the workload), and 30
 * more runs cut right after each commit returned (between syncs: this catches a commit
 * that returns before its record is durable, which sync points alone cannot). For every
 * third image, recovery itself is cut at each of its sync points j (on a clone under a
 * FaultFs) and the image that leaves is recovered again. Four passes: the uncommitted
 * transactions allocate fresh pages or not, and the cut tears the latest unsynced write at
 * a 512-byte boundary (`tearLastWrite`, seeded) or not.
 *
 * Invariants: the recovered containers (harness.ts: two maps, a MultiMap with a large
 * duplicate set, a record-number map) equal the model after transactions 0..c-1, where c
 * counts the commits that returned before the cut, or after 0..c if a commit was in flight;
 * nothing of the aborted or open transactions is visible; `verify()` of every database
 * reports no error, the record numbers count the records in order, and the cache and lock
 * invariants hold; an image whose recovery was cut recovers to
 * the same prefix as that image recovered without a cut. A torn in-place overwrite of a
 * database page is repaired by redo from the page's full image in the log (full-page
 * logging, spec §11.10; counted and printed), and a torn append that leaves a partial last
 * page too (recovery cuts the page off; redo rebuilds it).
 *
 *
 * The lock file in a MemFs names this process, so reopening an image reclaims it (the lock
 * file's "own pid" rule) rather than failing with EnvironmentLockedError.
 */
import { describe, expect, it } from 'vitest';
import { Environment } from '../../src/index.js';
import { FaultFs, MemFs } from '../../src/os/index.js';
import { propertySeed } from '../support/seed.js';
import {
  HOME, OPTIONS, TXNS, allowedPrefixes, describeError, newProgress, recoverAndCheck,
  workload,
} from './harness.js';

/** The page size of the workload's databases (OPTIONS keeps the default). */
const PAGE_SIZE = 4096;

/** Thrown by the sync hook to stop the workload at the cut. */
class PowerCut extends Error {}

/**
 * A pass over every cut point: whether the uncommitted transactions allocate pages (new
 * keys, large values), and the seed of the torn write, if any.
 */
interface Variant {
  allocating: boolean;
  tearSeed?: number;
}

/** Sync points of the workload. */
function countSyncs(allocating: boolean): number {
  const fs = new FaultFs(new MemFs());
  workload(fs, newProgress(), allocating);
  return fs.syncCount;
}

/** True when `e` is, or was caused by, the hook's PowerCut. */
function isCut(e: unknown): boolean {
  for (let c = e; c instanceof Error; c = c.cause) if (c instanceof PowerCut) return true;
  return false;
}

/**
 * Where power is cut: at the workload's k-th sync (past the last: after the workload), or
 * right after the commit of transaction `commit - 1` returned.
 */
type CutPoint = { sync: number } | { commit: number };

function describePoint(point: CutPoint, n: number): string {
  return 'sync' in point ? `cut at sync ${point.sync}/${n}` : `cut after commit ${point.commit}`;
}

/** Runs the workload until `point`, cutting power there; returns the image. */
function cutAt(point: CutPoint, index: number, variant: Variant) {
  const mem = new MemFs();
  const fs = new FaultFs(mem);
  const progress = newProgress();
  const seed = variant.tearSeed === undefined ? undefined : variant.tearSeed + index;
  const cut = () => mem.powerCut(seed === undefined ? {} : { tearLastWrite: true, seed });
  let image: MemFs | undefined;
  const cutHere = () => {
    image = cut();
    throw new PowerCut('power cut');
  };
  fs.onSync = (count) => {
    if ('sync' in point && count === point.sync) cutHere();
  };
  progress.afterCommit = () => {
    if ('commit' in point && progress.committed === point.commit) cutHere();
  };
  try {
    workload(fs, progress, variant.allocating);
  } catch (e) {
    if (!isCut(e)) throw e;
  }
  image ??= cut();
  return { image, candidates: allowedPrefixes(progress), seed };
}

/** Sync points of recovering `image` (the whole open). */
function recoverySyncs(image: MemFs): number {
  const fs = new FaultFs(image.clone());
  Environment.open(HOME, { ...OPTIONS, fileSystem: fs }).close();
  return fs.syncCount;
}

/** Cuts the recovery of `image` at its j-th sync; returns the image that cut leaves. */
function cutRecoveryAt(image: MemFs, j: number): MemFs {
  const clone = image.clone();
  const fs = new FaultFs(clone);
  let second: MemFs | undefined;
  fs.onSync = (count) => {
    if (count !== j) return;
    second = clone.powerCut();
    throw new PowerCut(`recovery cut at sync ${j}`);
  };
  try {
    Environment.open(HOME, { ...OPTIONS, fileSystem: fs }).close();
  } catch (e) {
    if (!isCut(e)) throw e;
  }
  return second ?? clone.powerCut();
}

/** What the cut points of one pass came to. */
interface CutResults {
  failures: string[];
  /** Cuts that tore a database page in place (inside the page) and recovered correctly. */
  tornPagesRepaired: number;
}

/** True when the image's torn write overwrote part of a database page in place. */
function tornInsidePage(image: MemFs): boolean {
  const torn = image.tornWrite;
  if (torn === undefined || !torn.path.endsWith('.db') || torn.writtenBytes === 0) return false;
  return torn.writtenBytes < torn.lengthBytes && torn.writtenBytes % PAGE_SIZE !== 0;
}

/** Checks the image of cut point `index` and (for every third one) cuts of its recovery. */
function checkCut(index: number, n: number, variant: Variant, out: CutResults): number {
  const point: CutPoint = index <= n + 1 ? { sync: index } : { commit: index - n - 1 };
  const { image, candidates, seed } = cutAt(point, index, variant);
  const label = `${describePoint(point, n)}${seed === undefined ? '' : ` (tear seed ${seed})`}` +
    `, allowed prefixes ${candidates.join(' or ')}`;
  const fail = (what: string, e: unknown) => {
    out.failures.push(`${what}: ${describeError(e)}`);
  };
  let prefix: number;
  try {
    prefix = recoverAndCheck(image.clone(), candidates);
  } catch (e) {
    fail(label, e);
    return 0;
  }
  if (tornInsidePage(image)) out.tornPagesRepaired++;
  if (index % 3 !== 0) return 0;
  const m = recoverySyncs(image);
  for (let j = 1; j <= m; j++) {
    try {
      recoverAndCheck(cutRecoveryAt(image, j), [prefix]);
    } catch (e) {
      fail(`${label}, recovery cut at sync ${j}/${m}`, e);
    }
  }
  return m;
}

/** Checks every cut point of `variant`; returns the failures (one line each). */
function checkEveryCut(variant: Variant): string[] {
  const n = countSyncs(variant.allocating);
  expect(n).toBeGreaterThan(TXNS);
  const out: CutResults = { failures: [], tornPagesRepaired: 0 };
  let recoveryCuts = 0;
  const points = n + 1 + TXNS;
  for (let index = 1; index <= points; index++) {
    recoveryCuts += checkCut(index, n, variant, out);
  }
  const what = `${variant.allocating ? 'allocating' : 'in-place'} junk` +
    `${variant.tearSeed === undefined ? '' : `, torn (seed ${variant.tearSeed}+point)`}`;
  console.log(`[power-cut] ${what}: ${points} cut points (${n + 1} at syncs, ${TXNS} after ` +
    `commits), ${recoveryCuts} cuts during ` +
    `recovery, ${out.failures.length} failures, ${out.tornPagesRepaired} database pages ` +
    `torn inside and repaired`);
  return out.failures;
}

describe('crash: power cut at every sync point', () => {
  it('recovers a committed prefix after a cut at each sync point and after each commit', () => {
    expect(checkEveryCut({ allocating: true })).toEqual([]);
  });

  it('... also when the uncommitted transactions allocate no page', () => {
    expect(checkEveryCut({ allocating: false })).toEqual([]);
  });

  it('... also when the cut tears the latest unsynced write', () => {
    const tearSeed = propertySeed('power-cut-tear');
    expect(checkEveryCut({ allocating: true, tearSeed })).toEqual([]);
    expect(checkEveryCut({ allocating: false, tearSeed })).toEqual([]);
  });
});

describe('crash: aborted allocations', () => {
  // An undone page allocation leaves a zero page stamped with the undo's LSN (regression).
  it('recovers after an aborted allocation at the end of a file reached the disk', () => {
    const mem = new MemFs();
    const options = { fileSystem: mem, cacheSize: 16 * 1024 };
    const env = Environment.open(HOME, options);
    const map = env.openMap<number, string>('m');
    for (let i = 0; i < 40; i++) map.set(i, 'y'.repeat(1000));
    env.checkpoint();
    const txn = env.begin();
    map.set(1000, 'x'.repeat(9000)); // fresh overflow pages at the end of the file
    txn.abort(); // their bytes are zero again, but each carries its undo record's LSN
    expect([...map.entries()]).toHaveLength(40); // reading evicts them: written to the file
    const crashed = mem.clone(); // the process dies; what it wrote survives
    // Recovery redoes the aborted allocation and reads the page back: it must accept it.
    const again = Environment.open(HOME, { ...options, fileSystem: crashed });
    expect(again.openMap<number, string>('m').size).toBe(40);
    again.close();
  });
});
