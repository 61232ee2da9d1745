/**
 * The commit point decides what a caller is told: a call that throws has not committed, and
 * a call that passed its commit point (the commit record appended, written and synced as its
 * durability says) returns normally even when the work that follows it fails. Explicit
 * `txn.commit()`, `env.transaction(fn)` and auto-commit calls are each checked both ways.
 *
 * Strategy. After the commit point: each call writes a value larger than `checkpointBytes`,
 * so its commit triggers the automatic checkpoint, and the checkpoint's writes fail: with
 * `FaultFs` every write after the commit's sync fails with ENOSPC; on a real, full tmpfs
 * (mounted by the test, as root) the database file cannot grow. The call must return
 * normally, the next call throws `RunRecoveryError`, and after a reopen (and, on `MemFs`,
 * after a power cut too) the value is there. Before the commit point: the write of the
 * commit record fails (whole, or after a prefix), or on a full tmpfs the log (sparse with
 * durability 'write') cannot grow: the call throws `IoError`, and after a reopen the value
 * is absent. A failed sync of the commit record throws too; the record's fate is then
 * unknown (the OS has the bytes but reported them not durable), and after a power cut it is
 * absent.
 *
 * Guards against a commit reported as failed that reappears after a reopen, and against a
 * failure after the commit point reaching the caller as a failed commit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as nodeFs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  Environment, type EnvironmentOptions, IoError, RunRecoveryError,
} from '../../src/index.js';
import { FaultFs, type FaultSpec, type FileSystem, MemFs } from '../../src/os/index.js';
import { errorOf } from '../support/thrown.js';

const HOME = '/env';
/** Larger than `checkpointBytes`: the commit of one such value triggers a checkpoint. */
const BIG = 'v'.repeat(48 * 1024);
const OPTIONS: EnvironmentOptions = {
  durability: 'sync', checkpointBytes: 16 * 1024, cacheSize: 4 * 1024 * 1024,
  logFileSize: 1024 * 1024,
};

type Form = 'commit()' | 'transaction(fn)' | 'auto-commit';
const FORMS: Form[] = ['commit()', 'transaction(fn)', 'auto-commit'];

/**
 * Stores `BIG` under `key` through `form`; `arm` runs just before the commit (for an
 * explicit transaction) or just before the call (the others).
 */
function store(env: Environment, form: Form, key: string, arm: () => void): void {
  const map = env.openMap<string, string>('m');
  if (form === 'commit()') {
    const txn = env.begin();
    map.set(key, BIG);
    arm();
    txn.commit();
  } else if (form === 'transaction(fn)') {
    arm();
    env.transaction(() => map.set(key, BIG));
  } else {
    arm();
    map.set(key, BIG);
  }
}

/** Whether `key` holds `BIG` after opening `fs` (recovery runs); checks the tree. */
function storedAfterReopen(home: string, fs: FileSystem | undefined, key: string): boolean {
  const env = Environment.open(home, { ...OPTIONS, fileSystem: fs });
  try {
    const db = env.openDatabase('m');
    expect(db.verify().errors).toEqual([]);
    env.checkInvariants();
    return env.openMap<string, string>('m').get(key) === BIG;
  } finally {
    env.close();
  }
}

/**
 * Checks the environment refuses further calls, then closes it; returns the `IoError` that
 * poisoned it.
 */
function expectPoisoned(env: Environment): IoError {
  const refused = errorOf(() => env.openMap<string, string>('m').get('x'), RunRecoveryError);
  env.close();
  let cause: unknown = refused.cause;
  while (cause instanceof Error && !(cause instanceof IoError)) cause = cause.cause;
  expect(cause).toBeInstanceOf(IoError);
  return cause as IoError;
}

/** A FaultFs over a MemFs, with an environment holding one committed key. */
function faultEnv() {
  const mem = new MemFs();
  const fs = new FaultFs(mem);
  const env = Environment.open(HOME, { ...OPTIONS, fileSystem: fs });
  env.openMap<string, string>('m').set('before', 'committed');
  return { mem, fs, env };
}

