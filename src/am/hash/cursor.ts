/**
 * `HashCursor`: a position in a hash table and Berkeley DB's hash cursor operations.
 *
 * Layer: am/hash (rank 5).
 *
 * The walk goes bucket by bucket (0 .. maxBucket), each bucket's chain page by page, each
 * page slot by slot, and each item's values in their order: the real library's order with
 * the same hash function and the same page contents. `last`/`prev` walk it backwards.
 *
 * While the table is unchanged a cursor is (bucket, page, slot, value) and steps in O(1).
 * Before any change the table calls `detach()`: the cursor copies its key, value and place
 * and from then on finds its place again by key. So it stays on its pair through inserts,
 * deletes and splits around it; if its own pair is deleted it stays on the hole
 * (`where()` is 'deleted') and `next`/`prev` go on from that place.
 *
 * Invariants:
 * 1. `state === 'page'` means the (pgno, index, dup) named the cursor's pair at table
 *    version `version`; while the versions match it still does.
 * 2. A cursor never keeps a page pinned between calls.
 * 3. A closed cursor is not in the table's listener set; every call on it throws
 *    `TransactionClosedError`.
 * 4. A move that finds nothing returns false and leaves the cursor where it was.
 * 5. Reading the current pair of an unpositioned cursor is `InvalidArgumentError`, of a
 *    deleted one `KeyEmptyError`; operations by record number are `InvalidArgumentError`
 *    (a hash table has none, as Berkeley DB's EINVAL). From a deleted value, next/prev
 *    duplicate move to the key's value after or before the hole (false when none is left),
 *    and a second delete returns false, as Berkeley DB's hash (DB_NOTFOUND).
 */
import {
  InvalidArgumentError, KeyEmptyError, type Pgno, TransactionClosedError, compareBytes,
  copyBytes,
} from '../../util/index.js';
import type { Frame } from '../../mpool/index.js';
import { getNext, getPrev, getSlotCount } from '../../page/index.js';
import type { AmCursor, CursorPosition } from '../common/index.js';
import type { HashListener, HashTable } from './table.js';
import { itemKey, searchPage } from './page-items.js';
import { valueAt, valueCount } from './dup-set.js';
import { bucketPage } from './format.js';
import { type DupFinder, checkBeside, cursorWrites } from './cursor-writes.js';
import { groupBuckets, groupOf, nextBucket, prevBucket } from './walk-order.js';

/** A key as a string of its bytes (for the set of keys a split group has shown). */
function keyText(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1');
}

type State = 'unset' | 'page' | 'key' | 'closed';

/** A position: where, and what was there when the cursor last saw it. */
export interface Place {
  bucket: number;
  pgno: Pgno;
  index: number;
  dup: number;
}

export class HashCursor implements AmCursor, HashListener {
  private state: State = 'unset';
  private version = -1;
  private place: Place = { bucket: 0, pgno: 0 as Pgno, index: 0, dup: 0 };
  /** The pair's key and value, copied at `detach` (state 'key'). */
  private savedKey: Uint8Array | undefined;
  private savedValue: Uint8Array | undefined;
  /** The cursor's pair was deleted: it stands on the hole at `place`. */
  private deleted = false;
  /** On a hole: no value of its key is left (so the next key starts at the hole). */
  private keyGone = false;
  private closedReason = 'the cursor is closed';
  /** The table's highest bucket when the walk began (walk-order.ts). */
  private originMax = -1;
  /**
   * Once the group being walked split under the cursor: the keys the group has shown
   * (latin1 strings), skipped from then on, and whether the next step starts the group over.
   */
  private shown: Set<string> | undefined;
  private shownGroup = -1;
  private restart = false;

  constructor(private readonly t: HashTable) {
    t.listeners.add(this);
  }

  detach(): void {
    if (this.state !== 'page') return;
    if (this.deleted) {
      this.state = 'key';
      return;
    }
    const frame = this.t.pinChainPage(this.place.pgno);
    try {
      const { index, dup } = this.place;
      this.savedKey = copyBytes(itemKey(this.t.file, frame, index));
      this.savedValue = copyBytes(valueAt(this.t.file, frame, index, dup));
    } finally {
      this.t.unpin(frame);
    }
    this.state = 'key';
  }

