/**
 * Liveness checks the lock file relies on: a process is alive while `kill(pid, 0)` finds it;
 * a thread of this process, named by its OS thread (Linux `/proc`), is alive while it runs,
 * dead once a real worker thread has exited, and a thread that cannot be checked counts as
 * alive.
 */
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  currentOsThread,
  currentThreadId,
  isProcessAlive,
  isThreadAlive,
  type OsThread,
} from '../../../src/os/index.js';
import { distUrl, TestWorker } from '../../support/threads.js';

const hasProc = fs.existsSync('/proc/thread-self');

/** A worker thread that answers every message with its thread id and OS thread. */
function identityWorker(): TestWorker {
  return new TestWorker(`
    import { parentPort, threadId } from 'node:worker_threads';
    import { currentOsThread } from ${JSON.stringify(distUrl('os/index.js'))};
    parentPort.on('message', () => {
      parentPort.postMessage({ threadId, osThread: currentOsThread() });
    });
  `);
}

describe('process liveness', () => {
  it('sees this process alive and an exited one dead', () => {
    const exited = spawnSync(process.execPath, ['-e', '']).pid;
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(exited!)).toBe(false);
    expect(isProcessAlive(0)).toBe(false);
    expect(isProcessAlive(-1)).toBe(false);
  });
});

describe('thread liveness', () => {
  it('counts a thread without a recorded OS thread as alive', () => {
    expect(isThreadAlive(undefined)).toBe(true);
  });

  it.runIf(hasProc)('names this thread by an OS thread that is alive', () => {
    const thread = currentOsThread()!;
    expect(Number.isSafeInteger(thread.tid) && thread.tid > 0).toBe(true);
    expect(currentOsThread()).toEqual(thread);
    expect(isThreadAlive(thread)).toBe(true);
    // The same tid with another start time is a later thread that reused the tid.
    expect(isThreadAlive({ ...thread, startTicks: thread.startTicks + 1 })).toBe(false);
  });

  it.runIf(hasProc)('sees a worker thread alive while it runs and dead once exited', async () => {
    const worker = identityWorker();
    const seen = await worker.ask<{ threadId: number; osThread: OsThread }>({});
    expect(seen.threadId).toBe(worker.worker.threadId);
    expect(seen.threadId).not.toBe(currentThreadId());
    expect(seen.osThread.tid).not.toBe(currentOsThread()!.tid);
    expect(isThreadAlive(seen.osThread)).toBe(true);
    await worker.terminate();
    expect(isThreadAlive(seen.osThread)).toBe(false);
  });
});
