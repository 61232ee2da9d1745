/**
 * `MemFs`: an in-memory `FileSystem` that also models what a power cut keeps.
 *
 * Layer: os (rank 1). Imports util only.
 *
 * Model. Paths are normalised with posix semantics against '/', so 'db/a' and '/db/./a' name
 * the same file. Each file is an inode-like node holding two images: the *live* image that
 * reads see, and the *durable* image that survives a power cut. Handles point at the node, so
 * a handle keeps working after its file is renamed or removed, as on POSIX. Each directory has
 * a live listing (implied by the paths of the live files) and a *durable listing* of
 * name -> node, replaced by the live listing on `syncDir(dir)`. `powerCut()` builds a new
 * MemFs from the durable listings, each name holding its node's durable image.
 *
 * Invariants:
 * 1. `FileHandle.sync()` makes the node's durable image equal to its live image, whatever
 *    name the node has now.
 * 2. Creations, renames and removals become durable only through `syncDir` of the parent
 *    directory: a file created (even written and synced) in a directory that was not synced
 *    afterwards is absent after `powerCut()`; a removed or renamed-away name reappears.
 * 3. Directories are durable as soon as they exist (created by `mkdir` or implied by a file
 *    path). This is a deliberate simplification: the engine creates its home directory
 *    before writing anything that needs to survive, and never renames directories.
 * 4. Bytes of an image past its size are zero, so extending a file reads zeros.
 * 5. `powerCut({ tearLastWrite: true })` adds to the durable image of one surviving file a
 *    prefix of the most recent write not yet synced, cut at a 512-byte sector boundary of
 *    the file (the empty and the complete prefix included), chosen by a PRNG seeded by
 *    `seed`, so the same seed always tears the same way.
 * 6. A closed handle rejects every call with `IoError` errno 'EBADF'; so do writes and
 *    truncations through a handle opened 'read'. A missing file opened 'read' or
 *    'readwrite' gives `IoError` errno 'ENOENT'.
 * 7. Only files can be renamed; renaming a directory throws `IoError` errno 'EISDIR'.
 */

import * as nodePath from 'node:path';
import { InvalidArgumentError, IoError } from '../util/index.js';
import {
  readFileVia,
  writeFileAtomicVia,
  type FileHandle,
  type FileSystem,
  type OpenMode,
} from './fs.js';

const posix = nodePath.posix;

/**
 * Sector size of the torn-write model. Disks write whole 512-byte sectors atomically (4 KiB
 * drives still emulate 512-byte logical sectors), so a torn write ends on such a boundary.
 */
const TORN_WRITE_SECTOR_BYTES = 512;

/** The smallest capacity allocated for a file image; growth then doubles. */
const IMAGE_CAPACITY_MIN_BYTES = 256;

/** Options of `MemFs.powerCut`. */
export interface PowerCutOptions {
  /** Apply a torn (sector-prefix) version of the latest unsynced write. Default false. */
  tearLastWrite?: boolean;
  /** Seed of the PRNG choosing where the write tears. Default 0. */
  seed?: number;
}

/** What `powerCut({ tearLastWrite: true })` applied, recorded on the MemFs it returns. */
export interface TornWrite {
  /** A path of the surviving file that received the torn prefix. */
  path: string;
  /** File offset of the original write. */
  position: number;
  /** Length of the original write. */
  lengthBytes: number;
  /** How many of its bytes reached the durable image (a multiple-of-sector boundary cut). */
  writtenBytes: number;
}

/** A growable byte array whose size is tracked apart from its capacity. */
class ByteImage {
  bytes: Uint8Array;
  size: number;

  constructor(bytes: Uint8Array = new Uint8Array(0), size = 0) {
    this.bytes = bytes;
    this.size = size;
  }

  /** Grows the capacity to at least `capacity`, doubling to amortise repeated appends. */
  reserve(capacity: number): void {
    if (capacity <= this.bytes.length) return;
    const grown = Math.max(capacity, this.bytes.length * 2, IMAGE_CAPACITY_MIN_BYTES);
    const bytes = new Uint8Array(grown);
    bytes.set(this.bytes.subarray(0, this.size));
    this.bytes = bytes;
  }

