/**
 * Model-based test of the btree's duplicates and record numbers, below the environment:
 * fast-check draws commands (puts with every placement, deletes of a key or of the pair at a
 * cursor, every cursor move, counts, record numbers, reopen) and runs each on the tree and on
 * a model (an array of pairs in tree order, and a model cursor), comparing every answer.
 *
 * The model cursor encodes the documented stability rules: with unique pairs (no duplicates,
 * or sorted ones) a cursor whose pair was deleted stands on the place of that pair and a
 * re-inserted equal pair is its item again; with unsorted duplicates it keeps its rank, and
 * an insert at its hole goes after the hole.
 *
 * 512-byte pages and a cache of 12 pages, so splits, merges, overflow values and evictions
 * happen constantly, and keys of several pages live on overflow chains; `verify` (order, ranges, exact subtree counts) and the pin count are
 * checked after every run.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareBytes } from '../../src/util/index.js';
import { BtreeCursor, type Duplicates, countDups } from '../../src/am/btree/index.js';
import { openBtreeFixture } from '../support/btree-fixture.js';
import { propertySeed, scaled } from '../support/seed.js';

type Pair = [string, string];
type Shape = { duplicates: Duplicates; recordNumbers: boolean };
type Cmd =
  | { op: 'put' | 'putFirst' | 'putLast' | 'putBefore' | 'putAfter'; key: string; value: string }
  | { op: 'del' | 'seek' | 'seekRange' | 'count'; key: string }
  | { op: 'seekBoth' | 'seekBothRange'; key: string; value: string }
  | { op: 'seekRecno'; recno: number }
  | { op: 'move'; move: Move }
  | { op: 'cdel' | 'current' | 'recno' | 'reopen' };
type Move = 'first' | 'last' | 'next' | 'prev' | 'nextDup' | 'prevDup' | 'nextNoDup'
  | 'prevNoDup';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const cmp = (a: string, b: string): number => compareBytes(enc(a), enc(b));

/** Short keys, and long ones (on overflow chains, sharing long prefixes) at 512-byte pages. */
const keyArb = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'k'.repeat(60), 'L'.repeat(300),
  `${'L'.repeat(300)}1`, `${'L'.repeat(2000)}2`, `${'m'.repeat(90)}`);
const valueArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('', '1', '2', '3', '10', '20') },
  { weight: 1, arbitrary: fc.string({ minLength: 100, maxLength: 700 }) },
);
const moveArb = fc.constantFrom<Move>('first', 'last', 'next', 'prev', 'nextDup', 'prevDup',
  'nextNoDup', 'prevNoDup');
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ op: fc.constantFrom('put' as const, 'putFirst' as const,
    'putLast' as const, 'putBefore' as const, 'putAfter' as const), key: keyArb,
  value: valueArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('del' as const, 'seek' as const,
    'seekRange' as const, 'count' as const), key: keyArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('seekBoth' as const,
    'seekBothRange' as const), key: keyArb, value: valueArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('seekRecno' as const),
    recno: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 12, arbitrary: fc.record({ op: fc.constant('move' as const), move: moveArb }) },
  { weight: 3, arbitrary: fc.constantFrom({ op: 'cdel' as const }, { op: 'current' as const },
    { op: 'recno' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'reopen' as const }) },
);

/** The tree's order as the model keeps it, and its model cursor. */
class Model {
  pairs: Pair[] = [];
  /** Unique pairs: the cursor's pair (`holed`: deleted). Unsorted: its rank. */
  at: Pair | undefined;
  rank = -1;
  holed = false;

  constructor(readonly shape: Shape) {}

  get ranked(): boolean {
    return this.shape.duplicates === 'unsorted';
  }

  order(a: Pair, b: Pair): number {
    const c = cmp(a[0], b[0]);
    return c !== 0 || this.shape.duplicates !== 'sorted' ? c : cmp(a[1], b[1]);
  }

