/**
 * NodeFs against real files in a fresh temporary directory per test: byte I/O, sizes,
 * namespace operations, atomic whole-file writes, exclusive creation (also raced by real
 * worker threads, which share the process and so its pid) and error mapping.
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeFs, nodeFs } from '../../../src/os/index.js';
import { equalBytes, InvalidArgumentError, IoError } from '../../../src/util/index.js';
import { distUrl, TestWorker } from '../../support/threads.js';
import { errorOf } from '../../support/thrown.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

let dir = '';

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stowage-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs `action` and returns the IoError it throws. */
const ioErrorOf = (action: () => unknown): IoError => errorOf(action, IoError);

describe('NodeFs handles', () => {
  it('writes, reads back and reports the size', () => {
    const handle = nodeFs.open(path.join(dir, 'a'), 'create');
    handle.write(bytes(1, 2, 3, 4), 0);
    handle.write(bytes(9), 10);
    expect(handle.size()).toBe(11);
    const target = new Uint8Array(11);
    expect(handle.read(target, 0)).toBe(11);
    expect([...target]).toEqual([1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 9]);
    handle.close();
  });

  it('returns a short count only at end of file', () => {
    const handle = nodeFs.open(path.join(dir, 'a'), 'create');
    handle.write(bytes(1, 2, 3), 0);
    const target = new Uint8Array(8);
    expect(handle.read(target, 1)).toBe(2);
    expect(handle.read(target, 3)).toBe(0);
    expect(handle.read(target, 100)).toBe(0);
    handle.close();
  });

  it('writes a large buffer completely', () => {
    const handle = nodeFs.open(path.join(dir, 'big'), 'create');
    const data = new Uint8Array(3 * 1024 * 1024).map((_, index) => index % 251);
    handle.write(data, 7);
    handle.sync();
    const back = new Uint8Array(data.length);
    expect(handle.read(back, 7)).toBe(data.length);
    // equalBytes, not toEqual: a deep comparison of 3 MiB element by element takes seconds.
    expect(equalBytes(back, data)).toBe(true);
    handle.close();
  });

  it('truncates down and extends with zeros', () => {
    const handle = nodeFs.open(path.join(dir, 'a'), 'create');
    handle.write(bytes(1, 2, 3, 4, 5), 0);
    handle.truncate(2);
    expect(handle.size()).toBe(2);
    handle.truncate(4);
    const target = new Uint8Array(4);
    expect(handle.read(target, 0)).toBe(4);
    expect([...target]).toEqual([1, 2, 0, 0]);
    handle.close();
  });

  it('keeps existing contents when opened with create', () => {
    const file = path.join(dir, 'a');
    const first = nodeFs.open(file, 'create');
    first.write(bytes(7, 8), 0);
    first.close();
    const second = nodeFs.open(file, 'create');
    expect(second.size()).toBe(2);
    second.close();
  });

});

describe('NodeFs handle misuse', () => {

  it('rejects every call after close with EBADF', () => {
    const handle = nodeFs.open(path.join(dir, 'a'), 'create');
    handle.close();
    expect(ioErrorOf(() => handle.read(new Uint8Array(1), 0)).errno).toBe('EBADF');
    expect(ioErrorOf(() => handle.write(bytes(1), 0)).errno).toBe('EBADF');
    expect(ioErrorOf(() => handle.sync()).errno).toBe('EBADF');
    expect(ioErrorOf(() => handle.size()).errno).toBe('EBADF');
    expect(ioErrorOf(() => handle.close()).errno).toBe('EBADF');
  });

  it('rejects negative positions', () => {
    const handle = nodeFs.open(path.join(dir, 'a'), 'create');
    expect(() => handle.write(bytes(1), -1)).toThrow(InvalidArgumentError);
    expect(() => handle.read(new Uint8Array(1), -1)).toThrow(InvalidArgumentError);
    handle.close();
  });

  it('refuses writes through a read-only handle with an IoError', () => {
    const file = path.join(dir, 'a');
    nodeFs.open(file, 'create').close();
    const handle = nodeFs.open(file, 'read');
    expect(ioErrorOf(() => handle.write(bytes(1), 0)).errno).toBe('EBADF');
    handle.close();
  });
});

describe('NodeFs errors', () => {
  it('maps a missing file to IoError ENOENT naming the operation and path', () => {
    const missing = path.join(dir, 'missing');
    for (const mode of ['read', 'readwrite'] as const) {
      const error = ioErrorOf(() => nodeFs.open(missing, mode));
      expect(error.errno).toBe('ENOENT');
      expect(error.code).toBe('IO');
      expect(error.message).toContain(missing);
      expect(error.message).toContain('open');
      expect(error.cause).toBeInstanceOf(Error);
    }
  });

  it('maps failures of rename, list and readFile', () => {
    const missing = path.join(dir, 'missing');
    expect(ioErrorOf(() => nodeFs.rename(missing, path.join(dir, 'b'))).errno).toBe('ENOENT');
    expect(ioErrorOf(() => nodeFs.list(missing)).errno).toBe('ENOENT');
    expect(ioErrorOf(() => nodeFs.readFile(missing)).errno).toBe('ENOENT');
    expect(ioErrorOf(() => nodeFs.syncDir(missing)).errno).toBe('ENOENT');
  });
});

