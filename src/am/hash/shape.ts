/**
 * The shape of a hash database: duplicates, their order, the hash function, the fill factor
 * and the expected size. Read from the configuration once, recorded in the meta page at
 * creation and checked at every open.
 *
 * Layer: am/hash (rank 5).
 *
 * Invariants:
 * 1. A hash database has no key order and no record numbers: a key comparator or
 *    `recordNumbers` is `InvalidArgumentError` (Berkeley DB: EINVAL for DB_RECNUM).
 * 2. The meta page records the duplicates mode, whether a user duplicate comparator and a
 *    user hash function were used, and the hash of a fixed probe string (Berkeley DB's
 *    h_charkey): an open with another hash function, or another shape, is
 *    `InvalidArgumentError` naming what differs, and changes nothing.
 * 3. `fillFactor` and `expectedSize` given at an open must equal the recorded ones.
 */
import { InvalidArgumentError, describeValue } from '../../util/index.js';
import type { AmConfig, DuplicatesMode, KeyOrder } from '../common/index.js';
import {
  HASH_FLAG_DUP, HASH_FLAG_DUPSORT, HASH_FLAG_USER_DUP_COMPARATOR, HASH_FLAG_USER_HASH,
  type TableState,
} from './format.js';
import type { HashFunction, HashShape } from './table.js';

/** The probe whose hash the meta page records (invariant 2). */
export const HASH_PROBE = new TextEncoder().encode('%$sniglet^&');

/** Reads and checks the hash options of a database config. */
export function hashShapeOf(config: AmConfig, name: string): HashShape {
  if (config['comparator'] !== undefined) {
    throw new InvalidArgumentError(`${name}: a hash database has no key order, so it takes ` +
      'no comparator (keys are equal when their bytes are)');
  }
  if (config['recordNumbers'] === true) {
    throw new InvalidArgumentError(`${name}: a hash database keeps no record numbers ` +
      '(Berkeley DB refuses DB_RECNUM with DB_HASH too)');
  }
  const duplicates = (config['duplicates'] ?? 'none') as DuplicatesMode;
  const dupCompare = config['dupComparator'] as KeyOrder | undefined;
  if (dupCompare && duplicates !== 'sorted') {
    throw new InvalidArgumentError(`${name}: a duplicate comparator needs duplicates: 'sorted'`);
  }
  const hash = config['hash'];
  if (hash !== undefined && typeof hash !== 'function') {
    throw new InvalidArgumentError(`${name}: hash must be a function (bytes) => number, got ` +
      describeValue(hash));
  }
  return {
    duplicates, dupCompare, hash: hash as HashFunction | undefined,
    fillFactor: count(config, 'fillFactor', name),
    expectedSize: count(config, 'expectedSize', name),
  };
}

function count(config: AmConfig, option: string, name: string): number {
  const value = config[option] ?? 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new InvalidArgumentError(`${name}: ${option} must be an integer from 0 to 2^32 - 1, ` +
      `got ${describeValue(value)}`);
  }
  return value;
}

/** The meta page flags recording `shape` (invariant 2). */
export function hashShapeFlags(shape: HashShape): number {
  let flags = 0;
  if (shape.duplicates === 'unsorted') flags |= HASH_FLAG_DUP;
  if (shape.duplicates === 'sorted') flags |= HASH_FLAG_DUP | HASH_FLAG_DUPSORT;
  if (shape.dupCompare) flags |= HASH_FLAG_USER_DUP_COMPARATOR;
  if (shape.hash) flags |= HASH_FLAG_USER_HASH;
  return flags;
}

function describeFlags(flags: number): string {
  const dups = flags & HASH_FLAG_DUPSORT ? 'sorted' : flags & HASH_FLAG_DUP ? 'unsorted' : 'none';
  const parts = [`duplicates: '${dups}'`];
  if (flags & HASH_FLAG_DUPSORT) {
    parts.push(`${flags & HASH_FLAG_USER_DUP_COMPARATOR ? 'a' : 'no'} duplicate comparator`);
  }
  parts.push(`${flags & HASH_FLAG_USER_HASH ? 'a user' : 'the default'} hash function`);
  return parts.join(', ');
}

/** Throws unless an open's `shape` is what the file records (invariants 2 and 3). */
export function checkHashShape(
  flags: number, probe: number, table: TableState, shape: HashShape, hash: HashFunction,
  name: string,
): void {
  const expected = hashShapeFlags(shape);
  if (flags !== expected) {
    throw new InvalidArgumentError(`${name} was created with ${describeFlags(flags)}; it was ` +
      `opened with ${describeFlags(expected)}. Open it with the configuration it was created ` +
      'with');
  }
  if (hash(HASH_PROBE) !== probe) {
    throw new InvalidArgumentError(`${name} was created with another hash function than the ` +
      'one it was opened with: give the same function at every open');
  }
  for (const [option, given, recorded] of [['fillFactor', shape.fillFactor, table.fillFactor],
    ['expectedSize', shape.expectedSize, table.expected]] as const) {
    if (given !== 0 && given !== recorded) {
      throw new InvalidArgumentError(`${name} was created with ${option} ${recorded}; it ` +
        `was opened with ${given}`);
    }
  }
}
