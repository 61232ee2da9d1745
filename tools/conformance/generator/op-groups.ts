/**
 * Operation groups: the generator tags each operation with the engine features it needs,
 * so scripts can leave out what Stowage cannot do yet (or does differently on purpose)
 * while keeping everything else. Leaving an operation out keeps the script valid: no group
 * ever holds `open`, `cursor`, `c_close`, `begin`, `commit` or `abort`.
 *
 * Layer: conformance tooling (no engine imports).
 *
 * Invariants:
 * 1. `groupsOf` depends only on the operation and where it stands (family, page size,
 *    inside or outside a transaction of a transactional environment).
 * 2. Structural operations (the ones that decide cursor numbers and transaction nesting)
 *    belong to no group, so they are never left out.
 */
import type { OracleOp } from '../script.js';
import { type Family, TRAITS } from './families.js';

/** A group of operations that needs one engine feature. */
export type OpGroup = 'dup-ops' | 'recno-ops' | 'long-keys' | 'cursor-writes-outside-txn' |
  'unsorted-dup-put-current-after-del' | 'dup-lookups-beside-held-deletions' |
  'hash-dup-count-after-del';

export const OP_GROUPS: Record<OpGroup, string> = {
  'dup-ops': 'put NODUPDATA/OVERWRITE_DUP, get GET_BOTH, c_get NEXT_DUP/PREV_DUP/' +
    'NEXT_NODUP/PREV_NODUP/GET_BOTH/GET_BOTH_RANGE, c_count, c_put KEYFIRST/KEYLAST/' +
    'NODUPDATA, and c_put BEFORE/AFTER on duplicate databases',
  'recno-ops': 'c_get SET_RECNO and GET_RECNO',
  'long-keys': 'any operation with a key longer than a quarter page (an overflow key)',
  'cursor-writes-outside-txn': 'c_put and c_del in a transactional environment outside ' +
    'a transaction (the real library answers EINVAL)',
  'unsorted-dup-put-current-after-del': 'c_put CURRENT on an unsorted-duplicate btree by ' +
    'a cursor that has deleted an item (the real library\'s answer depends on its page ' +
    'layout: DB_NOTFOUND in an on-page duplicate set, 0 and the item back in an off-page one)',
  'dup-lookups-beside-held-deletions': 'on a duplicate btree while a deleted item may ' +
    'still be held by an open cursor: put NOOVERWRITE, c_get GET_BOTH_RANGE, and without ' +
    'sorted duplicates get and c_get GET_BOTH (on a leaf page the real library then looks at ' +
    'the held item: NOOVERWRITE stores beside a live duplicate, GET_BOTH finds the held item ' +
    'and misses the live one after it, GET_BOTH_RANGE ends on it with DB_NOTFOUND)',
  'hash-dup-count-after-del': 'c_count on a hash database with duplicates while an item may ' +
    'have been deleted under an open cursor (the real library then counts a set the cursor ' +
    'has left, 1 for a key just deleted, or fails with DB_RUNRECOVERY), and c_del by a ' +
    'cursor that deleted before (DB_NOTFOUND on the page, DB_KEYEMPTY in an off-page set)',
};

/**
 * Groups the real library cannot always run to the end of a script (it panics with
 * DB_RUNRECOVERY): left out of every script that must run to its end.
 */
export const UNRUNNABLE_GROUPS: readonly OpGroup[] = ['hash-dup-count-after-del'];

/** Where an operation stands in its script. */
export interface OpContext {
  family: Family;
  pageSize: number;
  /** True in a transactional environment while no transaction is open. */
  outsideTxn: boolean;
  /** True when the operation's cursor has run a c_del since it was opened. */
  cursorHasDeleted: boolean;
  /**
   * True when an item may be deleted yet held by an open cursor: a del or c_del ran while a
   * cursor was open, and cursors have stayed open since.
   */
  mayHoldDeleted: boolean;
}

const DUP_MOVES = new Set(['NEXT_DUP', 'PREV_DUP', 'NEXT_NODUP', 'PREV_NODUP', 'GET_BOTH',
  'GET_BOTH_RANGE']);
const KEYED_CURSOR_PUTS = new Set(['KEYFIRST', 'KEYLAST', 'NODUPDATA']);

