/**
 * A harness for the containers' differential tests: a container in a transactional
 * environment (in memory or on disk, 512-byte pages, a cache of 8 pages), a model that
 * follows its transactions (a snapshot per open transaction, restored on abort), and the
 * transaction commands every test mixes in: begin (a child when one is open), commit,
 * abort, reopen.
 *
 * Layer: test support.
 */
import { expect } from 'vitest';
import fc from 'fast-check';
import { Environment, type Transaction } from '../../src/index.js';
import { MemFs } from '../../src/os/index.js';
import { tempDir } from './temp-dir.js';

export type TxnCmd = { op: 'begin' | 'commit' | 'abort' | 'reopen' };

export const txnCmdArb: fc.Arbitrary<TxnCmd> = fc.constantFrom(
  { op: 'begin' as const }, { op: 'begin' as const }, { op: 'commit' as const },
  { op: 'abort' as const }, { op: 'reopen' as const },
);

export type Where = 'memory' | 'disk';

/** The container under test with its environment and the model's transaction snapshots. */
export class Harness<C extends { db: { verify(): { errors: string[] } } }, M> {
  env: Environment;
  container: C;
  private readonly txns: { txn: Transaction; saved: M }[] = [];

  constructor(
    where: Where,
    private readonly open: (env: Environment) => C,
    public model: M,
    private readonly clone: (m: M) => M,
  ) {
    const dir = where === 'disk' ? tempDir() : '/mem';
    const fileSystem = where === 'memory' ? new MemFs() : undefined;
    this.openEnv = () => Environment.open(dir, {
      pageSize: 512, cacheSize: 4096, ...(fileSystem ? { fileSystem } : {}),
    });
    this.env = this.openEnv();
    this.container = open(this.env);
  }

  private readonly openEnv: () => Environment;

  /** Runs a transaction command on both sides; true when `cmd` was one. */
  step(cmd: { op: string }): boolean {
    switch (cmd.op) {
      case 'begin':
        if (this.txns.length < 3) {
          this.txns.push({ txn: this.env.begin(), saved: this.clone(this.model) });
        }
        return true;
      case 'commit':
        this.txns.pop()?.txn.commit();
        return true;
      case 'abort': {
        const top = this.txns.pop();
        if (top) {
          top.txn.abort();
          this.model = top.saved;
        }
        return true;
      }
      case 'reopen':
        if (this.txns.length === 0) {
          this.env.close();
          this.env = this.openEnv();
          this.container = this.open(this.env);
        }
        return true;
      default:
        return false;
    }
  }

  /** Commits what is open, verifies the database, closes the environment. */
  finish(): void {
    try {
      while (this.txns.length > 0) this.txns.pop()!.txn.commit();
      expect(this.container.db.verify().errors).toEqual([]);
    } finally {
      while (this.txns.length > 0) this.txns.pop()!.txn.abort();
      this.env.close();
    }
  }
}
