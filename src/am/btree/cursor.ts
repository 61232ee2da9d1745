/**
 * `BtreeCursor`: a position in key order that survives any change to the tree.
 *
 * Layer: am/btree (rank 5).
 *
 * A cursor is positioned by (leaf page, slot index) while the tree is unchanged, which makes
 * stepping O(1). Before any change the tree calls `detach()`: the cursor copies its current
 * key and from then on re-finds its place by key. That gives the documented semantics:
 * the cursor stays on its item; an item deleted ahead of it is not visited; an item inserted
 * ahead of it is visited; if its own item is deleted, `current()` is false and `next()`
 * moves to the first key after it.
 *
 * Invariants:
 * 1. `state === 'page'` implies `version === tree.version` was true when positioned, and the
 *    (pgno, index) names a live leaf item as long as the versions still match.
 * 2. A cursor never keeps a page pinned between calls.
 * 3. A closed cursor is not in the tree's listener set and every call on it throws.
 */
import {
  InvalidArgumentError, TransactionClosedError, assert, copyBytes,
} from '../../util/index.js';
import type { Frame } from '../../mpool/index.js';
import { type Pgno } from '../../util/index.js';
import { getNext, getPrev, getSlotCount } from '../../page/index.js';
import { readOverflow } from '../common/index.js';
import {
  leafIsOverflow, leafKey, leafOverflowRef, leafValueBytes,
} from './format.js';
import { type Btree, ROOT_PGNO } from './btree.js';
import { type SearchResult, descend, edgeLeaf, searchLeaf } from './search.js';

type CursorState = 'unset' | 'page' | 'key' | 'closed';

export class BtreeCursor {
  private state: CursorState = 'unset';
  private pgno = 0 as Pgno;
  private index = 0;
  private version = -1;
  private savedKey: Uint8Array | undefined;
  private readonly result: SearchResult = { index: 0, found: false };
  private closedReason = 'the cursor was closed';

  constructor(private readonly tree: Btree) {
    tree.listeners.add(this);
  }

  /** Called by the tree before it changes. */
  detach(): void {
    if (this.state === 'page' && this.version === this.tree.version) {
      this.savedKey = this.withPage((p) => copyBytes(leafKey(p, this.index)));
      this.state = 'key';
    }
  }

  /** Moves to the smallest key. False when the tree is empty. */
  first(): boolean {
    this.checkOpen();
    return this.settleForward(edgeLeaf(this.tree, ROOT_PGNO, false), 0);
  }

  /** Moves to the largest key. False when the tree is empty. */
  last(): boolean {
    this.checkOpen();
    const leaf = edgeLeaf(this.tree, ROOT_PGNO, true);
    return this.settleBackward(leaf, getSlotCount(leaf) - 1);
  }

  /** Moves to `key` exactly. False (and unpositioned) when it is absent. */
  seek(key: Uint8Array): boolean {
    this.checkOpen();
    const leaf = descend(this.tree, ROOT_PGNO, key);
    searchLeaf(this.tree, leaf, key, this.result);
    if (!this.result.found) {
      this.tree.unpin(leaf);
      this.state = 'unset';
      return false;
    }
    return this.settleForward(leaf, this.result.index);
  }

  /** Moves to the smallest key >= `key` (or > `key` when `exclusive`). */
  seekRange(key: Uint8Array, exclusive = false): boolean {
    this.checkOpen();
    const leaf = descend(this.tree, ROOT_PGNO, key);
    searchLeaf(this.tree, leaf, key, this.result);
    const index = this.result.found && exclusive ? this.result.index + 1 : this.result.index;
    return this.settleForward(leaf, index);
  }

  /** Moves to the largest key <= `key` (or < `key` when `exclusive`). */
  seekRangeBackward(key: Uint8Array, exclusive = false): boolean {
    this.checkOpen();
    const leaf = descend(this.tree, ROOT_PGNO, key);
    searchLeaf(this.tree, leaf, key, this.result);
    const index = this.result.found && !exclusive ? this.result.index : this.result.index - 1;
    return this.settleBackward(leaf, index);
  }

