/**
 * A cache frame: one page's bytes in memory plus the cache's bookkeeping for it.
 *
 * Layer: mpool (rank 3).
 *
 * Invariants:
 * 1. A frame with `pins > 0` is never evicted and its bytes never move.
 * 2. `dirty` is set before the bytes differ from the file's copy, and cleared only after
 *    the bytes were written (after the log was flushed to the page's LSN).
 * 3. `version` changes before the bytes do, so anything derived from them can tell it is
 *    stale.
 */
import type { Pgno } from '../util/index.js';
import type { Page } from '../page/index.js';

/** What the cache needs to know of the file a frame belongs to. */
export interface FrameOwner {
  readonly id: number;
  readonly name: string;
}

export class Frame implements Page {
  readonly data: Uint8Array;
  readonly view: DataView;
  pgno: Pgno;
  owner: FrameOwner;
  /** Callers currently using the frame. */
  pins = 0;
  dirty = false;
  /** Clock bit: set on access, cleared by the eviction sweep. */
  referenced = true;
  /** Position in the cache's clock array, or -1 when not resident. */
  slot = -1;
  /** Bumped whenever the bytes are about to change (see `MPoolFile.markDirty`). */
  version = 0;
  /**
   * A structure an access method derived from the bytes (a search index), valid while
   * `version` equals the version it was built at. The cache never looks inside.
   */
  derived: { version: number } | undefined = undefined;

  constructor(data: Uint8Array, owner: FrameOwner, pgno: Pgno) {
    this.data = data;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.owner = owner;
    this.pgno = pgno;
  }
}
