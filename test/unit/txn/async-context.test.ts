/**
 * The current transaction follows the async context that opened it, and nothing else
 * (API §3): concurrent requests of a real `node:http` server on loopback each get a
 * top-level transaction of their own, with or without a transaction earlier in the process,
 * on separate connections and on one keep-alive connection; timers scheduled before a
 * `begin()` do not join it, timers scheduled after it do; the continuation of an async
 * function given to `env.transaction` (and a timer it scheduled) is refused with
 * `TransactionClosedError` and stores nothing; an iterator belongs to the transaction it
 * was created in, even when first advanced after that transaction ended.
 *
 * Guards against a context slot shared and mutated by every context that inherited it (a
 * request's transaction became a child of another's), against a binding left on the async
 * resource of a keep-alive connection for its next request, against a rejected async
 * transaction function whose continuation auto-commits, and against an iterator that opens
 * its cursor lazily outside the transaction it was created in.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { AsyncResource } from 'node:async_hooks';
import {
  DbError, Environment, InvalidArgumentError, type PersistentMap, TransactionClosedError,
} from '../../../src/index.js';
import { tempDir } from '../../support/temp-dir.js';

type StrMap = PersistentMap<string, string>;

/** A promise and the function that resolves it. */
function signal(): { promise: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const promise = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { promise, fire };
}

/** What a read returned, or the error it threw. */
function probe(read: () => unknown): unknown {
  try {
    return read();
  } catch (e) {
    return e;
  }
}

/** A read of another transaction's uncommitted data: nothing, or a typed error. */
function expectNothingUncommitted(seen: unknown, what: string): void {
  expect(seen === undefined || seen instanceof DbError, `${what}: ${String(seen)}`).toBe(true);
}

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function openEnv(home: string) {
  const env = Environment.open(home);
  cleanups.push(() => env.close());
  return { env, a: env.openMap<string, string>('a'), b: env.openMap<string, string>('b') };
}

/** What the two requests saw and did. */
interface Outcome {
  aSawB: unknown;
  bSawA: unknown;
  bCommit: unknown;
  aAbort: unknown;
  sockets: Socket[];
}

/**
 * A server whose /a request begins, writes to `a`, answers at once and goes on in the
 * background; /b begins, writes to `b`, reads `a`, lets A read `b` while still uncommitted,
 * then commits; then A aborts. The interleaving is forced by signals.
 */
function startServer(a: StrMap, b: StrMap, env: Environment) {
  const bWrote = signal();
  const aRead = signal();
  const bCommitted = signal();
  const aDone = signal();
  const outcome: Outcome = {
    aSawB: 'unset', bSawA: 'unset', bCommit: 'unset', aAbort: 'unset', sockets: [],
  };
  const server = http.createServer(async (req, res) => {
    outcome.sockets.push(req.socket);
    if (req.url === '/a') {
      const txn = env.begin();
      a.set('a1', 'A, uncommitted');
      res.end('A started');
      await bWrote.promise;
      outcome.aSawB = probe(() => b.get('b1'));
      aRead.fire();
      await bCommitted.promise;
      outcome.aAbort = probe(() => txn.abort());
      aDone.fire();
      return;
    }
    const txn = env.begin();
    b.set('b1', 'B');
    outcome.bSawA = probe(() => a.get('a1'));
    bWrote.fire();
    await aRead.promise;
    outcome.bCommit = probe(() => txn.commit());
    bCommitted.fire();
    res.end('B done');
  });
  cleanups.push(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  const listening = new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  return { listening, outcome, aDone: aDone.promise };
}

function get(port: number, path: string, agent: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

async function runRequests(home: string, startup: boolean, keepAlive: boolean) {
  const { env, a, b } = openEnv(home);
  if (startup) {
    // Seeding at startup: a top-level transaction of the test's own async context.
    const seed = env.begin();
    a.set('seed', 'committed');
    seed.commit();
  }
  const server = startServer(a, b, env);
  const port = await server.listening;
  const agent = new http.Agent({ keepAlive, maxSockets: keepAlive ? 1 : 2 });
  cleanups.push(() => agent.destroy());
  expect(await get(port, '/a', agent)).toBe('A started');
  expect(await get(port, '/b', agent)).toBe('B done');
  await server.aDone;
  const { outcome } = server;
  expect(outcome.sockets[0] === outcome.sockets[1], 'one connection').toBe(keepAlive);
  expectNothingUncommitted(outcome.aSawB, 'A reading B');
  expectNothingUncommitted(outcome.bSawA, 'B reading A');
  expect(outcome.bCommit).toBeUndefined();
  expect(outcome.aAbort).toBeUndefined();
  expect(b.get('b1')).toBe('B');
  expect(a.has('a1')).toBe(false);
  env.close();
  const again = openEnv(home);
  expect(again.b.get('b1')).toBe('B');
  expect(again.a.has('a1')).toBe(false);
  expect(again.a.get('seed')).toBe(startup ? 'committed' : undefined);
}

describe('concurrent requests of a node:http server', () => {
  for (const startup of [false, true]) {
    for (const keepAlive of [false, true]) {
      const label = `${startup ? 'after' : 'without'} a startup transaction, ` +
        `${keepAlive ? 'one keep-alive connection' : 'two connections'}`;
      it(`A aborts, B commits, neither joins the other: ${label}`, async () => {
        await runRequests(tempDir(), startup, keepAlive);
      });
    }
  }
});

describe('requests pipelined in one segment', () => {
  // Both handlers run in one synchronous run of the connection's async resource, so each
  // needs an async scope of its own (docs/api.md): one AsyncResource per request.
  it('each request in its own AsyncResource gets its own transaction', async () => {
    const home = tempDir();
    const { env, a, b } = openEnv(home);
    const aRead = signal();
    const seen: Record<string, unknown> = {};
    const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
      const first = req.url === '/p1';
      const txn = env.begin();
      (first ? a : b).set('k', req.url!);
      if (first) {
        await aRead.promise;
        seen.abort = probe(() => txn.abort());
      } else {
        seen.bSawA = probe(() => a.get('k'));
        await null;
        seen.commit = probe(() => txn.commit());
        aRead.fire();
      }
      res.end('ok');
    };
    const server = http.createServer((req, res) => {
      void new AsyncResource('request').runInAsyncScope(handler, null, req, res);
    });
    cleanups.push(() => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const replies = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write('GET /p1 HTTP/1.1\r\nHost: x\r\n\r\nGET /p2 HTTP/1.1\r\nHost: x\r\n\r\n');
      });
      let got = '';
      socket.on('data', (chunk) => {
        got += String(chunk);
        if (got.split('\r\n\r\nok').length === 3) {
          socket.end();
          resolve(got);
        }
      });
      socket.on('error', reject);
    });
    expect(replies).toContain('200 OK');
    expectNothingUncommitted(seen.bSawA, 'B reading A');
    expect(seen.commit).toBeUndefined();
    expect(seen.abort).toBeUndefined();
    expect(b.get('k')).toBe('/p2');
    expect(a.has('k')).toBe(false);
  });
});

