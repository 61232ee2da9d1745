/**
 * Worker-thread helpers: tests that need a second thread of this process run the built
 * library (`dist/`) in a real `worker_threads` Worker, driven by request and reply messages.
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { requireDist } from './dist.js';

/** The file URL of a built module under dist/, e.g. `distUrl('os/index.js')`. */
export function distUrl(relative = 'index.js'): string {
  const index = requireDist();
  return pathToFileURL(index.replace(/index\.js$/, relative)).href;
}

/**
 * A worker thread running the ES module `source`. The module answers each message it
 * receives with exactly one message, in order; `ask` pairs them.
 */
export class TestWorker {
  readonly worker: Worker;
  private readonly waiting: { resolve: (reply: unknown) => void; reject: (e: Error) => void }[] =
    [];
  private failure: Error | undefined;

  constructor(source: string) {
    this.worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(source)}`));
    this.worker.on('message', (reply: unknown) => this.waiting.shift()?.resolve(reply));
    this.worker.on('error', (error: Error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the worker exited (${code})`)));
  }

  /** Sends `request` and resolves with the worker's reply. */
  ask<T>(request: unknown): Promise<T> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const reply = new Promise<unknown>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
    });
    this.worker.postMessage(request);
    return reply as Promise<T>;
  }

  /** Stops the thread (without letting it clean up) and waits until it has exited. */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
  }
}
