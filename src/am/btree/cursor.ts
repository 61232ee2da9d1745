/**
 * `BtreeCursor`: a position in a btree that survives any change to the tree, with the
 * positioning rules of Berkeley DB's btree cursor (DBC->get, DBC->put, DBC->del, DBC->count,
 * DBC->dup), duplicates and record numbers included.
 *
 * Layer: am/btree (rank 5).
 *
 * A cursor is positioned by (leaf page, slot index) while the tree is unchanged, which makes
 * stepping O(1). Before any change the tree calls `detach()`: the cursor copies its item's
 * key (with duplicates, its value too) and from then on re-finds its place (locator.ts).
 * That gives the documented semantics: the cursor stays on its item; an item deleted ahead
 * of it is not visited; an item inserted ahead of it is visited; if its own item is deleted
 * the cursor stays on the hole it left (`where()` is 'deleted') and `next()`/`prev()` move to
 * that place's neighbours.
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
 * 6. Unsorted duplicates: a detached cursor on a deleted item has the rank of the live item
 *    after it, and cursors at one rank order their deleted items by `heldOrder` as those
 *    items stood (Berkeley DB keeps them on the page until their cursors leave).
 */
import {
  CorruptionError, InvalidArgumentError, KeyEmptyError, NotFoundError, TransactionClosedError,
  assert, copyBytes,
} from '../../util/index.js';
import type { Frame } from '../../mpool/index.js';
import { type Pgno, compareBytes } from '../../util/index.js';
import { PageType, getNext, getPrev, getSlotCount, getType } from '../../page/index.js';
import { readOverflow } from '../common/index.js';
import { leafIsOverflow, leafOverflowRef, leafValueBytes } from './format.js';
import { leafKeyOf } from './long-keys.js';
import { type Btree, type Placement, ROOT_PGNO } from './btree.js';
import { edgeLeaf } from './search.js';
import { type Located, Locator } from './locator.js';
import { leafValueOf } from './dup-order.js';
import {
  type KeyedPosition, deleteCurrent, putAdjacent, putCurrent, putKeyed,
} from './cursor-writes.js';

type CursorState = 'unset' | 'page' | 'key' | 'closed';

/**
 * Where a cursor stands: never positioned (or only failed moves so far), on a stored item,
 * or on the place of an item that was deleted since it was positioned there.
 */
export type CursorPosition = 'unpositioned' | 'item' | 'deleted';

/** A copy of a cursor's position (a failed move restores it). */
interface Snapshot {
  state: CursorState;
  pgno: Pgno;
  index: number;
  version: number;
  savedKey: Uint8Array | undefined;
  savedValue: Uint8Array | undefined;
  rank: number;
  holed: boolean;
  heldOrder: number;
}

export class BtreeCursor {
  private state: CursorState = 'unset';
  private pgno = 0 as Pgno;
  private index = 0;
  private version = -1;
  /** Detached: the item's key, and with duplicates its value. */
  private savedKey: Uint8Array | undefined;
  private savedValue: Uint8Array | undefined;
  /** Unsorted duplicates: the item's rank (when `holed`, the rank of the item after it). */
  private rank = 0;
  /** Unsorted duplicates, detached: the cursor's own item was deleted. */
  private holed = false;
  /**
   * When `holed`: the place of the cursor's deleted item among the deleted items held at
   * its rank (between the same two live items), as Berkeley DB keeps them in order until
   * their cursors leave. Larger is later; only the order matters.
   */
  private heldOrder = 0;
  private closedReason = 'the cursor was closed';
  private readonly find: Locator;

  constructor(private readonly tree: Btree) {
    this.find = new Locator(tree);
    tree.listeners.add(this);
  }

  /** Called by the tree before it changes. */
  detach(): void {
    if (this.state !== 'page' || this.version !== this.tree.version) return;
    this.withPage((p) => {
      this.savedKey = copyBytes(leafKeyOf(this.tree.file, p, this.index));
      this.savedValue = this.tree.plainKeys ? undefined
        : copyBytes(leafValueOf(this.tree.file, p, this.index));
    });
    this.holed = false;
    this.state = 'key';
  }

