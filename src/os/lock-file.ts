/**
 * The environment's single-owner lock file: one thread of one process owns an environment at
 * a time.
 *
 * Layer: os (rank 1). Imports util only.
 *
 * Node has no `flock`/`fcntl`, so ownership is a file holding the owner's identity as JSON,
 * `{ "pid": 123, "threadId": 0, "osThread": { "tid": 123, "startTicks": 9001 },
 * "startedAtMs": 1700000000000, "host": "build-7" }` (`osThread` only where `/proc` tells,
 * see `liveness.ts`). Liveness is checked with `kill(pid, 0)` for another process and through
 * `/proc/self/task` for another thread of this process (injectable, so tests on MemFs choose
 * who is alive).
 *
 * Replacing a lock (a stale one, or our own) is guarded by a takeover marker beside it,
 * `<lock>.takeover-1-<crc32 of the replaced bytes>`, made with an exclusive create: only the
 * opener that made the marker may replace those bytes, and it replaces them only if the file
 * still holds them after the marker exists. Every opener that finds the same stale lock
 * computes the same marker name, so exactly one of them wins. A marker left by an opener
 * that died is itself replaced the same way, under `<lock>.takeover-2-<crc32 of the
 * marker's bytes>` (and so on, one level per dead opener), so a dead opener never blocks the
 * home and no two openers can both break its marker. The level in the name keeps a marker
 * from ever guarding itself, even when it holds the very bytes it guards (a thread
 * reopening within one millisecond writes the same identity again).
 *
 * Invariants:
 * 1. A lock file written here is always complete: it is written and synced under a temporary
 *    name of this pid and thread, then published with `FileSystem.createExclusive` (atomic
 *    and exclusive) when the file system offers it, else with a rename. Every acquisition
 *    re-reads the file and returns only if it holds exactly our identity.
 * 2. A lock of another live process, of another live thread of this process, or of a process
 *    whose liveness cannot be checked (it names another host), is never taken:
 *    `acquireLockFile` throws `EnvironmentLockedError`. So is a lock whose takeover marker
 *    names a live opener: that opener is taking the lock over.
 * 3. A lock of a dead process or of an exited thread of this process, or an unparseable one,
 *    is stale: it is replaced and the result says `tookOverStale`, so the environment runs
 *    recovery. A lock naming our pid and thread id with another OS thread was left by an
 *    earlier process that had our pid, so it is stale too.
 * 4. A lock naming our own pid and thread is taken back (`reclaimedOwn`): an earlier handle
 *    of this thread was not closed, or the file survived a crash simulated in this process.
 * 5. The bytes of a lock or of a level-L marker are replaced only by the opener holding the
 *    level-(L+1) marker named after them (created exclusively), and only while the file
 *    still holds them; a marker is held by one opener at a time. Once the lock is ours, every
 *    marker is a leftover (nobody replaces the lock of a live owner, and a takeover of older
 *    bytes finds them gone) and is removed.
 * 6. `releaseLockFile` removes the file only when it names exactly the releasing owner.
 *
 * Limits: on a file system without `createExclusive` (in-memory ones, used by one thread)
 * the check and the creation are two steps. On file systems without hard links `NodeFs`
 * creates exclusively with `O_EXCL`, whose file is briefly empty: an opener that reads it
 * then takes it for unparseable. A pid reused by an unrelated process makes a stale lock
 * look live, and so does, where there is no `/proc`, a lock of an exited thread of this
 * process; the error message tells the user how to remove the file.
 */

import * as nodeOs from 'node:os';
import * as nodePath from 'node:path';
import {
  crc32, EnvironmentLockedError, equalBytes, InvalidArgumentError, IoError,
} from '../util/index.js';
import { writeSyncedFile, type FileSystem } from './fs.js';
import {
  currentOsThread, currentThreadId, isProcessAlive, isThreadAlive, type OsThread,
} from './liveness.js';

/** Who owns (or owned) an environment. */
export interface LockOwner {
  pid: number;
  /** The owning thread's `worker_threads.threadId`: 0 for the main thread. */
  threadId: number;
  /** The owning thread's OS thread, where the platform tells. */
  osThread: OsThread | undefined;
  startedAtMs: number;
  host: string;
}

/**
 * The identity an opener claims. `threadId` and `osThread` default to the calling thread's
 * (`osThread: null` records none), `host` to `os.hostname()`.
 */
export interface LockFileInfo {
  pid: number;
  startedAtMs: number;
  threadId?: number;
  osThread?: OsThread | null;
  host?: string;
}

