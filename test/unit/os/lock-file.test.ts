/**
 * The environment lock file: a live other owner (process or thread of this process) is
 * refused with `EnvironmentLockedError`, a dead owner (a real exited process, an exited
 * thread) is taken over and reported stale, our own pid and thread reclaim it, and release
 * removes only our own lock. Takeovers go through a marker: a marker of a live opener locks
 * the home, one left by a dead opener (or a chain of them) is broken, leftovers are removed.
 * Runs on MemFs (with and without exclusive creation) and on real files.
 */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  acquireLockFile,
  currentOsThread,
  currentThreadId,
  MemFs,
  nodeFs,
  readLockFile,
  releaseLockFile,
  takeoverMarkerPath,
  type FileSystem,
  type LockOwner,
} from '../../../src/os/index.js';
import { EnvironmentLockedError, IoError } from '../../../src/util/index.js';
import { errorOf } from '../../support/thrown.js';

const LOCK = '/env/__db.lock';
const host = os.hostname();
const thisThread = { threadId: currentThreadId(), osThread: currentOsThread() ?? null };
const me = { pid: process.pid, startedAtMs: 1_000, ...thisThread };
/** What the lock file holds for `me` (`null` reads back as no OS thread). */
const meHeld: LockOwner = { ...me, osThread: currentOsThread(), host };
/** An identity of another process, with no OS thread recorded. */
const other = (pid: number, startedAtMs = 5): LockOwner =>
  ({ pid, threadId: 0, osThread: undefined, startedAtMs, host });

/** `owner` as `acquireLockFile` takes it, recording no OS thread when it has none. */
const asInfo = (owner: LockOwner) => ({ ...owner, osThread: owner.osThread ?? null });

/** The bytes a lock or marker file holds for `owner`, as `acquireLockFile` writes them. */
function ownerBytes(owner: LockOwner): Uint8Array {
  const { pid, threadId, osThread, startedAtMs } = owner;
  const json = JSON.stringify({ pid, threadId, osThread, startedAtMs, host: owner.host });
  return new TextEncoder().encode(`${json}\n`);
}

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

