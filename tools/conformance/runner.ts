/**
 * Runs an oracle script (test/compat/oracle/bdb_oracle.pl's format) through Stowage's public
 * API and returns one result line per operation, in the oracle's format, so the lines can be
 * compared with what the real Berkeley DB 5.3 prints for the same script. The CLI
 * (cli.ts) and the tests (test/compat) use this one implementation.
 *
 * Layer: conformance tooling; imports the public surface of src/ only.
 *
 * Invariants:
 * 1. Every operation goes through `Environment`, `Database`, `Cursor` and `Transaction`.
 * 2. A result line is the canonical JSON of `{ i, op, rc, ...fields }`: `rc` is 0 or the
 *    Berkeley DB code name (error-codes.ts), fields are the oracle's for that operation.
 * 3. Only answers are printed. A Stowage error that is no Berkeley DB answer, an operation
 *    Stowage cannot express (`ScriptUnsupportedError`), or a script the oracle itself would
 *    die on stops the run with `ScriptError`, naming the script line; never a guessed code.
 * 4. The environment is closed when the run ends, whatever happened.
 * 5. A run that reaches its end verifies the database (`Database.verify`); a failure stops
 *    it at the last line, so a damaged tree never passes as agreement.
 */
import {
  CorruptionError, type Cursor, type Database, type DatabaseConfig, Environment, type PutOptions,
  type Transaction,
} from '../../src/index.js';
import { type OracleOp, type ScriptLine, canonicalJson } from './script.js';
import { ScriptUnsupportedError, codeOf } from './error-codes.js';
import { cursorCount, cursorGet, cursorPut } from './cursor-ops.js';
import { type OracleResult, decode, encode, ok } from './results.js';

/** A script run stopped at a line: not a Berkeley DB answer. */
export class ScriptError extends Error {
  override name = 'ScriptError';

  constructor(
    /** The line that failed. */
    readonly line: ScriptLine,
    /** The result lines of the operations before it. */
    readonly results: readonly string[],
    options: { cause: unknown },
  ) {
    const cause = options.cause as Error;
    super(`line ${line.lineNumber}: ${cause?.name ?? 'Error'}: ${cause?.message ?? cause}\n` +
      `  ${line.text}`, options);
  }
}

/** Runs `lines` in a fresh environment at `home` (an empty directory). */
export function runScript(lines: readonly ScriptLine[], home: string): string[] {
  const session = new ScriptSession(home);
  const results: string[] = [];
  try {
    for (const line of lines) {
      let result: OracleResult;
      try {
        result = session.step(line.op);
      } catch (e) {
        throw new ScriptError(line, results, { cause: e });
      }
      results.push(canonicalJson({ i: results.length, op: line.op.op, ...result }));
    }
    const last = lines[lines.length - 1];
    if (last) {
      try {
        session.verify();
      } catch (e) {
        throw new ScriptError(last, results, { cause: e });
      }
    }
  } finally {
    session.close();
  }
  return results;
}

/** Runs `fn`; a Stowage error that is a Berkeley DB answer becomes `{ rc }`. */
export function answer(fn: () => OracleResult, onError: object = {}): OracleResult {
  try {
    return fn();
  } catch (e) {
    const rc = codeOf(e);
    if (rc === undefined) throw e;
    return { ...onError, rc };
  }
}

/** What a database is opened with beyond its type, page size and table settings. */
export type DatabaseShape = Pick<DatabaseConfig, 'duplicates' | 'recordNumbers'>;

/** Per access method, open-flag lists → the shape Stowage opens (others are unsupported). */
const SHAPES: Record<string, Record<string, DatabaseShape>> = {
  btree: {
    '': {},
    DUP: { duplicates: 'unsorted' },
    'DUP,DUPSORT': { duplicates: 'sorted' },
    DUPSORT: { duplicates: 'sorted' },
    RECNUM: { recordNumbers: true },
  },
  // A hash keeps no record numbers: the real library refuses DB_RECNUM (the oracle dies).
  hash: {
    '': {},
    DUP: { duplicates: 'unsorted' },
    'DUP,DUPSORT': { duplicates: 'sorted' },
    DUPSORT: { duplicates: 'sorted' },
  },
};

/** Each put flag → its `Database.put` option (the engine refuses two at once, as BDB does). */
const PUT_OPTIONS: Record<string, keyof PutOptions> = {
  NOOVERWRITE: 'noOverwrite', NODUPDATA: 'noDupData', OVERWRITE_DUP: 'overwriteDup',
};

/** The `openDatabase` config of an `open` line (its access method must exist in Stowage). */
function databaseConfig(o: OracleOp): DatabaseConfig {
  const type = o.type;
  if (type !== 'btree' && type !== 'hash') {
    throw new ScriptUnsupportedError(`access method ${String(type)} (only btree and hash ` +
      'exist)');
  }
  const shape = SHAPES[type]![(o.flags ?? []).join(',')];
  if (shape === undefined) {
    throw new ScriptUnsupportedError(`database flags ${String(o.flags)} for a ${type}`);
  }
  const config: DatabaseConfig = { type, pageSize: o.pagesize, ...shape };
  if (o.h_ffactor === undefined && o.h_nelem === undefined) return config;
  if (type !== 'hash') throw new ScriptUnsupportedError(`h_ffactor or h_nelem for a ${type}`);
  // The oracle passes a setting only when it is not 0; 0 is also Stowage's default.
  if (o.h_ffactor) config.fillFactor = o.h_ffactor;
  if (o.h_nelem) config.expectedSize = o.h_nelem;
  return config;
}

