/**
 * LogManager on real files (NodeFs, temporary directories): append, flush, reopen and
 * rotation across small files; cursors forward and backward; readAt and prevLsn chains;
 * records still in the buffer; oversized records; archive (removeFilesBefore) and
 * truncateAfter; read-only opens; and the same behaviour on MemFs without preallocation.
 */
import * as nodeFsModule from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  LOG_FILE_HEADER_SIZE,
  LogManager,
  firstLsnOfFile,
  logFileName,
} from '../../../src/log/index.js';
import { MemFs, NodeFs } from '../../../src/os/index.js';
import {
  InvalidArgumentError,
  ReadOnlyError,
  ZERO_LSN,
  lsnFile,
  lsnOffset,
  txnId,
} from '../../../src/util/index.js';
import type { Lsn } from '../../../src/util/index.js';
import {
  BtInsert,
  Marker,
  appendMany,
  bodyFor,
  fixtureRegistry,
  sameRecord,
  useLogDir,
} from './log-fixture.js';
import type { Appended } from './log-fixture.js';

const FILE_BYTES = 64 * 1024;
const registry = fixtureRegistry();
const fs = new NodeFs();
const logDir = useLogDir(FILE_BYTES);
const open = logDir.open;

/** Walks the whole log forward and backward and compares with `expected`. */
function expectLogEquals(log: LogManager, expected: readonly Appended[]): void {
  const cursor = log.cursor();
  let i = 0;
  for (let r = cursor.first(); r !== undefined; r = cursor.next()) {
    expect(sameRecord(r, expected[i]!), `record ${i} forward`).toBe(true);
    i++;
  }
  expect(i).toBe(expected.length);
  for (let r = cursor.last(); r !== undefined; r = cursor.prev()) {
    i--;
    expect(sameRecord(r, expected[i]!), `record ${i} backward`).toBe(true);
  }
  expect(i).toBe(0);
}

describe('append, flush and reopen across files', () => {
  it('reads back every record forward, backward and by LSN after a reopen', () => {
    let log = open();
    const expected = appendMany(log, 3000, (i) => (i * 37) % 400);
    log.flush();
    expect(log.syncedLsn).toBe(log.endLsn);
    log.close();

    log = open();
    expect(log.files().length).toBeGreaterThanOrEqual(10);
    expect(log.report.tornTail).toBe(false);
    for (let i = 1; i < expected.length; i++) {
      expect(expected[i]!.lsn).toBeGreaterThan(expected[i - 1]!.lsn);
    }
    for (const e of expected) {
      const record = log.readAt(e.lsn);
      expect(sameRecord(record, e)).toBe(true);
      expect(lsnOffset(e.lsn) + record.lengthBytes).toBeLessThanOrEqual(FILE_BYTES);
    }
    for (const n of log.files()) {
      expect(nodeFsModule.statSync(log.filePath(n)).size).toBe(FILE_BYTES);
    }
    expectLogEquals(log, expected);
    expect(log.verify()).toBe(expected.length);
    log.close();
  });

  it('continues after a reopen with larger LSNs and keeps the old records', () => {
    let log = open();
    const first = appendMany(log, 500, () => 200);
    const endBefore = log.endLsn;
    log.close();
    log = open();
    expect(log.endLsn).toBe(endBefore);
    const second = appendMany(log, 500, () => 300, 3, 500);
    expect(second[0]!.lsn).toBeGreaterThanOrEqual(endBefore);
    log.close();
    log = open();
    expectLogEquals(log, [...first, ...second]);
    log.close();
  });

  it('walks each transaction backward through its prevLsn chain', () => {
    const log = open();
    const expected = appendMany(log, 1200, (i) => i % 150, 5);
    log.flush();
    for (let t = 0; t < 5; t++) {
      const id = txnId(0x80000001 + t);
      const mine = expected.filter((e) => e.txnId === id).map((e) => e.lsn);
      const walked: Lsn[] = [];
      for (let lsn = mine.at(-1)!; lsn !== ZERO_LSN; lsn = log.readAt(lsn).prevLsn) {
        walked.push(lsn);
      }
      expect(walked.reverse()).toEqual(mine);
    }
    log.close();
  });

  it('reads records that are still only in the buffer', () => {
    const log = open();
    const expected = appendMany(log, 40, () => 50);
    expect(log.flushedLsn).toBeLessThan(expected[0]!.lsn + 1);
    expect(sameRecord(log.readAt(expected[39]!.lsn), expected[39]!)).toBe(true);
    expectLogEquals(log, expected);
    log.flush(expected[10]!.lsn, 'write');
    const more = appendMany(log, 40, () => 50, 3, 40);
    expectLogEquals(log, [...expected, ...more]);
    log.close();
  });

  it('gives a record bigger than a file a file of its own', () => {
    const log = open();
    const small = appendMany(log, 10, () => 100);
    const big = bodyFor(10, FILE_BYTES * 2);
    const bigLsn = log.append(BtInsert, txnId(1), ZERO_LSN, big);
    const after = appendMany(log, 10, () => 100, 3, 11);
    expect(lsnFile(bigLsn)).toBe(lsnFile(small[0]!.lsn) + 1);
    expect(lsnOffset(bigLsn)).toBe(LOG_FILE_HEADER_SIZE);
    expect(lsnFile(after[0]!.lsn)).toBe(lsnFile(bigLsn) + 1);
    log.close();
    const reopened = open();
    expect([...(reopened.readAt(bigLsn).body as { item: Uint8Array }).item]).toEqual([
      ...big.item,
    ]);
    const bigEntry = { lsn: bigLsn, txnId: txnId(1), prevLsn: ZERO_LSN, body: big };
    expectLogEquals(reopened, [...small, bigEntry, ...after]);
    reopened.close();
  });

  it('positions with seek and steps from there; rejects LSNs outside the log', () => {
    const log = open();
    const expected = appendMany(log, 800, () => 120);
    const cursor = log.cursor();
    expect(sameRecord(cursor.seek(expected[400]!.lsn), expected[400]!)).toBe(true);
    expect(cursor.lsn).toBe(expected[400]!.lsn);
    expect(sameRecord(cursor.next(), expected[401]!)).toBe(true);
    expect(sameRecord(cursor.prev(), expected[400]!)).toBe(true);
    expect(sameRecord(cursor.prev(), expected[399]!)).toBe(true);
    expect(cursor.seek(log.endLsn)).toBeUndefined();
    expect(cursor.lsn).toBe(expected[399]!.lsn);
    expect(() => log.readAt(log.endLsn)).toThrow(InvalidArgumentError);
    expect(() => log.readAt(firstLsnOfFile(99))).toThrow(InvalidArgumentError);
    cursor.last();
    expect(cursor.next()).toBeUndefined();
    const added = log.append(Marker, txnId(0), ZERO_LSN, {});
    expect(cursor.next()?.lsn).toBe(added);
    log.close();
  });
});

