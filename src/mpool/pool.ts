/**
 * The page cache: a byte budget shared by every open database file, clock eviction of
 * unpinned frames, dirty write-back that obeys the write-ahead rule.
 *
 * Layer: mpool (rank 3). Imports util, os, page. It never imports the log: the environment
 * passes `flushLogTo(lsn)`, and a dirty page is written only after that call returned.
 *
 * Invariants:
 * 1. Resident bytes exceed the budget only while every resident frame is pinned.
 * 2. A page is read from disk only through `readPage`, which verifies pgno and checksum
 *    (an unformatted page, see `isUnformatted`, has no pgno to check).
 * 3. A page is written only through `writeFrame`, which flushes the log to the page's LSN,
 *    seals the checksum and clears `dirty`.
 * 4. Each (file, pgno) has at most one resident frame.
 */
import {
  type Lsn, type Pgno, AssertionError, CorruptionError, InvalidArgumentError, ZERO_LSN, assert,
} from '../util/index.js';
import type { FileHandle } from '../os/index.js';
import {
  PageType, getLsn, getPgno, getType, pageChecksumOk, sealPage,
} from '../page/index.js';
import { Frame, type FrameMemory, derivedWords } from './frame.js';
import { type MPoolStats, emptyStats } from './stats.js';
import { MPoolFile } from './pool-file.js';

/** Options of a page cache. */
export interface MPoolOptions {
  /**
   * Budget in bytes for frames. At least a few pages. A frame costs its page size and an
   * eighth more (its derived area).
   */
  cacheSizeBytes: number;
  /** Makes the log durable up to `lsn` (write-ahead rule). A no-op without a log. */
  flushLogTo?: (lsn: Lsn) => void;
}

/**
 * Smallest budget accepted. An operation pins at most a handful of pages at once; when all
 * resident frames are pinned the cache grows past its budget rather than fail.
 */
export const CACHE_SIZE_MIN_BYTES = 4096;

/** Pages cut from one slab at most: 64 pages keep a slab small next to any cache. */
const SLAB_PAGES_MAX = 64;

/**
 * True for a page that was never formatted: all zeros, or a page whose allocation was
 * undone, which has a zero header again (type INVALID, page number 0) but keeps the LSN of
 * the compensation record and whatever bytes its transaction had put in its body. Such a
 * page has no identity of its own yet, and its body means nothing.
 */
function isUnformatted(frame: Frame): boolean {
  return getType(frame) === PageType.INVALID && getPgno(frame) === 0;
}

/** A slab frames are cut from: page bytes and derived areas, alternating. */
interface Slab {
  readonly buffer: ArrayBuffer;
  readonly words: Uint32Array;
  used: number;
}

/** Bytes of the cache budget a frame of `pageSize` costs: its page and its derived area. */
function frameBytes(pageSize: number): number {
  return pageSize + derivedWords(pageSize) * 4;
}

export class MPool {
  readonly cacheSizeBytes: number;
  flushLogTo: (lsn: Lsn) => void;
  private readonly clock: (Frame | undefined)[] = [];
  private freeSlots: number[] = [];
  private hand = 0;
  private nextFileId = 1;
  private readonly files = new Set<MPoolFile>();
  private readonly spare = new Map<number, FrameMemory[]>();
  private readonly slabs = new Map<number, Slab>();
  /** Counters; read through `stat()`. */
  readonly counters: MPoolStats;

  constructor(options: MPoolOptions) {
    const size = options.cacheSizeBytes;
    if (!Number.isSafeInteger(size) || size < CACHE_SIZE_MIN_BYTES) {
      throw new InvalidArgumentError(
        `cacheSize must be an integer of at least ${CACHE_SIZE_MIN_BYTES} bytes, got ${size}`,
      );
    }
    this.cacheSizeBytes = size;
    this.flushLogTo = options.flushLogTo ?? (() => {});
    this.counters = emptyStats(size);
  }

