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
 *    whole number of pages, each failure a typed error naming the file.
 * 3. Recovery cuts a partial last page off instead. Only a crash while the file grew leaves
 *    one (a torn append: pages are written whole and files only grow by appending), and
 *    such a page was allocated after the last checkpoint, so redo rebuilds it from the log.
 */
import * as nodePath from 'node:path';
import { CorruptionError, InvalidArgumentError, describeValue } from '../util/index.js';
import type { FileHandle, FileSystem } from '../os/index.js';
import { MPool } from '../mpool/index.js';
import { type AmFile, directChanges, sniffMeta } from '../am/common/index.js';
import { Btree, type Comparator } from '../am/btree/index.js';

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

/** True when a database file with content exists at `path`. */
export function databaseExists(fs: FileSystem, path: string): boolean {
  if (!fs.exists(path)) return false;
  const handle = fs.open(path, 'read');
  try {
    return handle.size() > 0;
  } finally {
    handle.close();
  }
}

/** Creates an empty btree database file at `path`, atomically. */
export function createDatabaseFile(
  fs: FileSystem, path: string, pageSize: number, comparator: Comparator | undefined,
): void {
  const temporary = `${path}.creating`;
  fs.remove(temporary);
  const handle = fs.open(temporary, 'create');
  const pool = new MPool({ cacheSizeBytes: Math.max(4096, 4 * pageSize) });
  const mp = pool.openFile(handle, pageSize, temporary);
  const file: AmFile = { mp, pageSize, name: temporary, changes: directChanges };
  try {
    Btree.create(file, comparator);
  } finally {
    mp.close();
  }
  fs.rename(temporary, path);
  fs.syncDir(nodePath.dirname(path));
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
