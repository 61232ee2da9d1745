/**
 * The environment lock file: a live other owner is refused with `EnvironmentLockedError`, a
 * dead owner (a real exited process) is taken over and reported stale, our own pid reclaims
 * it, and release removes only our own lock. Runs on MemFs (with and without exclusive
 * creation) and on real files.
 */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  acquireLockFile,
  isProcessAlive,
  MemFs,
  nodeFs,
  readLockFile,
  releaseLockFile,
  type FileSystem,
} from '../../../src/os/index.js';
import { EnvironmentLockedError, IoError } from '../../../src/util/index.js';

const LOCK = '/env/__db.lock';
const host = os.hostname();
const me = { pid: process.pid, startedAtMs: 1_000 };

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  expect(child.pid).toBeGreaterThan(0);
  return child.pid!;
}

/** A MemFs without `createExclusive`, to exercise the rename-only publication. */
function renameOnly(mem: MemFs): FileSystem {
  return {
    open: (p, mode) => mem.open(p, mode),
    exists: (p) => mem.exists(p),
    remove: (p) => mem.remove(p),
    rename: (source, target) => mem.rename(source, target),
    list: (dir) => mem.list(dir),
    mkdir: (dir) => mem.mkdir(dir),
    readFile: (p) => mem.readFile(p),
    writeFileAtomic: (p, data) => mem.writeFileAtomic(p, data),
    syncDir: (dir) => mem.syncDir(dir),
  };
}

describe('isProcessAlive', () => {
  it('sees this process alive and an exited one dead', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(deadPid())).toBe(false);
    expect(isProcessAlive(0)).toBe(false);
    expect(isProcessAlive(-1)).toBe(false);
  });
});

for (const [name, makeFs] of [
  ['MemFs', (): FileSystem => new MemFs()],
  ['MemFs without createExclusive', (): FileSystem => renameOnly(new MemFs())],
] as const) {
  describe(`lock file on ${name}`, () => {
    it('creates the lock with our identity', () => {
      const fs = makeFs();
      const result = acquireLockFile(fs, LOCK, me);
      expect(result).toEqual({
        owner: { ...me, host },
        tookOverStale: false,
        reclaimedOwn: false,
        previousOwner: undefined,
      });
      expect(readLockFile(fs, LOCK)).toEqual({ ...me, host });
      expect(fs.list('/env')).toEqual(['__db.lock']);
    });

    it('refuses a second owner while the first is alive', () => {
      const fs = makeFs();
      const other = { pid: 4242, startedAtMs: 5, host };
      acquireLockFile(fs, LOCK, other);
      let caught: unknown;
      try {
        acquireLockFile(fs, LOCK, me, () => true);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(EnvironmentLockedError);
      const locked = caught as EnvironmentLockedError;
      expect(locked.ownerPid).toBe(4242);
      expect(locked.code).toBe('ENV_LOCKED');
      expect(locked.message).toContain(LOCK);
      expect(locked.message).toContain('4242');
      expect(readLockFile(fs, LOCK)?.pid).toBe(4242);
    });

    it('takes over the lock of a dead process and reports it stale', () => {
      const fs = makeFs();
      const dead = { pid: deadPid(), startedAtMs: 7, host };
      acquireLockFile(fs, LOCK, dead);
      const result = acquireLockFile(fs, LOCK, me);
      expect(result.tookOverStale).toBe(true);
      expect(result.reclaimedOwn).toBe(false);
      expect(result.previousOwner).toEqual(dead);
      expect(readLockFile(fs, LOCK)).toEqual({ ...me, host });
    });

  });

  describe(`lock file edge cases on ${name}`, () => {
    it('treats an unparseable lock as stale', () => {
      const fs = makeFs();
      fs.writeFileAtomic(LOCK, new TextEncoder().encode('{"pid":'));
      const result = acquireLockFile(fs, LOCK, me);
      expect(result.tookOverStale).toBe(true);
      expect(result.previousOwner).toBeUndefined();
    });

    it('refuses a lock of another host, whose liveness cannot be checked', () => {
      const fs = makeFs();
      acquireLockFile(fs, LOCK, { pid: 99, startedAtMs: 1, host: 'elsewhere' });
      expect(() => acquireLockFile(fs, LOCK, me, () => false)).toThrow(EnvironmentLockedError);
    });

    it('lets our own pid reclaim its lock', () => {
      const fs = makeFs();
      acquireLockFile(fs, LOCK, me);
      const again = acquireLockFile(fs, LOCK, { ...me, startedAtMs: 2_000 }, () => true);
      expect(again.reclaimedOwn).toBe(true);
      expect(again.tookOverStale).toBe(false);
      expect(again.previousOwner).toEqual({ ...me, host });
      expect(readLockFile(fs, LOCK)?.startedAtMs).toBe(2_000);
    });

    it('releases only its own lock', () => {
      const fs = makeFs();
      acquireLockFile(fs, LOCK, me);
      expect(releaseLockFile(fs, LOCK, me.pid + 1)).toBe(false);
      expect(fs.exists(LOCK)).toBe(true);
      expect(releaseLockFile(fs, LOCK, me.pid)).toBe(true);
      expect(fs.exists(LOCK)).toBe(false);
      expect(releaseLockFile(fs, LOCK, me.pid)).toBe(false);
      expect(acquireLockFile(fs, LOCK, me).tookOverStale).toBe(false);
    });
  });
}

describe('lock file durability on MemFs', () => {
  it('survives a power cut, so the next open sees the previous owner', () => {
    const mem = new MemFs();
    acquireLockFile(mem, LOCK, { pid: 4242, startedAtMs: 1, host });
    const after = mem.powerCut();
    const result = acquireLockFile(after, LOCK, me, () => false);
    expect(result.tookOverStale).toBe(true);
    expect(result.previousOwner?.pid).toBe(4242);
  });
});

describe('lock file on real files', () => {
  it('acquires, refuses a live other process, takes over a dead one and releases', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stowage-'));
    try {
      const lock = path.join(dir, '__db.lock');
      const parent = { pid: process.ppid, startedAtMs: 3, host };
      acquireLockFile(nodeFs, lock, parent);
      expect(() => acquireLockFile(nodeFs, lock, me)).toThrow(EnvironmentLockedError);
      fs.writeFileSync(lock, JSON.stringify({ pid: deadPid(), startedAtMs: 4, host }));
      expect(acquireLockFile(nodeFs, lock, me).tookOverStale).toBe(true);
      expect(fs.readdirSync(dir)).toEqual(['__db.lock']);
      expect(releaseLockFile(nodeFs, lock, process.pid)).toBe(true);
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing directory as IoError', () => {
    const missing = path.join(os.tmpdir(), `stowage-missing-${process.pid}`, 'x', '__db.lock');
    expect(() => acquireLockFile(nodeFs, missing, me)).toThrow(IoError);
  });
});
