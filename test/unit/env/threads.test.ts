/**
 * One thread per home: a worker thread (real `worker_threads`, running the built dist/) gets
 * `EnvironmentLockedError` for a home the main thread has open, the main thread gets it for
 * a home a worker has open, and so does a second worker; once the owner closes, another
 * thread opens the home cleanly. A worker that exits without closing leaves a stale lock
 * that the next opener takes over (and recovery keeps what the worker committed).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Environment, EnvironmentLockedError } from '../../../src/index.js';
import { tempDir } from '../../support/temp-dir.js';
import { distUrl, TestWorker } from '../../support/threads.js';
import { errorOf } from '../../support/thrown.js';

/** A worker's answer to one request. */
interface Reply {
  ok: boolean;
  wasUnclean?: boolean;
  code?: string;
  message?: string;
}

const workers: TestWorker[] = [];

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.terminate()));
});

/** A worker thread that opens, writes to and closes an environment on request. */
function envWorker(): TestWorker {
  const worker = new TestWorker(`
    import { parentPort } from 'node:worker_threads';
    import { Environment } from ${JSON.stringify(distUrl())};
    let env;
    parentPort.on('message', ({ op, home, key, value }) => {
      try {
        if (op === 'open') env = Environment.open(home);
        if (op === 'set') env.openMap('m').set(key, value);
        if (op === 'close') env.close();
        parentPort.postMessage({ ok: true, wasUnclean: env.wasUnclean });
      } catch (error) {
        parentPort.postMessage({ ok: false, code: error.code, message: error.message });
      }
    });
  `);
  workers.push(worker);
  return worker;
}

/** The thread id the home's lock file names. */
function lockThreadId(home: string): unknown {
  const lock = fs.readFileSync(path.join(home, '__stowage.lock'), 'utf8');
  return (JSON.parse(lock) as { threadId?: unknown }).threadId;
}

describe('a home and threads of one process', () => {
  it('refuses a worker a home this thread has open, then lets it in after close', async () => {
    const home = tempDir();
    const env = Environment.open(home);
    env.openMap<string, number>('m').set('k', 1);
    const worker = envWorker();
    const refused = await worker.ask<Reply>({ op: 'open', home });
    expect(refused.ok).toBe(false);
    expect(refused.code).toBe('ENV_LOCKED');
    expect(refused.message).toContain('thread');
    expect(lockThreadId(home)).not.toBe(worker.worker.threadId);
    env.close();
    expect(await worker.ask<Reply>({ op: 'open', home })).toEqual({ ok: true, wasUnclean: false });
    expect(lockThreadId(home)).toBe(worker.worker.threadId);
    expect((await worker.ask<Reply>({ op: 'close' })).ok).toBe(true);
  });

  it('refuses this thread a home a worker has open, then lets it in after close', async () => {
    const home = tempDir();
    const worker = envWorker();
    expect((await worker.ask<Reply>({ op: 'open', home })).ok).toBe(true);
    expect((await worker.ask<Reply>({ op: 'set', key: 'k', value: 2 })).ok).toBe(true);
    const locked = errorOf(() => Environment.open(home), EnvironmentLockedError);
    expect(locked.code).toBe('ENV_LOCKED');
    expect(locked.ownerPid).toBe(process.pid);
    expect(lockThreadId(home)).toBe(worker.worker.threadId);
    expect((await worker.ask<Reply>({ op: 'close' })).ok).toBe(true);
    const env = Environment.open(home);
    expect(env.wasUnclean).toBe(false);
    expect(env.openMap<string, number>('m').get('k')).toBe(2);
    env.close();
  });

  it('refuses a second worker a home the first has open', async () => {
    const home = tempDir();
    const [first, second] = [envWorker(), envWorker()];
    expect((await first.ask<Reply>({ op: 'open', home })).ok).toBe(true);
    const refused = await second.ask<Reply>({ op: 'open', home });
    expect(refused.ok).toBe(false);
    expect(refused.code).toBe('ENV_LOCKED');
    expect(lockThreadId(home)).toBe(first.worker.threadId);
    expect((await first.ask<Reply>({ op: 'close' })).ok).toBe(true);
  });

  it.runIf(fs.existsSync('/proc/thread-self'))(
    'takes over the lock of a worker that exited without closing', async () => {
      const home = tempDir();
      const worker = envWorker();
      expect((await worker.ask<Reply>({ op: 'open', home })).ok).toBe(true);
      expect((await worker.ask<Reply>({ op: 'set', key: 'k', value: 3 })).ok).toBe(true);
      await worker.terminate();
      const env = Environment.open(home);
      expect(env.wasUnclean).toBe(true);
      expect(env.openMap<string, number>('m').get('k')).toBe(3);
      env.close();
      expect(fs.readdirSync(home)).not.toContain('__stowage.lock');
    },
  );
});
