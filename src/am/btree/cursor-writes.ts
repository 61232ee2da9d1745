/**
 * Writes at a cursor (Berkeley DB's DBC->put and DBC->del) for every shape of tree: replace
 * the current value (DB_CURRENT), store a pair as the first or last of its key
 * (DB_KEYFIRST, DB_KEYLAST), store a duplicate before or after the current one (DB_BEFORE,
 * DB_AFTER: unsorted duplicates only), delete the current pair.
 *
 * Layer: am/btree (rank 5).
 *
 * Invariants:
 * 1. A put leaves the cursor on the pair it stored; a delete leaves it on the hole
 *    (`where()` is 'deleted'), so `next`/`prev` go on from there.
 * 2. Every refusal is decided before a page changes: an unpositioned cursor or a flag the
 *    tree's shape does not allow is `InvalidArgumentError` (BDB: EINVAL), a stored pair with
 *    sorted duplicates is `KeyExistsError` (DB_KEYEXIST).
 * 3. With sorted duplicates a DB_CURRENT put may not move the pair: the new value must
 *    compare equal to the old one under the duplicate order (BDB: EINVAL otherwise).
 */
import { InvalidArgumentError, KeyExistsError } from '../../util/index.js';
import type { Frame } from '../../mpool/index.js';
import { getSlotCount } from '../../page/index.js';
import { leafKeyOf } from './long-keys.js';
import { type Btree, type Placement, ROOT_PGNO } from './btree.js';
import type { BtreeCursor } from './cursor.js';
import { AFTER_DUPS, compareValues } from './dup-order.js';
import {
  PUT_NO_DUP_DATA, deletePairAt, insertPairAt, locateFirstDup, locatePair, putDuplicate,
} from './duplicates.js';
import { descendToRank, rankOf } from './positions.js';
import { descendAndSearch } from './search.js';
import { Locator } from './locator.js';

/** Where a keyed cursor put places a new duplicate. */
export type KeyedPosition = 'first' | 'last';

/** DB_CURRENT: replaces the current value. False (nothing stored) when it was deleted. */
export function putCurrent(c: BtreeCursor, t: Btree, value: Uint8Array): boolean {
  const pair = c.currentPair('put');
  if (!pair) return false;
  const find = new Locator(t);
  if (t.plainKeys) {
    t.put(pair.key, value);
    return c.landOn(find.key(pair.key));
  }
  if (t.sortedDups && compareValues(t, value, pair.value) !== 0) {
    throw new InvalidArgumentError(
      `cursor put: ${t.name} keeps duplicates sorted; a put at the cursor may only replace ` +
        'the value with one that sorts the same (delete it and put the new pair instead)',
    );
  }
  const rank = c.currentRank;
  const leaf = t.sortedDups ? locatePair(t, pair.key, pair.value)!
    : descendToRank(t, ROOT_PGNO, rank, t.path, t.result);
  replacePair(t, leaf, t.result.index, pair.key, value);
  return c.landOn(t.sortedDups ? find.pair(pair.key, value) : find.rank(rank));
}

/** Replaces the pair at `index` of the pinned `leaf` (found by a descent), then unpins it. */
function replacePair(t: Btree, leaf: Frame, index: number, key: Uint8Array, value: Uint8Array):
  void {
  try {
    t.beforeChange();
    t.replaceAt(leaf, index, t.makeItem(key, value));
  } finally {
    t.unpin(leaf);
  }
}

/**
 * DB_KEYFIRST / DB_KEYLAST: stores (`key`, `value`). Without duplicates it replaces the
 * key's value; with sorted ones it goes to its sorted place; with unsorted ones it becomes
 * the first or last duplicate of the key.
 */
export function putKeyed(
  c: BtreeCursor, t: Btree, key: Uint8Array, value: Uint8Array, position: KeyedPosition,
  noDupData: boolean,
): void {
  c.checkOpen();
  if (noDupData && !t.sortedDups) {
    throw new InvalidArgumentError(
      `cursor put: noDupData needs sorted duplicates, which ${t.name} does not keep`,
    );
  }
  const find = new Locator(t);
  if (t.plainKeys) {
    t.put(key, value);
    c.landOn(find.key(key));
    return;
  }
  if (t.sortedDups) {
    if (putDuplicate(t, key, value, noDupData ? PUT_NO_DUP_DATA : 0) === 'pair-exists') {
      throw new KeyExistsError(`${t.name}: the pair is already stored (sorted duplicates)`);
    }
    c.landOn(find.pair(key, value));
    return;
  }
  t.checkKey(key);
  const rank = insertUnsorted(t, key, value, position);
  c.landOn(find.rank(rank));
}