describe('archive and truncation', () => {
  it('removes files before a number, never the one being written', () => {
    const log = open();
    const expected = appendMany(log, 2000, () => 150);
    const files = log.files();
    const keepFrom = files[3]!;
    expect(log.removeFilesBefore(keepFrom)).toEqual(files.slice(0, 3));
    expect(log.files()).toEqual(files.slice(3));
    expect(nodeFsModule.existsSync(log.filePath(files[0]!))).toBe(false);
    const remaining = expected.filter((e) => lsnFile(e.lsn) >= keepFrom);
    expectLogEquals(log, remaining);
    expect(() => log.removeFilesBefore(files.at(-1)! + 1)).toThrow(InvalidArgumentError);
    log.close();
    const reopened = open();
    expectLogEquals(reopened, remaining);
    reopened.close();
  });

  it('truncates after an LSN in an earlier file and continues from there', () => {
    let log = open();
    const expected = appendMany(log, 2000, () => 150);
    const cut = expected[500]!;
    log.truncateAfter(cut.lsn);
    expect(log.files().at(-1)).toBe(lsnFile(cut.lsn));
    expect(log.syncedLsn).toBe(log.endLsn);
    expectLogEquals(log, expected.slice(0, 501));
    const more = appendMany(log, 300, () => 150, 3, 501);
    expect(more[0]!.lsn).toBeGreaterThan(cut.lsn);
    log.close();
    log = open();
    expectLogEquals(log, [...expected.slice(0, 501), ...more]);
    log.close();
  });

  it('truncates within the last file', () => {
    const log = open();
    const expected = appendMany(log, 50, () => 100);
    log.truncateAfter(expected[20]!.lsn);
    expectLogEquals(log, expected.slice(0, 21));
    log.truncateAfter(expected[20]!.lsn);
    expectLogEquals(log, expected.slice(0, 21));
    log.close();
  });
});

describe('read-only and in-memory logs', () => {
  it('opens read-only without creating or writing anything', () => {
    const missing = `${logDir.dir}/nothing-here`;
    const empty = LogManager.open({ fs, dir: missing, readOnly: true, registry });
    expect(empty.files()).toEqual([]);
    expect(empty.cursor().first()).toBeUndefined();
    expect(empty.cursor().last()).toBeUndefined();
    empty.close();
    expect(nodeFsModule.existsSync(missing)).toBe(false);

    const log = open();
    const expected = appendMany(log, 100, () => 60);
    log.close();
    const ro = open({ readOnly: true });
    expectLogEquals(ro, expected);
    expect(() => ro.append(Marker, txnId(0), ZERO_LSN, {})).toThrow(ReadOnlyError);
    expect(() => ro.removeFilesBefore(1)).toThrow(ReadOnlyError);
    ro.close();
  });

  it('works on MemFs without preallocation, files growing as records arrive', () => {
    const mem = new MemFs();
    const options = { fs: mem, dir: '/env', logFileSizeBytes: 4096, registry, preallocate: false };
    let log = LogManager.open(options);
    expect(mem.liveBytes(`/env/${logFileName(1)}`)?.length).toBe(LOG_FILE_HEADER_SIZE);
    const expected = appendMany(log, 300, (i) => i % 90);
    log.close();
    log = LogManager.open(options);
    expect(log.files().length).toBeGreaterThan(3);
    expectLogEquals(log, expected);
    log.truncateAfter(expected[10]!.lsn);
    expectLogEquals(log, expected.slice(0, 11));
    log.close();
    expect(mem.openHandleCount()).toBe(0);
    log = LogManager.open(options);
    expectLogEquals(log, expected.slice(0, 11));
    log.close();
  });

  it('rejects bad options', () => {
    expect(() => open({ logFileSizeBytes: 100 })).toThrow(InvalidArgumentError);
    expect(() => open({ bufferFlushBytes: 0 })).toThrow(InvalidArgumentError);
  });
});
