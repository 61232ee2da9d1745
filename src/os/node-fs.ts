/**
 * `NodeFs`: the `FileSystem` over real files, using synchronous `node:fs` calls on descriptors.
 *
 * Layer: os (rank 1). Imports util only.
 *
 * Invariants:
 * 1. Every error from `node:fs` leaves this file as `IoError`; its message names the
 *    operation and the path, its `errno` is the Node code ('ENOENT', 'EIO', 'ENOSPC'...) and
 *    its `cause` is the original error.
 * 2. `write` loops until every byte is written; `read` loops until the target is full or the
 *    end of file is reached, so a short read means end of file.
 * 3. `sync` is `fdatasync`: file data and the metadata needed to read it back (its size).
 * 4. A closed handle rejects every call with `IoError` errno 'EBADF' and never touches a
 *    descriptor number that may since have been reused.
 * 5. `syncDir` fsyncs the directory; platforms that refuse to open or fsync a directory
 *    (EISDIR, EINVAL, EPERM) are tolerated, since they give no stronger guarantee anyway.
 * 6. `mkdir` creates each missing ancestor with its own call and always returns: a directory
 *    that refuses new entries (`/proc`) is an `IoError` naming it, never a hang.
 * 7. `createExclusive` publishes a complete, synced temporary file with `link`, which fails
 *    atomically when the target exists; file systems without hard links fall back to an
 *    `O_EXCL` create. The temporary name holds the pid, the thread id and a per-thread
 *    counter, so no two calls of any threads or processes share one.
 */

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { threadId } from 'node:worker_threads';
import { assertNever, InvalidArgumentError, IoError } from '../util/index.js';
import {
  closeAfterFailure,
  readFileVia,
  writeFileAtomicVia,
  writeSyncedFile,
  type FileHandle,
  type FileSystem,
  type OpenMode,
} from './fs.js';

/**
 * Converts anything thrown by `node:fs` into `IoError`. `subject` names what was operated on,
 * already quoted (see `quoted`).
 */
export function toIoError(error: unknown, operation: string, subject: string): IoError {
  if (error instanceof IoError) return error;
  const code = errorCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  const message = `${operation} ${subject} failed (${code ?? 'no errno'}): ${detail}`;
  return new IoError(message, code, { cause: error });
}

/** A path quoted for an error message. */
function quoted(path: string): string {
  return `'${path}'`;
}

/** The `code` property of a Node system error ('ENOENT'...), if any. */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Runs `action` on `path`, converting any failure into `IoError`. */
function attempt<T>(operation: string, path: string, action: () => T): T {
  try {
    return action();
  } catch (error) {
    throw toIoError(error, operation, quoted(path));
  }
}

/** Rejects offsets `node:fs` would misread (negative means "current position" there). */
function checkPosition(position: number, what: string): void {
  if (!Number.isSafeInteger(position) || position < 0) {
    throw new InvalidArgumentError(`${what} must be a non-negative integer, got ${position}`);
  }
}

/**
 * The directories to create, outermost first, for `dir` to exist. Each is then made on its
 * own: Node's `mkdirSync(dir, { recursive: true })` never returns where a directory refuses
 * new entries with ENOENT (it retries the parent forever: `/proc/x` on Linux).
 */
function missingDirectories(dir: string): string[] {
  const missing: string[] = [];
  for (let path = nodePath.resolve(dir); !fs.existsSync(path);) {
    missing.push(path);
    const parent = nodePath.dirname(path);
    if (parent === path) break;
    path = parent;
  }
  return missing.reverse();
}