  /** The index of the cursor's item, or -1 (unset or deleted). */
  index(): number {
    if (this.ranked) return this.rank >= 0 && !this.holed ? this.rank : -1;
    if (!this.at) return -1;
    return this.pairs.findIndex((p) => this.order(p, this.at!) === 0);
  }

  set(i: number): true {
    this.rank = i;
    this.at = this.pairs[i];
    this.holed = false;
    return true;
  }

  unset(): boolean {
    return this.rank >= 0 || this.at !== undefined;
  }

  /**
   * Inserts `pair` at `i`. A cursor on a deleted pair at `i` ends up after the new one when
   * it goes first of its key (`first`) and the deleted key sorts at or after it, or last of
   * its key and the deleted key sorts after it (Berkeley DB keeps deleted pairs in place).
   */
  insertAt(i: number, pair: Pair, first = false): void {
    this.pairs.splice(i, 0, pair);
    if (!this.ranked || this.rank < 0) return;
    const c = this.at ? cmp(this.at[0], pair[0]) : 0;
    const before = !this.holed || (first ? c >= 0 : c > 0);
    if (i < this.rank || (i === this.rank && before)) this.rank++;
  }

  removeAt(i: number): void {
    this.pairs.splice(i, 1);
    if (!this.ranked || this.rank < 0) return;
    if (i < this.rank) this.rank--;
    else if (i === this.rank) this.holed = true;
  }

  /** Index of the first pair > (after) or >= the cursor's place. */
  after(strict: boolean): number {
    if (this.ranked) return this.holed || !strict ? this.rank : this.rank + 1;
    const at = this.at!;
    const i = this.pairs.findIndex((p) => this.order(p, at) >= 0);
    const j = i < 0 ? this.pairs.length : i;
    return strict && j < this.pairs.length && this.order(this.pairs[j]!, at) === 0 ? j + 1 : j;
  }
}

/** Runs `cmd` on the model; returns the answer the tree must give. */
function modelStep(m: Model, cmd: Cmd): unknown {
  const { pairs } = m;
  const keyAt = (i: number): string => pairs[i]![0];
  const firstOf = (k: string): number => pairs.findIndex((p) => p[0] === k);
  const endOf = (k: string): number => {
    let i = pairs.length;
    while (i > 0 && cmp(keyAt(i - 1), k) > 0) i--;
    return i;
  };
  switch (cmd.op) {
    case 'put': case 'putFirst': case 'putLast': return modelPut(m, cmd, firstOf, endOf);
    case 'putBefore': case 'putAfter': {
      if (!m.ranked) return 'EINVAL';
      if (!m.unset()) return 'EINVAL';
      const i = m.index();
      // On a deleted duplicate, the new one takes its place (the cursor's rank).
      const j = i < 0 ? m.rank : cmd.op === 'putBefore' ? i : i + 1;
      m.insertAt(j, [i < 0 ? m.at![0] : keyAt(i), cmd.value]);
      m.set(j);
      return true;
    }
    case 'del': {
      const n = pairs.filter((p) => p[0] === cmd.key).length;
      for (let i = pairs.length - 1; i >= 0; i--) if (keyAt(i) === cmd.key) m.removeAt(i);
      return n > 0;
    }
    default: return modelCursor(m, cmd, firstOf, endOf);
  }
}

