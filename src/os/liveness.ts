/**
 * Who is running: the identity of the calling thread, and whether a process or a thread of
 * this process is still alive. The lock file (`lock-file.ts`) records the one and asks the
 * other.
 *
 * Layer: os (rank 1). Imports util only.
 *
 * A Node process runs JavaScript on its main thread and on each worker thread; modules, and
 * so every module-level variable, are per thread. A thread is named by its
 * `worker_threads.threadId` (0 for the main thread, never reused within a process) and, where
 * the platform tells (Linux `/proc`), by its OS thread: the kernel thread id and the thread's
 * start time in clock ticks since boot, which together never name two threads.
 *
 * Invariants:
 * 1. `isProcessAlive(pid)` is true when `kill(pid, 0)` finds the process (EPERM included) and
 *    false for non-positive or non-integer pids, which address process groups.
 * 2. `isThreadAlive(thread)` answers for a thread of this process only. It is false only when
 *    `/proc/self/task/<tid>` is gone or names a thread that started at another time (the
 *    kernel reused the tid); when the answer cannot be known (no `/proc`, no OS thread
 *    recorded, an unexpected error) it is true, so a live owner is never taken for dead.
 * 3. `currentOsThread()` reads `/proc` once per thread and then returns the cached answer;
 *    undefined where the platform has no `/proc/thread-self`.
 */

import * as fs from 'node:fs';
import { threadId } from 'node:worker_threads';

/** The kernel thread behind a JavaScript thread (Linux). */
export interface OsThread {
  /** The kernel thread id (`gettid`); the main thread's equals the pid. */
  tid: number;
  /** When the thread started, in clock ticks since boot (`/proc/.../stat` field 22). */
  startTicks: number;
}

/** The `/proc` link that names the calling thread as `<pid>/task/<tid>`. */
const PROC_THREAD_SELF = '/proc/thread-self';

/** Index of `starttime` among the stat fields after the parenthesised command name. */
const STAT_START_TICKS_INDEX = 19;

/** Errors with which `/proc` says a thread does not exist (any more). */
const THREAD_GONE = new Set(['ENOENT', 'ESRCH']);

/** The calling thread's OS thread; null until first asked. */
let cachedOsThread: OsThread | undefined | null = null;

/** The `worker_threads.threadId` of the calling thread: 0 on the main thread. */
export function currentThreadId(): number {
  return threadId;
}

/** The calling thread's OS thread, or undefined where `/proc` does not tell (invariant 3). */
export function currentOsThread(): OsThread | undefined {
  if (cachedOsThread === null) cachedOsThread = readCurrentOsThread();
  return cachedOsThread;
}

/** True when `pid` names a running process of this host (`kill(pid, 0)`; EPERM = alive). */
export function isProcessAlive(pid: number): boolean {
  // Zero and negative pids address process groups, never one process.
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // ESRCH means no such process; any other refusal (EPERM) means one exists.
    return errorCode(error) !== 'ESRCH';
  }
}

/**
 * True unless `thread`, a thread of this process, has certainly exited (invariant 2).
 * A worker thread's OS thread is joined before its `exit` event, so an exited worker reads
 * as dead from then on.
 */
export function isThreadAlive(thread: OsThread | undefined): boolean {
  if (thread === undefined || currentOsThread() === undefined) return true;
  let startTicks: number | undefined;
  try {
    startTicks = readStartTicks(`/proc/self/task/${thread.tid}/stat`);
  } catch (error) {
    return !THREAD_GONE.has(errorCode(error) ?? '');
  }
  return startTicks === undefined || startTicks === thread.startTicks;
}

function readCurrentOsThread(): OsThread | undefined {
  try {
    const tid = Number(fs.readlinkSync(PROC_THREAD_SELF).split('/')[2]);
    if (!Number.isSafeInteger(tid) || tid <= 0) return undefined;
    const startTicks = readStartTicks(`/proc/self/task/${tid}/stat`);
    return startTicks === undefined ? undefined : { tid, startTicks };
  } catch {
    // No `/proc` (macOS, Windows) or one that refuses: thread liveness cannot be told here.
    return undefined;
  }
}

/** The `starttime` field of a `/proc` stat file; undefined when it does not parse. */
function readStartTicks(statPath: string): number | undefined {
  const stat = fs.readFileSync(statPath, 'utf8');
  // The command name (field 2) is parenthesised and may hold spaces or parentheses, so the
  // fields are counted from the last closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTicks = Number(fields[STAT_START_TICKS_INDEX]);
  return Number.isSafeInteger(startTicks) ? startTicks : undefined;
}

/** The `code` property of a Node system error ('ENOENT'...), if any. */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
