/**
 * `BtreeCursor`: a position in key order that survives any change to the tree, with the
 * positioning rules of Berkeley DB's btree cursor (DBC->get / DBC->put / DBC->del).
 *
 * Layer: am/btree (rank 5).
 *
 * A cursor is positioned by (leaf page, slot index) while the tree is unchanged, which makes
 * stepping O(1). Before any change the tree calls `detach()`: the cursor copies its current
 * key and from then on re-finds its place by key. That gives the documented semantics:
 * the cursor stays on its item; an item deleted ahead of it is not visited; an item inserted
 * ahead of it is visited; if its own item is deleted the cursor stays on the hole it left
 * (`where()` is 'deleted') and `next()`/`prev()` move to that place's neighbours.
 *
 * Invariants:
 * 1. `state === 'page'` implies `version === tree.version` was true when positioned, and the
 *    (pgno, index) names a live leaf item as long as the versions still match.
 * 2. A cursor never keeps a page pinned between calls.
 * 3. A closed cursor is not in the tree's listener set and every call on it throws
 *    `TransactionClosedError`.
 * 4. A move that finds nothing (returns false) leaves the cursor exactly where it was, as
 *    Berkeley DB does: a failed DB_NEXT at the end keeps the last item current.
 * 5. Reading or replacing the current item of an unpositioned cursor throws
 *    `InvalidArgumentError` (BDB: EINVAL); reading a deleted current item throws
 *    `KeyEmptyError` (BDB: DB_KEYEMPTY); `put`/`del` on a deleted item return false.
 */
import {
  CorruptionError, InvalidArgumentError, KeyEmptyError, TransactionClosedError, assert, copyBytes,
} from '../../util/index.js';
import type { Frame } from '../../mpool/index.js';
import { type Pgno } from '../../util/index.js';
import { PageType, getNext, getPrev, getSlotCount, getType } from '../../page/index.js';
import { readOverflow } from '../common/index.js';
import {
  leafIsOverflow, leafKey, leafOverflowRef, leafValueBytes,
} from './format.js';
import { type Btree, ROOT_PGNO } from './btree.js';
import { type SearchResult, descend, edgeLeaf, searchLeaf } from './search.js';

type CursorState = 'unset' | 'page' | 'key' | 'closed';

/**
 * Where a cursor stands: never positioned (or only failed moves so far), on a stored item,
 * or on the place of an item that was deleted since it was positioned there.
 */
export type CursorPosition = 'unpositioned' | 'item' | 'deleted';

export class BtreeCursor {
  private state: CursorState = 'unset';
  private pgno = 0 as Pgno;
  private index = 0;
  private version = -1;
  private savedKey: Uint8Array | undefined;
  private readonly result: SearchResult = { index: 0, found: false, item: -1 };
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

  /** Moves to the smallest key. False (cursor unmoved) when the tree is empty. */
  first(): boolean {
    this.checkOpen();
    return this.settleForward(edgeLeaf(this.tree, ROOT_PGNO, false), 0);
  }

  /** Moves to the largest key. False (cursor unmoved) when the tree is empty. */
  last(): boolean {
    this.checkOpen();
    const leaf = edgeLeaf(this.tree, ROOT_PGNO, true);
    return this.settleBackward(leaf, getSlotCount(leaf) - 1);
  }

  /**
   * The leaf that may hold `key`, pinned and read-locked, with `result` saying where `key`
   * is or belongs in it; nothing stays pinned when a user comparator throws.
   */
  private leafFor(key: Uint8Array): Frame {
    const leaf = descend(this.tree, ROOT_PGNO, key);
    try {
      searchLeaf(this.tree, leaf, key, this.result);
    } catch (e) {
      this.tree.unpin(leaf);
      throw e;
    }
    return leaf;
  }

  /** Moves to `key` exactly (DB_SET). False (cursor unmoved) when it is absent. */
  seek(key: Uint8Array): boolean {
    this.checkOpen();
    const leaf = this.leafFor(key);
    if (!this.result.found) {
      this.tree.unpin(leaf);
      return false;
    }
    return this.settleForward(leaf, this.result.index);
  }

  /** Moves to the smallest key >= `key` (or > `key` when `exclusive`); false: unmoved. */
  seekRange(key: Uint8Array, exclusive = false): boolean {
    this.checkOpen();
    const leaf = this.leafFor(key);
    const index = this.result.found && exclusive ? this.result.index + 1 : this.result.index;
    return this.settleForward(leaf, index);
  }

