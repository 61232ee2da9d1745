/**
 * The synchronous file-system interface every layer above `os` uses for I/O.
 *
 * Layer: os (rank 1). Imports util only.
 *
 * Three implementations: `NodeFs` (real files, `fs.*Sync` on descriptors, `fdatasync`),
 * `MemFs` (in-memory; backs anonymous environments and keeps a durable image for tests) and
 * `FaultFs` (wraps a `MemFs`, fails the Nth write or sync with EIO/ENOSPC).
 *
 * Invariants:
 * 1. Every failure of the underlying system surfaces as `IoError` carrying the OS errno.
 * 2. `write` writes all bytes or throws; a short read returns the count actually read.
 * 3. After `sync()` returns, everything written to that handle survives a power cut.
 * 4. `writeFileAtomicVia` leaves either the old or the new whole file at `path`, never a mix.
 */

import * as nodePath from 'node:path';

/** How a file is opened. */
export type OpenMode =
  /** Existing file, reads only. */
  | 'read'
  /** Existing file, reads and writes. */
  | 'readwrite'
  /** Reads and writes; the file is created empty when missing. */
  | 'create';

/** An open file. Positions are absolute byte offsets. */
export interface FileHandle {
  /** The path the handle was opened with. */
  readonly path: string;
  /**
   * Reads up to `target.length` bytes at `position` into `target`.
   * @returns the count of bytes read: less than asked only at end of file.
   */
  read(target: Uint8Array, position: number): number;
  /** Writes all of `source` at `position`, growing the file if needed. */
  write(source: Uint8Array, position: number): void;
  /** Forces written data to stable storage (`fdatasync`). */
  sync(): void;
  /** The file's current size in bytes. */
  size(): number;
  /** Cuts or extends the file to `sizeBytes`. */
  truncate(sizeBytes: number): void;
  /** Releases the handle. Further calls throw. */
  close(): void;
}

/** A directory tree of files, accessed synchronously. */
export interface FileSystem {
  /** Opens `path`; 'read' and 'readwrite' throw `IoError` (ENOENT) if it does not exist. */
  open(path: string, mode: OpenMode): FileHandle;
  /** True when a file or directory exists at `path`. */
  exists(path: string): boolean;
  /** Deletes a file; a missing file is not an error. */
  remove(path: string): void;
  /** Atomically renames `source` to `target`, replacing `target`. */
  rename(source: string, target: string): void;
  /** Names (not paths) of the entries of a directory, sorted. */
  list(dir: string): string[];
  /** Creates a directory and its parents; an existing one is fine. */
  mkdir(dir: string): void;
  /** Reads a whole (small) file. */
  readFile(path: string): Uint8Array;
  /** Writes a whole (small) file through a temporary file and a rename, then syncs it. */
  writeFileAtomic(path: string, data: Uint8Array): void;
  /** Makes the directory's entries (creations, renames, removals) durable. */
  syncDir(dir: string): void;
  /**
   * Creates `path` holding `data` (synced, entry synced) only when nothing exists there.
   * The check and the creation are one atomic step, even against other processes where the
   * implementation touches shared storage.
   * @returns false, creating nothing, when `path` already exists.
   */
  createExclusive?(path: string, data: Uint8Array): boolean;
}

/**
 * Reads a whole file through `fs.open`, so every step goes through the given file system
 * (fault injection included).
 */
export function readFileVia(fs: FileSystem, path: string): Uint8Array {
  const handle = fs.open(path, 'read');
  let data: Uint8Array;
  try {
    const sizeBytes = handle.size();
    data = new Uint8Array(sizeBytes);
    let doneBytes = 0;
    while (doneBytes < sizeBytes) {
      const readBytes = handle.read(data.subarray(doneBytes), doneBytes);
      if (readBytes === 0) break;
      doneBytes += readBytes;
    }
    if (doneBytes < sizeBytes) data = data.slice(0, doneBytes);
  } catch (error) {
    closeAfterFailure(handle);
    throw error;
  }
  handle.close();
  return data;
}

/**
 * Writes `data` to `path + '.tmp'`, syncs it, renames it over `path` and syncs the parent
 * directory. A crash at any point leaves the old file or the new one, whole.
 */
export function writeFileAtomicVia(fs: FileSystem, path: string, data: Uint8Array): void {
  writeSyncedFile(fs, `${path}.tmp`, data);
  fs.rename(`${path}.tmp`, path);
  fs.syncDir(nodePath.dirname(path));
}

/**
 * Creates or overwrites `path` with exactly `data` and syncs it. The directory entry is not
 * synced: the caller renames the file or syncs the directory.
 */
export function writeSyncedFile(fs: FileSystem, path: string, data: Uint8Array): void {
  const handle = fs.open(path, 'create');
  try {
    handle.write(data, 0);
    handle.truncate(data.length);
    handle.sync();
  } catch (error) {
    closeAfterFailure(handle);
    throw error;
  }
  handle.close();
}

/** Closes a handle while another error is already propagating; that first error wins. */
export function closeAfterFailure(handle: FileHandle): void {
  try {
    handle.close();
  } catch {
    // The caller rethrows the error that made it give up on the handle; a second failure
    // from close() would only hide that cause.
  }
}
