/**
 * The large-script recipe (512-byte pages): hundreds of keys, about one in ten an overflow
 * key (more than a quarter page), values of up to several KB (64 to 100 bytes in the hash
 * duplicate families, see vocabularyLimits), hot keys with hundreds of duplicates in the
 * duplicate families, long cursor walks (hundreds of NEXT/PREV/NEXT_DUP/NEXT_NODUP steps),
 * writes through cursors and, in a transactional environment, transactions that commit and
 * abort (one aborts a large batch, undoing page splits).
 *
 * Layer: conformance tooling (no engine imports).
 *
 * Strategy: a load phase, then rounds of walks (at least two), random writes, cursor writes
 * and lookups in a random order, with a dump in the middle and at the end.
 *
 * Invariants:
 * 1. Keys come from LargeVocabulary: short ones sort as `k0000`..`k9999`, so walks cross
 *    many leaf pages in both directions (a hash walks them in bucket order, across many
 *    buckets split many times).
 * 2. In a transactional environment writes run inside transactions, walks both inside and
 *    outside them (outside, read-only: script-builder.ts rule 3).
 */
import type { Prng } from './prng.js';
import type { ScriptBuilder } from './script-builder.js';
import { type CursorGetFlag, type Family, type PutFlag, PUT_FLAGS, TRAITS } from './families.js';
import { LargeVocabulary, type VocabularyLimits } from './vocabulary.js';

/** The state a large recipe keeps: its vocabulary and its hot keys. */
interface Large {
  b: ScriptBuilder;
  prng: Prng;
  words: LargeVocabulary;
  /** Hot keys and how many duplicates each was given. */
  hot: { key: string; dups: number }[];
}

/**
 * What the values of `family`'s large scripts must stay within (docs/conformance.md, "Real
 * library defects the generator steers around"). In a hash database with duplicates the
 * real library moves a key's on-page duplicate set to another page of its bucket when the
 * set outgrows the room left on its page (`__ham_check_move`), and that move is broken: a
 * cursor that wrote the set then answers empty data and its next write destroys the set
 * (test/compat/oracle/observed/hash_dup_moved_set), an aborted move leaves a damaged pair
 * (hash_dup_abort_moved_pair), a moved overflow key loses the end of its chain. Only a set
 * of at most a quarter page is moved; a larger one goes to an off-page duplicate tree. So
 * every value of the hash duplicate families is longer than an eighth of a page: a key's
 * second value makes its set large at once and no set stays on its page. The tree's items
 * overflow above (pageSize - 26) / 4 - 10 bytes (111 at 512 bytes), and the real library
 * corrupts those too: values stay below that.
 */
export function vocabularyLimits(family: Family, pageSize: number): VocabularyLimits {
  const traits = TRAITS[family];
  if (traits.type !== 'hash' || traits.duplicates === 'none') return {};
  return { shortestData: pageSize / 8,
    longestData: Math.floor((pageSize - 26) / 4) - 10 - HASH_DUP_DATA_MARGIN };
}

/** Bytes kept below the overflow size of an off-page duplicate tree (vocabularyLimits). */
const HASH_DUP_DATA_MARGIN = 11;

/** Appends a large script's operations to `b`. */
export function largeScript(b: ScriptBuilder, prng: Prng): void {
  const { family, pageSize } = b.options;
  const words = new LargeVocabulary(prng, prng.between(200, 400), pageSize,
    vocabularyLimits(family, pageSize));
  const s: Large = { b, prng, words, hot: [] };
  inTxn(s, true, () => load(s));
  if (TRAITS[b.options.family].duplicates !== 'none') inTxn(s, true, () => loadHotKeys(s));
  if (b.options.txn) inTxn(s, false, () => randomWrites(s, prng.between(80, 200)));
  const rounds = prng.shuffle([...ROUNDS, ...Array.from({ length: prng.between(1, 4) },
    () => prng.pick(ROUNDS))]);
  rounds.forEach((kind, index) => {
    if (index === Math.floor(rounds.length / 2)) b.dump();
    playRound(s, kind);
  });
  b.finish();
  b.dump();
}

