/**
 * `Btree`: a B+tree of variable-length byte keys and values in one database file, with point
 * operations (get, put, del) and the cursor registry that keeps cursors valid across changes.
 *
 * Layer: am/btree (rank 5).
 *
 * Invariants:
 * 1. The root is page 1, forever; page 0 is the meta page.
 * 2. Every change calls `beforeChange()` first: each open cursor remembers its key, so a
 *    split, merge or delete can never leave a cursor pointing at the wrong item.
 * 3. Every page change goes through `file.changes` (so it can be logged), and every pinned
 *    frame is unpinned before the operation returns, also when it throws.
 * 4. The meta page's record count equals the number of leaf items.
 * 5. The shape (duplicates, record numbers, comparators) is the one recorded at creation
 *    (shape.ts); a counted tree keeps its subtree counts exact (counts.ts) and takes no
 *    shortcut that skips the path (the append hint).
 */
import { type Pgno, InvalidArgumentError, copyBytes, pgno } from '../../util/index.js';
import type { Frame } from '../../mpool/index.js';
import {
  PageType, fits, getNext, getSlotCount, getType, initPage, slotLength, slotOffset, totalFree,
} from '../../page/index.js';
import {
  type AmFile, AmType, META_PGNO, checkMeta, freeOverflow, initMeta, metaCount, metaFlags,
  readOverflow, setMetaLast, setMetaRoot, writeOverflow,
} from '../common/index.js';
import { type Comparator, checkedComparator } from './comparator.js';
import { type BtreeConfig, type BtreeShape, checkShape, shapeFlags, shapeOf } from './shape.js';
import { DupTarget, SEPARATOR_HEADER, freeSeparator } from './dup-order.js';
import { adjustPathCounts, subtreeCount } from './counts.js';
import {
  PUT_NO_OVERWRITE, deleteKey, locateFirstDup, putDuplicate,
} from './duplicates.js';
import {
  MAX_KEY_BYTES, freeLeafKey, freeSeparatorKey, keyReference,
} from './long-keys.js';
import {
  COUNTED_ITEM_HEADER, FLAG_OVERFLOW_KEY, INTERNAL_ITEM_HEADER, internalKey, internalKeyOnChain,
  LEAF_ITEM_HEADER, OVERFLOW_REF_SIZE,
  itemIsOverflow, itemValueBytes, leafIsOverflow, leafItem, leafOverflowItem, writeLeafItem,
  leafOverflowRef, leafValueBytes, maxItemBytes, maxKeyBytes,
} from './format.js';
import {
  type SearchResult, type SearchTarget, TreePath, compareLeafKey, descend, edgeLeaf, searchLeaf,
} from './search.js';
import { splitInsert } from './split.js';
import { rebalance } from './merge.js';

/** Something that must hear about changes before they happen (open cursors). */
export interface ChangeListener {
  /** Called before the tree changes; a positioned cursor saves its key. */
  detach(): void;
  /**
   * Unsorted duplicates: an item was inserted (`delta` 1, placed as `placement` says) or
   * deleted (-1) at `rank`. On a delete, `lastHeld` is the largest `heldOrderAt(rank)` of
   * all listeners just before it (-1 for none).
   */
  shifted(rank: number, delta: number, placement?: Placement, lastHeld?: number): void;
  /**
   * The place of the listener's deleted item among the deleted items held at `rank`
   * (between the same two live items; larger is later), or -1 when it holds none there.
   */
  heldOrderAt(rank: number): number;
}

/**
 * How a new unsorted duplicate was placed, which decides where it stands against deleted
 * items that cursors still stand on at its rank (between the same two live items), as
 * Berkeley DB keeps such items in place until the cursors leave:
 * - 'before-next': just before the live item after it, so after those deleted items
 *   (DB_BEFORE on a live item);
 * - 'after-previous': just after the live item before it, so before them (DB_AFTER on a
 *   live item);
 * - 'before-held' / 'after-held': just before / after the deleted item of held order `held`
 *   (DB_BEFORE / DB_AFTER by a cursor on that deleted item), so after / before the deleted
 *   items held before / after it;
 * - 'first-of-key' / 'last-of-key': before / after every item of its key, deleted ones too,
 *   and in key order with the others (DB_KEYFIRST; DB_KEYLAST and put).
 */
