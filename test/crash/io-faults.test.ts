/**
 * Crash test 18 of the spec (§11): an I/O error (EIO, ENOSPC, a short write) on any write or
 * sync fails the operation with an `IoError` carrying the errno, poisons the environment
 * (every later call throws `RunRecoveryError`, no fsync is retried), and loses nothing
 * committed: after a reopen with a healthy disk, recovery yields a committed prefix.
 * Guards against I/O errors that are swallowed, reported without their errno, or that leave
 * a usable environment building on state that may not be on disk; against a `close()` that
 * throws on a poisoned environment or writes half-done state; and against commits reported
 * as successful whose record a failed write or sync lost.
 *
 * Strategy: the workload of harness.ts (30 committed transactions, an aborted one, one whose
 * function throws, one left open across a checkpoint), then `env.close()`, runs on a
 * `FaultFs` over a `MemFs`. A clean run counts its writes W and syncs S (and notes which
 * writes grow their file). Then for every n in 1..W a run fails the n-th write, and for
 * every n in 1..S the n-th sync: EIO, or for every fourth n ENOSPC (for a write the disk
 * stays full: sticky; a write that grows its file first gets 512 bytes in, a short write).
 * The run stops at the first error. The process does not crash, so the check reopens the
 * live image (the same MemFs, every write that succeeded included) with a healthy file
 * system. Two passes: the uncommitted transactions allocate fresh pages or not (the first

 *
 * Invariants: the workload throws; the error, or one of its causes, is the injected
 * `IoError` with its errno; when the fault hit after the environment opened and before
 * close, a further `map.get` throws `RunRecoveryError`, `env.close()` does not throw, and
 * nothing is written after the failed operation nor any sync retried (a fault inside
 * `close()` is reported by that `close()`, which still releases everything);
 * the reopened maps hold every transaction whose commit returned and nothing else (the one
 * in flight may be there too); `verify()` passes; the cache and lock invariants hold.
 */
import { describe, expect, it } from 'vitest';
import { Environment, IoError, RunRecoveryError } from '../../src/index.js';
import {
  FaultFs, MemFs, type FaultSpec, type FileHandle, type OpenMode,
} from '../../src/os/index.js';
import {
  HOME, allowedPrefixes, describeError, newProgress, openMaps, recoverAndCheck,
  workload,
} from './harness.js';
import type { Maps } from './workload.mjs';

/** What one run with an injected fault came to. */
interface FaultRun {
  error: unknown;
  /** Where the error surfaced. */
  phase: 'open' | 'workload' | 'close' | 'none';
  mem: MemFs;
  candidates: number[];
  /** Problems found on the spot (poisoning, close). */
  problems: string[];
}

/** The injected IoError in `e`'s cause chain, if any. */
function injectedIn(e: unknown): IoError | undefined {
  for (let c = e; c instanceof Error; c = c.cause) {
    if (c instanceof IoError && c.message.includes('injected fault')) return c;
  }
  return undefined;
}

/** Checks that the environment refuses work after the fault, then closes it. */
function checkPoisoned(run: FaultRun, progress: ReturnType<typeof newProgress>): void {
  const env = progress.env!;
  try {
    (progress.maps?.a ?? env.openMap<number, string>('a')).get(0);
    run.problems.push('a map.get after the fault did not throw');
  } catch (e) {
    if (!(e instanceof RunRecoveryError)) {
      run.problems.push(`map.get after the fault threw ${describeError(e)}`);
    }
  }
  try {
    env.close();
  } catch (e) {
    run.problems.push(`close() of the poisoned environment threw ${describeError(e)}`);
  }
  if (!env.isClosed) run.problems.push('the environment is not closed after close()');
}

/**
 * Checks that the poisoned environment wrote nothing after the failed write and retried no
 * sync: the one sync allowed after a failed sync is that of the home directory when
 * `close()` removes the lock file.
 */
function checkNothingMore(run: FaultRun, spec: FaultSpec, fs: FaultFs): void {
  const after = (spec.op === 'sync' ? fs.syncCount : fs.writeCount) - spec.nth;
  const allowed = spec.op === 'sync' ? 1 : 0;
  if (after > allowed) run.problems.push(`${after} more ${spec.op}s after the failed one`);
}

/** Runs workload + close with `spec` armed. */
function runWithFault(spec: FaultSpec, allocating: boolean): FaultRun {
  const mem = new MemFs();
  const fs = new FaultFs(mem);
  fs.failAt(spec);
  const progress = newProgress();
  const run: FaultRun = { error: undefined, phase: 'none', mem, candidates: [], problems: [] };
  try {
    workload(fs, progress, allocating);
  } catch (e) {
    run.error = e;
    run.phase = progress.env === undefined ? 'open' : 'workload';
  }
  if (run.phase === 'workload') {
    checkPoisoned(run, progress);
    checkNothingMore(run, spec, fs);
  }
  if (run.phase === 'none') {
    try {
      progress.env!.close();
    } catch (e) {
      run.error = e;
      run.phase = 'close';
      if (!progress.env!.isClosed) run.problems.push('a failed close() left it open');
    }
  }
  run.candidates = allowedPrefixes(progress);
  return run;
}

/** Every problem of the run of `spec` (one line each). */
function checkFault(spec: FaultSpec, allocating: boolean) {
  const label = `${spec.errno} on ${spec.op} ${spec.nth}` +
    `${spec.sticky ? ' (sticky)' : ''}${spec.prefixBytes ? ` after ${spec.prefixBytes} B` : ''}`;
  const run = runWithFault(spec, allocating);
  const problems = run.problems.map((p) => `${label} (${run.phase}): ${p}`);
  if (run.phase === 'none') return [...problems, `${label}: the fault never surfaced`];
  const injected = injectedIn(run.error);
  if (injected === undefined || injected.errno !== spec.errno) {
    problems.push(`${label} (${run.phase}): threw ${describeError(run.error)}`);
  }
  try {
    recoverAndCheck(run.mem, run.candidates);
  } catch (e) {
    problems.push(`${label}: reopen (prefixes ${run.candidates.join(' or ')}): ` +
      describeError(e));
  }
  return problems;
}