describe('NodeFs namespace', () => {
  it('renames, lists sorted, removes and tolerates removing a missing file', () => {
    nodeFs.open(path.join(dir, 'b'), 'create').close();
    nodeFs.open(path.join(dir, 'a'), 'create').close();
    nodeFs.rename(path.join(dir, 'b'), path.join(dir, 'c'));
    expect(nodeFs.list(dir)).toEqual(['a', 'c']);
    nodeFs.remove(path.join(dir, 'a'));
    nodeFs.remove(path.join(dir, 'a'));
    expect(nodeFs.exists(path.join(dir, 'a'))).toBe(false);
    expect(nodeFs.exists(path.join(dir, 'c'))).toBe(true);
    expect(nodeFs.list(dir)).toEqual(['c']);
  });

  it('rename replaces an existing target', () => {
    fs.writeFileSync(path.join(dir, 'a'), 'new');
    fs.writeFileSync(path.join(dir, 'b'), 'old');
    nodeFs.rename(path.join(dir, 'a'), path.join(dir, 'b'));
    expect(fs.readFileSync(path.join(dir, 'b'), 'utf8')).toBe('new');
  });

  it('creates nested directories, accepts an existing one, and syncs a directory', () => {
    const nested = path.join(dir, 'x', 'y', 'z');
    nodeFs.mkdir(nested);
    nodeFs.mkdir(nested);
    expect(nodeFs.exists(nested)).toBe(true);
    nodeFs.syncDir(nested);
    expect(nodeFs.list(path.join(dir, 'x'))).toEqual(['y']);
  });

  it('writes a whole file atomically and reads it back as a plain Uint8Array', () => {
    const file = path.join(dir, 'meta');
    nodeFs.writeFileAtomic(file, text('first version, longer'));
    nodeFs.writeFileAtomic(file, text('second'));
    const back = nodeFs.readFile(file);
    expect(back.constructor).toBe(Uint8Array);
    expect(new TextDecoder().decode(back)).toBe('second');
    expect(nodeFs.list(dir)).toEqual(['meta']);
  });

  it('creates a file exclusively once', () => {
    const fresh = new NodeFs();
    const file = path.join(dir, 'lock');
    expect(fresh.createExclusive(file, text('one'))).toBe(true);
    expect(fresh.createExclusive(file, text('two'))).toBe(false);
    expect(fs.readFileSync(file, 'utf8')).toBe('one');
    expect(fresh.list(dir)).toEqual(['lock']);
  });
});

/** Threads racing in `createExclusive`, and rounds each of them runs. */
const RACE_THREADS = 4;
const RACE_ROUNDS = 40;

/**
 * A worker thread that, on request, runs RACE_ROUNDS rounds of `createExclusive` on
 * `<dir>/file-<round>`, all threads meeting at a barrier before each round, and replies with
 * what each call returned or threw.
 */
function exclusiveRacer(): TestWorker {
  return new TestWorker(`
    import { parentPort } from 'node:worker_threads';
    import { nodeFs } from ${JSON.stringify(distUrl('os/index.js'))};
    parentPort.on('message', ({ dir, id, threads, rounds, barrier }) => {
      const arrived = new Int32Array(barrier);
      const outcomes = [];
      for (let round = 0; round < rounds; round++) {
        const everyone = threads * (round + 1);
        if (Atomics.add(arrived, 0, 1) + 1 === everyone) Atomics.notify(arrived, 0);
        for (let seen; (seen = Atomics.load(arrived, 0)) < everyone;) {
          Atomics.wait(arrived, 0, seen, 20);
        }
        const data = new TextEncoder().encode('thread ' + id + ' round ' + round);
        try {
          outcomes.push(nodeFs.createExclusive(dir + '/file-' + round, data));
        } catch (error) {
          outcomes.push(String(error.errno ?? error));
        }
      }
      parentPort.postMessage(outcomes);
    });
  `);
}

describe('NodeFs exclusive creation across threads', () => {
  it('lets exactly one of several threads create each file, holding its own bytes', async () => {
    const racers = Array.from({ length: RACE_THREADS }, exclusiveRacer);
    try {
      const barrier = new SharedArrayBuffer(4);
      const outcomes = await Promise.all(racers.map((racer, id) => racer.ask<unknown[]>({
        dir, id, threads: RACE_THREADS, rounds: RACE_ROUNDS, barrier,
      })));
      const failures: string[] = [];
      for (let round = 0; round < RACE_ROUNDS; round++) {
        const results = outcomes.map((perThread) => perThread[round]);
        const winners = results.flatMap((result, id) => (result === true ? [id] : []));
        const content = fs.readFileSync(path.join(dir, `file-${round}`), 'utf8');
        const fair = winners.length === 1 && results.every((r) => typeof r === 'boolean')
          && content === `thread ${winners[0]} round ${round}`;
        if (!fair) failures.push(`round ${round}: ${JSON.stringify(results)} '${content}'`);
      }
      expect(failures, `${failures.length} of ${RACE_ROUNDS} rounds failed`).toEqual([]);
      const files = Array.from({ length: RACE_ROUNDS }, (_, round) => `file-${round}`);
      expect(nodeFs.list(dir)).toEqual(files.sort());
    } finally {
      await Promise.all(racers.map((racer) => racer.terminate()));
    }
  });
});