  /** Registers an open file with the cache. `name` appears in corruption errors. */
  /**
   * Adds a file to the cache. With `readsPastEnd` (recovery's files) a page past the end of
   * the file reads as zeros, for redo to rebuild; otherwise such a read is corruption.
   */
  openFile(
    handle: FileHandle, pageSize: number, name: string, readsPastEnd = false,
  ): MPoolFile {
    const id = this.nextFileId++;
    const file = new MPoolFile(this, handle, pageSize, name, id, readsPastEnd);
    this.files.add(file);
    return file;
  }

  /**
   * Forgets the frames of `file` from page `pages` on, dirty or not (they lie past the file's
   * new end: `MPoolFile.truncate`); none may be pinned.
   */
  dropFramesFrom(file: MPoolFile, pages: number): void {
    for (const frame of [...file.frames.values()]) {
      if (frame.pgno < pages) continue;
      assert(frame.pins === 0, `${file.name}:${frame.pgno} is pinned past the new end`);
      file.frames.delete(frame.pgno);
      this.dropFrame(frame);
    }
  }

  /** Forgets a file: its frames must be clean and unpinned (the file flushes first). */
  detachFile(file: MPoolFile): void {
    for (const frame of file.frames.values()) this.dropFrame(frame);
    file.frames.clear();
    this.files.delete(file);
  }

  /** Current statistics. */
  stat(): MPoolStats {
    let pinned = 0;
    let dirty = 0;
    for (const f of this.clock) {
      if (!f) continue;
      if (f.pins > 0) pinned++;
      if (f.dirty) dirty++;
    }
    return { ...this.counters, pagesPinned: pinned, pagesDirty: dirty };
  }

  /** Writes every dirty page of every file (a checkpoint's first half). */
  flushAll(): void {
    for (const file of this.files) file.flush();
  }

  /** Gets a resident frame or reads/creates one. The frame comes back pinned. */
  fetch(file: MPoolFile, pgno: Pgno, create: boolean): Frame {
    this.counters.requests++;
    const hit = file.frames.get(pgno);
    if (hit) {
      this.counters.hits++;
      hit.pins++;
      hit.referenced = true;
      return hit;
    }
    this.counters.misses++;
    const frame = this.newFrame(file, pgno);
    try {
      if (create) frame.data.fill(0);
      else this.readPage(file, frame);
    } catch (e) {
      this.dropFrame(frame);
      if (e instanceof CorruptionError) file.damageSeen = true;
      throw e;
    }
    file.frames.set(pgno, frame);
    return frame;
  }

  /** Writes a dirty frame now (eviction, checkpoint, close). */
  writeFrame(file: MPoolFile, frame: Frame): void {
    assert(frame.dirty, 'writeFrame on a clean frame');
    const lsn = getLsn(frame);
    if (lsn !== ZERO_LSN) this.flushLogTo(lsn);
    sealPage(frame);
    file.handle.write(frame.data, frame.pgno * file.pageSize);
    frame.dirty = false;
    this.counters.writes++;
  }

  /** Throws unless the cache's bookkeeping is consistent. */
  checkInvariants(): void {
    let bytes = 0;
    let resident = 0;
    for (let i = 0; i < this.clock.length; i++) {
      const f = this.clock[i];
      if (!f) continue;
      resident++;
      bytes += frameBytes(f.data.length);
      if (f.slot !== i) throw new AssertionError(`frame slot ${f.slot} at clock position ${i}`);
      if (f.pins < 0) throw new AssertionError(`frame ${f.owner.name}:${f.pgno} pins < 0`);
      const file = [...this.files].find((x) => x === f.owner);
      if (!file || file.frames.get(f.pgno) !== f) {
        throw new AssertionError(`frame ${f.owner.name}:${f.pgno} not indexed by its file`);
      }
    }
    if (bytes !== this.counters.bytesResident || resident !== this.counters.pagesResident) {
      throw new AssertionError(`resident accounting: ${bytes}/${this.counters.bytesResident}`);
    }
  }

