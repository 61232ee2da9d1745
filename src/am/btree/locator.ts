/**
 * `Locator`: the searches a cursor positions with, for each shape of tree: unique keys,
 * sorted duplicates ((key, value) pairs unique) and unsorted duplicates (pairs found by
 * rank, since the same pair may be stored twice).
 *
 * Layer: am/btree (rank 5).
 *
 * Invariants:
 * 1. Every search returns its leaf pinned (the cursor's settle or land unpins it) or
 *    returns undefined with nothing pinned; a throwing comparator or overflow read leaves
 *    nothing pinned.
 * 2. A rank is meaningful only in a tree with unsorted duplicates (`ranked`); elsewhere it
 *    is 0 and a detached cursor re-finds its item by key (and value).
 */
import { compareBytes } from '../../util/index.js';
import type { Frame } from '../../mpool/index.js';
import { getSlotCount } from '../../page/index.js';
import { leafKeyOf } from './long-keys.js';
import { type Btree, ROOT_PGNO } from './btree.js';
import { type SearchResult, descend, descendAndSearch, searchLeaf } from './search.js';
import { AFTER_DUPS, AT_VALUE, BEFORE_DUPS, leafValueOf } from './dup-order.js';
import { countDups, locateFirstDup, locatePair } from './duplicates.js';
import { type RankResult, descendToRank, rankOf } from './positions.js';

/** A found place: the leaf (pinned), the item's index on it, and its rank when ranked. */
export interface Located {
  leaf: Frame;
  index: number;
  rank: number;
}

export class Locator {
  /** Unsorted duplicates: positions are kept by rank (invariant 2). */
  readonly ranked: boolean;
  private readonly result: SearchResult = { index: 0, found: false, item: -1 };
  private readonly rankResult: RankResult = { index: 0 };

  constructor(private readonly t: Btree) {
    this.ranked = t.shape.duplicates === 'unsorted';
  }

  sameKey(a: Uint8Array, b: Uint8Array): boolean {
    return (this.t.compare ? this.t.compare(a, b) : compareBytes(a, b)) === 0;
  }

  /** The first item of `key` (its first duplicate), or undefined. */
  key(key: Uint8Array): Located | undefined {
    const t = this.t;
    if (!t.plainKeys) {
      const leaf = locateFirstDup(t, key);
      return leaf && this.located(leaf, t.result.index);
    }
    const leaf = this.leafFor(key);
    if (this.result.found) return this.located(leaf, this.result.index);
    t.unpin(leaf);
    return undefined;
  }

  /**
   * The place of the first item whose key is >= `key` ('before': before its duplicates) or
   * > `key` ('after'); the index may be the leaf's slot count (the next leaf's first item).
   */
  keyBound(key: Uint8Array, side: 'before' | 'after'): Located {
    const t = this.t;
    if (t.plainKeys) {
      const leaf = this.leafFor(key);
      const r = this.result;
      return this.located(leaf, r.found && side === 'after' ? r.index + 1 : r.index);
    }
    const target = t.target.set(key, side === 'before' ? BEFORE_DUPS : AFTER_DUPS);
    const leaf = descendAndSearch(t, ROOT_PGNO, target, t.path, this.result);
    return this.located(leaf, this.result.index);
  }

  /** The pair (`key`, `value`), or undefined (values compared as bytes without duplicates). */
  pair(key: Uint8Array, value: Uint8Array): Located | undefined {
    const t = this.t;
    if (!t.plainKeys) {
      const leaf = locatePair(t, key, value);
      return leaf && this.located(leaf, t.result.index);
    }
    const found = this.key(key);
    if (!found) return undefined;
    let equal: boolean;
    try {
      equal = compareBytes(leafValueOf(t.file, found.leaf, found.index), value) === 0;
    } catch (e) {
      t.unpin(found.leaf);
      throw e;
    }
    if (equal) return found;
    t.unpin(found.leaf);
    return undefined;
  }

