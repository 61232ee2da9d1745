/**
 * The shape of a btree: whether a key may hold several values (duplicates, sorted or in
 * insertion order) and whether the tree keeps record numbers. Fixed when the file is
 * created, recorded in the meta page's flags and checked at every open (Berkeley DB's
 * DB_DUP, DB_DUPSORT and DB_RECNUM).
 *
 * Layer: am/btree (rank 5).
 *
 * Meta page flag bits (the `flags` byte, am/common/meta.ts):
 * | bit | meaning                                                        |
 * | --: | -------------------------------------------------------------- |
 * |   0 | keys ordered by a user comparator (`META_FLAG_USER_COMPARATOR`) |
 * |   1 | duplicates in insertion order (DB_DUP)                          |
 * |   2 | duplicates sorted (DB_DUPSORT)                                  |
 * |   3 | record numbers (DB_RECNUM)                                      |
 * |   4 | duplicates ordered by a user comparator                         |
 *
 * Invariants:
 * 1. A tree with duplicates or record numbers is *counted*: every internal item holds the
 *    number of leaf items under its child, exactly.
 * 2. Duplicates and record numbers exclude each other (Berkeley DB: EINVAL), and a
 *    duplicate comparator needs sorted duplicates.
 * 3. Opening a file with a shape other than the one it was created with is
 *    `InvalidArgumentError` naming what differs; nothing is changed.
 */
import { InvalidArgumentError } from '../../util/index.js';
import { META_FLAG_USER_COMPARATOR } from '../common/index.js';
import type { Comparator } from './comparator.js';

/** How a key holds several values: not at all, sorted, or in insertion order. */
export type Duplicates = 'none' | 'sorted' | 'unsorted';

/** What a btree is created (and must be opened) with. */
export interface BtreeConfig {
  /** Key order; default unsigned byte order, the shorter first. */
  compare?: Comparator;
  /** Duplicates; default 'none'. */
  duplicates?: Duplicates;
  /** Order of sorted duplicates; default unsigned byte order, the shorter first. */
  dupCompare?: Comparator;
  /** Keep record numbers (positions in key order). Default false. */
  recordNumbers?: boolean;
}

/** A checked configuration: every field present. */
export interface BtreeShape {
  readonly compare: Comparator | undefined;
  readonly duplicates: Duplicates;
  readonly dupCompare: Comparator | undefined;
  readonly recordNumbers: boolean;
  /** Internal items carry subtree counts (invariant 1). */
  readonly counted: boolean;
}

const FLAG_DUP = 2;
const FLAG_DUPSORT = 4;
const FLAG_RECNUM = 8;
const FLAG_USER_DUP_COMPARATOR = 16;

/** Checks a configuration (invariant 2); `name` names the database in messages. */
export function shapeOf(config: BtreeConfig, name: string): BtreeShape {
  const duplicates = config.duplicates ?? 'none';
  const recordNumbers = config.recordNumbers === true;
  if (duplicates !== 'none' && recordNumbers) {
    throw new InvalidArgumentError(
      `${name}: a btree cannot keep both duplicates and record numbers (Berkeley DB refuses ` +
        'DB_DUP or DB_DUPSORT with DB_RECNUM too)',
    );
  }
  if (config.dupCompare && duplicates !== 'sorted') {
    throw new InvalidArgumentError(
      `${name}: a duplicate comparator needs duplicates: 'sorted'`,
    );
  }
  return {
    compare: config.compare, duplicates, dupCompare: config.dupCompare, recordNumbers,
    counted: recordNumbers || duplicates !== 'none',
  };
}

/** The meta page flags recording `shape`. */
export function shapeFlags(shape: BtreeShape): number {
  let flags = shape.compare ? META_FLAG_USER_COMPARATOR : 0;
  if (shape.duplicates === 'unsorted') flags |= FLAG_DUP;
  if (shape.duplicates === 'sorted') flags |= FLAG_DUP | FLAG_DUPSORT;
  if (shape.recordNumbers) flags |= FLAG_RECNUM;
  if (shape.dupCompare) flags |= FLAG_USER_DUP_COMPARATOR;
  return flags;
}

/** What the flags of an existing file say, in words, for messages. */
function describeFlags(flags: number): string {
  const parts: string[] = [];
  if (flags & FLAG_DUPSORT) parts.push("duplicates: 'sorted'");
  else if (flags & FLAG_DUP) parts.push("duplicates: 'unsorted'");
  else parts.push("duplicates: 'none'");
  parts.push(`recordNumbers: ${(flags & FLAG_RECNUM) !== 0}`);
  parts.push(`${flags & META_FLAG_USER_COMPARATOR ? 'a' : 'no'} key comparator`);
  if (flags & FLAG_DUPSORT) {
    parts.push(`${flags & FLAG_USER_DUP_COMPARATOR ? 'a' : 'no'} duplicate comparator`);
  }
  return parts.join(', ');
}

/** Throws unless `shape` is what the file's meta `flags` record (invariant 3). */
export function checkShape(flags: number, shape: BtreeShape, name: string): void {
  const expected = shapeFlags(shape);
  if (flags === expected) return;
  throw new InvalidArgumentError(
    `${name} was created with ${describeFlags(flags)}; it was opened with ` +
      `${describeFlags(expected)}. Open it with the configuration it was created with`,
  );
}