  first(): boolean {
    this.checkOpen();
    this.beginWalk();
    return this.land(this.scanForward({ bucket: 0, pgno: this.primary(0), index: 0, dup: 0 }));
  }

  last(): boolean {
    this.checkOpen();
    this.beginWalk();
    const max = this.t.table().maxBucket;
    return this.land(this.scanBackward(this.endOf(max)));
  }

  next(): boolean {
    this.checkOpen();
    if (this.state === 'unset') return this.first();
    const at = this.located();
    const from = this.deleted ? at : { ...at, dup: at.dup + 1 };
    if (this.restart && !this.moreValuesAt(from)) return this.land(this.restartGroup(at));
    return this.land(this.scanForward(from));
  }

  prev(): boolean {
    this.checkOpen();
    if (this.state === 'unset') return this.last();
    const at = this.located();
    return this.land(this.scanBackward({ ...at, dup: at.dup - 1 }));
  }

  nextDup(): boolean {
    return this.stepWithin(1);
  }

  prevDup(): boolean {
    return this.stepWithin(-1);
  }

  nextNoDup(): boolean {
    this.checkOpen();
    if (this.state === 'unset') return this.first();
    const at = this.located();
    const from = this.deleted && this.keyGone ? at : { ...at, index: at.index + 1, dup: 0 };
    if (this.restart) return this.land(this.restartGroup(at));
    return this.land(this.scanForward(from));
  }

  prevNoDup(): boolean {
    this.checkOpen();
    if (this.state === 'unset') return this.last();
    const at = this.located();
    return this.land(this.scanBackward({ ...at, index: at.index - 1, dup: Infinity }));
  }

  seek(key: Uint8Array): boolean {
    this.checkOpen();
    const spot = this.t.find(key);
    if (!spot) return false;
    this.t.unpin(spot.frame);
    this.beginWalk();
    return this.land({ bucket: spot.bucket, pgno: spot.frame.pgno, index: spot.index, dup: 0 });
  }

  /** Berkeley DB's hash answers DB_SET_RANGE as DB_SET: there is no key order. */
  seekRange(key: Uint8Array, exclusive = false): boolean {
    if (exclusive) throw this.unordered('an exclusive range seek');
    return this.seek(key);
  }

  seekRangeBackward(_key: Uint8Array, _exclusive = false): boolean {
    this.checkOpen();
    throw this.unordered('a backward range seek');
  }

  seekBoth(key: Uint8Array, value: Uint8Array): boolean {
    this.checkOpen();
    return this.landAbsolute(this.writes().findPair(key, value, 'exact'));
  }

  seekBothRange(key: Uint8Array, value: Uint8Array): boolean {
    this.checkOpen();
    return this.landAbsolute(this.writes().findPair(key, value, 'range'));
  }

  seekRecno(_recno: number): boolean {
    this.checkOpen();
    throw new InvalidArgumentError(`cursor seekRecno: ${this.t.name} is a hash database, ` +
      'which keeps no record numbers');
  }

  recno(): number {
    this.checkOpen();
    throw new InvalidArgumentError(`cursor recno: ${this.t.name} is a hash database, which ` +
      'keeps no record numbers');
  }

  /**
   * DBC->count: the values of the cursor's key. On a deleted item, as Berkeley DB's hash:
   * the values of the item now at the hole's place (what its key has left, or the next
   * pair's when the key went), 0 at the end of a page.
   */
  count(): number {
    this.checkOpen();
    if (this.state === 'unset') throw this.unpositioned('count');
    const at = this.located();
    return this.onPage(at.pgno, (frame) =>
      at.index < getSlotCount(frame) ? valueCount(this.t.file, frame, at.index) : 0);
  }