export interface Placement {
  how: 'before-next' | 'after-previous' | 'before-held' | 'after-held' | 'first-of-key' |
    'last-of-key';
  key: Uint8Array;
  /** 'before-held' / 'after-held': the held order of the deleted item (see ChangeListener). */
  held: number;
}

export const ROOT_PGNO: Pgno = pgno(1);

export class Btree implements SearchTarget {
  /** Bumped by every change; cursors compare it with the version they positioned at. */
  version = 0;
  readonly path = new TreePath();
  /** A second path, for the operations that compare two descents (`countDups`). */
  readonly otherPath = new TreePath();
  readonly listeners = new Set<ChangeListener>();
  readonly result: SearchResult = { index: 0, found: false, item: -1 };
  /** The search target of operations on a tree with duplicates (reused). */
  readonly target = new DupTarget();
  /**
   * Where `put` builds its leaf item: the item lives only until `put` returns (pages and
   * log records copy it), so one buffer serves every call.
   */
  private readonly itemScratch: Uint8Array;
  /** The rightmost leaf the last insert went to, or 0 (see `appendLeaf`). */
  private appendHint: Pgno = pgno(0);
  readonly maxKeyBytes: number;
  private readonly maxItem: number;
  /** Longest separator an internal item may hold. */
  readonly maxSeparator: number;

  /** The user comparator, checked (see comparator.ts), or undefined for byte order. */
  readonly compare: Comparator | undefined;
  /** The user duplicate comparator, checked, or undefined for byte order. */
  readonly dupCompare: Comparator | undefined;
  /** Internal items carry subtree counts (record numbers or duplicates). */
  readonly counted: boolean;
  /** Bytes of an internal item before its separator. */
  readonly internalHeader: number;
  /** No duplicates: a separator is a key, and keys are unique. */
  readonly plainKeys: boolean;
  readonly sortedDups: boolean;
  /** Unsorted duplicates: cursors keep their place by rank (locator.ts). */
  readonly ranked: boolean;
  readonly leafHeads: boolean;
  readonly internalHeads: boolean;

  private constructor(readonly file: AmFile, readonly shape: BtreeShape) {
    this.compare = shape.compare && checkedComparator(shape.compare, file.name);
    this.dupCompare = shape.dupCompare && checkedComparator(shape.dupCompare, file.name);
    this.counted = shape.counted;
    this.internalHeader = shape.counted ? COUNTED_ITEM_HEADER : INTERNAL_ITEM_HEADER;
    this.plainKeys = shape.duplicates === 'none';
    this.sortedDups = shape.duplicates === 'sorted';
    this.ranked = shape.duplicates === 'unsorted';
    this.leafHeads = !this.compare && this.plainKeys;
    this.internalHeads = this.leafHeads && !this.counted;
    this.maxItem = maxItemBytes(file.pageSize);
    this.maxSeparator = this.maxItem - this.internalHeader;
    // A separator of a tree with duplicates holds a key and an overflow reference.
    this.maxKeyBytes = this.plainKeys ? maxKeyBytes(file.pageSize)
      : this.maxSeparator - SEPARATOR_HEADER - OVERFLOW_REF_SIZE;
    this.itemScratch = new Uint8Array(this.maxItem);
  }

  /** Formats a new, empty file: meta page and an empty root leaf. */
  static create(file: AmFile, config: BtreeConfig = {}): Btree {
    const shape = shapeOf(config, file.name);
    const meta = file.mp.create(META_PGNO);
    const root = file.mp.create(ROOT_PGNO);
    try {
      file.changes.rewrite(file.mp, meta, () => {
        initPage(meta, META_PGNO, PageType.META);
        initMeta(meta, file.pageSize, AmType.BTREE, shapeFlags(shape));
        setMetaRoot(meta, ROOT_PGNO);
        setMetaLast(meta, ROOT_PGNO);
      });
      file.changes.rewrite(file.mp, root, () =>
        initPage(root, ROOT_PGNO, PageType.BTREE_LEAF, 1));
    } finally {
      file.mp.release(root);
      file.mp.release(meta);
    }
    return new Btree(file, shape);
  }

  /** Opens an existing file, checking its meta page and that `config` matches its shape. */
  static open(file: AmFile, config: BtreeConfig = {}): Btree {
    const shape = shapeOf(config, file.name);
    const meta = file.mp.get(META_PGNO);
    try {
      checkMeta(meta, file.name, file.pageSize, file.mp.pagesOnDisk());
      checkShape(metaFlags(meta), shape, file.name);
    } finally {
      file.mp.release(meta);
    }
    return new Btree(file, shape);
  }

