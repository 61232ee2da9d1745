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
 */

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
}