  /** Moves to the next key; from an unpositioned cursor, to the first. */
  next(): boolean {
    this.checkOpen();
    if (this.state === 'unset') return this.first();
    if (this.state === 'key') return this.seekRange(this.savedKey!, true);
    assert(this.version === this.tree.version, 'a positioned cursor missed a change');
    return this.settleForward(this.tree.pin(this.pgno), this.index + 1);
  }

  /** Moves to the previous key; from an unpositioned cursor, to the last. */
  prev(): boolean {
    this.checkOpen();
    if (this.state === 'unset') return this.last();
    if (this.state === 'key') return this.seekRangeBackward(this.savedKey!, true);
    return this.settleBackward(this.tree.pin(this.pgno), this.index - 1);
  }

  /** True when the cursor is on a stored item (false after that item was deleted). */
  current(): boolean {
    this.checkOpen();
    if (this.state === 'page') return true;
    if (this.state === 'unset') return false;
    const key = this.savedKey!;
    if (!this.seek(key)) {
      this.state = 'key';
      this.savedKey = key;
      return false;
    }
    return true;
  }

  /** A copy of the current key. @requires current() */
  key(): Uint8Array {
    return this.readCurrent((p, i) => copyBytes(leafKey(p, i)));
  }

  /** A copy of the current value. @requires current() */
  value(): Uint8Array {
    return this.valueWith(copyBytes);
  }

  /** Hands the current key to `read` as a view valid only during the call. */
  keyWith<T>(read: (key: Uint8Array) => T): T {
    return this.readCurrent((p, i) => read(leafKey(p, i)));
  }

  /** Hands the current value to `read` as a view valid only during the call. */
  valueWith<T>(read: (value: Uint8Array) => T): T {
    return this.readCurrent((p, i) => {
      if (!leafIsOverflow(p, i)) return read(leafValueBytes(p, i));
      const ref = leafOverflowRef(p, i);
      return read(readOverflow(this.tree.file, ref.first, ref.length));
    });
  }

  /** Replaces the current item's value. @requires current() */
  put(value: Uint8Array): void {
    const key = this.key();
    this.tree.put(key, value);
    this.seek(key);
  }

  /** Deletes the current item; the cursor stays where it was (see `current`). */
  del(): boolean {
    if (!this.current()) return false;
    const key = this.key();
    this.tree.del(key);
    this.state = 'key';
    this.savedKey = key;
    return true;
  }

  /** Releases the cursor. `reason` is reported if it is used afterwards. */
  close(reason?: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (reason) this.closedReason = reason;
    this.savedKey = undefined;
    this.tree.listeners.delete(this);
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  private checkOpen(): void {
    if (this.state === 'closed') throw new TransactionClosedError(this.closedReason);
  }

  private readCurrent<T>(read: (p: Frame, i: number) => T): T {
    if (!this.current()) {
      throw new InvalidArgumentError('the cursor is not positioned on an item');
    }
    return this.withPage((p) => read(p, this.index));
  }

  private withPage<T>(fn: (p: Frame) => T): T {
    const frame = this.tree.pin(this.pgno);
    try {
      return fn(frame);
    } finally {
      this.tree.unpin(frame);
    }
  }

  /** Positions on the first item at or after (leaf, index), following right links. */
  private settleForward(leaf: Frame, index: number): boolean {
    let frame = leaf;
    let i = index;
    while (i >= getSlotCount(frame)) {
      const next = getNext(frame);
      this.tree.unpin(frame);
      if (next === 0) return this.unset();
      frame = this.tree.pin(next);
      i = 0;
    }
    return this.setPage(frame, i);
  }

  /** Positions on the last item at or before (leaf, index), following left links. */
  private settleBackward(leaf: Frame, index: number): boolean {
    let frame = leaf;
    let i = index;
    while (i < 0) {
      const prev = getPrev(frame);
      this.tree.unpin(frame);
      if (prev === 0) return this.unset();
      frame = this.tree.pin(prev);
      i = getSlotCount(frame) - 1;
    }
    return this.setPage(frame, i);
  }

  private setPage(frame: Frame, index: number): boolean {
    this.pgno = frame.pgno;
    this.index = index;
    this.version = this.tree.version;
    this.state = 'page';
    this.savedKey = undefined;
    this.tree.unpin(frame);
    return true;
  }

  private unset(): boolean {
    this.state = 'unset';
    this.savedKey = undefined;
    return false;
  }
}
