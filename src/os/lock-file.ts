/**
 * The environment's single-owner lock file: one process owns an environment at a time.
 *
 * Layer: os (rank 1). Imports util only.
 *
 * Node has no `flock`/`fcntl`, so ownership is a file holding the owner's identity as JSON,
 * `{ "pid": 123, "startedAtMs": 1700000000000, "host": "build-7" }`, and liveness is checked
 * with `process.kill(pid, 0)` (injectable, so tests on MemFs choose who is alive).
 *
 * Invariants:
 * 1. A lock file written here is always complete: it is written and synced under a temporary
 *    name, then published with `FileSystem.createExclusive` (atomic and exclusive) when the
 *    file system offers it, else with a rename. Every acquisition re-reads the file and
 *    returns only if it holds exactly our identity.
 * 2. A lock of another process that is alive, or whose liveness cannot be checked (it names
 *    another host), is never taken: `acquireLockFile` throws `EnvironmentLockedError`.
 * 3. A lock of a dead process, or an unparseable one, is stale: it is replaced and the result
 *    says `tookOverStale`, so the environment runs recovery.
 * 4. A lock naming our own pid and host is taken back (`reclaimedOwn`): an earlier handle of
 *    this process was not closed, or the file survived a crash simulated in this process.
 * 5. `releaseLockFile` removes the file only when it names the releasing pid and host.
 *
 * Limits: two processes that find the same stale lock at the same instant can, in a window
 * of a few system calls, both believe they replaced it; the re-read narrows that window but a
 * rename cannot close it. A pid reused by an unrelated process makes a stale lock look live;
 * the error message tells the user how to remove the file.
 */

import * as nodeOs from 'node:os';
import * as nodePath from 'node:path';
import { EnvironmentLockedError, InvalidArgumentError, IoError } from '../util/index.js';
import { writeSyncedFile, type FileSystem } from './fs.js';

/** Who owns (or owned) an environment. */
export interface LockOwner {
  pid: number;
  startedAtMs: number;
  host: string;
}

/** The identity an opener claims; `host` defaults to `os.hostname()`. */
export interface LockFileInfo {
  pid: number;
  startedAtMs: number;
  host?: string;
}

/** The outcome of a successful `acquireLockFile`. */
export interface LockFileResult {
  /** The identity now in the lock file. */
  owner: LockOwner;
  /** A dead process (or an unparseable file) held the lock: the environment needs recovery. */
  tookOverStale: boolean;
  /** The lock already named this pid and host (invariant 4). */
  reclaimedOwn: boolean;
  /** The identity found in the file before, when there was a parseable one. */
  previousOwner: LockOwner | undefined;
}

/** Tells whether a process of this host is running. */
export type PidLiveness = (pid: number) => boolean;

/**
 * A bounded number of publication attempts. Each retry follows a lost race with another
 * opener (the file vanished or changed between two steps); four such races in a row mean
 * something else rewrites the file, which is reported as a locked environment.
 */
const ACQUIRE_ATTEMPTS_MAX = 4;

/** True when `pid` names a running process of this host (`kill(pid, 0)`; EPERM = alive). */
export function isProcessAlive(pid: number): boolean {
  // Zero and negative pids address process groups, never one process.
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // ESRCH means no such process; any other refusal (EPERM) means one exists.
    return (error as { code?: unknown }).code !== 'ESRCH';
  }
}

/**
 * Makes the caller the owner of the environment lock at `path`.
 * @throws EnvironmentLockedError when another live process owns it (invariant 2).
 * @throws IoError when the file system fails.
 */
export function acquireLockFile(
  fs: FileSystem,
  path: string,
  info: LockFileInfo,
  isAlive: PidLiveness = isProcessAlive,
): LockFileResult {
  const owner = ownerFrom(info);
  const data = encodeOwner(owner);
  for (let attempt = 0; attempt < ACQUIRE_ATTEMPTS_MAX; attempt++) {
    if (publishFresh(fs, path, data, owner.pid)) {
      if (holdsOwner(fs, path, owner)) {
        return { owner, tookOverStale: false, reclaimedOwn: false, previousOwner: undefined };
      }
      continue;
    }
    const found = inspect(fs, path);
    if (found.state === 'missing') continue;
    const previous = found.state === 'owned' ? found.owner : undefined;
    const standing = previous === undefined ? 'stale' : standingOf(previous, owner, isAlive);
    if (standing === 'live') throw lockedError(path, previous!, owner.host);
    replace(fs, path, data, owner.pid);
    if (holdsOwner(fs, path, owner)) {
      const reclaimedOwn = standing === 'own';
      return { owner, tookOverStale: !reclaimedOwn, reclaimedOwn, previousOwner: previous };
    }
  }
  const last = inspect(fs, path);
  const holder = last.state === 'owned' ? last.owner : { pid: 0, startedAtMs: 0, host: '' };
  throw lockedError(path, holder, owner.host);
}