  get name(): string {
    return this.file.name;
  }

  pin(p: Pgno): Frame {
    this.file.changes.willRead(this.file.mp, p);
    return this.file.mp.get(p);
  }

  pinUnlocked(p: Pgno): Frame {
    return this.file.mp.get(p);
  }

  lockRead(p: Pgno): void {
    this.file.changes.willRead(this.file.mp, p);
  }

  noteDamage(): void {
    this.file.mp.damageSeen = true;
  }

  unpin(frame: Frame): void {
    this.file.mp.release(frame);
  }

  /** Leaf items in the tree as its pages hold them now (a counted tree's root sum). */
  totalItems(): number {
    const root = this.pin(ROOT_PGNO);
    try {
      return subtreeCount(root);
    } finally {
      this.unpin(root);
    }
  }

  /** Records stored, as the current transaction sees them. Complexity: O(1). */
  count(): number {
    const meta = this.file.mp.get(META_PGNO);
    try {
      return metaCount(meta) + this.file.changes.pendingCount(this.file.mp);
    } finally {
      this.unpin(meta);
    }
  }

  /**
   * Looks `key` up and hands its value to `read` as a view that is valid only during the
   * call. Returns what `read` returned, or `undefined` when the key is absent.
   * Complexity: O(log n).
   */
  getWith<T>(key: Uint8Array, read: (value: Uint8Array) => T): T | undefined {
    if (!this.plainKeys) return this.firstDupWith(key, read);
    const leaf = descend(this, ROOT_PGNO, key);
    try {
      const result = this.result;
      searchLeaf(this, leaf, key, result);
      if (!result.found) return undefined;
      const i = result.index;
      if (result.item >= 0 && !itemIsOverflow(leaf, result.item)) {
        return read(itemValueBytes(leaf, result.item));
      }
      if (!leafIsOverflow(leaf, i)) return read(leafValueBytes(leaf, i));
      const ref = leafOverflowRef(leaf, i);
      return read(readOverflow(this.file, ref.first, ref.length));
    } finally {
      this.unpin(leaf);
    }
  }

  /** `getWith` in a tree with duplicates: the key's first duplicate. */
  private firstDupWith<T>(key: Uint8Array, read: (value: Uint8Array) => T): T | undefined {
    const leaf = locateFirstDup(this, key);
    if (!leaf) return undefined;
    try {
      const i = this.result.index;
      if (!leafIsOverflow(leaf, i)) return read(leafValueBytes(leaf, i));
      const ref = leafOverflowRef(leaf, i);
      return read(readOverflow(this.file, ref.first, ref.length));
    } finally {
      this.unpin(leaf);
    }
  }

  /** A copy of the value stored under `key`, or `undefined`. */
  get(key: Uint8Array): Uint8Array | undefined {
    return this.getWith(key, copyBytes);
  }

  /** True when `key` is stored. */
  has(key: Uint8Array): boolean {
    if (!this.plainKeys) {
      const first = locateFirstDup(this, key);
      if (first) this.unpin(first);
      return first !== undefined;
    }
    const leaf = descend(this, ROOT_PGNO, key);
    try {
      searchLeaf(this, leaf, key, this.result);
      return this.result.found;
    } finally {
      this.unpin(leaf);
    }
  }

  /**
   * Stores `value` under `key`. With `noOverwrite`, an existing key is left alone.
   * @returns true when the key was not stored before.
   * Complexity: O(log n).
   */
  put(key: Uint8Array, value: Uint8Array, noOverwrite = false): boolean {
    if (!this.plainKeys) {
      return putDuplicate(this, key, value, noOverwrite ? PUT_NO_OVERWRITE : 0) === 'stored';
    }
    this.checkKey(key);
    const appended = this.appendLeaf(key, this.itemSize(key, value));
    const leaf = appended ?? descend(this, ROOT_PGNO, key, this.path);
    try {
      if (appended) {
        this.result.index = getSlotCount(leaf);
        this.result.found = false;
      } else {
        searchLeaf(this, leaf, key, this.result);
      }
      const { index, found } = this.result;
      if (found && noOverwrite) return false;
      this.beforeChange();
      if (!found && this.counted) adjustPathCounts(this, 1);
      if (!found && this.insertInPlace(leaf, index, key, value)) return true;
      const item = this.makeItem(key, value);
      if (found) {
        this.replaceAt(leaf, index, item);
        return false;
      }
      this.insertAt(leaf, index, item);
      this.adjustCount(1);
      // An append that split the rightmost leaf went to the new right page, now rightmost.
      const next = getNext(leaf);
      this.appendHint = this.counted ? pgno(0) : next === 0 ? leaf.pgno : appended ? next
        : pgno(0);
      return true;
    } finally {
      this.unpin(leaf);
    }
  }

