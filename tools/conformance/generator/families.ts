/**
 * The families the generator writes scripts for (four btree, three hash), what each is
 * opened with, and the page sizes scripts use.
 *
 * Layer: conformance tooling (no engine imports).
 *
 * Invariants:
 * 1. Every family's open flags are a combination the real library opens (DB_RECNUM and
 *    DB_DUP together make the oracle die: "illegal flag combination"; a hash takes no
 *    DB_RECNUM).
 * 2. New families go at the end of FAMILIES: a family's place there seeds its scripts
 *    (generate.ts), so the scripts of the others stay what they were.
 */

/** A family: its access method and open flags decide duplicates and record numbers. */
export type Family = 'btree' | 'btree-dup' | 'btree-dupsort' | 'btree-recnum' | 'hash' |
  'hash-dup' | 'hash-dupsort';

export const FAMILIES: readonly Family[] = ['btree', 'btree-dup', 'btree-dupsort',
  'btree-recnum', 'hash', 'hash-dup', 'hash-dupsort'];

/** The access methods of the families. */
export type FamilyType = 'btree' | 'hash';

/** What a family's database holds. */
export interface FamilyTraits {
  /** The oracle's `open` type. */
  type: FamilyType;
  /** The oracle's `open` flags. */
  flags: readonly string[];
  duplicates: 'none' | 'unsorted' | 'sorted';
  recordNumbers: boolean;
}

export const TRAITS: Record<Family, FamilyTraits> = {
  btree: { type: 'btree', flags: [], duplicates: 'none', recordNumbers: false },
  'btree-dup': { type: 'btree', flags: ['DUP'], duplicates: 'unsorted', recordNumbers: false },
  'btree-dupsort': { type: 'btree', flags: ['DUP', 'DUPSORT'], duplicates: 'sorted',
    recordNumbers: false },
  'btree-recnum': { type: 'btree', flags: ['RECNUM'], duplicates: 'none', recordNumbers: true },
  hash: { type: 'hash', flags: [], duplicates: 'none', recordNumbers: false },
  'hash-dup': { type: 'hash', flags: ['DUP'], duplicates: 'unsorted', recordNumbers: false },
  'hash-dupsort': { type: 'hash', flags: ['DUP', 'DUPSORT'], duplicates: 'sorted',
    recordNumbers: false },
};

/**
 * A hash script's table settings (the oracle's `h_ffactor` and `h_nelem`, Stowage's
 * `fillFactor` and `expectedSize`); absent ones keep the library's defaults.
 */
export interface HashSettings {
  ffactor?: number;
  nelem?: number;
}

/** Page sizes used across scripts (large scripts always use the smallest). */
export const PAGE_SIZES: readonly number[] = [512, 1024, 4096, 8192, 65536];

/** Every put flag, c_get flag and c_put flag a script may use (the oracle accepts each). */
export const PUT_FLAGS = ['NOOVERWRITE', 'NODUPDATA', 'OVERWRITE_DUP'] as const;
export const CURSOR_GET_FLAGS = ['FIRST', 'LAST', 'NEXT', 'PREV', 'NEXT_DUP', 'PREV_DUP',
  'NEXT_NODUP', 'PREV_NODUP', 'SET', 'SET_RANGE', 'CURRENT', 'GET_BOTH', 'GET_BOTH_RANGE',
  'SET_RECNO', 'GET_RECNO'] as const;
export const CURSOR_PUT_FLAGS = ['KEYFIRST', 'KEYLAST', 'BEFORE', 'AFTER', 'CURRENT',
  'NODUPDATA'] as const;

export type PutFlag = (typeof PUT_FLAGS)[number];
export type CursorGetFlag = (typeof CURSOR_GET_FLAGS)[number];
export type CursorPutFlag = (typeof CURSOR_PUT_FLAGS)[number];