  read(target: Uint8Array, position: number): number {
    if (position >= this.size) return 0;
    const count = Math.min(target.length, this.size - position);
    target.set(this.bytes.subarray(position, position + count));
    return count;
  }

  write(source: Uint8Array, position: number): void {
    const end = position + source.length;
    this.reserve(end);
    this.bytes.set(source, position);
    if (end > this.size) this.size = end;
  }

  /** Cuts or extends to `sizeBytes`; cut bytes are zeroed (invariant 4). */
  resize(sizeBytes: number): void {
    if (sizeBytes < this.size) this.bytes.fill(0, sizeBytes, this.size);
    else this.reserve(sizeBytes);
    this.size = sizeBytes;
  }

  copy(): ByteImage {
    return new ByteImage(this.bytes.slice(0, this.size), this.size);
  }

  contents(): Uint8Array {
    return this.bytes.slice(0, this.size);
  }
}

/** The latest write to a node since its last sync. Its bytes are still in the live image. */
interface PendingWrite {
  position: number;
  lengthBytes: number;
  /** Global order of writes within one MemFs: the highest is the latest. */
  seq: number;
}

/** One file: its live and durable images and what changed since the last sync. */
class MemNode {
  /** The byte range written or truncated since the last sync (empty when start >= end). */
  private dirtyStart = Number.POSITIVE_INFINITY;
  private dirtyEnd = 0;
  pendingWrite: PendingWrite | undefined;

  constructor(
    readonly live: ByteImage = new ByteImage(),
    readonly durable: ByteImage = new ByteImage(),
  ) {}

  write(source: Uint8Array, position: number, seq: number): void {
    this.live.write(source, position);
    this.markDirty(position, position + source.length);
    if (source.length > 0) this.pendingWrite = { position, lengthBytes: source.length, seq };
  }

  truncate(sizeBytes: number): void {
    const oldSize = this.live.size;
    this.live.resize(sizeBytes);
    this.markDirty(Math.min(oldSize, sizeBytes), Math.max(oldSize, sizeBytes));
    // A truncation after the write makes that write no longer the file's last operation.
    this.pendingWrite = undefined;
  }

  /**
   * Copies live to durable. Only the dirty range is copied: bytes outside it are equal in
   * both images, since every write and truncation extends the range.
   */
  sync(): void {
    this.durable.resize(this.live.size);
    const end = Math.min(this.dirtyEnd, this.live.size);
    if (this.dirtyStart < end) {
      this.durable.bytes.set(this.live.bytes.subarray(this.dirtyStart, end), this.dirtyStart);
    }
    this.dirtyStart = Number.POSITIVE_INFINITY;
    this.dirtyEnd = 0;
    this.pendingWrite = undefined;
  }

  /** A node whose live and durable images are both this node's durable image. */
  afterPowerCut(): MemNode {
    return new MemNode(this.durable.copy(), this.durable.copy());
  }

  /** An exact copy, including unsynced state. */
  clone(): MemNode {
    const copy = new MemNode(this.live.copy(), this.durable.copy());
    copy.dirtyStart = this.dirtyStart;
    copy.dirtyEnd = this.dirtyEnd;
    copy.pendingWrite = this.pendingWrite === undefined ? undefined : { ...this.pendingWrite };
    return copy;
  }

  private markDirty(start: number, end: number): void {
    if (start >= end) return;
    if (start < this.dirtyStart) this.dirtyStart = start;
    if (end > this.dirtyEnd) this.dirtyEnd = end;
  }
}

/** What a handle needs from the MemFs that opened it. */
interface HandleHost {
  nextWriteSeq(): number;
  release(handle: MemHandle): void;
}

/** An open MemFs file. */
class MemHandle implements FileHandle {
  private closed = false;