for (const [name, makeFs] of [
  ['MemFs', (): FileSystem => new MemFs()],
  ['MemFs without createExclusive', (): FileSystem => renameOnly(new MemFs())],
] as const) {
  describe(`lock file on ${name}`, () => {
    it('creates the lock with our identity', () => {
      const fs = makeFs();
      const result = acquireLockFile(fs, LOCK, me);
      expect(result).toEqual({
        owner: meHeld,
        tookOverStale: false,
        reclaimedOwn: false,
        previousOwner: undefined,
      });
      expect(readLockFile(fs, LOCK)).toEqual(meHeld);
      expect(fs.list('/env')).toEqual(['__db.lock']);
    });

    it('refuses a second owner while the first is alive', () => {
      const fs = makeFs();
      acquireLockFile(fs, LOCK, asInfo(other(4242)));
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
      const dead = other(deadPid(), 7);
      acquireLockFile(fs, LOCK, asInfo(dead));
      const result = acquireLockFile(fs, LOCK, me);
      expect(result.tookOverStale).toBe(true);
      expect(result.reclaimedOwn).toBe(false);
      expect(result.previousOwner).toEqual(dead);
      expect(readLockFile(fs, LOCK)).toEqual(meHeld);
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
      expect(again.previousOwner).toEqual(meHeld);
      expect(readLockFile(fs, LOCK)?.startedAtMs).toBe(2_000);
    });

    it('releases only its own lock', () => {
      const fs = makeFs();
      const { owner } = acquireLockFile(fs, LOCK, me);
      expect(releaseLockFile(fs, LOCK, { ...owner, pid: me.pid + 1 })).toBe(false);
      expect(releaseLockFile(fs, LOCK, { ...owner, threadId: owner.threadId + 1 })).toBe(false);
      expect(releaseLockFile(fs, LOCK, { ...owner, startedAtMs: 1 })).toBe(false);
      expect(fs.exists(LOCK)).toBe(true);
      expect(releaseLockFile(fs, LOCK, owner)).toBe(true);
      expect(fs.exists(LOCK)).toBe(false);
      expect(releaseLockFile(fs, LOCK, owner)).toBe(false);
      expect(acquireLockFile(fs, LOCK, me).tookOverStale).toBe(false);
    });
  });
  describe(`lock file and threads on ${name}`, () => {
    const sibling = { ...me, threadId: me.threadId + 7, osThread: { tid: 1, startTicks: 1 } };

    it('refuses a lock of another live thread of this process, naming the thread', () => {
      const fs = makeFs();
      acquireLockFile(fs, LOCK, sibling);
      const seen: LockOwner[] = [];
      const locked = errorOf(() => acquireLockFile(fs, LOCK, me, (owner) => {
        seen.push(owner);
        return true;
      }), EnvironmentLockedError);
      expect(seen).toEqual([{ ...sibling, host }]);
      expect(locked.code).toBe('ENV_LOCKED');
      expect(locked.ownerPid).toBe(process.pid);
      expect(locked.message).toContain(`thread ${sibling.threadId} of this process`);
      expect(readLockFile(fs, LOCK)?.threadId).toBe(sibling.threadId);
    });

    it('takes over a lock of an exited thread of this process and reports it stale', () => {
      const fs = makeFs();
      acquireLockFile(fs, LOCK, sibling);
      const result = acquireLockFile(fs, LOCK, me, () => false);
      expect(result.tookOverStale).toBe(true);
      expect(result.reclaimedOwn).toBe(false);
      expect(result.previousOwner).toEqual({ ...sibling, host });
      expect(readLockFile(fs, LOCK)).toEqual(meHeld);
    });

    it('takes a lock of our pid and thread id but another OS thread for stale', () => {
      const fs = makeFs();
      const earlier = { ...me, startedAtMs: 1, osThread: { tid: 3, startTicks: 3 } };
      acquireLockFile(fs, LOCK, earlier);
      const ours = { ...me, osThread: { tid: 4, startTicks: 4 } };
      const result = acquireLockFile(fs, LOCK, ours, () => true);
      expect(result.tookOverStale).toBe(true);
      expect(result.reclaimedOwn).toBe(false);
    });

    it('reads a lock written without a thread id as one of a main thread', () => {
      const fs = makeFs();
      const json = JSON.stringify({ pid: 4242, startedAtMs: 9, host });
      fs.writeFileAtomic(LOCK, new TextEncoder().encode(json));
      expect(readLockFile(fs, LOCK)).toEqual(other(4242, 9));
    });
  });

  describe(`takeover markers on ${name}`, () => {
    const staleBytes = ownerBytes(other(4242, 1));
    const staleMarker = takeoverMarkerPath(LOCK, 1, staleBytes);
    /** Liveness where only the given pids run. */
    const alive = (...pids: number[]) => (owner: LockOwner) => pids.includes(owner.pid);

    it('refuses a stale lock that a live opener is taking over', () => {
      const fs = makeFs();
      fs.writeFileAtomic(LOCK, staleBytes);
      fs.writeFileAtomic(staleMarker, ownerBytes(other(5151)));
      const locked = errorOf(() => acquireLockFile(fs, LOCK, me, alive(5151)),
        EnvironmentLockedError);
      expect(locked.ownerPid).toBe(5151);
      expect(locked.message).toContain('is taking it over');
      expect(locked.message).toContain(staleMarker);
      expect(fs.readFile(LOCK)).toEqual(staleBytes);
      expect(fs.readFile(staleMarker)).toEqual(ownerBytes(other(5151)));
    });

    it('breaks the marker of an opener that died in its takeover, and removes it', () => {
      const fs = makeFs();
      fs.writeFileAtomic(LOCK, staleBytes);
      fs.writeFileAtomic(staleMarker, ownerBytes(other(5151)));
      const result = acquireLockFile(fs, LOCK, me, alive());
      expect(result.tookOverStale).toBe(true);
      expect(result.previousOwner).toEqual(other(4242, 1));
      expect(fs.list('/env')).toEqual(['__db.lock']);
    });

    it('breaks a chain of markers left by openers that died, but not a live link', () => {
      const fs = makeFs();
      fs.writeFileAtomic(LOCK, staleBytes);
      let guarded = staleBytes;
      for (const [level, pid] of [[1, 5151], [2, 5252], [3, 5353]] as const) {
        const bytes = ownerBytes(other(pid));
        fs.writeFileAtomic(takeoverMarkerPath(LOCK, level, guarded), bytes);
        guarded = bytes;
      }
      expect(errorOf(() => acquireLockFile(fs, LOCK, me, alive(5353)),
        EnvironmentLockedError).ownerPid).toBe(5353);
      expect(fs.list('/env')).toHaveLength(4);
      expect(acquireLockFile(fs, LOCK, me, alive()).tookOverStale).toBe(true);
      expect(fs.list('/env')).toEqual(['__db.lock']);
    });

    it('reclaims our lock when a cut takeover left a marker of the same identity', () => {
      const fs = makeFs();
      acquireLockFile(fs, LOCK, me);
      const held = fs.readFile(LOCK);
      fs.writeFileAtomic(takeoverMarkerPath(LOCK, 1, held), held);
      const again = acquireLockFile(fs, LOCK, me, alive());
      expect(again.reclaimedOwn).toBe(true);
      expect(fs.list('/env')).toEqual(['__db.lock']);
    });

    it('refuses, naming the marker, when the marker is unreadable', () => {
      const fs = makeFs();
      fs.writeFileAtomic(LOCK, staleBytes);
      fs.writeFileAtomic(staleMarker, new Uint8Array(0));
      const locked = errorOf(() => acquireLockFile(fs, LOCK, me, alive()),
        EnvironmentLockedError);
      expect(locked.message).toContain(staleMarker);
      expect(fs.readFile(LOCK)).toEqual(staleBytes);
    });

    it('removes leftover markers of other locks, not files that only look alike', () => {
      const fs = makeFs();
      const leftover = takeoverMarkerPath(LOCK, 2, ownerBytes(other(6161)));
      const temporary = `${staleMarker}.${process.pid}-0.0.excl`;
      fs.writeFileAtomic(leftover, ownerBytes(other(5151)));
      fs.writeFileAtomic(temporary, ownerBytes(other(5151)));
      acquireLockFile(fs, LOCK, me, alive());
      expect(fs.exists(leftover)).toBe(false);
      expect(fs.exists(temporary)).toBe(true);
      expect(fs.exists(LOCK)).toBe(true);
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
      const taken = acquireLockFile(nodeFs, lock, me);
      expect(taken.tookOverStale).toBe(true);
      expect(fs.readdirSync(dir)).toEqual(['__db.lock']);
      expect(releaseLockFile(nodeFs, lock, taken.owner)).toBe(true);
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
