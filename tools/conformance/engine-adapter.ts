/**
 * The one place the runner reaches the engine calls that are being added for duplicates,
 * record numbers and the remaining cursor flags. Each call is looked up by name at run time,
 * so the runner compiles against today's public types and answers a missing call with
 * `ScriptUnsupportedError` naming it, never with a guessed result. When the calls land in
 * the public types, this file becomes plain typed calls; nothing else changes.
 *
 * Layer: conformance tooling; imports the public surface of src/ only.
 *
 * The names used (the engine's new API):
 * - database config `{ duplicates: 'sorted' | 'unsorted', recordNumbers: true }`;
 * - `db.put(key, value, { noOverwrite, noDupData, overwriteDup })`, `db.getBoth(key, value)`;
 * - cursor `nextDup() prevDup() nextNoDup() prevNoDup()` (booleans), `seekBoth(key, value)`,
 *   `seekBothRange(key, value)`, `seekRecno(n)`, `recno()`, `count()`,
 *   `putKey(key, value, 'first' | 'last', { noDupData })`, `putBefore(value)`,
 *   `putAfter(value)`.
 *
 * Invariants:
 * 1. A call is made only when the engine has it; otherwise `ScriptUnsupportedError` names
 *    the script operation and the missing call.
 * 2. An option or config field that only the new API understands (duplicates, record
 *    numbers, noDupData, overwriteDup) is passed only when the engine has the calls of its
 *    feature (`Database.getBoth` for duplicates, `Cursor.seekRecno` for record numbers):
 *    today's option check would answer it with `InvalidArgumentError`, which would read as
 *    Berkeley DB's EINVAL, a guess.
 * 3. A boolean `false` from a move or a put means what it means for today's calls: nothing
 *    there (DB_NOTFOUND); the runner maps it.
 */
import { Cursor, Database, type DatabaseConfig } from '../../src/index.js';
import { ScriptUnsupportedError } from './error-codes.js';

/** Engine features the new calls belong to. */
export type EngineFeature = 'duplicates' | 'record-numbers';

/** The call whose presence says the engine has a feature. */
const FEATURE_PROBE: Record<EngineFeature, { owner: object; name: string }> = {
  duplicates: { owner: Database.prototype, name: 'getBoth' },
  'record-numbers': { owner: Cursor.prototype, name: 'seekRecno' },
};

/** True when the engine has the calls of `feature`. */
export function engineHas(feature: EngineFeature): boolean {
  const probe = FEATURE_PROBE[feature];
  return typeof (probe.owner as Record<string, unknown>)[probe.name] === 'function';
}

function requireFeature(feature: EngineFeature, operation: string): void {
  if (!engineHas(feature)) {
    const probe = FEATURE_PROBE[feature];
    throw new ScriptUnsupportedError(`${operation}: needs ${feature} (${probe.name} is not ` +
      'in the engine yet)');
  }
}

/** Calls `target[name](...args)`, or throws unsupported naming `operation` and the call. */
function call(target: object, name: string, operation: string, ...args: unknown[]): unknown {
  const fn = (target as Record<string, unknown>)[name];
  if (typeof fn !== 'function') {
    throw new ScriptUnsupportedError(`${operation}: needs ${name}(), which is not in the ` +
      'engine yet');
  }
  return (fn as (...a: unknown[]) => unknown).apply(target, args);
}

/** What a database is opened with beyond its type and page size. */
export interface DatabaseShape {
  duplicates?: 'sorted' | 'unsorted';
  recordNumbers?: boolean;
}

/** The `openDatabase` config for a shape (checked against the engine's features). */
export function databaseConfig(shape: DatabaseShape, pageSize?: number): DatabaseConfig {
  const config: Record<string, unknown> = { type: 'btree', pageSize };
  if (shape.duplicates !== undefined) {
    requireFeature('duplicates', `open with duplicates (${shape.duplicates})`);
    config['duplicates'] = shape.duplicates;
  }
  if (shape.recordNumbers === true) {
    requireFeature('record-numbers', 'open with record numbers');
    config['recordNumbers'] = true;
  }
  return config as DatabaseConfig;
}

/** Options of `Database.put` beyond today's `noOverwrite`. */
export interface DupPutOptions {
  noOverwrite?: boolean;
  noDupData?: boolean;
  overwriteDup?: boolean;
}

/** `db.put` with the new options (only handed over when the engine has duplicates). */
export function put(db: Database, key: Uint8Array, value: Uint8Array,
  options: DupPutOptions, operation: string): void {
  if (options.noDupData === true || options.overwriteDup === true) {
    requireFeature('duplicates', operation);
  }
  db.put(key, value, options as { noOverwrite?: boolean });
}

/** DB->get(DB_GET_BOTH): true when exactly this pair is stored. */
export function getBoth(db: Database, key: Uint8Array, value: Uint8Array): boolean {
  return call(db, 'getBoth', 'get GET_BOTH', key, value) === true;
}

/** Duplicate and record-number moves: the c_get flag → the cursor call it needs. */
const CURSOR_MOVE: Record<string, string> = {
  NEXT_DUP: 'nextDup', PREV_DUP: 'prevDup', NEXT_NODUP: 'nextNoDup', PREV_NODUP: 'prevNoDup',
  GET_BOTH: 'seekBoth', GET_BOTH_RANGE: 'seekBothRange', SET_RECNO: 'seekRecno',
};

/** True when `flag` is a move this adapter makes. */
export function isAdapterMove(flag: string): boolean {
  return flag in CURSOR_MOVE;
}

/** Makes the move `flag` names with `args`; false when it found nothing. */
export function move(cursor: Cursor, flag: string, ...args: unknown[]): boolean {
  const name = CURSOR_MOVE[flag];
  if (name === undefined) throw new ScriptUnsupportedError(`c_get ${flag}`);
  return call(cursor, name, `c_get ${flag}`, ...args) === true;
}

/** DBC->get(DB_GET_RECNO): the 1-based record number of the current item. */
export function recno(cursor: Cursor): number {
  return call(cursor, 'recno', 'c_get GET_RECNO') as number;
}

/** DBC->count: how many items the current key has. */
export function count(cursor: Cursor): number {
  return call(cursor, 'count', 'c_count') as number;
}

/** DBC->put(DB_KEYFIRST / DB_KEYLAST / DB_NODUPDATA): stores a pair, moves onto it. */
export function putKey(cursor: Cursor, key: Uint8Array, value: Uint8Array,
  where: 'first' | 'last', options: { noDupData?: boolean }, operation: string): void {
  call(cursor, 'putKey', operation, key, value, where, options);
}

/** DBC->put(DB_BEFORE / DB_AFTER): false when the engine reports nothing there. */
export function putBeside(cursor: Cursor, side: 'before' | 'after', value: Uint8Array): boolean {
  const name = side === 'before' ? 'putBefore' : 'putAfter';
  return call(cursor, name, `c_put ${side.toUpperCase()}`, value) !== false;
}