  /**
   * Inserts a new inline item straight into the leaf when it fits (the common case), writing
   * its bytes in place instead of building an item first. False when it does not apply.
   */
  private insertInPlace(leaf: Frame, index: number, key: Uint8Array, value: Uint8Array): boolean {
    const size = LEAF_ITEM_HEADER + key.length + value.length;
    if (key.length > this.maxKeyBytes || size > this.maxItem || !fits(leaf, size)) return false;
    this.fillKey = key;
    this.fillValue = value;
    this.file.changes.insertItemWith(this.file.mp, leaf, index, size, this.fillLeafItem);
    this.adjustCount(1);
    this.appendHint = getNext(leaf) === 0 && !this.counted ? leaf.pgno : pgno(0);
    return true;
  }

  /** Writes the leaf item of (`fillKey`, `fillValue`) at `offset` of a page. */
  private readonly fillLeafItem = (target: Uint8Array, offset: number): void => {
    writeLeafItem(target, offset, this.fillKey, this.fillValue);
  };

  private fillKey: Uint8Array = new Uint8Array(0);
  private fillValue: Uint8Array = new Uint8Array(0);

  /**
   * Appends in key order skip the descent, as Berkeley DB's "last page" hint does: when the
   * last insert went to the rightmost leaf and `key` sorts after its last key, that leaf is
   * where `key` belongs (it is the rightmost leaf, and its first key is at least its
   * separator). Any leaf page is in the tree (pages are reachable or free), so checking the
   * page itself is enough. When the item fits, returns the leaf, pinned and read-locked; when
   * it does not, walks the rightmost edge to fill the path the split needs, comparing no keys.
   * Returns undefined when the hint does not apply.
   */
  private appendLeaf(key: Uint8Array, itemSize: number): Frame | undefined {
    const hint = this.appendHint;
    if (hint === 0) return undefined;
    const frame = this.pinUnlocked(hint);
    let ordered: boolean;
    try {
      const count = getSlotCount(frame);
      ordered = getType(frame) === PageType.BTREE_LEAF && getNext(frame) === 0 &&
        count > 0 && compareLeafKey(this, key, frame, count - 1) > 0;
      if (ordered && fits(frame, itemSize)) {
        this.lockRead(hint);
        return frame;
      }
    } catch (e) {
      this.unpin(frame);
      throw e;
    }
    this.unpin(frame);
    this.appendHint = pgno(0);
    if (!ordered) return undefined;
    const leaf = edgeLeaf(this, ROOT_PGNO, true, this.path);
    if (leaf.pgno === hint) return leaf;
    this.unpin(leaf);
    return undefined;
  }

  /** Bytes the leaf item for (key, value) takes (see `makeItem`). */
  private itemSize(key: Uint8Array, value: Uint8Array): number {
    const stored = key.length > this.maxKeyBytes ? OVERFLOW_REF_SIZE : key.length;
    const inline = LEAF_ITEM_HEADER + stored + value.length;
    return inline <= this.maxItem ? inline : LEAF_ITEM_HEADER + stored + OVERFLOW_REF_SIZE;
  }

  /** Removes `key` with every duplicate; returns how many items went. */
  deleteCounting(key: Uint8Array): number {
    if (!this.plainKeys) return deleteKey(this, key);
    return this.del(key) ? 1 : 0;
  }

  /**
   * Removes `key` (with duplicates: every one of them). Returns false when it was not stored.
   * Complexity: O(log n) (O(d log n) for d duplicates).
   */
  del(key: Uint8Array): boolean {
    if (!this.plainKeys) return deleteKey(this, key) > 0;
    const leaf = descend(this, ROOT_PGNO, key, this.path);
    try {
      searchLeaf(this, leaf, key, this.result);
      if (!this.result.found) return false;
      this.beforeChange();
      this.deleteAt(leaf, this.result.index);
      return true;
    } finally {
      this.unpin(leaf);
    }
  }

