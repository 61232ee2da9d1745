/**
 * The small-script recipe: a handful of one-letter keys and short values, and every put
 * flag, every c_get flag and every c_put flag at least twice (each in whatever state the
 * script is in by then), with c_del, c_count, c_close, get (plain and GET_BOTH), del and
 * dump, interleaved with random extra operations and, in a transactional environment,
 * transactions that commit and abort.
 *
 * Layer: conformance tooling (no engine imports).
 *
 * Strategy: a deck holding every operation kind twice plus random extras is shuffled and
 * played in order; cursor kinds use a random open cursor or, now and then, a fresh
 * (unpositioned) one, so flags meet unpositioned, positioned and deleted cursors.
 *
 * Invariants:
 * 1. Every flag the oracle accepts for a btree appears, including those that are errors for
 *    the family (BEFORE on sorted duplicates, SET_RECNO without DB_RECNUM): the real
 *    library's answer is the expected one.
 * 2. A transactional script commits at least one transaction and aborts at least one.
 */
import type { Prng } from './prng.js';
import type { ScriptBuilder } from './script-builder.js';
import { CURSOR_GET_FLAGS, CURSOR_PUT_FLAGS, PUT_FLAGS, TRAITS } from './families.js';
import { SMALL_DATA, SMALL_KEYS, SMALL_MISSES } from './vocabulary.js';

/** What one deck card asks for. */
type Kind = string;

const KINDS: readonly Kind[] = [
  'put', ...PUT_FLAGS.map((f) => `put ${f}`), 'get', 'get GET_BOTH', 'del', 'dump', 'c_del',
  'c_count', 'c_close', ...CURSOR_GET_FLAGS.map((f) => `c_get ${f}`),
  ...CURSOR_PUT_FLAGS.map((f) => `c_put ${f}`),
];

/** Ranges for GET_BOTH_RANGE: stored values and values before, between and after them. */
const RANGE_DATA = [...SMALL_DATA, '0', '2a', 'b', 'y', '~'];

/** Appends a small script's operations to `b`. */
export function smallScript(b: ScriptBuilder, prng: Prng): void {
  load(b, prng);
  const extras = Array.from({ length: prng.between(10, 30) }, () => prng.pick(KINDS));
  const deck = prng.shuffle([...KINDS, ...KINDS, ...extras]);
  const ended = { commit: 0, abort: 0 };
  for (const kind of deck) {
    if (b.options.txn) moveTxnBoundary(b, prng, kind, ended);
    play(b, prng, kind);
  }
  if (b.options.txn) endBoth(b, prng, ended);
}

function load(b: ScriptBuilder, prng: Prng): void {
  const dups = TRAITS[b.options.family].duplicates !== 'none';
  for (const key of prng.shuffle(SMALL_KEYS).slice(0, prng.between(3, 5))) {
    const copies = dups ? prng.between(1, 3) : 1;
    for (let i = 0; i < copies; i++) b.put(key, prng.pick(SMALL_DATA));
  }
}

/** Opens or ends a transaction now and then; cursor writes usually run inside one. */
function moveTxnBoundary(b: ScriptBuilder, prng: Prng, kind: Kind,
  ended: { commit: number; abort: number }): void {
  const cursorWrite = kind.startsWith('c_put') || kind === 'c_del';
  if (!b.inTxn && (prng.chance(0.15) || (cursorWrite && prng.chance(0.6)))) {
    b.begin();
  } else if (b.inTxn && !cursorWrite && prng.chance(0.12)) {
    const commit = prng.chance(0.5);
    b.end(commit);
    ended[commit ? 'commit' : 'abort']++;
  }
}

/** Guarantees one commit and one abort in a transactional script (invariant 2). */
function endBoth(b: ScriptBuilder, prng: Prng, ended: { commit: number; abort: number }): void {
  if (b.inTxn) {
    const commit = ended.abort > 0;
    b.end(commit);
    ended[commit ? 'commit' : 'abort']++;
  }
  for (const commit of [true, false]) {
    if (ended[commit ? 'commit' : 'abort'] > 0) continue;
    b.begin();
    b.put(prng.pick(SMALL_KEYS), prng.pick(SMALL_DATA));
    b.del(prng.pick(SMALL_KEYS));
    b.end(commit);
  }
  b.dump();
}

/** A cursor to use: an open one, or now and then a fresh (unpositioned) one. */
function cursorFor(b: ScriptBuilder, prng: Prng): number {
  const open = b.cursors;
  if (open.length === 0 || (open.length < 3 && prng.chance(0.15))) return b.openCursor();
  return prng.pick(open);
}

const anyKey = (prng: Prng): string => prng.pick(prng.chance(0.75) ? SMALL_KEYS : SMALL_MISSES);

function play(b: ScriptBuilder, prng: Prng, kind: Kind): void {
  const [op, flag] = kind.split(' ') as [string, string | undefined];
  switch (op) {
    case 'put': return b.put(anyKey(prng), prng.pick(SMALL_DATA), flag as never);
    case 'get': return flag === undefined ? b.get(anyKey(prng))
      : b.getBoth(anyKey(prng), prng.pick(SMALL_DATA));
    case 'del': return b.del(anyKey(prng));
    case 'dump': return b.dump();
    case 'c_del': return b.cDel(cursorFor(b, prng));
    case 'c_count': return b.cCount(cursorFor(b, prng));
    case 'c_close': return b.cursors.length > 0 ? b.closeCursor(prng.pick(b.cursors)) : undefined;
    case 'c_get': return cursorGet(b, prng, flag!);
    case 'c_put': return cursorPut(b, prng, flag!);
    default: throw new Error(`unknown kind ${kind}`);
  }
}

function cursorGet(b: ScriptBuilder, prng: Prng, flag: string): void {
  const c = cursorFor(b, prng);
  switch (flag) {
    case 'SET':
    case 'SET_RANGE': return b.cGet(c, flag, anyKey(prng));
    case 'GET_BOTH': return b.cGet(c, flag, anyKey(prng), prng.pick(SMALL_DATA));
    case 'GET_BOTH_RANGE': return b.cGet(c, flag, anyKey(prng), prng.pick(RANGE_DATA));
    case 'SET_RECNO': return b.cGet(c, flag, String(prng.between(-1, 7)));
    default: return b.cGet(c, flag as never);
  }
}

function cursorPut(b: ScriptBuilder, prng: Prng, flag: string): void {
  const c = cursorFor(b, prng);
  const data = prng.pick(SMALL_DATA);
  const keyed = flag === 'KEYFIRST' || flag === 'KEYLAST' || flag === 'NODUPDATA';
  b.cPut(c, flag as never, data, keyed ? anyKey(prng) : undefined);
}
