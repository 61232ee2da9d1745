/**
 * Database files of an environment: names, atomic creation, and the checks made when an
 * existing file is opened.
 *
 * Layer: env (rank 6).
 *
 * Invariants:
 * 1. A database file appears in the home only complete: its meta page and empty root are
 *    written to a temporary file, synced, renamed into place and the directory synced.
 * 2. Opening checks the magic number, format version, page size and that the file holds a
 *    whole number of pages, and no fewer than its meta page records; an empty file is
 *    damage too. Each failure is a `CorruptionError` naming the file.
 * 3. Recovery cuts a partial last page off instead. Only a crash while the file grew leaves
 *    one (a torn append: pages are written whole and files only grow by appending), and
 *    such a page was allocated after the last checkpoint, so redo rebuilds it from the log.
 * 4. Every checkpoint records in the meta page of each file it writes the LSN the log was
 *    durable through (`syncedLsn`); at open, the log must reach the newest such LSN of any
 *    file in the home, or it lost records those files depend on.
 */
import * as nodePath from 'node:path';
import {
  CorruptionError, InvalidArgumentError, type Lsn, ZERO_LSN, describeValue,
} from '../util/index.js';
import type { FileHandle, FileSystem } from '../os/index.js';
import { MPool, type MPoolFile } from '../mpool/index.js';
import {
  type AccessMethodKind, type AmConfig, type AmFile, META_PGNO, directChanges, metaAmType,
  metaSyncedLsn, setMetaSyncedLsn, sniffMeta, sniffSyncedLsn,
} from '../am/common/index.js';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Throws unless `name` can name a database. */
export function checkDatabaseName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new InvalidArgumentError(
      `database name ${describeValue(name)} is invalid: use 1-128 letters, digits, '.', ` +
        "'_' or '-', starting with a letter or digit",
    );
  }
}

/** The path of database `name` in `home`. */
export function databasePath(home: string, name: string): string {
  return nodePath.join(home, `${name}.db`);
}

/**
 * True when a database file exists at `path`. An empty one is corruption, not a missing
 * database: files are created whole (invariant 1), so only damage empties one.
 */
export function databaseExists(fs: FileSystem, path: string): boolean {
  if (!fs.exists(path)) return false;
  const handle = fs.open(path, 'read');
  let size: number;
  try {
    size = handle.size();
  } finally {
    handle.close();
  }
  if (size === 0) {
    throw new CorruptionError(
      `${path} is empty: a database file is never created empty, so it was truncated; ` +
        'restore it from a backup (or remove it to start that database afresh)',
      { file: path },
    );
  }
  return true;
}

/** Creates an empty database file of access method `kind` at `path`, atomically. */
export function createDatabaseFile(
  fs: FileSystem, path: string, pageSize: number, kind: AccessMethodKind, config: object,
): void {
  const temporary = `${path}.creating`;
  fs.remove(temporary);
  const handle = fs.open(temporary, 'create');
  const pool = new MPool({ cacheSizeBytes: Math.max(4096, 4 * pageSize) });
  const mp = pool.openFile(handle, pageSize, temporary);
  const file: AmFile = { mp, pageSize, name: temporary, changes: directChanges };
  try {
    kind.create(file, config as AmConfig);
  } finally {
    mp.close();
  }
  fs.rename(temporary, path);
  fs.syncDir(nodePath.dirname(path));
}

/** The access method number the meta page of an opened file records. */
export function fileAmType(file: AmFile): number {
  const meta = file.mp.get(META_PGNO);
  try {
    return metaAmType(meta);
  } finally {
    file.mp.release(meta);
  }
}

/**
 * Reads and checks the page size of an existing database file. With `trimTornTail`
 * (recovery only) a partial last page is cut off instead of refused (invariant 3).
 */
export function sniffPageSize(handle: FileHandle, path: string, trimTornTail = false): number {
  const head = new Uint8Array(512);
  const got = handle.read(head, 0);
  const pageSize = sniffMeta(head.subarray(0, got), path);
  const size = handle.size();
  if (size % pageSize !== 0 && trimTornTail && size > pageSize) {
    handle.truncate(size - (size % pageSize));
  } else if (size % pageSize !== 0) {
    throw new CorruptionError(
      `${path} is ${size} bytes, not a whole number of ${pageSize}-byte pages: the file ` +
        'was truncated or damaged; restore it from a backup',
      { file: path },
    );
  }
  return pageSize;
}

/**
 * Checkpoint: records in the meta page of `file` that the log is durable through `lsn`
 * (invariant 4). The change is not logged: it is no transaction's, and a later image of the
 * page that sets it back only weakens the check.
 */
export function stampSyncedLsn(file: MPoolFile, lsn: Lsn): void {
  const meta = file.get(META_PGNO);
  try {
    if (metaSyncedLsn(meta) >= lsn) return;
    file.markDirty(meta);
    setMetaSyncedLsn(meta, lsn);
  } finally {
    file.release(meta);
  }
}

/** The newest `syncedLsn` of the database files in `home` (invariant 4); ZERO_LSN if none. */
export function newestSyncedLsn(fs: FileSystem, home: string): Lsn {
  let newest: Lsn = ZERO_LSN;
  const head = new Uint8Array(512);
  for (const name of fs.list(home)) {
    if (!name.endsWith('.db')) continue;
    const handle = fs.open(nodePath.join(home, name), 'read');
    try {
      const got = handle.read(head, 0);
      const lsn = sniffSyncedLsn(head.subarray(0, got));
      if (lsn > newest) newest = lsn;
    } finally {
      handle.close();
    }
  }
  return newest;
}