/** The outcome of a successful `acquireLockFile`. */
export interface LockFileResult {
  /** The identity now in the lock file. */
  owner: LockOwner;
  /** A dead process or thread (or an unparseable file) held the lock: recovery is needed. */
  tookOverStale: boolean;
  /** The lock already named this pid and thread (invariant 4). */
  reclaimedOwn: boolean;
  /** The identity found in the file before, when there was a parseable one. */
  previousOwner: LockOwner | undefined;
}

/** Tells whether the owner a lock or a marker names (on this host, not us) is running. */
export type OwnerLiveness = (owner: LockOwner) => boolean;

/**
 * A bounded number of publication attempts. Each retry follows a lost race with another
 * opener (the file vanished or changed between two steps); four such races in a row mean
 * something else rewrites the file, which is reported as a locked environment.
 */
const ACQUIRE_ATTEMPTS_MAX = 4;

/**
 * How many marker levels a takeover may go through: each level past the first is a marker
 * left by an opener that died inside its own takeover, a window of a few system calls, so a
 * longer chain means something other than openers writes these files.
 */
const TAKEOVER_LEVEL_MAX = 4;

/** What names a takeover marker after the lock file's own name. */
const MARKER_INFIX = '.takeover-';

/** The part of a marker's name after the infix: its level, then the crc32 it guards. */
const MARKER_KEY = /^[1-9]-[0-9a-f]{8}$/;

/** True when the owner named in a lock (another process or thread) still runs. */
export function isOwnerAlive(owner: LockOwner): boolean {
  if (owner.pid !== process.pid) return isProcessAlive(owner.pid);
  return isThreadAlive(owner.osThread);
}

/** One acquisition: who we are and where the lock lives. */
interface Claim {
  fs: FileSystem;
  lockPath: string;
  owner: LockOwner;
  data: Uint8Array;
  isAlive: OwnerLiveness;
}

/**
 * Makes the caller the owner of the environment lock at `path`.
 * @throws EnvironmentLockedError when another live process or thread owns it (invariant 2).
 * @throws IoError when the file system fails.
 */
export function acquireLockFile(
  fs: FileSystem,
  path: string,
  info: LockFileInfo,
  isAlive: OwnerLiveness = isOwnerAlive,
): LockFileResult {
  const owner = ownerFrom(info);
  const claim: Claim = { fs, lockPath: path, owner, data: encodeOwner(owner), isAlive };
  for (let attempt = 0; attempt < ACQUIRE_ATTEMPTS_MAX; attempt++) {
    if (createOnly(claim, path)) {
      if (!holdsOwner(fs, path, owner)) continue;
      removeLeftoverMarkers(claim);
      return { owner, tookOverStale: false, reclaimedOwn: false, previousOwner: undefined };
    }
    const found = readBytes(fs, path);
    if (found === undefined) continue;
    const previous = decodeOwner(found);
    const standing = previous === undefined ? 'stale' : standingOf(previous, claim);
    if (standing === 'live') throw lockedError(path, previous!, owner);
    if (takeOver(claim, path, found, 1) && holdsOwner(fs, path, owner)) {
      removeLeftoverMarkers(claim);
      const reclaimedOwn = standing === 'own';
      return { owner, tookOverStale: !reclaimedOwn, reclaimedOwn, previousOwner: previous };
    }
  }
  const last = readLockFile(fs, path);
  const holder = last ?? { pid: 0, threadId: 0, osThread: undefined, startedAtMs: 0, host: '' };
  throw lockedError(path, holder, owner);
}

/**
 * Removes the lock at `path` if it names exactly `owner` (invariant 6) and syncs the
 * directory.
 * @returns true when the file was removed.
 */
export function releaseLockFile(fs: FileSystem, path: string, owner: LockOwner): boolean {
  const held = readLockFile(fs, path);
  if (held === undefined || !sameOwner(held, owner)) return false;
  fs.remove(path);
  fs.syncDir(nodePath.dirname(path));
  return true;
}

/** The owner named by the lock file at `path`; undefined when missing or unparseable. */
export function readLockFile(fs: FileSystem, path: string): LockOwner | undefined {
  const data = readBytes(fs, path);
  return data === undefined ? undefined : decodeOwner(data);
}

/**
 * The takeover marker guarding the replacement of `bytes`, held by the lock file (level 1)
 * or by a marker of level `level - 1` (invariant 5).
 */
export function takeoverMarkerPath(lockPath: string, level: number, bytes: Uint8Array): string {
  const key = crc32(bytes).toString(16).padStart(8, '0');
  return `${lockPath}${MARKER_INFIX}${level}-${key}`;
}