  dup(): HashCursor {
    this.checkOpen();
    const copy = new HashCursor(this.t);
    copy.state = this.state;
    copy.version = this.version;
    copy.place = { ...this.place };
    copy.savedKey = this.savedKey;
    copy.savedValue = this.savedValue;
    copy.deleted = this.deleted;
    copy.keyGone = this.keyGone;
    copy.originMax = this.originMax;
    copy.shown = this.shown && new Set(this.shown);
    copy.shownGroup = this.shownGroup;
    copy.restart = this.restart;
    return copy;
  }

  where(): CursorPosition {
    this.checkOpen();
    if (this.state === 'unset') return 'unpositioned';
    this.located();
    return this.deleted ? 'deleted' : 'item';
  }

  current(): boolean {
    this.checkOpen();
    return this.state !== 'unset' && this.where() === 'item';
  }

  key(): Uint8Array {
    return this.keyWith(copyBytes);
  }

  value(): Uint8Array {
    return this.valueWith(copyBytes);
  }

  keyWith<T>(read: (key: Uint8Array) => T): T {
    this.requireItem('key');
    const at = this.located();
    return this.onPage(at.pgno, (frame) => read(itemKey(this.t.file, frame, at.index)));
  }

  valueWith<T>(read: (value: Uint8Array) => T): T {
    this.requireItem('value');
    const at = this.located();
    return this.onPage(at.pgno, (frame) => read(valueAt(this.t.file, frame, at.index, at.dup)));
  }

  put(value: Uint8Array): boolean {
    this.checkOpen();
    if (this.state === 'unset') throw this.unpositioned('put');
    if (this.where() === 'deleted') return false;
    return this.landAbsolute(this.writes().putCurrent(this.located(), value));
  }

  putKey(key: Uint8Array, value: Uint8Array, position: 'first' | 'last', noDupData = false):
    void {
    this.checkOpen();
    this.landAbsolute(this.writes().putKeyed(key, value, position, noDupData));
  }

  putBefore(value: Uint8Array): boolean {
    return this.putBeside(value, 0);
  }

  putAfter(value: Uint8Array): boolean {
    return this.putBeside(value, 1);
  }

  del(): boolean {
    this.checkOpen();
    if (this.state === 'unset') throw this.unpositioned('delete');
    if (this.where() === 'deleted') return false;
    const at = this.located();
    this.detach();
    const hole = this.writes().deleteAt(at);
    this.place = hole.place;
    this.keyGone = hole.keyGone;
    this.deleted = true;
    this.state = 'page';
    this.version = this.t.version;
    return true;
  }