function modelPut(m: Model, cmd: Cmd & { key: string; value: string },
  firstOf: (k: string) => number, endOf: (k: string) => number): unknown {
  const pair: Pair = [cmd.key, cmd.value];
  const { pairs } = m;
  const cursorMoves = cmd.op !== 'put';
  if (m.shape.duplicates === 'none') {
    const i = firstOf(cmd.key);
    if (i >= 0) pairs[i] = pair;
    else m.insertAt(endOf(cmd.key), pair);
    if (cursorMoves) m.set(firstOf(cmd.key));
    return true;
  }
  if (m.shape.duplicates === 'sorted') {
    if (pairs.some((p) => m.order(p, pair) === 0)) return cursorMoves ? 'KEYEXIST' : false;
    let i = 0;
    while (i < pairs.length && m.order(pairs[i]!, pair) < 0) i++;
    m.insertAt(i, pair);
    if (cursorMoves) m.set(i);
    return true;
  }
  const first = firstOf(cmd.key);
  const i = cmd.op === 'putFirst' && first >= 0 ? first : endOf(cmd.key);
  m.insertAt(i, pair, cmd.op === 'putFirst');
  if (cursorMoves) m.set(i);
  return true;
}

function modelCursor(m: Model, cmd: Cmd, firstOf: (k: string) => number,
  endOf: (k: string) => number): unknown {
  const { pairs } = m;
  const hit = (i: number): unknown => (i >= 0 && i < pairs.length ? (m.set(i), pairs[i]) : false);
  switch (cmd.op) {
    case 'seek': return hit(firstOf(cmd.key));
    case 'seekRange': return hit(endOf(cmd.key) - pairs.filter((p) => p[0] === cmd.key).length);
    case 'seekBoth': return hit(pairs.findIndex((p) => p[0] === cmd.key && p[1] === cmd.value));
    case 'seekBothRange': {
      if (m.shape.duplicates !== 'sorted') {
        return hit(pairs.findIndex((p) => p[0] === cmd.key && p[1] === cmd.value));
      }
      return hit(pairs.findIndex((p) => p[0] === cmd.key && cmp(p[1], cmd.value) >= 0));
    }
    case 'seekRecno': {
      if (!m.shape.recordNumbers) return 'EINVAL';
      return hit(cmd.recno - 1);
    }
    case 'count': return pairs.filter((p) => p[0] === cmd.key).length;
    case 'move': return modelMove(m, cmd.move, firstOf, endOf);
    case 'current': {
      if (!m.unset()) return 'EINVAL';
      const i = m.index();
      return i < 0 ? 'KEYEMPTY' : pairs[i];
    }
    case 'recno': {
      if (!m.shape.recordNumbers) return 'EINVAL';
      if (!m.unset()) return 'EINVAL';
      const i = m.index();
      return i < 0 ? 'NOTFOUND' : i + 1;
    }
    case 'cdel': {
      if (!m.unset()) return 'EINVAL';
      const i = m.index();
      if (i < 0) return false;
      m.at = pairs[i];
      if (m.ranked) m.removeAt(i);
      else {
        pairs.splice(i, 1);
        m.holed = true;
      }
      return true;
    }
    default: return undefined;
  }
}

function modelMove(m: Model, move: Move, firstOf: (k: string) => number,
  endOf: (k: string) => number): unknown {
  const { pairs } = m;
  const hit = (i: number): unknown => (i >= 0 && i < pairs.length ? (m.set(i), pairs[i]) : false);
  const unset = !m.unset();
  if (move === 'first' || unset && (move === 'next' || move === 'nextNoDup')) return hit(0);
  if (move === 'last' || unset && (move === 'prev' || move === 'prevNoDup')) {
    return hit(pairs.length - 1);
  }
  if (unset) return 'EINVAL';
  const key = m.index() >= 0 ? pairs[m.index()]![0] : m.at![0];
  const next = m.after(true);
  const prev = m.after(false) - 1;
  switch (move) {
    case 'next': return hit(next);
    case 'prev': return hit(prev);
    case 'nextDup': return next < pairs.length && pairs[next]![0] === key ? hit(next) : false;
    case 'prevDup': return prev >= 0 && pairs[prev]![0] === key ? hit(prev) : false;
    case 'nextNoDup': return hit(endOf(key));
    default: return hit(firstOf(key) >= 0 ? firstOf(key) - 1 : endOf(key) - 1);
  }
}

