/**
 * The cursor operations of an oracle script (`c_get` with every positioning flag, `c_put`,
 * `c_count`) translated to Stowage cursor calls.
 *
 * Layer: conformance tooling; imports the public surface of src/ only.
 *
 * Invariants:
 * 1. A move that finds nothing is DB_NOTFOUND and prints no key or data (the oracle prints
 *    them only when `rc` is 0); a successful one prints the pair the cursor is on after it.
 * 2. Record numbers follow the oracle's protocol: the Perl module counts btree record
 *    numbers from 0 and the oracle passes them through unconverted, so `SET_RECNO` with key
 *    K is Berkeley DB record K + 1, and `GET_RECNO` prints Berkeley DB's number minus 1 as
 *    its `data`. `GET_RECNO` prints no `key`: the real library's is memory it never wrote
 *    (the differ ignores that field).
 */
import type { Cursor } from '../../src/index.js';
import type { OracleOp } from './script.js';
import { ScriptUnsupportedError } from './error-codes.js';
import { type OracleResult, decode, encode, ok } from './results.js';

const NOTFOUND: OracleResult = { rc: 'DB_NOTFOUND' };

/** DBC->get with `o.flag`. */
export function cursorGet(c: Cursor, o: OracleOp): OracleResult {
  const flag = String(o.flag);
  if (flag === 'GET_RECNO') return ok({ data: c.recno() - 1 });
  const moved = moveCursor(c, flag, o);
  return moved ? ok({ key: decode(c.key()), data: decode(c.value()) }) : NOTFOUND;
}

function moveCursor(c: Cursor, flag: string, o: OracleOp): boolean {
  switch (flag) {
    case 'FIRST': return c.first();
    case 'LAST': return c.last();
    case 'NEXT': return c.next();
    case 'PREV': return c.prev();
    case 'SET': return c.seek(encode(o.key));
    case 'SET_RANGE': return c.seekRange(encode(o.key));
    case 'CURRENT': return true; // key() and value() answer a deleted or unplaced cursor
    case 'NEXT_DUP': return c.nextDup();
    case 'PREV_DUP': return c.prevDup();
    case 'NEXT_NODUP': return c.nextNoDup();
    case 'PREV_NODUP': return c.prevNoDup();
    case 'GET_BOTH': return c.seekBoth(encode(o.key), encode(o.data));
    case 'GET_BOTH_RANGE': return c.seekBothRange(encode(o.key), encode(o.data));
    case 'SET_RECNO': return c.seekRecno(recordNumber(o) + 1);
    default: throw new ScriptUnsupportedError(`c_get flag ${flag}`);
  }
}

/** The script's (0-based, see invariant 2) record number of a SET_RECNO line. */
function recordNumber(o: OracleOp): number {
  const text = String(o.key);
  if (!/^-?\d+$/.test(text)) {
    throw new ScriptUnsupportedError(`SET_RECNO key ${text}: give a whole number`);
  }
  return Number(text);
}

/** DBC->put with `o.flag`. */
export function cursorPut(c: Cursor, o: OracleOp): OracleResult {
  const flag = String(o.flag);
  const value = encode(o.data);
  switch (flag) {
    case 'CURRENT': return c.put(value) ? ok() : NOTFOUND;
    case 'KEYFIRST': return (c.putKey(encode(o.key), value, 'first'), ok());
    case 'KEYLAST': return (c.putKey(encode(o.key), value, 'last'), ok());
    case 'NODUPDATA': return (c.putKey(encode(o.key), value, 'last', { noDupData: true }), ok());
    case 'BEFORE': return c.putBefore(value) ? ok() : NOTFOUND;
    case 'AFTER': return c.putAfter(value) ? ok() : NOTFOUND;
    default: throw new ScriptUnsupportedError(`c_put flag ${flag}`);
  }
}

/** DBC->count. */
export function cursorCount(c: Cursor): OracleResult {
  return ok({ count: c.count() });
}