describe('commit point, FaultFs', () => {
  for (const form of FORMS) {
    it(`${form}: the checkpoint after the commit fails; the call returns, it is stored`, () => {
      const { mem, fs, env } = faultEnv();
      // Every write after the commit record's sync fails, as on a disk that just filled up.
      const arm = () => {
        fs.onSync = () => {
          fs.onSync = undefined;
          fs.failAt({ op: 'write', nth: 1, errno: 'ENOSPC', sticky: true });
        };
      };
      store(env, form, 'k', arm);
      expect(fs.faultCount).toBeGreaterThan(0);
      expectPoisoned(env);
      expect(storedAfterReopen(HOME, mem.powerCut(), 'k')).toBe(true);
      expect(storedAfterReopen(HOME, mem, 'k')).toBe(true);
    });

    const before: [string, FaultSpec][] = [
      ['the write of the commit record fails', { op: 'write', nth: 1, errno: 'ENOSPC' }],
      ['the write of the commit record is cut short',
        { op: 'write', nth: 1, errno: 'ENOSPC', sticky: true, prefixBytes: 600 }],
      ['the sync of the commit record fails', { op: 'sync', nth: 1, errno: 'EIO' }],
    ];
    for (const [what, spec] of before) {
      it(`${form}: ${what}; the call throws IoError, it is not stored`, () => {
        const { mem, fs, env } = faultEnv();
        const arm = () => fs.failAt(spec);
        expect(() => store(env, form, 'k', arm)).toThrow(IoError);
        expectPoisoned(env);
        expect(storedAfterReopen(HOME, mem.powerCut(), 'k')).toBe(false);
        // A failed sync leaves the record's fate unknown: the OS holds the bytes.
        if (spec.op === 'write') expect(storedAfterReopen(HOME, mem, 'k')).toBe(false);
      });
    }
  }
});

/** A tmpfs mounted for this file, or why not. */
const mount = { dir: '', skipped: '' };

beforeAll(() => {
  if (process.getuid?.() !== 0) {
    mount.skipped = 'not running as root, cannot mount a tmpfs';
    return;
  }
  mount.dir = nodeFs.mkdtempSync(path.join(os.tmpdir(), 'stowage-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mount.dir], {
      stdio: 'pipe',
    });
  } catch (e) {
    mount.skipped = `mount -t tmpfs failed: ${String(e).split('\n')[0]}`;
    nodeFs.rmdirSync(mount.dir);
    mount.dir = '';
  }
});

/** Environments opened on the tmpfs: a failed test must not keep it busy at unmount. */
const opened: Environment[] = [];

afterAll(() => {
  if (mount.dir === '') return;
  for (const env of opened) {
    try {
      env.close();
    } catch {
      // A test already failed; unmounting matters more than this error.
    }
  }
  execFileSync('umount', [mount.dir]);
  nodeFs.rmdirSync(mount.dir);
});

/** Fills the file system of `dir` to its last block; returns the filler file. */
function fillUp(dir: string): string {
  const filler = path.join(dir, 'filler');
  const fd = nodeFs.openSync(filler, 'w');
  try {
    for (const chunk of [64 * 1024, 4096, 512, 1]) {
      const bytes = Buffer.alloc(chunk, 1);
      for (;;) {
        try {
          nodeFs.writeSync(fd, bytes);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
          break;
        }
      }
    }
  } finally {
    nodeFs.closeSync(fd);
  }
  return filler;
}

describe('commit point, a real full file system (tmpfs)', () => {
  let run = 0;
  /** A fresh home on the tmpfs, or undefined (with the reason printed) when there is none. */
  function home(): string | undefined {
    if (mount.skipped !== '') {
      console.log(`[commit-point] skipped: ${mount.skipped}`);
      return undefined;
    }
    const dir = path.join(mount.dir, `env-${++run}`);
    nodeFs.mkdirSync(dir);
    return dir;
  }

  for (const form of FORMS) {
    it(`${form}: the checkpoint cannot grow the database file; the call returns`, () => {
      const dir = home();
      if (dir === undefined) return;
      // Synced commits preallocate the log with written zeros: only the database file
      // needs new blocks, when the checkpoint writes the pages of the new value.
      const env = Environment.open(dir, OPTIONS);
      opened.push(env);
      env.openMap<string, string>('m').set('before', 'committed');
      const filler = fillUp(mount.dir);
      try {
        store(env, form, 'k', () => undefined);
        const failure = expectPoisoned(env);
        expect(failure.errno).toBe('ENOSPC');
        expect(failure.message).toContain('m.db');
      } finally {
        nodeFs.rmSync(filler);
      }
      expect(storedAfterReopen(dir, undefined, 'k')).toBe(true);
      nodeFs.rmSync(dir, { recursive: true });
    });

    it(`${form}: the log cannot grow before the commit record; the call throws`, () => {
      const dir = home();
      if (dir === undefined) return;
      // With durability 'write' the log file is sparse: its records need new blocks.
      const env = Environment.open(dir, { ...OPTIONS, durability: 'write' });
      opened.push(env);
      env.openMap<string, string>('m').set('before', 'committed');
      const filler = fillUp(mount.dir);
      try {
        expect(() => store(env, form, 'k', () => undefined)).toThrow(IoError);
        const failure = expectPoisoned(env);
        expect(failure.errno).toBe('ENOSPC');
        expect(failure.message).toContain('log.');
      } finally {
        nodeFs.rmSync(filler);
      }
      expect(storedAfterReopen(dir, undefined, 'k')).toBe(false);
      nodeFs.rmSync(dir, { recursive: true });
    });
  }
});