  /**
   * Called by a tree with unsorted duplicates after an item was inserted (`delta` 1) or
   * deleted (-1) at `rank`: keeps the cursor's rank on its item (or its hole).
   */
  shifted(rank: number, delta: number, placement?: Placement, lastHeld = -1): void {
    if (this.state !== 'key') return;
    if (delta > 0) {
      if (rank < this.rank || (rank === this.rank && this.placedBefore(placement))) this.rank++;
    } else if (rank < this.rank) {
      // Held before the item after the deleted one: now after every item held before it.
      if (this.holed && this.rank === rank + 1) this.heldOrder += lastHeld + 2;
      this.rank--;
    } else if (rank === this.rank && !this.holed) {
      this.holed = true;
      this.heldOrder = lastHeld + 1;
    }
  }

  heldOrderAt(rank: number): number {
    return this.state === 'key' && this.holed && this.rank === rank ? this.heldOrder : -1;
  }

  /** True when an item just inserted at this cursor's rank stands before its item or hole. */
  private placedBefore(placement: Placement | undefined): boolean {
    if (!this.holed) return true;
    switch (placement?.how) {
      case 'after-previous': return true;
      case 'before-held': return this.heldOrder >= placement.held;
      case 'after-held': return this.heldOrder > placement.held;
      case 'first-of-key': return this.compareKey(this.savedKey!, placement.key) >= 0;
      case 'last-of-key': return this.compareKey(this.savedKey!, placement.key) > 0;
      default: return false;
    }
  }

  private compareKey(a: Uint8Array, b: Uint8Array): number {
    return this.tree.compare ? this.tree.compare(a, b) : compareBytes(a, b);
  }

  /** Moves to the first item. False (cursor unmoved) when the tree is empty. */
  first(): boolean {
    this.checkOpen();
    return this.settleForward(edgeLeaf(this.tree, ROOT_PGNO, false), 0, 0);
  }

  /** Moves to the last item. False (cursor unmoved) when the tree is empty. */
  last(): boolean {
    this.checkOpen();
    const leaf = edgeLeaf(this.tree, ROOT_PGNO, true);
    const rank = this.find.ranked ? this.tree.totalItems() - 1 : 0;
    return this.settleBackward(leaf, getSlotCount(leaf) - 1, rank);
  }

  /** Moves to `key` (its first duplicate) exactly (DB_SET). False (unmoved) when absent. */
  seek(key: Uint8Array): boolean {
    this.checkOpen();
    return this.land(this.find.key(key));
  }

  /** Moves to the first item with a key >= `key` (> when `exclusive`): DB_SET_RANGE. */
  seekRange(key: Uint8Array, exclusive = false): boolean {
    this.checkOpen();
    const at = this.find.keyBound(key, exclusive ? 'after' : 'before');
    return this.settleForward(at.leaf, at.index, at.rank);
  }

  /** Moves to the last item with a key <= `key` (< when `exclusive`); false: unmoved. */
  seekRangeBackward(key: Uint8Array, exclusive = false): boolean {
    this.checkOpen();
    const at = this.find.keyBound(key, exclusive ? 'before' : 'after');
    return this.settleBackward(at.leaf, at.index - 1, at.rank - 1);
  }

  /** Moves to the pair (`key`, `value`) (DB_GET_BOTH). False (unmoved) when absent. */
  seekBoth(key: Uint8Array, value: Uint8Array): boolean {
    this.checkOpen();
    return this.land(this.find.pair(key, value));
  }

  /**
   * Moves to the first duplicate of `key` whose value is >= `value` under the duplicate
   * order (DB_GET_BOTH_RANGE); without sorted duplicates, to the pair itself.
   */
  seekBothRange(key: Uint8Array, value: Uint8Array): boolean {
    this.checkOpen();
    return this.land(this.find.pairRange(key, value));
  }