/** The bytes of the file at `path`; undefined when it does not exist. */
function readBytes(fs: FileSystem, path: string): Uint8Array | undefined {
  try {
    return fs.readFile(path);
  } catch (error) {
    if (error instanceof IoError && error.errno === 'ENOENT') return undefined;
    throw error;
  }
}

/** How a found owner relates to us. */
function standingOf(previous: LockOwner, claim: Claim): 'own' | 'live' | 'stale' {
  const owner = claim.owner;
  // A pid of another host cannot be checked from here, so it counts as alive.
  if (previous.host !== owner.host) return 'live';
  if (previous.pid === owner.pid && previous.threadId === owner.threadId) {
    // Thread ids are never reused within a process: another OS thread under our pid and
    // thread id belonged to an earlier process that had our pid (invariant 3).
    return sameOsThread(previous.osThread, owner.osThread) ? 'own' : 'stale';
  }
  return claim.isAlive(previous) ? 'live' : 'stale';
}

function sameOsThread(a: OsThread | undefined, b: OsThread | undefined): boolean {
  if (a === undefined || b === undefined) return true;
  return a.tid === b.tid && a.startTicks === b.startTicks;
}

/**
 * Replaces `expected`, the bytes of the lock or of a marker at `target`, by our identity,
 * under the marker of `level` named after those bytes (invariant 5).
 * @returns true when `target` now holds our identity; false when it changed meanwhile.
 */
function takeOver(claim: Claim, target: string, expected: Uint8Array, level: number): boolean {
  const marker = takeoverMarkerPath(claim.lockPath, level, expected);
  if (!claimMarker(claim, marker, level)) return false;
  let replaced: boolean;
  try {
    const current = readBytes(claim.fs, target);
    replaced = current !== undefined && equalBytes(current, expected);
    if (replaced) replace(claim.fs, target, claim.data, claim.owner);
  } catch (error) {
    removeQuietly(claim.fs, marker);
    throw error;
  }
  // Nobody else writes a marker we hold, so removing it by name removes ours.
  claim.fs.remove(marker);
  return replaced;
}

/**
 * Makes `marker` hold our identity: creates it, or replaces the marker of an opener that
 * died inside its takeover.
 * @returns false when the marker kept changing under us.
 * @throws EnvironmentLockedError when a live opener holds it.
 */
function claimMarker(claim: Claim, marker: string, level: number): boolean {
  for (let attempt = 0; attempt < ACQUIRE_ATTEMPTS_MAX; attempt++) {
    if (createOnly(claim, marker)) return true;
    const found = readBytes(claim.fs, marker);
    // The holder finished and removed it: the caller finds the file it replaced changed.
    if (found === undefined) continue;
    const holder = decodeOwner(found);
    // An unparseable marker may be one still being written (`O_EXCL`), so it is not broken.
    if (holder === undefined || level >= TAKEOVER_LEVEL_MAX) {
      throw markerError(claim.lockPath, marker);
    }
    // Our own thread cannot be inside another takeover now: a marker naming it is a leftover.
    if (standingOf(holder, claim) === 'live') {
      throw lockedError(claim.lockPath, holder, claim.owner, marker);
    }
    if (takeOver(claim, marker, found, level + 1)) return true;
  }
  return false;
}

/** Creates `path` holding our identity only if nothing is there; true when we created it. */
function createOnly(claim: Claim, path: string): boolean {
  if (claim.fs.createExclusive !== undefined) return claim.fs.createExclusive(path, claim.data);
  // Without exclusive creation the check and the creation are two steps (see Limits).
  if (claim.fs.exists(path)) return false;
  replace(claim.fs, path, claim.data, claim.owner);
  return true;
}

/** Writes `data` under a temporary name of our pid and thread, then renames it over `path`. */
function replace(fs: FileSystem, path: string, data: Uint8Array, owner: LockOwner): void {
  const temp = `${path}.${owner.pid}-${owner.threadId}.tmp`;
  writeSyncedFile(fs, temp, data);
  fs.rename(temp, path);
  fs.syncDir(nodePath.dirname(path));
}

/** Removes the takeover markers beside a lock that is ours (invariant 5). */
function removeLeftoverMarkers(claim: Claim): void {
  const dir = nodePath.dirname(claim.lockPath);
  const prefix = `${nodePath.basename(claim.lockPath)}${MARKER_INFIX}`;
  for (const name of claim.fs.list(dir)) {
    // Exactly a marker's name: temporary files of openers still at work are longer.
    const isMarker = name.startsWith(prefix) && MARKER_KEY.test(name.slice(prefix.length));
    if (isMarker) claim.fs.remove(nodePath.join(dir, name));
  }
}

