/**
 * One database file as the page cache sees it: a handle, a page size and its resident frames.
 *
 * Layer: mpool (rank 3).
 *
 * Invariants:
 * 1. Every frame handed out by `get` is pinned and must be given back with `release`.
 * 2. `close` writes every dirty page before the file leaves the cache.
 * 3. Reading a page that is not resident and lies past the end of the file is corruption,
 *    except for recovery's files (`readsPastEnd`), whose redo rebuilds such pages.
 */
import { type Pgno, AssertionError } from '../util/index.js';
import type { FileHandle } from '../os/index.js';
import type { Frame, FrameOwner } from './frame.js';
import { FrameIndex } from './frame-index.js';
import type { MPool } from './pool.js';

export class MPoolFile implements FrameOwner {
  readonly frames = new FrameIndex();
  private closed = false;
  /**
   * Set when a read of this file met damage (`CorruptionError`: a bad checksum, a page past
   * the end, a page of the wrong kind where the access method expected another). Checks that
   * look for bugs of this process (the `STOWAGE_VERIFY` tier) leave such a file to those
   * reports.
   */
  damageSeen = false;

  constructor(
    readonly pool: MPool,
    readonly handle: FileHandle,
    readonly pageSize: number,
    readonly name: string,
    readonly id: number,
    /** A page past the end reads as zeros (recovery's files); otherwise it is corruption. */
    readonly readsPastEnd = false,
  ) {}

  /** The page, pinned. Reads it from the file unless resident. */
  get(pgno: Pgno): Frame {
    if (this.closed) throw new AssertionError(`${this.name} is closed`);
    return this.pool.fetch(this, pgno, false);
  }

  /** A zero-filled frame for a page that does not exist on disk yet, pinned and dirty. */
  create(pgno: Pgno): Frame {
    if (this.closed) throw new AssertionError(`${this.name} is closed`);
    const frame = this.pool.fetch(this, pgno, true);
    frame.dirty = true;
    frame.changed();
    return frame;
  }

  /** Gives a pinned frame back. */
  release(frame: Frame): void {
    frame.pins--;
    if (frame.pins < 0) throw new AssertionError(`${this.name}:${frame.pgno} released twice`);
  }

  /** Marks a pinned frame as changed. Call before every change of its bytes. */
  markDirty(frame: Frame): void {
    frame.dirty = true;
    frame.changed();
  }

  /** Pages in the file on disk. */
  pagesOnDisk(): number {
    return Math.floor(this.handle.size() / this.pageSize);
  }

  /**
   * Cuts the file to its first `pages` pages, on disk (synced) and in the cache: the pages
   * past the end are forgotten unwritten. The caller has made sure nothing needs them: no
   * page refers to them and recovery never reads them (compaction checkpoints first).
   */
  truncate(pages: number): void {
    if (this.closed) throw new AssertionError(`${this.name} is closed`);
    this.pool.dropFramesFrom(this, pages);
    if (this.pagesOnDisk() > pages) {
      this.handle.truncate(pages * this.pageSize);
      this.handle.sync();
    }
  }

  /** Writes every dirty page of this file, in page order (the index's order). */
  flush(): void {
    const dirty = [...this.frames.values()].filter((f) => f.dirty);
    for (const f of dirty) this.pool.writeFrame(this, f);
  }

  /** Makes written pages durable. */
  sync(): void {
    this.handle.sync();
  }

  /** Pinned frames of this file (for leak checks). */
  pinnedCount(): number {
    let n = 0;
    for (const f of this.frames.values()) if (f.pins > 0) n++;
    return n;
  }

  /**
   * Flushes, syncs and leaves the cache, closing the handle.
   * @param write false to discard dirty pages (an environment that is being abandoned)
   */
  close(write = true): void {
    if (this.closed) return;
    if (write) {
      this.flush();
      this.sync();
    }
    this.closed = true;
    this.pool.detachFile(this);
    this.handle.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