  constructor(
    readonly path: string,
    private readonly node: MemNode,
    private readonly writable: boolean,
    private readonly host: HandleHost,
  ) {}

  read(target: Uint8Array, position: number): number {
    this.check('read', false);
    checkOffset(position, 'read position');
    return this.node.live.read(target, position);
  }

  write(source: Uint8Array, position: number): void {
    this.check('write', true);
    checkOffset(position, 'write position');
    this.node.write(source, position, this.host.nextWriteSeq());
  }

  sync(): void {
    this.check('fdatasync', false);
    this.node.sync();
  }

  size(): number {
    this.check('fstat', false);
    return this.node.live.size;
  }

  truncate(sizeBytes: number): void {
    this.check('ftruncate', true);
    checkOffset(sizeBytes, 'truncate size');
    this.node.truncate(sizeBytes);
  }

  close(): void {
    this.check('close', false);
    this.closed = true;
    this.host.release(this);
  }

  private check(operation: string, writing: boolean): void {
    if (this.closed) throw ioError(operation, this.path, 'EBADF', 'the handle is closed');
    if (writing && !this.writable) {
      throw ioError(operation, this.path, 'EBADF', 'the handle was opened read-only');
    }
  }
}

/** In-memory files with a durable image per file and a durable listing per directory. */
export class MemFs implements FileSystem {
  private readonly files = new Map<string, MemNode>();
  private readonly dirs = new Set<string>(['/']);
  private readonly durableListings = new Map<string, Map<string, MemNode>>();
  private readonly handles = new Set<MemHandle>();
  private writeSeq = 0;
  private readonly host: HandleHost = {
    nextWriteSeq: () => ++this.writeSeq,
    release: (handle) => this.handles.delete(handle),
  };

  /** Set on a MemFs returned by `powerCut({ tearLastWrite: true })` when a write tore. */
  tornWrite: TornWrite | undefined;

  open(path: string, mode: OpenMode): FileHandle {
    const key = normalise(path);
    if (this.dirs.has(key)) throw ioError(`open (${mode})`, path, 'EISDIR', 'is a directory');
    let node = this.files.get(key);
    if (node === undefined) {
      if (mode !== 'create') throw ioError(`open (${mode})`, path, 'ENOENT', 'no such file');
      this.checkParentsAreDirs(key, `open (${mode})`);
      node = new MemNode();
      this.files.set(key, node);
      this.addDirsAbove(key);
    }
    const handle = new MemHandle(path, node, mode !== 'read', this.host);
    this.handles.add(handle);
    return handle;
  }

  exists(path: string): boolean {
    const key = normalise(path);
    return this.files.has(key) || this.dirs.has(key);
  }

  remove(path: string): void {
    const key = normalise(path);
    if (this.dirs.has(key)) throw ioError('unlink', path, 'EISDIR', 'is a directory');
    this.files.delete(key);
  }

  rename(source: string, target: string): void {
    const sourceKey = normalise(source);
    const targetKey = normalise(target);
    const what = `${source}' to '${target}`;
    if (this.dirs.has(sourceKey)) {
      throw ioError('rename', what, 'EISDIR', 'MemFs renames files only');
    }
    const node = this.files.get(sourceKey);
    if (node === undefined) throw ioError('rename', what, 'ENOENT', 'no such file');
    if (this.dirs.has(targetKey)) throw ioError('rename', what, 'EISDIR', 'target is a dir');
    this.checkParentsAreDirs(targetKey, 'rename');
    if (sourceKey === targetKey) return;
    this.files.delete(sourceKey);
    this.files.set(targetKey, node);
    this.addDirsAbove(targetKey);
  }

  list(dir: string): string[] {
    const key = this.existingDir(dir, 'readdir');
    const names = new Set<string>();
    for (const path of this.files.keys()) {
      if (posix.dirname(path) === key) names.add(posix.basename(path));
    }
    for (const path of this.dirs) {
      if (path !== key && posix.dirname(path) === key) names.add(posix.basename(path));
    }
    return [...names].sort();
  }

