/**
 * What a hash cursor asks of the table: finding a pair again by key and value, and the
 * cursor writes (DB_CURRENT, DB_KEYFIRST/DB_KEYLAST, DB_BEFORE/DB_AFTER, DBC->del), each
 * answering with the place the cursor lands on.
 *
 * Layer: am/hash (rank 5).
 *
 * Invariants:
 * 1. A put returns the place of the pair it stored; a delete returns the hole: the place
 *    of what followed the deleted pair, on a page still in the bucket's chain.
 * 2. Refusals come before any change (dup-writes.ts invariant 3): BEFORE/AFTER need unsorted
 *    duplicates, noDupData needs sorted ones, a DB_CURRENT put with sorted duplicates must
 *    keep the value's place (all `InvalidArgumentError`), and a stored pair with sorted
 *    duplicates is `KeyExistsError`.
 */
import { InvalidArgumentError, KeyExistsError, compareBytes } from '../../util/index.js';
import type { Frame } from '../../mpool/index.js';
import { getNext, getPrev, getSlotCount } from '../../page/index.js';
import type { HashTable, Spot } from './table.js';
import type { Place } from './cursor.js';
import { flagsOf, searchPage } from './page-items.js';
import { ITEM_DUPS } from './format.js';
import {
  deleteDuplicate, dupOrder, sortedIndex, storeDuplicate, valuesAt, writeSet,
} from './dup-writes.js';
import { deleteAt, storePlain } from './writes.js';

/** Where a relocated cursor stands: on its pair (`present`) or on the hole it left. */
export interface Relocated {
  place: Place;
  present: boolean;
  /** The hole's key has no value left (next-no-dup then starts at the hole). */
  keyGone: boolean;
}

export interface DupFinder {
  relocate(key: Uint8Array, value: Uint8Array, was: Place): Relocated;
  findPair(key: Uint8Array, value: Uint8Array, how: 'exact' | 'range'): Place | undefined;
  putCurrent(at: Place, value: Uint8Array): Place | undefined;
  putKeyed(key: Uint8Array, value: Uint8Array, position: 'first' | 'last', noDupData: boolean):
    Place;
  putBeside(at: Place, value: Uint8Array, after: 0 | 1): Place | undefined;
  deleteAt(at: Place): Relocated;
}

/** The cursor operations over `t`. */
export function cursorWrites(t: HashTable): DupFinder {
  return new CursorOps(t);
}

class CursorOps implements DupFinder {
  constructor(private readonly t: HashTable) {}

  relocate(key: Uint8Array, value: Uint8Array, was: Place): Relocated {
    const t = this.t;
    const spot = t.find(key);
    if (!spot) return { place: this.keyHole(key, was), present: false, keyGone: true };
    try {
      const values = valuesAt(t, spot);
      const place = placeOf(spot, 0);
      // The cursor's value index follows inserts and deletes of the key's values
      // (`dupShifted`), so its place is the index, whatever the value there is now (a put
      // elsewhere may have replaced it, as under Berkeley DB's cursors).
      if (was.dup < values.length) {
        return { place: { ...place, dup: was.dup }, present: true, keyGone: false };
      }
      const dup = t.shape.duplicates === 'sorted' ? sortedIndex(t, values, value).index
        : Math.min(was.dup, values.length);
      return { place: { ...place, dup }, present: false, keyGone: false };
    } finally {
      t.unpin(spot.frame);
    }
  }

  /** Where `key` would be in its bucket: on the page it was on when still in the chain. */
  private keyHole(key: Uint8Array, was: Place): Place {
    const t = this.t;
    const bucket = t.bucketOf(key);
    let hole: Place | undefined;
    let first: Place | undefined;
    t.walkChain(bucket, (frame) => {
      const at = { bucket, pgno: frame.pgno, index: searchPage(t.file, frame, key).index, dup: 0 };
      first ??= at;
      if (frame.pgno !== was.pgno) return false;
      hole = at;
      return true;
    });
    return hole ?? first!;
  }

  findPair(key: Uint8Array, value: Uint8Array, how: 'exact' | 'range'): Place | undefined {
    const t = this.t;
    const spot = t.find(key);
    if (!spot) return undefined;
    try {
      const values = valuesAt(t, spot);
      if (t.shape.duplicates === 'sorted') {
        const s = sortedIndex(t, values, value);
        if (s.found || (how === 'range' && s.index < values.length)) return placeOf(spot, s.index);
        return undefined;
      }
      const same = values.findIndex((v) => compareBytes(v, value) === 0);
      return same >= 0 ? placeOf(spot, same) : undefined;
    } finally {
      t.unpin(spot.frame);
    }
  }