/** Inserts an unsorted duplicate first or last among `key`'s; returns its rank. */
function insertUnsorted(t: Btree, key: Uint8Array, value: Uint8Array, position: KeyedPosition):
  number {
  let leaf = position === 'first' ? locateFirstDup(t, key) : undefined;
  leaf ??= descendAndSearch(t, ROOT_PGNO, t.target.set(key, AFTER_DUPS), t.path, t.result);
  return insertAtResult(t, leaf, key, value, `${position}-of-key`);
}

/** Inserts at `t.result.index` of the pinned `leaf` (path filled); returns the new rank. */
function insertAtResult(t: Btree, leaf: Frame, key: Uint8Array, value: Uint8Array,
  how: Placement['how'], held = -1): number {
  try {
    const index = t.result.index;
    const rank = rankOf(t, t.path, index);
    insertPairAt(t, leaf, index, key, value, how, held);
    return rank;
  } finally {
    t.unpin(leaf);
  }
}

/**
 * DB_BEFORE / DB_AFTER: stores `value` as a duplicate of the current key just before or
 * after the current one (unsorted duplicates only). On a deleted item, as Berkeley DB does,
 * the new duplicate takes the deleted one's place.
 */
export function putAdjacent(c: BtreeCursor, t: Btree, value: Uint8Array,
  side: 'before' | 'after'): boolean {
  c.checkOpen();
  if (!t.ranked) {
    throw new InvalidArgumentError(
      `cursor put ${side}: only a database with unsorted duplicates takes a duplicate ` +
        `${side} the cursor; ${t.name} ${t.sortedDups ? 'sorts them' : 'keeps none'}`,
    );
  }
  const pair = c.currentPair(`put ${side}`);
  const hole = pair ? undefined : c.hole;
  if (!pair && !hole) return false;
  const key = pair ? pair.key : hole!.key;
  const leaf = pair ? descendToRank(t, ROOT_PGNO, c.currentRank, t.path, t.result)
    : descendToHole(t, key, hole!.rank);
  if (pair && side === 'after') t.result.index++;
  const onItem = side === 'before' ? 'before-next' : 'after-previous';
  const how = pair ? onItem : side === 'before' ? 'before-held' : 'after-held';
  const stored = insertAtResult(t, leaf, key, value, how, hole?.held);
  return c.landOn(new Locator(t).rank(stored));
}

/**
 * The leaf and index (in `t.result`) where a duplicate of `key` takes the place of a deleted
 * one whose successor has `rank`. When that successor has another key, `key`'s items all
 * come before it and the place is after them, found by key: a descent by rank could pick
 * the next leaf, whose separator `key` may sort below.
 */
function descendToHole(t: Btree, key: Uint8Array, rank: number): Frame {
  const leaf = descendToRank(t, ROOT_PGNO, rank, t.path, t.result);
  const index = t.result.index;
  if (index < getSlotCount(leaf) && new Locator(t).sameKey(key, leafKeyOf(t.file, leaf, index))) {
    return leaf;
  }
  t.unpin(leaf);
  return descendAndSearch(t, ROOT_PGNO, t.target.set(key, AFTER_DUPS), t.path, t.result);
}

/** DBC->del: deletes the current pair. False when it was already deleted. */
export function deleteCurrent(c: BtreeCursor, t: Btree): boolean {
  const pair = c.currentPair('del');
  if (!pair) return false;
  if (t.plainKeys) {
    t.del(pair.key);
  } else {
    const leaf = t.sortedDups ? locatePair(t, pair.key, pair.value)!
      : descendToRank(t, ROOT_PGNO, c.currentRank, t.path, t.result);
    try {
      deletePairAt(t, leaf, t.result.index);
    } finally {
      t.unpin(leaf);
    }
  }
  c.markDeleted(pair.key, pair.value);
  return true;
}