/** Runs `fn` inside a transaction ending as `commit` says (when the env has them). */
function inTxn(s: Large, commit: boolean, fn: () => void): void {
  if (!s.b.options.txn) return fn();
  s.b.begin();
  fn();
  s.b.end(commit);
}

function load(s: Large): void {
  const order = s.prng.shuffle(Array.from({ length: s.words.keyCount }, (_, i) => i));
  for (const i of order) if (s.prng.chance(0.8)) s.b.put(s.words.key(i), s.words.data(`v${i}`));
}

/** Two or three hot keys with hundreds of duplicates each, put in a random order. */
function loadHotKeys(s: Large): void {
  const count = s.prng.between(2, 3);
  for (let h = 0; h < count; h++) {
    const key = s.words.key(s.prng.int(s.words.keyCount));
    const dups = s.prng.between(150, 350);
    s.hot.push({ key, dups });
    const order = s.prng.shuffle(Array.from({ length: dups }, (_, j) => j));
    for (const j of order) s.b.put(key, s.words.dupData(j));
  }
}

/** Every large script plays each of these rounds, then a few more, in a random order. */
const ROUNDS = ['walk', 'walk', 'writes', 'cursor-writes', 'lookups'] as const;

function playRound(s: Large, kind: (typeof ROUNDS)[number]): void {
  const txn = s.b.options.txn;
  switch (kind) {
    case 'walk':
      if (txn && s.prng.chance(0.5)) return inTxn(s, s.prng.chance(0.5), () => walk(s));
      return walk(s);
    case 'writes': return inTxn(s, s.prng.chance(0.5), () => randomWrites(s,
      s.prng.between(50, 150)));
    case 'cursor-writes': return inTxn(s, s.prng.chance(0.5), () => cursorWrites(s));
    case 'lookups': return lookups(s, s.prng.between(30, 80));
  }
}

/** A hot key (with one of its duplicates' data) or any key. */
function someKey(s: Large): string {
  if (s.hot.length > 0 && s.prng.chance(0.3)) return s.prng.pick(s.hot).key;
  return s.words.anyKey();
}

/** Data of a duplicate of a hot key, or some value: for GET_BOTH and friends. */
function someData(s: Large): string {
  if (s.hot.length > 0 && s.prng.chance(0.7)) return hotData(s, s.prng.pick(s.hot));
  return s.words.data('v');
}

/**
 * The data of one of `hot`'s duplicates, or of one just past them: the value most of them
 * have (`h0042`, padded where the vocabulary pads values: `fit`).
 */
function hotData(s: Large, hot: { dups: number }): string {
  return s.words.fit(s.words.dupData(s.prng.int(hot.dups + 5)).slice(0, 5));
}

/** A key and data for GET_BOTH lookups: often a pair a hot key holds. */
function somePair(s: Large): [string, string] {
  if (s.hot.length === 0 || s.prng.chance(0.4)) return [someKey(s), someData(s)];
  const hot = s.prng.pick(s.hot);
  return [hot.key, hotData(s, hot)];
}

function randomWrites(s: Large, count: number): void {
  for (let n = 0; n < count; n++) {
    const roll = s.prng.next();
    if (roll < 0.15) s.b.del(someKey(s));
    else if (roll < 0.25) s.b.get(someKey(s));
    else s.b.put(someKey(s), s.prng.chance(0.5) ? someData(s) : s.words.data('w'), putFlag(s));
  }
}

function putFlag(s: Large): PutFlag | undefined {
  return s.prng.chance(0.6) ? undefined : s.prng.pick(PUT_FLAGS);
}

function lookups(s: Large, count: number): void {
  const c = s.b.openCursor();
  for (let n = 0; n < count; n++) {
    const roll = s.prng.next();
    if (roll < 0.3) s.b.get(someKey(s));
    else if (roll < 0.45) s.b.getBoth(...somePair(s));
    else if (roll < 0.65) s.b.cGet(c, 'SET', someKey(s));
    else if (roll < 0.8) s.b.cGet(c, 'SET_RANGE', someKey(s));
    else if (roll < 0.85) s.b.cGet(c, 'GET_BOTH_RANGE', ...somePair(s));
    else if (roll < 0.9) s.b.cGet(c, 'GET_BOTH', ...somePair(s));
    else s.b.cGet(c, 'SET_RECNO', String(s.prng.between(-1, s.words.keyCount + 10)));
  }
  s.b.closeCursor(c);
}