  /** Moves to record number `recno` (1-based; DB_SET_RECNO). False (unmoved) past the end. */
  seekRecno(recno: number): boolean {
    this.checkOpen();
    this.requireRecordNumbers('seekRecno');
    if (!Number.isInteger(recno) || recno < 1 || recno > 0xffffffff) {
      throw new InvalidArgumentError(
        `seekRecno: a record number is an integer from 1 to 4294967295, got ${recno}`,
      );
    }
    return this.land(this.find.rank(recno - 1));
  }

  /**
   * The record number (1-based) of the current item (DB_GET_RECNO).
   * @throws NotFoundError when the current item was deleted (it has no number; BDB:
   *   DB_NOTFOUND)
   */
  recno(): number {
    this.checkOpen();
    this.requireRecordNumbers('recno');
    if (!this.requirePosition('recno')) {
      throw new NotFoundError('cursor recno: the current item was deleted, so it has no ' +
        'record number');
    }
    const key = this.readCurrent((p, i) => copyBytes(leafKeyOf(this.tree.file, p, i)));
    return this.find.rankOfKey(key) + 1;
  }

  /**
   * Moves to the next item; from an unpositioned cursor, to the first; from a deleted item,
   * to the first item after it. False (cursor unmoved) at the end.
   */
  next(): boolean {
    this.checkOpen();
    if (this.state === 'unset') return this.first();
    if (this.state === 'key') return this.stepFromSaved(true);
    assert(this.version === this.tree.version, 'a positioned cursor missed a change');
    return this.settleForward(this.tree.pin(this.pgno), this.index + 1, this.rank + 1);
  }

  /**
   * Moves to the previous item; from an unpositioned cursor, to the last; from a deleted
   * item, to the last item before it. False (cursor unmoved) at the start.
   */
  prev(): boolean {
    this.checkOpen();
    if (this.state === 'unset') return this.last();
    if (this.state === 'key') return this.stepFromSaved(false);
    assert(this.version === this.tree.version, 'a positioned cursor missed a change');
    return this.settleBackward(this.tree.pin(this.pgno), this.index - 1, this.rank - 1);
  }

  /** Moves to the next duplicate of the current key (DB_NEXT_DUP); false: unmoved. */
  nextDup(): boolean {
    return this.stepWithinKey('nextDup', () => this.next());
  }

  /** Moves to the previous duplicate of the current key (DB_PREV_DUP); false: unmoved. */
  prevDup(): boolean {
    return this.stepWithinKey('prevDup', () => this.prev());
  }

  /** Moves to the first item of the next key (DB_NEXT_NODUP); unpositioned: the first. */
  nextNoDup(): boolean {
    this.checkOpen();
    if (this.state === 'unset') return this.first();
    return this.seekRange(this.currentKey(), true);
  }

  /** Moves to the last item of the previous key (DB_PREV_NODUP); unpositioned: the last. */
  prevNoDup(): boolean {
    this.checkOpen();
    if (this.state === 'unset') return this.last();
    return this.seekRangeBackward(this.currentKey(), true);
  }

  /**
   * Number of values of the current key (1 without duplicates): DBC->count. On a deleted
   * item, the values its key has now (0 when none), as Berkeley DB counts.
   * @throws InvalidArgumentError when the cursor is unpositioned
   */
  count(): number {
    this.checkOpen();
    const onItem = this.requirePosition('count');
    // A plain key still deleted is absent (were it stored again, the cursor would be on it).
    if (!onItem && this.tree.plainKeys) return 0;
    return this.find.dupCount(this.currentKey());
  }

  /** A new cursor at the same position (DBC->dup with DB_POSITION). */
  dup(): BtreeCursor {
    this.checkOpen();
    const copy = new BtreeCursor(this.tree);
    copy.restore(this.snapshot());
    return copy;
  }

