/**
 * Test fixture: a btree over a page cache over a file system, built without the environment,
 * for tests of the access method itself. `check()` runs `verify` and the cache invariants.
 */
import { expect } from 'vitest';
import { MemFs, type FileSystem } from '../../src/os/index.js';
import { MPool } from '../../src/mpool/index.js';
import { type AmFile, directChanges } from '../../src/am/common/index.js';
import {
  Btree, type BtreeConfig, type Comparator, verifyBtree,
} from '../../src/am/btree/index.js';

export interface BtreeFixture {
  fs: FileSystem;
  pool: MPool;
  file: AmFile;
  tree: Btree;
  check(): void;
  reopen(): BtreeFixture;
  close(): void;
}

export function openBtreeFixture(options: {
  fs?: FileSystem; path?: string; pageSize?: number; cacheSizeBytes?: number;
  compare?: Comparator; config?: BtreeConfig;
} = {}): BtreeFixture {
  const fs = options.fs ?? new MemFs();
  const path = options.path ?? '/db/test.db';
  const pageSize = options.pageSize ?? 512;
  fs.mkdir('/db');
  const exists = fs.exists(path);
  const handle = fs.open(path, 'create');
  const pool = new MPool({ cacheSizeBytes: options.cacheSizeBytes ?? 16 * 1024 });
  const mp = pool.openFile(handle, pageSize, path);
  const file: AmFile = { mp, pageSize, name: path, changes: directChanges };
  const config: BtreeConfig = { compare: options.compare, ...options.config };
  const tree = exists ? Btree.open(file, config) : Btree.create(file, config);
  const fixture: BtreeFixture = {
    fs, pool, file, tree,
    check() {
      const report = verifyBtree(tree);
      expect(report.errors).toEqual([]);
      expect(mp.pinnedCount()).toBe(0);
      pool.checkInvariants();
    },
    reopen() {
      mp.close();
      return openBtreeFixture({ ...options, fs, path });
    },
    close() {
      mp.close();
    },
  };
  return fixture;
}