  mkdir(dir: string): void {
    const key = normalise(dir);
    if (this.files.has(key)) throw ioError('mkdir', dir, 'EEXIST', 'a file exists there');
    this.checkParentsAreDirs(key, 'mkdir');
    this.dirs.add(key);
    this.addDirsAbove(key);
  }

  readFile(path: string): Uint8Array {
    return readFileVia(this, path);
  }

  writeFileAtomic(path: string, data: Uint8Array): void {
    writeFileAtomicVia(this, path, data);
  }

  syncDir(dir: string): void {
    const key = this.existingDir(dir, 'fsync directory');
    const listing = new Map<string, MemNode>();
    for (const [path, node] of this.files) {
      if (posix.dirname(path) === key) listing.set(posix.basename(path), node);
    }
    this.durableListings.set(key, listing);
  }

  createExclusive(path: string, data: Uint8Array): boolean {
    const key = normalise(path);
    if (this.files.has(key) || this.dirs.has(key)) return false;
    this.checkParentsAreDirs(key, 'open (exclusive)');
    const node = new MemNode();
    node.write(data, 0, this.host.nextWriteSeq());
    node.sync();
    this.files.set(key, node);
    this.addDirsAbove(key);
    this.syncDir(posix.dirname(key));
    return true;
  }

  /**
   * The file system a power cut would leave: every durable name with its node's durable
   * image (invariants 1-3), plus a torn write when asked (invariant 5). This MemFs is left
   * unchanged and stays usable.
   */
  powerCut(options: PowerCutOptions = {}): MemFs {
    const torn = options.tearLastWrite === true ? this.latestPendingWrite() : undefined;
    const result = new MemFs();
    const copies = new Map<MemNode, MemNode>();
    for (const dir of this.dirs) result.dirs.add(dir);
    for (const [dir, listing] of this.durableListings) {
      const copyListing = new Map<string, MemNode>();
      for (const [name, node] of listing) {
        let copy = copies.get(node);
        if (copy === undefined) {
          copy = node.afterPowerCut();
          copies.set(node, copy);
          if (node === torn?.node) {
            result.tornWrite = tear(node, copy, posix.join(dir, name), options.seed ?? 0);
          }
        }
        copyListing.set(name, copy);
        result.files.set(posix.join(dir, name), copy);
      }
      result.durableListings.set(dir, copyListing);
    }
    return result;
  }

  /** An exact, independent copy of this MemFs (live and durable state); no open handles. */
  clone(): MemFs {
    const result = new MemFs();
    const copies = new Map<MemNode, MemNode>();
    const copyOf = (node: MemNode): MemNode => {
      let copy = copies.get(node);
      if (copy === undefined) copies.set(node, (copy = node.clone()));
      return copy;
    };
    for (const dir of this.dirs) result.dirs.add(dir);
    for (const [path, node] of this.files) result.files.set(path, copyOf(node));
    for (const [dir, listing] of this.durableListings) {
      const copyListing = new Map<string, MemNode>();
      for (const [name, node] of listing) copyListing.set(name, copyOf(node));
      result.durableListings.set(dir, copyListing);
    }
    result.writeSeq = this.writeSeq;
    return result;
  }

  /** Live contents of every file, keyed by normalised path. */
  snapshot(): Map<string, Uint8Array> {
    const result = new Map<string, Uint8Array>();
    for (const path of this.fileNames()) result.set(path, this.files.get(path)!.live.contents());
    return result;
  }

  /** Normalised paths of every live file, sorted. */
  fileNames(): string[] {
    return [...this.files.keys()].sort();
  }

  /** A copy of the live contents of the file at `path`, or undefined when there is none. */
  liveBytes(path: string): Uint8Array | undefined {
    return this.files.get(normalise(path))?.live.contents();
  }

  /**
   * A copy of the synced contents of the file now at `path` (whether or not its name is
   * durable yet), or undefined when there is no file there.
   */
  durableBytes(path: string): Uint8Array | undefined {
    return this.files.get(normalise(path))?.durable.contents();
  }