  /** Where the cursor stands (see `CursorPosition`). */
  where(): CursorPosition {
    this.checkOpen();
    if (this.state === 'page') return 'item';
    if (this.state === 'unset') return 'unpositioned';
    const at = this.find.saved(this.savedKey!, this.savedValue, this.holed, this.rank);
    if (!at) return 'deleted';
    this.land(at);
    return 'item';
  }

  /** True when the cursor is on a stored item (false when unpositioned or deleted). */
  current(): boolean {
    return this.where() === 'item';
  }

  /** A copy of the current key. @throws see invariant 5 */
  key(): Uint8Array {
    return this.readCurrent((p, i) => copyBytes(leafKeyOf(this.tree.file, p, i)));
  }

  /** A copy of the current value. @throws see invariant 5 */
  value(): Uint8Array {
    return this.valueWith(copyBytes);
  }

  /** Hands the current key to `read` as a view valid only during the call. */
  keyWith<T>(read: (key: Uint8Array) => T): T {
    return this.readCurrent((p, i) => read(leafKeyOf(this.tree.file, p, i)));
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
    this.checkOpen();
    return putCurrent(this, this.tree, value);
  }

  /** Stores (`key`, `value`) as the first or last of its key (DB_KEYFIRST/DB_KEYLAST). */
  putKey(key: Uint8Array, value: Uint8Array, position: KeyedPosition, noDupData = false): void {
    putKeyed(this, this.tree, key, value, position, noDupData);
  }

  /** Stores `value` as a duplicate just before the current one (DB_BEFORE). */
  putBefore(value: Uint8Array): boolean {
    return putAdjacent(this, this.tree, value, 'before');
  }

  /** Stores `value` as a duplicate just after the current one (DB_AFTER). */
  putAfter(value: Uint8Array): boolean {
    return putAdjacent(this, this.tree, value, 'after');
  }

  /**
   * Deletes the current item; the cursor stays on its place (`where()` is 'deleted').
   * False when that item was already deleted (BDB: DB_KEYEMPTY).
   * @throws InvalidArgumentError when the cursor is unpositioned
   */
  del(): boolean {
    this.checkOpen();
    return deleteCurrent(this, this.tree);
  }

  /** The current item's key and value, copied (for the writes at the cursor). */
  currentPair(what: string): { key: Uint8Array; value: Uint8Array } | undefined {
    if (!this.requirePosition(what)) return undefined;
    return this.withPage((p) => ({
      key: copyBytes(leafKeyOf(this.tree.file, p, this.index)),
      value: copyBytes(leafValueOf(this.tree.file, p, this.index)),
    }));
  }

  /** Positions on what a write left (cursor-writes.ts), as a move would. */
  landOn(at: Located | undefined): boolean {
    return this.land(at);
  }

  /**
   * The key, rank and held order of the deleted item the cursor stands on (unsorted
   * duplicates), or undefined when it stands on none.
   */
  get hole(): { key: Uint8Array; rank: number; held: number } | undefined {
    return this.state === 'key' && this.holed
      ? { key: this.savedKey!, rank: this.rank, held: this.heldOrder } : undefined;
  }

  /** The rank of the current item (unsorted duplicates), for writes at the cursor. */
  get currentRank(): number {
    return this.rank;
  }