  /** Moves to the largest key <= `key` (or < `key` when `exclusive`); false: unmoved. */
  seekRangeBackward(key: Uint8Array, exclusive = false): boolean {
    this.checkOpen();
    const leaf = this.leafFor(key);
    const index = this.result.found && !exclusive ? this.result.index : this.result.index - 1;
    return this.settleBackward(leaf, index);
  }

  /**
   * Moves to the next key; from an unpositioned cursor, to the first; from a deleted item,
   * to the first key after it. False (cursor unmoved) at the end.
   */
  next(): boolean {
    this.checkOpen();
    if (this.state === 'unset') return this.first();
    if (this.state === 'key') return this.seekRange(this.savedKey!, true);
    assert(this.version === this.tree.version, 'a positioned cursor missed a change');
    return this.settleForward(this.tree.pin(this.pgno), this.index + 1);
  }

  /**
   * Moves to the previous key; from an unpositioned cursor, to the last; from a deleted
   * item, to the last key before it. False (cursor unmoved) at the start.
   */
  prev(): boolean {
    this.checkOpen();
    if (this.state === 'unset') return this.last();
    if (this.state === 'key') return this.seekRangeBackward(this.savedKey!, true);
    assert(this.version === this.tree.version, 'a positioned cursor missed a change');
    return this.settleBackward(this.tree.pin(this.pgno), this.index - 1);
  }

  /** Where the cursor stands (see `CursorPosition`). */
  where(): CursorPosition {
    this.checkOpen();
    if (this.state === 'page') return 'item';
    if (this.state === 'unset') return 'unpositioned';
    return this.seek(this.savedKey!) ? 'item' : 'deleted';
  }

  /** True when the cursor is on a stored item (false when unpositioned or deleted). */
  current(): boolean {
    return this.where() === 'item';
  }

  /** A copy of the current key. @throws see invariant 5 */
  key(): Uint8Array {
    return this.readCurrent((p, i) => copyBytes(leafKey(p, i)));
  }

  /** A copy of the current value. @throws see invariant 5 */
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

  /**
   * Replaces the current item's value (DB_CURRENT put) and stays on it. False, and nothing
   * stored, when the current item was deleted (BDB: DB_NOTFOUND).
   * @throws InvalidArgumentError when the cursor is unpositioned
   */
  put(value: Uint8Array): boolean {
    if (!this.requirePosition('put')) return false;
    const key = this.withPage((p) => copyBytes(leafKey(p, this.index)));
    this.tree.put(key, value);
    this.seek(key);
    return true;
  }

  /**
   * Deletes the current item; the cursor stays on its place (`where()` is 'deleted').
   * False when that item was already deleted (BDB: DB_KEYEMPTY).
   * @throws InvalidArgumentError when the cursor is unpositioned
   */
  del(): boolean {
    if (!this.requirePosition('del')) return false;
    const key = this.withPage((p) => copyBytes(leafKey(p, this.index)));
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

  /** True when on an item (now page-positioned), false when deleted; throws if unset. */
  private requirePosition(what: string): boolean {
    const where = this.where();
    if (where === 'unpositioned') {
      throw new InvalidArgumentError(`cursor ${what}: the cursor is not positioned`);
    }
    return where === 'item';
  }

  private readCurrent<T>(read: (p: Frame, i: number) => T): T {
    if (!this.requirePosition('read')) {
      throw new KeyEmptyError('the cursor\'s current item was deleted');
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
      if (next === 0) return false;
      frame = this.pinSibling(next, 'right');
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
      if (prev === 0) return false;
      frame = this.pinSibling(prev, 'left');
      i = getSlotCount(frame) - 1;
    }
    return this.setPage(frame, i);
  }

  /**
   * Pins the leaf a sibling link names. Anything else there (a zeroed page, a page of a
   * truncated file) is corruption: ending the walk would silently drop the rest of the tree.
   */
  private pinSibling(target: Pgno, side: 'left' | 'right'): Frame {
    const frame = this.tree.pin(target);
    if (getType(frame) !== PageType.BTREE_LEAF) {
      this.tree.unpin(frame);
      this.tree.noteDamage();
      throw new CorruptionError(
        `${this.tree.name}: the ${side} sibling link names page ${target}, which is not a ` +
          'btree leaf; the file is damaged (run verify, restore from a backup)',
        { file: this.tree.name, pgno: target },
      );
    }
    return frame;
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
}