  /** Removes leaf item `index` of the pinned `leaf`, found by a descent that filled the path. */
  deleteAt(leaf: Frame, index: number): void {
    const f = this.file;
    this.freeChains(leaf, index);
    if (this.counted) adjustPathCounts(this, -1);
    f.changes.deleteItem(f.mp, leaf, index);
    this.adjustCount(-1);
    rebalance(this, leaf, this.path.depth);
  }

  /** Tells every listener that an item was inserted or deleted at `rank` (unsorted dups). */
  noteShift(rank: number, delta: number, placement?: Placement): void {
    let lastHeld = -1;
    if (delta < 0) {
      for (const l of this.listeners) lastHeld = Math.max(lastHeld, l.heldOrderAt(rank));
    }
    for (const l of this.listeners) l.shifted(rank, delta, placement, lastHeld);
  }

  /** Tells every listener (cursor) that the tree is about to change. */
  beforeChange(): void {
    if (this.listeners.size > 0) for (const l of this.listeners) l.detach();
    this.version++;
  }

  /** Throws `InvalidArgumentError` for a key beyond `MAX_KEY_BYTES` (long-keys.ts). */
  checkKey(key: Uint8Array): void {
    if (key.length > MAX_KEY_BYTES) {
      throw new InvalidArgumentError(
        `${this.name}: a key of ${key.length} bytes exceeds the ${MAX_KEY_BYTES}-byte limit`,
      );
    }
  }

  /**
   * The leaf item of (`key`, `value`): both inline when they fit, else the value and (when
   * longer than `maxKeyBytes`) the key on overflow chains written now.
   */
  makeItem(key: Uint8Array, value: Uint8Array): Uint8Array {
    const longKey = key.length > this.maxKeyBytes;
    if (!longKey && LEAF_ITEM_HEADER + key.length + value.length <= this.maxItem) {
      return leafItem(key, value, this.itemScratch);
    }
    const stored = longKey ? keyReference(this.file, key) : key;
    if (LEAF_ITEM_HEADER + stored.length + value.length <= this.maxItem) {
      const item = leafItem(stored, value);
      item[0] = FLAG_OVERFLOW_KEY;
      return item;
    }
    const item = leafOverflowItem(stored, writeOverflow(this.file, value), value.length);
    if (longKey) item[0]! |= FLAG_OVERFLOW_KEY;
    return item;
  }

  insertAt(leaf: Frame, index: number, item: Uint8Array): void {
    const f = this.file;
    if (fits(leaf, item.length)) {
      f.changes.insertItem(f.mp, leaf, index, item);
      return;
    }
    const append = index === getSlotCount(leaf) && getNext(leaf) === 0;
    splitInsert(this, leaf, this.path.depth, index, item, append);
  }

  /** Frees the chains internal item i's separator owns (long-keys.ts invariant 1). */
  freeSeparatorChains(frame: Frame, i: number): void {
    const at = slotOffset(frame, i) + this.internalHeader;
    if (this.plainKeys) {
      freeSeparatorKey(this.file, frame, i, at);
      return;
    }
    freeSeparator(this.file, internalKey(frame, i, this.internalHeader),
      internalKeyOnChain(frame, i));
  }

  /** Frees the overflow chains (value, key) of leaf item `index` about to be dropped. */
  freeChains(leaf: Frame, index: number): void {
    if (leafIsOverflow(leaf, index)) {
      const ref = leafOverflowRef(leaf, index);
      freeOverflow(this.file, ref.first, ref.length);
    }
    freeLeafKey(this.file, leaf, index);
  }

  replaceAt(leaf: Frame, index: number, item: Uint8Array): void {
    const f = this.file;
    this.freeChains(leaf, index);
    if (totalFree(leaf) + slotLength(leaf, index) >= item.length) {
      f.changes.replaceItem(f.mp, leaf, index, item);
      return;
    }
    f.changes.deleteItem(f.mp, leaf, index);
    this.insertAt(leaf, index, item);
  }

  /** Adds `delta` to the record count in the meta page. */
  adjustCount(delta: number): void {
    this.file.changes.adjustCount(this.file.mp, delta);
  }
}