  /** Releases the cursor. `reason` is reported if it is used afterwards. */
  close(reason?: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (reason) this.closedReason = reason;
    this.savedKey = undefined;
    this.savedValue = undefined;
    this.tree.listeners.delete(this);
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Marks the cursor detached from its deleted item (a delete at the cursor). */
  markDeleted(key: Uint8Array, value: Uint8Array | undefined): void {
    this.state = 'key';
    this.savedKey = key;
    this.savedValue = this.tree.plainKeys ? undefined : value;
    this.holed = true;
  }

  checkOpen(): void {
    if (this.state === 'closed') throw new TransactionClosedError(this.closedReason);
  }

  /** True when on an item (now page-positioned), false when deleted; throws if unset. */
  requirePosition(what: string): boolean {
    const where = this.where();
    if (where === 'unpositioned') {
      throw new InvalidArgumentError(`cursor ${what}: the cursor is not positioned`);
    }
    return where === 'item';
  }

  private requireRecordNumbers(what: string): void {
    if (!this.tree.shape.recordNumbers) {
      throw new InvalidArgumentError(
        `cursor ${what}: ${this.tree.name} keeps no record numbers (open it with ` +
          'recordNumbers: true when it is created)',
      );
    }
  }

  /** The key of the current item, or of the deleted item the cursor stands on. */
  private currentKey(): Uint8Array {
    if (this.state === 'key') return this.savedKey!;
    return this.withPage((p) => copyBytes(leafKeyOf(this.tree.file, p, this.index)));
  }

  /** A move that must stay among the current key's duplicates; false: unmoved. */
  private stepWithinKey(what: string, move: () => boolean): boolean {
    this.checkOpen();
    if (this.state === 'unset') {
      throw new InvalidArgumentError(`cursor ${what}: the cursor is not positioned`);
    }
    const key = this.currentKey();
    const before = this.snapshot();
    if (move() && this.find.sameKey(key, this.currentKey())) return true;
    this.restore(before);
    return false;
  }

  /** `next`/`prev` of a detached cursor: from its item, or from the hole it left. */
  private stepFromSaved(forward: boolean): boolean {
    const at = this.find.beside(this.savedKey!, this.savedValue, this.holed, this.rank, forward);
    return forward ? this.settleForward(at.leaf, at.index, at.rank)
      : this.settleBackward(at.leaf, at.index, at.rank);
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

  private snapshot(): Snapshot {
    return {
      state: this.state, pgno: this.pgno, index: this.index, version: this.version,
      savedKey: this.savedKey, savedValue: this.savedValue, rank: this.rank,
      holed: this.holed, heldOrder: this.heldOrder,
    };
  }

  private restore(s: Snapshot): void {
    this.state = s.state;
    this.pgno = s.pgno;
    this.index = s.index;
    this.version = s.version;
    this.savedKey = s.savedKey;
    this.savedValue = s.savedValue;
    this.rank = s.rank;
    this.holed = s.holed;
    this.heldOrder = s.heldOrder;
  }

  /** Positions on a located item (pinned leaf), or returns false (unmoved) for none. */
  private land(at: Located | undefined): boolean {
    if (!at) return false;
    return this.setPage(at.leaf, at.index, at.rank);
  }

  /** Positions on the first item at or after (leaf, index), following right links. */
  private settleForward(leaf: Frame, index: number, rank: number): boolean {
    let frame = leaf;
    let i = index;
    while (i >= getSlotCount(frame)) {
      const next = getNext(frame);
      this.tree.unpin(frame);
      if (next === 0) return false;
      frame = this.pinSibling(next, 'right');
      i = 0;
    }
    return this.setPage(frame, i, rank);
  }

  /** Positions on the last item at or before (leaf, index), following left links. */
  private settleBackward(leaf: Frame, index: number, rank: number): boolean {
    let frame = leaf;
    let i = index;
    while (i < 0) {
      const prev = getPrev(frame);
      this.tree.unpin(frame);
      if (prev === 0) return false;
      frame = this.pinSibling(prev, 'left');
      i = getSlotCount(frame) - 1;
    }
    return this.setPage(frame, i, rank);
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

  private setPage(frame: Frame, index: number, rank: number): boolean {
    this.pgno = frame.pgno;
    this.index = index;
    this.version = this.tree.version;
    this.state = 'page';
    this.savedKey = undefined;
    this.savedValue = undefined;
    this.rank = rank;
    this.holed = false;
    this.tree.unpin(frame);
    return true;
  }
}