  /**
   * DB_CURRENT. A key holding a single value (not a set) takes any value, as Berkeley DB's
   * hash overwrites a lone item even with sorted duplicates; in a set, a sorted value must
   * keep its place.
   */
  putCurrent(at: Place, value: Uint8Array): Place | undefined {
    const t = this.t;
    const spot = this.spotAt(at);
    const key = t.keyAt(spot);
    try {
      if (!(flagsOf(spot.frame, spot.index) & ITEM_DUPS)) {
        t.beforeChange();
        storePlain(t, key, value, false);
      } else {
        const values = valuesAt(t, spot);
        if (t.shape.duplicates === 'sorted' && dupOrder(t)(values[at.dup]!, value) !== 0) {
          throw new InvalidArgumentError(`cursor put: ${t.name} keeps duplicates sorted; a ` +
            'put at the cursor may only replace the value with one that sorts the same ' +
            '(delete it and put the new pair instead)');
        }
        values[at.dup] = value;
        t.beforeChange();
        writeSet(t, spot, values);
      }
    } finally {
      t.unpin(spot.frame);
    }
    return this.findAt(key, at.dup);
  }

  putKeyed(key: Uint8Array, value: Uint8Array, position: 'first' | 'last', noDupData: boolean):
    Place {
    const t = this.t;
    const dups = t.shape.duplicates;
    if (noDupData && dups !== 'sorted') {
      throw new InvalidArgumentError(`cursor put: noDupData needs sorted duplicates, which ` +
        `${t.name} does not keep`);
    }
    if (dups === 'none') {
      storePlain(t, key, value, false);
      return this.findAt(key, 0)!;
    }
    const stored = storeDuplicate(t, key, value, 0, dups === 'sorted' ? 'sorted' : position);
    if (stored.result === 'pair-exists') {
      throw new KeyExistsError(`${t.name}: the pair is already stored (sorted duplicates)`);
    }
    return this.findAt(key, stored.dup)!;
  }

  putBeside(at: Place, value: Uint8Array, after: 0 | 1): Place | undefined {
    const t = this.t;
    checkBeside(t, after);
    const key = this.keyOf(at);
    const stored = storeDuplicate(t, key, value, 0, at.dup + after);
    return this.findAt(key, stored.dup);
  }

  deleteAt(at: Place): Relocated {
    const t = this.t;
    const spot = this.spotAt(at);
    const key = t.keyAt(spot);
    let values: Uint8Array[];
    let hole: Place;
    try {
      values = valuesAt(t, spot);
      hole = holeAfter(spot.frame, at, values.length);
      if (values.length > 1) {
        deleteDuplicate(t, spot, at.dup);
      } else {
        t.beforeChange();
        deleteAt(t, spot, 1);
      }
    } finally {
      t.unpin(spot.frame);
    }
    if (values.length > 1) {
      return { place: this.findAt(key, at.dup)!, present: false, keyGone: false };
    }
    return { place: hole, present: false, keyGone: true };
  }

  private spotAt(at: Place): Spot {
    return { frame: this.t.pinChainPage(at.pgno), index: at.index, bucket: at.bucket };
  }

  private keyOf(at: Place): Uint8Array {
    const spot = this.spotAt(at);
    try {
      return this.t.keyAt(spot);
    } finally {
      this.t.unpin(spot.frame);
    }
  }

  private findAt(key: Uint8Array, dup: number): Place | undefined {
    const spot = this.t.find(key);
    if (!spot) return undefined;
    this.t.unpin(spot.frame);
    return placeOf(spot, dup);
  }
}

/**
 * The hole a cursor stands on once the item at `at` (holding `values` values) is gone
 * entirely: the same slot, or when the page empties and leaves its chain (table.ts
 * invariant 3), the start of the next page or the end of the previous one.
 */
function holeAfter(frame: Frame, at: Place, values: number): Place {
  if (values > 1 || getSlotCount(frame) > 1 || getPrev(frame) === 0) return { ...at, dup: 0 };
  const next = getNext(frame);
  if (next !== 0) return { ...at, pgno: next, index: 0, dup: 0 };
  return { ...at, pgno: getPrev(frame), index: Number.MAX_SAFE_INTEGER, dup: 0 };
}

/** Throws unless `t` takes duplicates before or after a cursor (unsorted duplicates). */
export function checkBeside(t: HashTable, after: 0 | 1): void {
  if (t.shape.duplicates === 'unsorted') return;
  const side = after ? 'after' : 'before';
  throw new InvalidArgumentError(`cursor put ${side}: only a database with unsorted ` +
    `duplicates takes a duplicate ${side} the cursor; ${t.name} ` +
    `${t.shape.duplicates === 'sorted' ? 'sorts them' : 'keeps none'}`);
}

function placeOf(spot: Spot, dup: number): Place {
  return { bucket: spot.bucket, pgno: spot.frame.pgno, index: spot.index, dup };
}