const FORWARD: readonly CursorGetFlag[] = ['NEXT', 'NEXT', 'NEXT_DUP', 'NEXT_NODUP'];
const BACKWARD: readonly CursorGetFlag[] = ['PREV', 'PREV', 'PREV_DUP', 'PREV_NODUP'];
/** Steps of a walk through one hot key's duplicates (leaving it now and then). */
const DUP_FORWARD: readonly CursorGetFlag[] = ['NEXT_DUP', 'NEXT_DUP', 'NEXT_DUP', 'NEXT'];
const DUP_BACKWARD: readonly CursorGetFlag[] = ['PREV_DUP', 'PREV_DUP', 'PREV_DUP', 'PREV'];

/**
 * A long walk: a start, then hundreds of steps, turning back now and then; in the
 * duplicate families often a walk through a hot key's duplicates.
 */
function walk(s: Large): void {
  const c = s.b.openCursor();
  const hot = s.hot.length > 0 && s.prng.chance(0.5) ? s.prng.pick(s.hot) : undefined;
  if (hot === undefined) startWalk(s, c);
  else s.b.cGet(c, 'SET', hot.key);
  let forward = hot !== undefined || s.prng.chance(0.5);
  const steps = s.prng.between(100, 400);
  for (let n = 0; n < steps; n++) {
    if (s.prng.chance(0.02)) forward = !forward;
    const roll = s.prng.next();
    if (roll < 0.03) s.b.cGet(c, 'CURRENT');
    else if (roll < 0.05) s.b.cGet(c, 'GET_RECNO');
    else if (roll < 0.07) s.b.cCount(c);
    else if (hot !== undefined) s.b.cGet(c, s.prng.pick(forward ? DUP_FORWARD : DUP_BACKWARD));
    else s.b.cGet(c, s.prng.pick(forward ? FORWARD : BACKWARD));
  }
  s.b.closeCursor(c);
}

function startWalk(s: Large, c: number): void {
  const roll = s.prng.next();
  if (roll < 0.2) s.b.cGet(c, 'FIRST');
  else if (roll < 0.4) s.b.cGet(c, 'LAST');
  else if (roll < 0.6) s.b.cGet(c, 'SET_RANGE', someKey(s));
  else if (roll < 0.75) s.b.cGet(c, 'SET', someKey(s));
  else if (roll < 0.9) s.b.cGet(c, 'GET_BOTH_RANGE', ...somePair(s));
  else s.b.cGet(c, 'SET_RECNO', String(s.prng.int(s.words.keyCount)));
}

/** Writes through a cursor: keyed puts, puts beside and at the current item, deletes. */
function cursorWrites(s: Large): void {
  const c = s.b.openCursor();
  startWalk(s, c);
  const count = s.prng.between(40, 120);
  for (let n = 0; n < count; n++) {
    const roll = s.prng.next();
    if (roll < 0.3) s.b.cGet(c, s.prng.pick([...FORWARD, ...BACKWARD]));
    else if (roll < 0.4) s.b.cDel(c);
    else if (roll < 0.5) {
      s.b.cPut(c, 'CURRENT', s.prng.chance(0.5) ? someData(s) : s.words.fit('w'));
    } else if (roll < 0.6) {
      s.b.cPut(c, s.prng.pick(['BEFORE', 'AFTER'] as const), someData(s));
    } else if (roll < 0.85) {
      const flag = s.prng.pick(['KEYFIRST', 'KEYLAST', 'NODUPDATA'] as const);
      s.b.cPut(c, flag, someData(s), someKey(s));
    } else if (roll < 0.92) s.b.cCount(c);
    else s.b.cGet(c, 'CURRENT');
  }
  s.b.closeCursor(c);
}