/**
 * Removes the lock at `path` if it names `pid` on `host` (invariant 5) and syncs the
 * directory.
 * @returns true when the file was removed.
 */
export function releaseLockFile(
  fs: FileSystem,
  path: string,
  pid: number,
  host: string = nodeOs.hostname(),
): boolean {
  const found = inspect(fs, path);
  if (found.state !== 'owned') return false;
  if (found.owner.pid !== pid || found.owner.host !== host) return false;
  fs.remove(path);
  fs.syncDir(nodePath.dirname(path));
  return true;
}

/** The owner named by the lock file at `path`; undefined when missing or unparseable. */
export function readLockFile(fs: FileSystem, path: string): LockOwner | undefined {
  const found = inspect(fs, path);
  return found.state === 'owned' ? found.owner : undefined;
}

/** What the lock file holds. */
type Inspection =
  | { state: 'missing' }
  | { state: 'unparseable' }
  | { state: 'owned'; owner: LockOwner };

function inspect(fs: FileSystem, path: string): Inspection {
  let data: Uint8Array;
  try {
    data = fs.readFile(path);
  } catch (error) {
    if (error instanceof IoError && error.errno === 'ENOENT') return { state: 'missing' };
    throw error;
  }
  const owner = decodeOwner(data);
  return owner === undefined ? { state: 'unparseable' } : { state: 'owned', owner };
}

/** How a found owner relates to us. */
function standingOf(
  previous: LockOwner,
  owner: LockOwner,
  isAlive: PidLiveness,
): 'own' | 'live' | 'stale' {
  // A pid of another host cannot be checked from here, so it counts as alive.
  if (previous.host !== owner.host) return 'live';
  if (previous.pid === owner.pid) return 'own';
  return isAlive(previous.pid) ? 'live' : 'stale';
}

/** Creates the lock file only if none exists; true when we created it. */
function publishFresh(fs: FileSystem, path: string, data: Uint8Array, pid: number): boolean {
  if (fs.createExclusive !== undefined) return fs.createExclusive(path, data);
  if (fs.exists(path)) return false;
  replace(fs, path, data, pid);
  return true;
}

/** Writes the lock under a temporary name of this pid, then renames it over `path`. */
function replace(fs: FileSystem, path: string, data: Uint8Array, pid: number): void {
  const temp = `${path}.${pid}.tmp`;
  writeSyncedFile(fs, temp, data);
  fs.rename(temp, path);
  fs.syncDir(nodePath.dirname(path));
}

/** True when the lock file holds exactly `owner`. */
function holdsOwner(fs: FileSystem, path: string, owner: LockOwner): boolean {
  const found = inspect(fs, path);
  if (found.state !== 'owned') return false;
  const held = found.owner;
  return held.pid === owner.pid && held.startedAtMs === owner.startedAtMs
    && held.host === owner.host;
}

function ownerFrom(info: LockFileInfo): LockOwner {
  if (!Number.isSafeInteger(info.pid) || info.pid <= 0) {
    throw new InvalidArgumentError(`lock owner pid must be a positive integer, got ${info.pid}`);
  }
  if (!Number.isFinite(info.startedAtMs)) {
    throw new InvalidArgumentError(`lock owner startedAtMs must be finite: ${info.startedAtMs}`);
  }
  return { pid: info.pid, startedAtMs: info.startedAtMs, host: info.host ?? nodeOs.hostname() };
}

function encodeOwner(owner: LockOwner): Uint8Array {
  const json = JSON.stringify({ pid: owner.pid, startedAtMs: owner.startedAtMs, host: owner.host });
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
  const { pid, startedAtMs, host } = value as Record<string, unknown>;
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  if (typeof startedAtMs !== 'number' || typeof host !== 'string') return undefined;
  return { pid, startedAtMs, host };
}

function lockedError(path: string, holder: LockOwner, ourHost: string): EnvironmentLockedError {
  const started = Number.isFinite(holder.startedAtMs) && holder.startedAtMs > 0
    ? new Date(holder.startedAtMs).toISOString()
    : 'an unknown time';
  const who = `process ${holder.pid} on host '${holder.host}' (started ${started})`;
  const why = holder.host === ourHost
    ? 'that process is still running: close its environment or stop it first'
    : `its liveness cannot be checked from host '${ourHost}'`;
  const message = `the environment is locked: '${path}' names ${who}; ${why}. `
    + `If no process uses the environment, delete '${path}' and open it again.`;
  return new EnvironmentLockedError(message, holder.pid);
}