/** The groups `op` belongs to at `context`. */
export function groupsOf(op: OracleOp, context: OpContext): OpGroup[] {
  const groups: OpGroup[] = [];
  if (needsDupCalls(op, context.family)) groups.push('dup-ops');
  if (op.op === 'c_get' && (op.flag === 'SET_RECNO' || op.flag === 'GET_RECNO')) {
    groups.push('recno-ops');
  }
  const keyed = op.op !== 'c_get' || op.flag !== 'SET_RECNO';
  if (keyed && op.key !== undefined && op.key.length > context.pageSize / 4) {
    groups.push('long-keys');
  }
  if (context.outsideTxn && (op.op === 'c_put' || op.op === 'c_del')) {
    groups.push('cursor-writes-outside-txn');
  }
  const traits = TRAITS[context.family];
  const unsorted = traits.type === 'btree' && traits.duplicates === 'unsorted';
  if (unsorted && context.cursorHasDeleted && op.op === 'c_put' && op.flag === 'CURRENT') {
    groups.push('unsorted-dup-put-current-after-del');
  }
  if (context.mayHoldDeleted && looksAtHeldDeletions(op, context.family)) {
    groups.push('dup-lookups-beside-held-deletions');
  }
  const hashDups = traits.type === 'hash' && traits.duplicates !== 'none';
  const againDel = context.cursorHasDeleted && op.op === 'c_del';
  if (hashDups && ((context.mayHoldDeleted && op.op === 'c_count') || againDel)) {
    groups.push('hash-dup-count-after-del');
  }
  return groups;
}

/**
 * Whether `op` answers from deleted items held by cursors (see OP_GROUPS). Only a btree
 * holds them: a hash removes a deleted item from its page at once.
 */
function looksAtHeldDeletions(op: OracleOp, family: Family): boolean {
  const { type, duplicates } = TRAITS[family];
  if (type !== 'btree' || duplicates === 'none') return false;
  if (op.op === 'put') return (op.flags ?? []).includes('NOOVERWRITE');
  if (op.op === 'c_get' && op.flag === 'GET_BOTH_RANGE') return true;
  const getBoth = (op.op === 'get' || op.op === 'c_get') && op.flag === 'GET_BOTH';
  return getBoth && duplicates === 'unsorted';
}

function needsDupCalls(op: OracleOp, family: Family): boolean {
  switch (op.op) {
    case 'put': return (op.flags ?? []).some((f) => f === 'NODUPDATA' || f === 'OVERWRITE_DUP');
    case 'get': return op.flag === 'GET_BOTH';
    case 'c_get': return DUP_MOVES.has(String(op.flag));
    case 'c_count': return true;
    case 'c_put':
      if (KEYED_CURSOR_PUTS.has(String(op.flag))) return true;
      return (op.flag === 'BEFORE' || op.flag === 'AFTER') && TRAITS[family].duplicates !== 'none';
    default: return false;
  }
}

/** The family a script's `open` line opens (undefined: not one of the families). */
export function familyOf(open: OracleOp): Family | undefined {
  if (open.op !== 'open') return undefined;
  const flags = (open.flags ?? []).join(',');
  const found = Object.entries(TRAITS).find(([, t]) => t.type === open.type &&
    t.flags.join(',') === flags);
  return found?.[0] as Family | undefined;
}

/** Every group some operation of a whole script belongs to (walking it as the builder does). */
export function groupsOfScript(ops: readonly OracleOp[]): Set<OpGroup> {
  const open = ops[0];
  const family = open === undefined ? undefined : familyOf(open);
  const groups = new Set<OpGroup>();
  if (open === undefined || family === undefined) return groups;
  const deleters = new Set<number>();
  const held = new HeldDeletions();
  let txnOpen = false;
  for (const op of ops) {
    if (op.op === 'begin') txnOpen = true;
    if (op.op === 'commit' || op.op === 'abort') txnOpen = false;
    const context: OpContext = {
      family, pageSize: open.pagesize ?? 4096, outsideTxn: open.txn === true && !txnOpen,
      cursorHasDeleted: op.c !== undefined && deleters.has(op.c), mayHoldDeleted: held.may,
    };
    for (const g of groupsOf(op, context)) groups.add(g);
    if (op.op === 'c_del' && op.c !== undefined) deleters.add(op.c);
    held.after(op);
  }
  return groups;
}

/**
 * Tracks `OpContext.mayHoldDeleted` along a script: a deletion (c_del or del) while a
 * cursor is open may leave a held item, and none is left once the last open cursor closes.
 */
export class HeldDeletions {
  private open = 0;
  private deleted = false;

  get may(): boolean {
    return this.deleted;
  }

  /** Takes in an operation that ran (was not left out). */
  after(op: OracleOp): void {
    if (op.op === 'cursor') this.open++;
    if (this.open > 0 && (op.op === 'c_del' || op.op === 'del')) this.deleted = true;
    if (op.op === 'c_close' && --this.open === 0) this.deleted = false;
  }
}