/** The state of one script run: its environment, database, transaction and cursors. */
class ScriptSession {
  private env: Environment | undefined;
  private database: Database | undefined;
  private txn: Transaction | undefined;
  private readonly cursors: (Cursor | undefined)[] = [];

  constructor(private readonly home: string) {}

  step(o: OracleOp): OracleResult {
    switch (o.op) {
      case 'open': return this.open(o);
      case 'begin': return this.begin();
      case 'commit': return answer(() => (this.endTxn(o).commit(), ok()));
      case 'abort': return answer(() => (this.endTxn(o).abort(), ok()));
      case 'put': return this.put(o);
      case 'get': return this.get(o);
      case 'del': return answer(() => (this.db.del(encode(o.key)) ? ok() : NOTFOUND));
      case 'cursor': return ok({ cursor: this.cursors.push(this.db.cursor()) - 1 });
      case 'c_get': return answer(() => cursorGet(this.cursor(o), o));
      case 'c_put': return answer(() => cursorPut(this.cursor(o), o));
      // A delete of an item deleted already: a btree answers DB_KEYEMPTY, a hash DB_NOTFOUND.
      case 'c_del': return answer(() => (this.cursor(o).del() ? ok()
        : this.db.type === 'hash' ? NOTFOUND : KEYEMPTY));
      case 'c_count': return answer(() => cursorCount(this.cursor(o)), { count: 0 });
      case 'c_close': return this.cursorClose(o);
      case 'dump': return answer(() => ok({ pairs: this.dump() }));
      default: throw new ScriptUnsupportedError(`operation ${o.op}`);
    }
  }

  /** Throws `CorruptionError` unless the database passes `verify()` (invariant 5). */
  verify(): void {
    const report = this.database?.verify();
    if (report && !report.ok) {
      throw new CorruptionError(`verify after the script: ${report.errors.join('; ')}`);
    }
  }

  /** Closes every cursor, aborts an open transaction, closes the environment. */
  close(): void {
    try {
      for (const c of this.cursors) c?.close();
      if (this.txn?.state === 'active') this.txn.abort();
    } finally {
      this.env?.close();
      this.env = undefined;
    }
  }

  private open(o: OracleOp): OracleResult {
    if (this.env) throw new ScriptUnsupportedError('a second open in one script');
    const config = databaseConfig(o);
    this.env = Environment.open(this.home, { transactional: o.txn === true, durability: 'none' });
    this.database = this.env.openDatabase((o.file ?? 'oracle').replace(/\.db$/, ''), config);
    return ok();
  }

  private begin(): OracleResult {
    if (!this.env?.options.transactional) {
      throw new ScriptUnsupportedError('begin in an environment opened without "txn": true ' +
        '(the oracle dies on it too)');
    }
    if (this.txn) throw new ScriptUnsupportedError('begin while a transaction is open');
    this.txn = this.env.begin();
    return ok();
  }

  private endTxn(o: OracleOp): Transaction {
    const txn = this.txn;
    if (!txn) throw new ScriptUnsupportedError(`${o.op} without begin`);
    this.txn = undefined;
    return txn;
  }

  private put(o: OracleOp): OracleResult {
    const options: PutOptions = {};
    for (const flag of o.flags ?? []) {
      const name = PUT_OPTIONS[flag];
      if (name === undefined) throw new ScriptUnsupportedError(`put flag ${flag}`);
      options[name] = true;
    }
    return answer(() => (this.db.put(encode(o.key), encode(o.data), options), ok()));
  }

  private get(o: OracleOp): OracleResult {
    const key = encode(o.key);
    if (o.flag === 'GET_BOTH') {
      const data = o.data ?? '';
      return answer(() => (this.db.getBoth(key, encode(data)) ? ok({ key: o.key, data })
        : NOTFOUND));
    }
    if (o.flag !== undefined) throw new ScriptUnsupportedError(`get flag ${o.flag}`);
    return answer(() => {
      const value = this.db.get(key);
      return value === undefined ? NOTFOUND : ok({ key: o.key, data: decode(value) });
    });
  }

  private cursorClose(o: OracleOp): OracleResult {
    this.cursor(o).close();
    this.cursors[o.c!] = undefined;
    return ok();
  }

  /** Every pair in cursor order, read through a fresh cursor (as the oracle does). */
  private dump(): [string, string][] {
    const c = this.db.cursor();
    const pairs: [string, string][] = [];
    try {
      for (let more = c.first(); more; more = c.next()) {
        pairs.push([decode(c.key()), decode(c.value())]);
      }
    } finally {
      c.close();
    }
    return pairs;
  }

  private get db(): Database {
    if (!this.database) throw new ScriptUnsupportedError('a database operation before open');
    return this.database;
  }

  private cursor(o: OracleOp): Cursor {
    const c = o.c === undefined ? undefined : this.cursors[o.c];
    if (!c) throw new ScriptUnsupportedError(`no open cursor ${String(o.c)}`);
    return c;
  }
}

const NOTFOUND: OracleResult = { rc: 'DB_NOTFOUND' };
const KEYEMPTY: OracleResult = { rc: 'DB_KEYEMPTY' };