  close(reason?: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (reason) this.closedReason = reason;
    this.t.listeners.delete(this);
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  private putBeside(value: Uint8Array, after: 0 | 1): boolean {
    this.checkOpen();
    checkBeside(this.t, after);
    if (this.state === 'unset') throw this.unpositioned(after ? 'putAfter' : 'putBefore');
    if (this.where() === 'deleted') return false;
    return this.landAbsolute(this.writes().putBeside(this.located(), value, after));
  }

  private writes(): DupFinder {
    return cursorWrites(this.t);
  }

  /**
   * next/prev duplicate. From a deleted value whose key has others left, as Berkeley DB's
   * hash: the value after the hole (its place holds it now) or the one before it.
   */
  private stepWithin(direction: 1 | -1): boolean {
    this.checkOpen();
    if (this.state === 'unset') throw this.unpositioned(direction > 0 ? 'nextDup' : 'prevDup');
    const at = this.located();
    if (this.deleted && this.keyGone) return false;
    const dup = this.deleted && direction > 0 ? at.dup : at.dup + direction;
    const n = this.onPage(at.pgno, (frame) => valueCount(this.t.file, frame, at.index));
    if (dup < 0 || dup >= n) return false;
    return this.land({ ...at, dup });
  }

  /** The cursor's place now, found again by key when the table changed (invariant 1). */
  private located(): Place {
    if (this.state === 'page' && this.version === this.t.version) return this.place;
    const key = this.savedKey!;
    const found = this.writes().relocate(key, this.savedValue!, this.place);
    this.place = found.place;
    this.deleted = this.deleted || !found.present;
    if (!found.present) this.keyGone = found.keyGone;
    this.state = 'page';
    this.version = this.t.version;
    return this.place;
  }

  /** Moves to `to` (a position that exists), or stays (invariant 4). */
  private land(to: Place | undefined): boolean {
    if (!to) return false;
    this.place = to;
    this.state = 'page';
    this.deleted = false;
    this.version = this.t.version;
    if (this.originMax < 0) this.originMax = this.t.table().maxBucket;
    if (this.shown) this.noteShown(to);
    return true;
  }

  /** Lands on `to` as the start of a new walk (a seek, a put). */
  private landAbsolute(to: Place | undefined): boolean {
    if (!to) return false;
    this.beginWalk();
    return this.land(to);
  }

  private beginWalk(): void {
    this.originMax = this.t.table().maxBucket;
    this.shown = undefined;
    this.shownGroup = -1;
    this.restart = false;
  }

  /** Records `to` as shown while its group is the one split under the cursor. */
  private noteShown(to: Place): void {
    if (groupOf(to.bucket, this.originMax) !== this.shownGroup) {
      this.shown = undefined;
      this.restart = false;
      return;
    }
    this.shown!.add(this.onPage(to.pgno, (frame) => keyText(itemKey(this.t.file, frame,
      to.index))));
  }

  /**
   * The table is about to split bucket `bucket`: when it is in the group being walked, the
   * keys the group has shown so far are kept, and the next step walks the group again from
   * its start, skipping them (walk-order.ts).
   */
  beforeSplit(bucket: number): void {
    if (this.state === 'unset' || this.state === 'closed' || this.originMax < 0) return;
    const at = this.located();
    const group = groupOf(at.bucket, this.originMax);
    if (groupOf(bucket, this.originMax) !== group) return;
    if (!this.shown || this.shownGroup !== group) {
      this.shown = this.shownBefore(at, group);
      this.shownGroup = group;
    }
    this.restart = true;
  }

  /** Keys of group `group` before `at` in walk order, and `at`'s own unless deleted. */
  private shownBefore(at: Place, group: number): Set<string> {
    const shown = new Set<string>();
    const table = this.t.table();
    for (const b of groupBuckets(group, this.originMax, table.maxBucket)) {
      let reached = false;
      this.t.walkChain(b, (frame) => {
        const here = frame.pgno === at.pgno;
        const end = here ? Math.min(at.index + (this.deleted ? 0 : 1), getSlotCount(frame))
          : getSlotCount(frame);
        for (let i = 0; i < end; i++) shown.add(keyText(itemKey(this.t.file, frame, i)));
        reached = here;
        return here;
      });
      if (reached || b === at.bucket) break;
    }
    return shown;
  }

  keyDeleted(key: Uint8Array): void {
    if (this.state !== 'key' || !this.savedKey || compareBytes(this.savedKey, key) !== 0) return;
    this.deleted = true;
    this.keyGone = true;
  }

  dupShifted(key: Uint8Array, at: number, delta: 1 | -1): void {
    if (this.state !== 'key' || !this.savedKey || compareBytes(this.savedKey, key) !== 0) return;
    const d = this.place.dup;
    if (delta > 0) {
      if (d > at || (d === at && !this.deleted)) this.place = { ...this.place, dup: d + 1 };
    } else if (d > at) {
      this.place = { ...this.place, dup: d - 1 };
    } else if (d === at && !this.deleted) {
      this.deleted = true;
      this.keyGone = false;
    }
  }

  /** Whether the item at `from` has a value at `from.dup` (a step inside it). */
  private moreValuesAt(from: Place): boolean {
    if (this.deleted) return false;
    return this.onPage(from.pgno, (frame) => from.index < getSlotCount(frame) &&
      from.dup < valueCount(this.t.file, frame, from.index));
  }

  /** The first pair of `at`'s group not shown yet (after a split of the group). */
  private restartGroup(at: Place): Place | undefined {
    const g = groupOf(at.bucket, this.originMax);
    this.restart = false;
    return this.scanForward({ bucket: g, pgno: this.primary(g), index: 0, dup: 0 });
  }

  /** Whether the item at `index` of `frame` was shown already in a split group. */
  private skips(bucket: number, frame: Frame, index: number): boolean {
    if (!this.shown || groupOf(bucket, this.originMax) !== this.shownGroup) return false;
    return this.shown.has(keyText(itemKey(this.t.file, frame, index)));
  }

  private primary(bucket: number): Pgno {
    return bucketPage(this.t.table(), bucket);
  }

  /** The position after the last value of bucket `bucket`'s last page. */
  private endOf(bucket: number): Place {
    let pgno = this.primary(bucket);
    let slots = 0;
    for (;;) {
      const frame = this.t.pinChainPage(pgno);
      const next = getNext(frame);
      slots = getSlotCount(frame);
      this.t.unpin(frame);
      if (next === 0) break;
      pgno = next;
    }
    return { bucket, pgno, index: slots - 1, dup: Infinity };
  }

  /** The first position at or after `from` holding a value, or undefined at the end. */
  private scanForward(from: Place): Place | undefined {
    const max = this.t.table().maxBucket;
    if (this.originMax < 0) this.originMax = max;
    let { bucket, pgno, index, dup } = from;
    for (;;) {
      const frame = this.t.pinChainPage(pgno);
      try {
        const slots = getSlotCount(frame);
        if (index < slots && dup >= valueCount(this.t.file, frame, index)) {
          index++;
          dup = 0;
        }
        while (index < slots && dup === 0 && this.skips(bucket, frame, index)) index++;
        if (index < slots) return { bucket, pgno, index, dup };
        const next = getNext(frame);
        if (next !== 0) {
          pgno = next;
        } else {
          const after = nextBucket(bucket, this.originMax, max);
          if (after === undefined) return undefined;
          bucket = after;
          pgno = this.primary(bucket);
        }
        index = 0;
        dup = 0;
      } finally {
        this.t.unpin(frame);
      }
    }
  }

  /** The last position at or before `from` holding a value, or undefined at the start. */
  private scanBackward(from: Place): Place | undefined {
    let { bucket, pgno, index, dup } = from;
    for (;;) {
      const frame = this.t.pinChainPage(pgno);
      try {
        if (index >= getSlotCount(frame)) {
          index = getSlotCount(frame) - 1;
          dup = Infinity;
        }
        if (index >= 0 && dup < 0) {
          index--;
          dup = Infinity;
        }
        if (index >= 0) {
          const n = valueCount(this.t.file, frame, index);
          return { bucket, pgno, index, dup: Math.min(dup, n - 1) };
        }
        const prev = getPrev(frame);
        if (prev !== 0) {
          pgno = prev;
          index = Infinity;
        } else {
          const before = prevBucket(bucket, this.originMax, this.t.table().maxBucket);
          if (before === undefined) return undefined;
          ({ bucket, pgno, index } = this.endOf(before));
        }
        dup = Infinity;
      } finally {
        this.t.unpin(frame);
      }
    }
  }

  private onPage<T>(pgno: Pgno, read: (frame: Frame) => T): T {
    const frame = this.t.pinChainPage(pgno);
    try {
      return read(frame);
    } finally {
      this.t.unpin(frame);
    }
  }

  private checkOpen(): void {
    if (this.state === 'closed') throw new TransactionClosedError(this.closedReason);
  }

  private requireItem(what: string): void {
    this.checkOpen();
    if (this.state === 'unset') throw this.unpositioned(what);
    this.located();
    if (this.deleted) throw new KeyEmptyError('the cursor\'s current item was deleted');
  }

  private unpositioned(what: string): InvalidArgumentError {
    return new InvalidArgumentError(`cursor ${what}: the cursor is not positioned`);
  }

  private unordered(what: string): InvalidArgumentError {
    return new InvalidArgumentError(`cursor: ${this.t.name} is a hash database, whose keys ` +
      `have no order, so it has no ${what}`);
  }
}

/** Whether a key is on a page (for cursor-writes' relocation). */
export function keyOnPage(t: HashTable, frame: Frame, key: Uint8Array): number {
  const at = searchPage(t.file, frame, key);
  return at.found ? at.index : -1;
}