  private readPage(file: MPoolFile, frame: Frame): void {
    const position = frame.pgno * file.pageSize;
    const got = file.handle.read(frame.data, position);
    this.counters.reads++;
    if (got < frame.data.length) {
      frame.data.fill(0, got);
      if (got === 0 && !file.readsPastEnd) {
        throw new CorruptionError(
          `${file.name}: page ${frame.pgno} lies past the end of the file ` +
            `(${file.pagesOnDisk()} pages): the file was cut short; restore it from a backup`,
          { file: file.name, pgno: frame.pgno },
        );
      }
      if (got !== 0) {
        throw new CorruptionError(
          `${file.name}: page ${frame.pgno} is truncated (${got} of ${file.pageSize} bytes); ` +
            'the file was cut short, restore it from a backup or run recovery',
          { file: file.name, pgno: frame.pgno },
        );
      }
      return;
    }
    if (!pageChecksumOk(frame)) {
      throw new CorruptionError(
        `${file.name}: page ${frame.pgno} failed its checksum; the file is damaged ` +
          '(run verify, then restore from a backup or dump/load what is readable)',
        { file: file.name, pgno: frame.pgno },
      );
    }
    if (getPgno(frame) !== frame.pgno && !isUnformatted(frame)) {
      throw new CorruptionError(
        `${file.name}: page ${frame.pgno} claims to be page ${getPgno(frame)}`,
        { file: file.name, pgno: frame.pgno },
      );
    }
  }

  private newFrame(file: MPoolFile, pgno: Pgno): Frame {
    const bytes = frameBytes(file.pageSize);
    while (this.counters.bytesResident + bytes > this.cacheSizeBytes) {
      if (!this.evictOne()) break;
    }
    const pool = this.spare.get(file.pageSize);
    const memory = pool?.pop() ?? this.carveFrame(file.pageSize);
    const frame = new Frame(memory, file, pgno);
    frame.pins = 1;
    const slot = this.freeSlots.pop() ?? this.clock.length;
    this.clock[slot] = frame;
    frame.slot = slot;
    this.counters.bytesResident += bytes;
    this.counters.pagesResident++;
    return frame;
  }

  /**
   * Fresh zeroed memory for a frame, cut from a shared slab: one `ArrayBuffer` per page costs
   * microseconds (allocation, zeroing, external-memory accounting); a view costs nanoseconds.
   */
  private carveFrame(pageSize: number): FrameMemory {
    const bytes = frameBytes(pageSize);
    let slab = this.slabs.get(pageSize);
    if (!slab || slab.used + bytes > slab.buffer.byteLength) {
      const fit = Math.floor(this.cacheSizeBytes / bytes);
      const frames = Math.max(1, Math.min(SLAB_PAGES_MAX, fit));
      const buffer = new ArrayBuffer(frames * bytes);
      slab = { buffer, words: new Uint32Array(buffer), used: 0 };
      this.slabs.set(pageSize, slab);
    }
    const data = new Uint8Array(slab.buffer, slab.used, pageSize);
    const memory = { data, words: slab.words, at: (slab.used + pageSize) >>> 2 };
    slab.used += bytes;
    return memory;
  }

  /** Evicts one unpinned frame by the clock policy. False when every frame is pinned. */
  private evictOne(): boolean {
    const n = this.clock.length;
    for (let step = 0; step < 2 * n + 1; step++) {
      if (this.hand >= n) this.hand = 0;
      const f = this.clock[this.hand++];
      if (!f || f.pins > 0) continue;
      if (f.referenced) {
        f.referenced = false;
        continue;
      }
      const file = f.owner as MPoolFile;
      if (f.dirty) {
        this.writeFrame(file, f);
        this.counters.dirtyEvictions++;
      }
      file.frames.delete(f.pgno);
      this.dropFrame(f);
      this.counters.evictions++;
      return true;
    }
    return false;
  }

  private dropFrame(f: Frame): void {
    if (f.slot < 0) return;
    this.clock[f.slot] = undefined;
    this.freeSlots.push(f.slot);
    f.slot = -1;
    this.counters.bytesResident -= frameBytes(f.data.length);
    this.counters.pagesResident--;
    let pool = this.spare.get(f.data.length);
    if (!pool) this.spare.set(f.data.length, (pool = []));
    if (pool.length < 64) pool.push(f.memory);
  }
}