  /** How many handles are open; a test can check that nothing leaked. */
  openHandleCount(): number {
    return this.handles.size;
  }

  /** The latest unsynced write among files that survive a power cut. */
  private latestPendingWrite(): { node: MemNode; write: PendingWrite } | undefined {
    let latest: { node: MemNode; write: PendingWrite } | undefined;
    for (const listing of this.durableListings.values()) {
      for (const node of listing.values()) {
        const write = node.pendingWrite;
        if (write !== undefined && (latest === undefined || write.seq > latest.write.seq)) {
          latest = { node, write };
        }
      }
    }
    return latest;
  }

  /** The normalised path of an existing directory, or `IoError` ENOENT/ENOTDIR. */
  private existingDir(dir: string, operation: string): string {
    const key = normalise(dir);
    if (this.files.has(key)) throw ioError(operation, dir, 'ENOTDIR', 'is a file');
    if (!this.dirs.has(key)) throw ioError(operation, dir, 'ENOENT', 'no such directory');
    return key;
  }

  /** Throws `IoError` ENOTDIR when a parent of `key` is a file. */
  private checkParentsAreDirs(key: string, operation: string): void {
    for (let dir = posix.dirname(key); dir !== '/'; dir = posix.dirname(dir)) {
      if (this.files.has(dir)) throw ioError(operation, key, 'ENOTDIR', `${dir} is a file`);
    }
  }

  /** Records every parent directory of `key` as existing (directories are implied). */
  private addDirsAbove(key: string): void {
    for (let dir = posix.dirname(key); !this.dirs.has(dir); dir = posix.dirname(dir)) {
      this.dirs.add(dir);
    }
  }
}

/** Applies a seeded sector-prefix of `node`'s pending write to `copy` (invariant 5). */
function tear(node: MemNode, copy: MemNode, path: string, seed: number): TornWrite {
  const write = node.pendingWrite!;
  const end = write.position + write.lengthBytes;
  const firstInner = (Math.floor(write.position / TORN_WRITE_SECTOR_BYTES) + 1)
    * TORN_WRITE_SECTOR_BYTES;
  const innerCount = firstInner < end
    ? Math.floor((end - 1 - firstInner) / TORN_WRITE_SECTOR_BYTES) + 1
    : 0;
  // Cut points: the write's start, each sector boundary inside it, and its end.
  const choice = Math.floor(seededRandom(seed) * (innerCount + 2));
  let cut: number;
  if (choice === 0) cut = write.position;
  else if (choice > innerCount) cut = end;
  else cut = firstInner + (choice - 1) * TORN_WRITE_SECTOR_BYTES;
  if (cut > write.position) {
    const prefix = node.live.bytes.subarray(write.position, cut);
    copy.live.write(prefix, write.position);
    copy.durable.write(prefix, write.position);
  }
  return {
    path,
    position: write.position,
    lengthBytes: write.lengthBytes,
    writtenBytes: cut - write.position,
  };
}

/** The first output of mulberry32 seeded with `seed`, in [0, 1). */
function seededRandom(seed: number): number {
  let state = (seed | 0) + 0x6d2b79f5;
  state = Math.imul(state ^ (state >>> 15), state | 1);
  state ^= state + Math.imul(state ^ (state >>> 7), state | 61);
  return ((state ^ (state >>> 14)) >>> 0) / 4294967296;
}

/** `path` resolved against '/' with posix rules. */
function normalise(path: string): string {
  if (path.length === 0) throw new InvalidArgumentError('a MemFs path must not be empty');
  return posix.resolve('/', path);
}

/** Rejects offsets that are not non-negative integers. */
function checkOffset(offset: number, what: string): void {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new InvalidArgumentError(`${what} must be a non-negative integer, got ${offset}`);
  }
}

/** An `IoError` in the same shape as `NodeFs` reports them. */
function ioError(operation: string, path: string, errno: string, detail: string): IoError {
  return new IoError(`${operation} '${path}' failed (${errno}): ${detail}`, errno);
}