function isDirectory(path: string): boolean {
  try {
    return fs.statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Open flags per mode. 'create' never truncates an existing file. */
function openFlags(mode: OpenMode): number {
  const { O_RDONLY, O_RDWR, O_CREAT } = fs.constants;
  switch (mode) {
    case 'read':
      return O_RDONLY;
    case 'readwrite':
      return O_RDWR;
    case 'create':
      return O_RDWR | O_CREAT;
    default:
      return assertNever(mode, 'open mode');
  }
}

/** Codes with which a platform refuses to open or fsync a directory. */
const DIR_SYNC_REFUSALS = new Set(['EISDIR', 'EINVAL', 'EPERM']);

/** Codes with which `link` says the file system has no hard links (not "target exists"). */
const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/** A real open file. */
class NodeFileHandle implements FileHandle {
  private fd: number | undefined;

  constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  read(target: Uint8Array, position: number): number {
    const fd = this.live('read');
    checkPosition(position, 'read position');
    let doneBytes = 0;
    while (doneBytes < target.length) {
      const readBytes = attempt('read', this.path, () =>
        fs.readSync(fd, target, doneBytes, target.length - doneBytes, position + doneBytes),
      );
      if (readBytes === 0) break;
      doneBytes += readBytes;
    }
    return doneBytes;
  }

  write(source: Uint8Array, position: number): void {
    const fd = this.live('write');
    checkPosition(position, 'write position');
    let doneBytes = 0;
    while (doneBytes < source.length) {
      doneBytes += attempt('write', this.path, () =>
        fs.writeSync(fd, source, doneBytes, source.length - doneBytes, position + doneBytes),
      );
    }
  }

  sync(): void {
    const fd = this.live('fdatasync');
    attempt('fdatasync', this.path, () => fs.fdatasyncSync(fd));
  }

  size(): number {
    const fd = this.live('fstat');
    return attempt('fstat', this.path, () => fs.fstatSync(fd).size);
  }

  truncate(sizeBytes: number): void {
    const fd = this.live('ftruncate');
    checkPosition(sizeBytes, 'truncate size');
    attempt('ftruncate', this.path, () => fs.ftruncateSync(fd, sizeBytes));
  }

  close(): void {
    const fd = this.live('close');
    this.fd = undefined;
    attempt('close', this.path, () => fs.closeSync(fd));
  }

  /** The descriptor, or `IoError` EBADF once the handle is closed. */
  private live(operation: string): number {
    if (this.fd === undefined) {
      const message = `${operation} ${quoted(this.path)} failed (EBADF): the handle is closed`;
      throw new IoError(message, 'EBADF');
    }
    return this.fd;
  }
}

/** Real files through `node:fs`. Stateless: one shared instance (`nodeFs`) serves everyone. */
export class NodeFs implements FileSystem {
  open(path: string, mode: OpenMode): FileHandle {
    const fd = attempt(`open (${mode})`, path, () => fs.openSync(path, openFlags(mode), 0o644));
    return new NodeFileHandle(path, fd);
  }

  exists(path: string): boolean {
    return fs.existsSync(path);
  }

  remove(path: string): void {
    try {
      fs.unlinkSync(path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return;
      throw toIoError(error, 'unlink', quoted(path));
    }
  }

  rename(source: string, target: string): void {
    try {
      fs.renameSync(source, target);
    } catch (error) {
      throw toIoError(error, 'rename', `${quoted(source)} to ${quoted(target)}`);
    }
  }

  list(dir: string): string[] {
    return attempt('readdir', dir, () => fs.readdirSync(dir)).sort();
  }

  mkdir(dir: string): void {
    const missing = missingDirectories(dir);
    if (missing.length === 0) {
      if (!isDirectory(dir)) {
        throw new IoError(`mkdir ${quoted(dir)} failed (EEXIST): a file exists there`, 'EEXIST');
      }
      return;
    }
    for (const path of missing) {
      try {
        fs.mkdirSync(path);
      } catch (error) {
        if (errorCode(error) === 'EEXIST' && isDirectory(path)) continue;
        const subject = path === missing.at(-1)
          ? quoted(dir)
          : `${quoted(path)} (for ${quoted(dir)})`;
        throw toIoError(error, 'mkdir', subject);
      }
    }
  }

  readFile(path: string): Uint8Array {
    return readFileVia(this, path);
  }

  writeFileAtomic(path: string, data: Uint8Array): void {
    writeFileAtomicVia(this, path, data);
  }

  syncDir(dir: string): void {
    let fd: number;
    try {
      fd = fs.openSync(dir, fs.constants.O_RDONLY);
    } catch (error) {
      if (DIR_SYNC_REFUSALS.has(errorCode(error) ?? '')) return;
      throw toIoError(error, 'open directory', quoted(dir));
    }
    let failure: IoError | undefined;
    try {
      fs.fsyncSync(fd);
    } catch (error) {
      if (!DIR_SYNC_REFUSALS.has(errorCode(error) ?? '')) {
        failure = toIoError(error, 'fsync directory', quoted(dir));
      }
    }
    try {
      fs.closeSync(fd);
    } catch (error) {
      failure ??= toIoError(error, 'close directory', quoted(dir));
    }
    if (failure !== undefined) throw failure;
  }

  createExclusive(path: string, data: Uint8Array): boolean {
    // The thread id keeps apart worker threads of one process: each has its own counter.
    const temp = `${path}.${process.pid}-${threadId}.${nextTempId++}.excl`;
    let created: boolean;
    try {
      writeSyncedFile(this, temp, data);
      created = this.linkExclusive(temp, path, data);
    } catch (error) {
      unlinkQuietly(temp);
      throw error;
    }
    this.remove(temp);
    if (created) this.syncDir(nodePath.dirname(path));
    return created;
  }

  /** Hard-links `temp` as `path`; false when `path` exists. */
  private linkExclusive(temp: string, path: string, data: Uint8Array): boolean {
    try {
      fs.linkSync(temp, path);
      return true;
    } catch (error) {
      const code = errorCode(error);
      if (code === 'EEXIST') return false;
      if (!LINK_UNSUPPORTED.has(code ?? '')) throw toIoError(error, 'link', quoted(path));
    }
    return this.openExclusive(path, data);
  }

  /** `O_EXCL` create for file systems without hard links; false when `path` exists. */
  private openExclusive(path: string, data: Uint8Array): boolean {
    const flags = fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL;
    let fd: number;
    try {
      fd = fs.openSync(path, flags, 0o644);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return false;
      throw toIoError(error, 'open (exclusive)', quoted(path));
    }
    const handle = new NodeFileHandle(path, fd);
    try {
      handle.write(data, 0);
      handle.sync();
    } catch (error) {
      closeAfterFailure(handle);
      unlinkQuietly(path);
      throw error;
    }
    handle.close();
    return true;
  }
}

/** Removes a leftover file while another error propagates; that error is the one to report. */
function unlinkQuietly(path: string): void {
  try {
    fs.unlinkSync(path);
  } catch {
    // A leftover that also resists removal is harmless: temporary names are never read, and
    // a half-written published file reads back as unparseable.
  }
}

/** Distinguishes temporary files of `createExclusive` calls in one thread. */
let nextTempId = 0;

/** The shared `NodeFs` instance. */
export const nodeFs: NodeFs = new NodeFs();
