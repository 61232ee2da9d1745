/**
 * `FrameIndex`: the resident frames of one file, indexed by page number in a plain array.
 * A page lookup is on every btree step; an array slot costs one memory access where a `Map`
 * costs a hash and a probe.
 *
 * Layer: mpool (rank 3).
 *
 * Invariants:
 * 1. `get(p)` is the resident frame of page `p`, or undefined; `size` counts them.
 */
import type { Frame } from './frame.js';

export class FrameIndex {
  private readonly slots: (Frame | undefined)[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(pgno: number): Frame | undefined {
    return this.slots[pgno];
  }

  set(pgno: number, frame: Frame): void {
    while (this.slots.length < pgno) this.slots.push(undefined);
    if (this.slots[pgno] === undefined) this.count++;
    this.slots[pgno] = frame;
  }

  delete(pgno: number): void {
    if (this.slots[pgno] === undefined) return;
    this.slots[pgno] = undefined;
    this.count--;
  }

  /** Every resident frame, in page order. */
  *values(): IterableIterator<Frame> {
    for (const f of this.slots) if (f !== undefined) yield f;
  }

  clear(): void {
    this.slots.length = 0;
    this.count = 0;
  }
}