/** A MemFs that records, for each write in order, whether it grows its file. */
class AppendRecordingFs extends MemFs {
  readonly appends: boolean[] = [];

  override open(path: string, mode: OpenMode): FileHandle {
    const handle = super.open(path, mode);
    const write = handle.write.bind(handle);
    handle.write = (source, position) => {
      this.appends.push(position + source.length > handle.size());
      write(source, position);
    };
    return handle;
  }
}

/** The writes and syncs of a clean run (workload and close); which writes append. */
function countOps(allocating: boolean): { writes: number; syncs: number; appends: boolean[] } {
  const mem = new AppendRecordingFs();
  const fs = new FaultFs(mem);
  const progress = newProgress();
  workload(fs, progress, allocating);
  progress.env!.close();
  return { writes: fs.writeCount, syncs: fs.syncCount, appends: mem.appends };
}

/**
 * The fault of the n-th operation of kind `op`: EIO, or every fourth one ENOSPC. A full disk
 * stays full (sticky), and a write that grows its file may get part-way first (a short
 * write); one over allocated blocks fails whole, as on a real file system.
 */
function faultOf(op: 'write' | 'sync', nth: number, appends: boolean[]): FaultSpec {
  if (nth % 4 !== 0) return { op, nth, errno: 'EIO' };
  if (op === 'sync') return { op, nth, errno: 'ENOSPC' };
  const prefixBytes = appends[nth - 1] === true ? 512 : 0;
  return { op, nth, errno: 'ENOSPC', sticky: true, prefixBytes };
}

describe('crash: I/O faults on every write and sync', () => {
  for (const allocating of [true, false]) {
    const counts = countOps(allocating);
    const junk = allocating ? 'allocating' : 'in-place';
    for (const op of ['write', 'sync'] as const) {
      const total = op === 'write' ? counts.writes : counts.syncs;
      it(`fails cleanly, loses nothing committed: each of ${total} ${op}s (${junk})`, () => {
        expect(total).toBeGreaterThan(30);
        const problems: string[] = [];
        for (let nth = 1; nth <= total; nth++) {
          problems.push(...checkFault(faultOf(op, nth, counts.appends), allocating));
        }
        console.log(`[io-faults] ${junk} junk: ${total} ${op} faults (EIO; ENOSPC every ` +
          `4th), ${problems.length} problems`);
        expect(problems).toEqual([]);
      });
    }
  }
});

/**
 * Runs an explicit transaction that writes until the `nth` write fails (a log write, or a
 * page evicted from a 16 KiB cache), then ends it the way `end` says; returns what happened.
 */
function failInsideTxn(nth: number, end: (env: Environment, maps: Maps) => void) {
  const mem = new MemFs();
  const fs = new FaultFs(mem);
  const env = Environment.open(HOME, { fileSystem: fs, cacheSize: 16 * 1024 });
  const maps = openMaps(env);
  maps.a.set(-1, 'committed before');
  fs.failAt({ op: 'write', nth, errno: 'EIO' });
  let failedWrite = '';
  let endError: unknown;
  try {
    end(env, maps);
  } catch (e) {
    endError = e;
    failedWrite = injectedIn(e)?.message ?? '';
  }
  env.close();
  const again = Environment.open(HOME, { fileSystem: mem });
  try {
    const a = openMaps(again).a;
    const errors = again.openDatabase('a').verify().errors;
    return { endError, failedWrite, keys: [...a.keys()], errors };
  } finally {
    again.close();
  }
}

/** Writes 100 values of 1000 bytes to map `a`: a 16 KiB cache evicts pages on the way. */
function fill(maps: Maps): void {
  for (let n = 0; n < 100; n++) maps.a.set(n, 'v'.repeat(1000));
}

describe('crash: a transaction that met an I/O error is never committed', () => {
  // Guards against a commit after the failure: it committed the changes made up to the
  // failed operation, half of a split say, and the reopened tree lost pages.
  it('commit() of its handle throws RunRecoveryError; recovery undoes it', () => {
    for (let nth = 1; nth <= 6; nth++) {
      let committed = false;
      const r = failInsideTxn(nth, (env, maps) => {
        const txn = env.begin();
        try {
          fill(maps);
        } catch (e) {
          expect(injectedIn(e), describeError(e)).toBeDefined();
        }
        expect(() => txn.commit()).toThrow(RunRecoveryError);
        expect(txn.state).toBe('aborted');
        committed = true;
      });
      expect(committed, `write ${nth}: ${describeError(r.endError)}`).toBe(true);
      expect(r.keys, `write ${nth}`).toEqual([-1]);
      expect(r.errors, `write ${nth}`).toEqual([]);
    }
  });

  it('env.transaction throws RunRecoveryError when its function swallows the error', () => {
    for (let nth = 1; nth <= 6; nth++) {
      const r = failInsideTxn(nth, (env, maps) => env.transaction(() => {
        try {
          fill(maps);
        } catch {
          // The caller ignores the failure and returns normally.
        }
      }));
      expect(r.endError, `write ${nth}`).toBeInstanceOf(RunRecoveryError);
      expect(r.failedWrite, `write ${nth}`).toContain('injected fault');
      expect(r.keys, `write ${nth}`).toEqual([-1]);
      expect(r.errors, `write ${nth}`).toEqual([]);
    }
  });
});