describe('timers', () => {
  it('a timer scheduled before begin() does not join it; one scheduled after does', async () => {
    const { env, a, b } = openEnv(tempDir());
    const seed = env.begin();
    a.set('seed', 'committed');
    seed.commit();
    const before = new Promise<unknown>((resolve) => {
      setTimeout(() => resolve(probe(() => a.set('before', 'auto-commit'))), 5);
    });
    const txn = env.begin();
    b.set('in txn', 'x');
    const after = new Promise<unknown>((resolve) => {
      setTimeout(() => resolve(probe(() => b.set('after', 'in txn'))), 5);
    });
    expect(await before).toBe(a);
    expect(await after).toBe(b);
    txn.abort();
    expect(a.get('before')).toBe('auto-commit');
    expect(b.has('after')).toBe(false);
    expect(b.has('in txn')).toBe(false);
  });
});

describe('the scope of env.transaction(fn)', () => {
  it('refuses every call of an async fn after its first await; nothing is stored', async () => {
    const home = tempDir();
    const { env, a } = openEnv(home);
    a.set('kept', 'committed');
    const reached = signal();
    const results: unknown[] = [];
    const calls: (() => unknown)[] = [
      () => a.set('after await', 'x'), () => a.get('kept'), () => a.has('kept'),
      () => a.delete('kept'), () => a.size, () => [...a.keys()], () => env.begin(),
      () => env.transaction(() => a.set('nested', 'x')),
    ];
    const call = () => env.transaction(async () => {
      a.set('before await', 'x');
      await null;
      for (const c of calls) results.push(probe(c));
      reached.fire();
    });
    expect(call).toThrow(InvalidArgumentError);
    await reached.promise;
    expect(results).toHaveLength(calls.length);
    for (const r of results) expect(r).toBeInstanceOf(TransactionClosedError);
    // A continuation that lets the error escape rejects a promise nobody holds: it is
    // marked handled (an unhandled rejection would fail this run).
    const escaped = signal();
    expect(() => env.transaction(async () => {
      await null;
      escaped.fire();
      a.set('escaped', 'x');
    })).toThrow(InvalidArgumentError);
    await escaped.promise;
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (const key of ['before await', 'after await', 'nested', 'escaped']) {
      expect(a.has(key), key).toBe(false);
    }
    env.close();
    const again = openEnv(home);
    expect([...again.a.keys()]).toEqual(['kept']);
  });

  it('refuses a timer fn scheduled that runs after its transaction committed', async () => {
    const home = tempDir();
    const { env, a } = openEnv(home);
    const fired = new Promise<unknown>((resolve) => {
      env.transaction(() => {
        a.set('in fn', 'x');
        setTimeout(() => resolve(probe(() => a.set('timer', 'x'))), 5);
      });
    });
    expect(await fired).toBeInstanceOf(TransactionClosedError);
    expect(a.get('in fn')).toBe('x');
    // The context after env.transaction returned is not in its scope.
    a.set('after', 'x');
    env.close();
    const again = openEnv(home);
    expect([...again.a.keys()]).toEqual(['after', 'in fn']);
  });
});

describe('iterators belong to the transaction they were created in', () => {
  it('one first advanced after its transaction ended throws TransactionClosedError', () => {
    const { env, a } = openEnv(tempDir());
    for (const k of ['k1', 'k2', 'k3']) a.set(k, k);
    for (const end of ['commit', 'abort'] as const) {
      const txn = env.begin();
      const entries = a.entries();
      const keys = a.keys();
      txn[end]();
      expect(() => entries.next()).toThrow(TransactionClosedError);
      expect(() => [...keys]).toThrow(TransactionClosedError);
    }
    const parent = env.begin();
    const child = env.begin();
    const values = a.values();
    child.commit();
    expect(() => values.next()).toThrow(TransactionClosedError);
    const fresh = a.values();
    expect(fresh.next().value).toBe('k1');
    parent.commit();
    expect(() => fresh.next()).toThrow(TransactionClosedError);
    // One created outside any transaction stays an auto-commit iterator.
    const outside = a.keys();
    const txn = env.begin();
    txn.commit();
    expect([...outside]).toEqual(['k1', 'k2', 'k3']);
  });
});
