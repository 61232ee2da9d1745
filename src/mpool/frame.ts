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
 * 4. The first word of the derived area is zero whenever the bytes changed since an access
 *    method last wrote the area: `changed()` and a frame's construction clear it.
 */
import type { Pgno } from '../util/index.js';
import type { Page } from '../page/index.js';

/** What the cache needs to know of the file a frame belongs to. */
export interface FrameOwner {
  readonly id: number;
  readonly name: string;
}

/**
 * Memory for one frame, cut from a slab: the page bytes, then a derived area of
 * `derivedWords(pageSize)` 32-bit words that lies beside them in memory.
 */
export interface FrameMemory {
  readonly data: Uint8Array;
  /** The whole slab as 32-bit words (shared by every frame cut from it). */
  readonly words: Uint32Array;
  /** Index in `words` of the derived area's first word. */
  readonly at: number;
}

/** Words of the derived area that comes with a page of `pageSize` bytes: an eighth more. */
export function derivedWords(pageSize: number): number {
  return pageSize >>> 5;
}

export class Frame implements Page {
  readonly data: Uint8Array;
  readonly view: DataView;
  readonly memory: FrameMemory;
  /**
   * The derived area: `derivedLength` words of `words` from `derivedAt` on, where an access
   * method keeps a search index next to the page bytes, so that reaching it costs no pointer
   * chase through separate objects. Word `derivedAt` is 0 while it holds nothing valid.
   */
  readonly words: Uint32Array;
  readonly derivedAt: number;
  readonly derivedLength: number;
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

  constructor(memory: FrameMemory, owner: FrameOwner, pgno: Pgno) {
    const data = memory.data;
    this.data = data;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.memory = memory;
    this.words = memory.words;
    this.derivedAt = memory.at;
    this.derivedLength = derivedWords(data.length);
    this.words[memory.at] = 0;
    this.owner = owner;
    this.pgno = pgno;
  }

  /** Call before the bytes change: bumps `version` and clears the derived area. */
  changed(): void {
    this.version++;
    this.words[this.derivedAt] = 0;
  }
}