/** Runs `cmd` on the tree and cursor; returns the answer in the model's terms. */
function treeStep(fx: { tree: import('../../src/am/btree/index.js').Btree }, c: BtreeCursor,
  cmd: Cmd): unknown {
  const t = fx.tree;
  const item = (moved: boolean): unknown => (moved ? [dec(c.key()), dec(c.value())] : false);
  switch (cmd.op) {
    case 'put': return t.put(enc(cmd.key), enc(cmd.value)) || t.plainKeys;
    case 'putFirst': case 'putLast':
      c.putKey(enc(cmd.key), enc(cmd.value), cmd.op === 'putFirst' ? 'first' : 'last');
      return true;
    case 'putBefore': return c.putBefore(enc(cmd.value));
    case 'putAfter': return c.putAfter(enc(cmd.value));
    case 'del': return t.del(enc(cmd.key));
    case 'seek': return item(c.seek(enc(cmd.key)));
    case 'seekRange': return item(c.seekRange(enc(cmd.key)));
    case 'seekBoth': return item(c.seekBoth(enc(cmd.key), enc(cmd.value)));
    case 'seekBothRange': return item(c.seekBothRange(enc(cmd.key), enc(cmd.value)));
    case 'seekRecno': return item(c.seekRecno(cmd.recno));
    case 'count': return t.plainKeys ? (t.has(enc(cmd.key)) ? 1 : 0) : countDups(t, enc(cmd.key));
    case 'move': return item(c[cmd.move]());
    case 'current': return [dec(c.key()), dec(c.value())];
    case 'recno': return c.recno();
    case 'cdel': return c.del();
    default: return undefined;
  }
}

/** The tree's answer, with typed errors named as the model names them. */
function answer(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (e) {
    const name = (e as Error).name;
    if (name === 'InvalidArgumentError') return 'EINVAL';
    if (name === 'KeyEmptyError') return 'KEYEMPTY';
    if (name === 'KeyExistsError') return 'KEYEXIST';
    if (name === 'NotFoundError') return 'NOTFOUND';
    throw e;
  }
}

const SHAPES: Shape[] = [
  { duplicates: 'none', recordNumbers: false },
  { duplicates: 'none', recordNumbers: true },
  { duplicates: 'sorted', recordNumbers: false },
  { duplicates: 'unsorted', recordNumbers: false },
];

describe('btree duplicates and record numbers against a model', () => {
  for (const shape of SHAPES) {
    it(`duplicates ${shape.duplicates}, record numbers ${shape.recordNumbers}`, () => {
      const seed = propertySeed(`btree ${shape.duplicates} ${shape.recordNumbers}`);
      fc.assert(fc.property(fc.array(cmdArb, { minLength: 1, maxLength: 600, size: 'max' }), (cmds) => {
        runCommands(shape, cmds);
      }), { seed, numRuns: scaled(60) });
    });
  }
});

function runCommands(shape: Shape, cmds: Cmd[]): void {
  let fx = openBtreeFixture({ pageSize: 512, cacheSizeBytes: 12 * 576, config: shape });
  let c = new BtreeCursor(fx.tree);
  const m = new Model(shape);
  cmds.forEach((cmd, step) => {
    if (cmd.op === 'reopen') {
      c.close();
      fx = fx.reopen();
      c = new BtreeCursor(fx.tree);
      m.at = undefined;
      m.rank = -1;
      m.holed = false;
      return;
    }
    const expected = modelStep(m, cmd);
    const got = answer(() => treeStep(fx, c, cmd));
    expect(got, `step ${step}: ${JSON.stringify(cmd)}`).toEqual(expected);
  });
  const scan: Pair[] = [];
  const s = new BtreeCursor(fx.tree);
  for (let more = s.first(); more; more = s.next()) scan.push([dec(s.key()), dec(s.value())]);
  s.close();
  c.close();
  expect(scan).toEqual(m.pairs);
  fx.check();
  fx.close();
}
