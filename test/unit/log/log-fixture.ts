/**
 * Shared fixtures of the log tests: temporary directories on the real file system, a few
 * declared record types covering every field kind, and helpers to append and collect.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { LogManager, LogRecordRegistry, defineLogRecord } from '../../../src/log/index.js';
import type { LogBody, LogOptions, LogRecord } from '../../../src/log/index.js';
import { NodeFs } from '../../../src/os/index.js';
import { txnId, ZERO_LSN } from '../../../src/util/index.js';
import type { Lsn, TxnId } from '../../../src/util/index.js';

/** A fresh temporary directory; `cleanup` removes it. */
export function tempDir(prefix = 'stowage-log-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A btree-like insert record (the brief's example). */
export const BtInsert = defineLogRecord({
  name: 'bt_insert',
  typeId: 20,
  fields: { fileId: 'u32', pgno: 'u32', index: 'u16', item: 'bytes', prevLsn: 'lsn' },
});

/** A record with one field of every kind. */
export const Everything = defineLogRecord({
  name: 'everything',
  typeId: 21,
  fields: {
    a: 'u8',
    b: 'u16',
    c: 'u32',
    d: 'i32',
    e: 'bool',
    f: 'u53',
    g: 'f64',
    h: 'lsn',
    i: 'pgno',
    j: 'fileId',
    k: 'txnId',
    l: 'bytes',
    m: 'string',
    n: 'bytesList',
    o: 'u32List',
  },
});

/** A record with an empty body. */
export const Marker = defineLogRecord({ name: 'marker', typeId: 22, fields: {} });

export type BtInsertBody = LogBody<typeof BtInsert>;

/** A registry holding the fixture types. */
export function fixtureRegistry(): LogRecordRegistry {
  return new LogRecordRegistry().register(BtInsert).register(Everything).register(Marker);
}

/** What a test appended: enough to compare with what a cursor reads. */
export interface Appended {
  lsn: Lsn;
  txnId: TxnId;
  prevLsn: Lsn;
  body: BtInsertBody;
}

/** A deterministic body for record number `i`, of about `itemBytes` bytes. */
export function bodyFor(i: number, itemBytes: number): BtInsertBody {
  const item = new Uint8Array(itemBytes);
  for (let k = 0; k < itemBytes; k++) item[k] = (i * 31 + k) & 0xff;
  return { fileId: i % 7, pgno: i, index: i % 65536, item, prevLsn: ZERO_LSN };
}

/**
 * Appends `count` bt_insert records spread over `txnCount` interleaved transactions, each
 * chaining prevLsn to its own previous record.
 */
export function appendMany(
  log: LogManager,
  count: number,
  itemBytes: (i: number) => number,
  txnCount = 3,
  first = 0,
): Appended[] {
  const lastOf = new Map<number, Lsn>();
  const out: Appended[] = [];
  for (let i = first; i < first + count; i++) {
    const id = txnId(0x80000001 + (i % txnCount));
    const prevLsn = lastOf.get(id) ?? ZERO_LSN;
    const body = bodyFor(i, itemBytes(i));
    const lsn = log.append(BtInsert, id, prevLsn, body);
    lastOf.set(id, lsn);
    out.push({ lsn, txnId: id, prevLsn, body });
  }
  return out;
}

/** Checks that a record read back equals what was appended. */
export function sameRecord(record: LogRecord | undefined, expected: Appended): boolean {
  if (record === undefined || !BtInsert.is(record)) return false;
  const b = record.body;
  const e = expected.body;
  return (
    record.lsn === expected.lsn &&
    record.txnId === expected.txnId &&
    record.prevLsn === expected.prevLsn &&
    b.fileId === e.fileId &&
    b.pgno === e.pgno &&
    b.index === e.index &&
    b.prevLsn === e.prevLsn &&
    Buffer.from(b.item).equals(e.item)
  );
}

/**
 * A fresh temporary log directory per test (registered with beforeEach/afterEach), and an
 * opener for a LogManager on it with `fileBytes`-byte files and the fixture registry.
 */
export function useLogDir(fileBytes: number): {
  readonly dir: string;
  open(extra?: Partial<LogOptions>): LogManager;
} {
  const registry = fixtureRegistry();
  const nodeFs = new NodeFs();
  let current = { dir: '', cleanup: (): void => {} };
  beforeEach(() => {
    current = tempDir();
  });
  afterEach(() => current.cleanup());
  return {
    get dir() {
      return current.dir;
    },
    open(extra: Partial<LogOptions> = {}): LogManager {
      return LogManager.open({
        fs: nodeFs, dir: current.dir, logFileSizeBytes: fileBytes, registry, ...extra,
      });
    },
  };
}

/** Every record of the log, first to last, as `Appended` entries. */
export function recordsOf(log: LogManager): Appended[] {
  const cursor = log.cursor();
  const out: Appended[] = [];
  for (let r = cursor.first(); r !== undefined; r = cursor.next()) {
    out.push({ lsn: r.lsn, txnId: r.txnId, prevLsn: r.prevLsn, body: r.body as Appended['body'] });
  }
  return out;
}