function removeQuietly(fs: FileSystem, path: string): void {
  try {
    fs.remove(path);
  } catch {
    // The error being propagated is the one to report; a marker left behind names us, and
    // the next opener finds us dead or, in this thread, takes it for a leftover.
  }
}

/** True when the lock file holds exactly `owner`. */
function holdsOwner(fs: FileSystem, path: string, owner: LockOwner): boolean {
  const held = readLockFile(fs, path);
  return held !== undefined && sameOwner(held, owner);
}

function sameOwner(a: LockOwner, b: LockOwner): boolean {
  return a.pid === b.pid && a.threadId === b.threadId && a.startedAtMs === b.startedAtMs
    && a.host === b.host;
}

function ownerFrom(info: LockFileInfo): LockOwner {
  if (!Number.isSafeInteger(info.pid) || info.pid <= 0) {
    throw new InvalidArgumentError(`lock owner pid must be a positive integer, got ${info.pid}`);
  }
  if (!Number.isFinite(info.startedAtMs)) {
    throw new InvalidArgumentError(`lock owner startedAtMs must be finite: ${info.startedAtMs}`);
  }
  const threadId = info.threadId ?? currentThreadId();
  if (!Number.isSafeInteger(threadId) || threadId < 0) {
    throw new InvalidArgumentError(`lock owner threadId must be an integer >= 0: ${threadId}`);
  }
  const osThread = info.osThread === undefined ? currentOsThread() : info.osThread ?? undefined;
  const host = info.host ?? nodeOs.hostname();
  return { pid: info.pid, threadId, osThread, startedAtMs: info.startedAtMs, host };
}

function encodeOwner(owner: LockOwner): Uint8Array {
  const { pid, threadId, osThread, startedAtMs, host } = owner;
  const json = JSON.stringify({ pid, threadId, osThread, startedAtMs, host });
  return new TextEncoder().encode(`${json}\n`);
}

function decodeOwner(data: Uint8Array): LockOwner | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch {
    // Not JSON (a torn or foreign file): the caller treats it as a stale lock.
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { pid, threadId, osThread, startedAtMs, host } = value as Record<string, unknown>;
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  if (typeof startedAtMs !== 'number' || typeof host !== 'string') return undefined;
  // A file without a thread id was written before locks named threads, by a main thread.
  const thread = typeof threadId === 'number' && Number.isSafeInteger(threadId) ? threadId : 0;
  return { pid, threadId: thread, osThread: decodeOsThread(osThread), startedAtMs, host };
}

function decodeOsThread(value: unknown): OsThread | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { tid, startTicks } = value as Record<string, unknown>;
  if (typeof tid !== 'number' || !Number.isSafeInteger(tid)) return undefined;
  if (typeof startTicks !== 'number' || !Number.isSafeInteger(startTicks)) return undefined;
  return { tid, startTicks };
}

/**
 * The error for a home that `holder` owns or, when `marker` is given, is taking over (the
 * marker names it).
 */
function lockedError(
  path: string,
  holder: LockOwner,
  us: LockOwner,
  marker?: string,
): EnvironmentLockedError {
  const started = Number.isFinite(holder.startedAtMs) && holder.startedAtMs > 0
    ? new Date(holder.startedAtMs).toISOString()
    : 'an unknown time';
  let who = `process ${holder.pid} on host '${holder.host}' (started ${started})`;
  let why = `its liveness cannot be checked from host '${us.host}'`;
  if (holder.host === us.host && holder.pid === us.pid) {
    who = `thread ${holder.threadId} of this process (pid ${holder.pid}, started ${started})`;
    why = 'one thread at a time may have a home open: close it in that thread first';
  } else if (holder.host === us.host) {
    why = 'that process is still running: close its environment or stop it first';
  }
  const names = marker === undefined
    ? `'${path}' names ${who}`
    : `${who} is taking it over ('${marker}' names it)`;
  const files = marker === undefined ? `'${path}'` : `'${path}' and '${marker}'`;
  const message = `the environment is locked: ${names}; ${why}. `
    + `If no process uses the environment, delete ${files} and open it again.`;
  return new EnvironmentLockedError(message, holder.pid);
}

function markerError(path: string, marker: string): EnvironmentLockedError {
  const message = `the environment is locked: another opener is taking over '${path}' `
    + `('${marker}' is unreadable or part of a chain of failed takeovers). If no process `
    + `uses the environment, delete '${path}' and '${marker}' and open it again.`;
  return new EnvironmentLockedError(message, 0);
}