  /** DB_GET_BOTH_RANGE: with sorted duplicates the first of `key` >= `value`, else `pair`. */
  pairRange(key: Uint8Array, value: Uint8Array): Located | undefined {
    const t = this.t;
    if (!t.sortedDups) return this.pair(key, value);
    const target = t.target.set(key, AT_VALUE, value);
    let leaf = descendAndSearch(t, ROOT_PGNO, target, t.path, this.result);
    let index = this.result.index;
    if (index >= getSlotCount(leaf)) {
      const rank = rankOf(t, t.path, index);
      t.unpin(leaf);
      if (rank >= t.totalItems()) return undefined;
      leaf = descendToRank(t, ROOT_PGNO, rank, t.path, this.rankResult);
      index = this.rankResult.index;
    }
    const same = this.sameKey(key, leafKeyOf(this.t.file, leaf, index));
    if (same) return this.located(leaf, index);
    t.unpin(leaf);
    return undefined;
  }

  /** The item of 0-based `rank`, or undefined past the end. */
  rank(rank: number): Located | undefined {
    const t = this.t;
    if (rank >= t.totalItems()) return undefined;
    const leaf = descendToRank(t, ROOT_PGNO, rank, t.path, this.rankResult);
    return { leaf, index: this.rankResult.index, rank };
  }

  /** The 0-based rank of `key` in a tree with record numbers (the key is stored). */
  rankOfKey(key: Uint8Array): number {
    const leaf = this.leafFor(key);
    this.t.unpin(leaf);
    return rankOf(this.t, this.t.path, this.result.index);
  }

  /** Number of duplicates of `key` (1 without duplicates: the key is stored). */
  dupCount(key: Uint8Array): number {
    return this.t.plainKeys ? 1 : countDups(this.t, key);
  }

  /** Re-finds a detached cursor's item, or undefined when it was deleted. */
  saved(key: Uint8Array, value: Uint8Array | undefined, holed: boolean, rank: number):
    Located | undefined {
    if (this.t.plainKeys) return this.key(key);
    if (!this.ranked) return this.pair(key, value!);
    if (holed) return undefined;
    const at = this.rank(rank);
    if (!at) return undefined;
    if (this.sameKey(key, leafKeyOf(this.t.file, at.leaf, at.index))) return at;
    this.t.unpin(at.leaf);
    return this.pair(key, value!);
  }

  /**
   * Where a detached cursor steps to: the place after (`forward`) or before its item or
   * hole, for a settle in that direction (the index may be off the leaf's ends).
   */
  beside(key: Uint8Array, value: Uint8Array | undefined, holed: boolean, rank: number,
    forward: boolean): Located {
    const t = this.t;
    if (this.ranked) return this.besideRank(forward ? (holed ? rank : rank + 1) : rank - 1);
    if (t.plainKeys) {
      const at = this.keyBound(key, forward ? 'after' : 'before');
      if (!forward) at.index--;
      return at;
    }
    const target = t.target.set(key, AT_VALUE, value);
    const leaf = descendAndSearch(t, ROOT_PGNO, target, t.path, this.result);
    const { index, found } = this.result;
    return this.located(leaf, forward ? (found ? index + 1 : index) : index - 1);
  }

  /** The place of rank `rank` for a settle: clamped so that a settle off an end fails. */
  private besideRank(rank: number): Located {
    const total = this.t.totalItems();
    const at = Math.max(0, Math.min(rank, total));
    const leaf = descendToRank(this.t, ROOT_PGNO, at, this.t.path, this.rankResult);
    return { leaf, index: rank < 0 ? -1 : this.rankResult.index, rank };
  }

  /** The leaf that may hold `key` (unique keys), pinned, with `result` set and the path. */
  private leafFor(key: Uint8Array): Frame {
    const leaf = descend(this.t, ROOT_PGNO, key, this.t.path);
    try {
      searchLeaf(this.t, leaf, key, this.result);
    } catch (e) {
      this.t.unpin(leaf);
      throw e;
    }
    return leaf;
  }

  /** `{ leaf, index }` with the rank from the fresh path when ranked. */
  private located(leaf: Frame, index: number): Located {
    const rank = this.ranked ? rankOf(this.t, this.t.path, index) : 0;
    return { leaf, index, rank };
  }
}
