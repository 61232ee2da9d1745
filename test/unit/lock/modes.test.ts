/**
 * The lock modes and the conflict matrix against hand-written copies of Berkeley DB's
 * tables: the 9x9 `db_riw_conflicts` of lock_region.c (every pair) and the 6x6 table of the
 * reference guide's "Standard lock modes" (LCK-04). Also the mode-set algebra built on them.
 */
import { describe, expect, it } from 'vitest';
import {
  LOCK_MODE_COUNT,
  LockMode,
  conflicts,
  isLockMode,
  isRequestableMode,
  lockModeName,
  modeCovers,
} from '../../../src/lock/index.js';
import {
  modeBit,
  modesOf,
  setConflicts,
  setCovers,
  strongestMode,
} from '../../../src/lock/mode-sets.js';
import { InvalidArgumentError } from '../../../src/util/index.js';

const { NG, READ, WRITE, WAIT, IWRITE, IREAD, IWR, READ_UNCOMMITTED, WWRITE } = LockMode;

// Berkeley DB lock_region.c, db_riw_conflicts: row = held, column = requested.
const BDB_RIW: readonly string[] = [
  /*         N R W T I i X D w */
  /* NG */  '0 0 0 0 0 0 0 0 0',
  /* R  */  '0 0 1 0 1 0 1 0 1',
  /* W  */  '0 1 1 1 1 1 1 1 1',
  /* WT */  '0 0 0 0 0 0 0 0 0',
  /* IW */  '0 1 1 0 0 0 0 1 1',
  /* IR */  '0 0 1 0 0 0 0 0 1',
  /* RIW */ '0 1 1 0 0 0 0 1 1',
  /* DR */  '0 0 1 0 1 0 1 0 0',
  /* WW */  '0 1 1 0 1 1 1 0 1',
];

const ALL_MODES: LockMode[] = [NG, READ, WRITE, WAIT, IWRITE, IREAD, IWR, READ_UNCOMMITTED, WWRITE];

function bdbConflict(held: number, requested: number): boolean {
  const row = BDB_RIW[held]!.split(' ');
  return row[requested] === '1';
}

describe('lock modes', () => {
  it('are numbered as db_lockmode_t and named after it', () => {
    expect(ALL_MODES).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(LOCK_MODE_COUNT).toBe(9);
    expect(ALL_MODES.map(lockModeName)).toEqual([
      'NG', 'READ', 'WRITE', 'WAIT', 'IWRITE', 'IREAD', 'IWR', 'READ_UNCOMMITTED', 'WWRITE',
    ]);
    expect(lockModeName(42)).toBe('mode#42');
  });

  it('recognises valid and requestable modes', () => {
    for (const m of ALL_MODES) expect(isLockMode(m)).toBe(true);
    for (const bad of [-1, 9, 1.5, NaN, '1', undefined]) expect(isLockMode(bad)).toBe(false);
    expect(isRequestableMode(NG)).toBe(false);
    for (const m of ALL_MODES.slice(1)) expect(isRequestableMode(m)).toBe(true);
    expect(isRequestableMode(9)).toBe(false);
    expect(isRequestableMode(2.5)).toBe(false);
  });
});

describe('conflict matrix', () => {
  it('matches db_riw_conflicts for all 81 (held, requested) pairs', () => {
    for (const held of ALL_MODES) {
      for (const requested of ALL_MODES) {
        expect(conflicts(held, requested), `${lockModeName(held)}/${lockModeName(requested)}`)
          .toBe(bdbConflict(held, requested));
      }
    }
  });

  it('matches the reference guide 6x6 table (NG READ WRITE IWRITE IREAD IWR)', () => {
    const order = [NG, READ, WRITE, IWRITE, IREAD, IWR];
    const table = [
      [0, 0, 0, 0, 0, 0],
      [0, 0, 1, 1, 0, 1],
      [0, 1, 1, 1, 1, 1],
      [0, 1, 1, 0, 0, 0],
      [0, 0, 1, 0, 0, 0],
      [0, 1, 1, 0, 0, 0],
    ];
    order.forEach((held, i) => order.forEach((requested, j) => {
      expect(conflicts(held, requested)).toBe(table[i]![j] === 1);
    }));
  });

  it('is symmetric except that a held WRITE blocks a WAIT request', () => {
    const asymmetric: string[] = [];
    for (const a of ALL_MODES) {
      for (const b of ALL_MODES) {
        if (conflicts(a, b) !== conflicts(b, a)) asymmetric.push(`${a}/${b}`);
      }
    }
    expect(asymmetric.sort()).toEqual([`${WAIT}/${WRITE}`, `${WRITE}/${WAIT}`].sort());
    expect(conflicts(WRITE, WAIT)).toBe(true);
    expect(conflicts(WAIT, WRITE)).toBe(false);
  });

  it('has the READ/WRITE corner of db_rw_conflicts', () => {
    expect(conflicts(READ, READ)).toBe(false);
    expect(conflicts(READ, WRITE)).toBe(true);
    expect(conflicts(WRITE, READ)).toBe(true);
    expect(conflicts(WRITE, WRITE)).toBe(true);
  });

  it('rejects values that are not modes', () => {
    expect(() => conflicts(9 as LockMode, READ)).toThrow(InvalidArgumentError);
    expect(() => conflicts(READ, -1 as LockMode)).toThrow(InvalidArgumentError);
  });
});

describe('mode sets', () => {
  it('conflict exactly when one member conflicts', () => {
    for (let set = 0; set < 1 << LOCK_MODE_COUNT; set++) {
      for (const m of ALL_MODES.slice(1)) {
        const expected = modesOf(set).some((h) => conflicts(h, m));
        expect(setConflicts(set, m)).toBe(expected);
      }
    }
  });

  it('cover a mode when adding it changes no conflict in either direction', () => {
    for (let set = 1; set < 1 << LOCK_MODE_COUNT; set++) {
      for (const m of ALL_MODES.slice(1)) {
        const widened = set | modeBit(m);
        const same = ALL_MODES.every((x) =>
          setConflicts(set, x) === setConflicts(widened, x) &&
          modesOf(set).some((h) => conflicts(x, h)) ===
            modesOf(widened).some((h) => conflicts(x, h)));
        expect(setCovers(set, m), `set ${set} mode ${m}`).toBe(same);
      }
    }
  });

  it('report a strongest mode that covers the set, preferring its members', () => {
    expect(strongestMode(0)).toBe(NG);
    for (const m of ALL_MODES.slice(1)) expect(strongestMode(modeBit(m))).toBe(m);
    expect(strongestMode(modeBit(READ) | modeBit(WRITE))).toBe(WRITE);
    expect(strongestMode(modeBit(READ) | modeBit(IWRITE))).toBe(WRITE);
    expect(strongestMode(modeBit(READ) | modeBit(IREAD))).toBe(READ);
    expect(strongestMode(modeBit(IWRITE) | modeBit(IWR))).toBe(IWR);
    for (let set = 2; set < 1 << LOCK_MODE_COUNT; set += 2) {
      const strongest = strongestMode(set);
      for (const m of modesOf(set)) expect(setCovers(modeBit(strongest), m)).toBe(true);
    }
  });

  it('modeCovers orders READ below WRITE', () => {
    expect(modeCovers(WRITE, READ)).toBe(true);
    expect(modeCovers(READ, WRITE)).toBe(false);
    expect(modeCovers(READ, READ)).toBe(true);
    expect(modeCovers(WRITE, WWRITE)).toBe(true);
    expect(modeCovers(READ, NG)).toBe(true);
    expect(modeCovers(NG, READ)).toBe(false);
    expect(modeCovers(IWRITE, IWR)).toBe(true);
    expect(() => modeCovers(READ, 11 as LockMode)).toThrow(InvalidArgumentError);
  });
});
