/**
 * Damage on disk, on real files (NodeFs): a torn or garbled last record ends the log before
 * it and later appends continue cleanly, without ever resurrecting stale records that
 * followed the torn one; damage inside an earlier file is a CorruptionError naming the file
 * and offset; remnants of interrupted file creations are dropped; a bad header is reported.
 *
 * Guards against: a recovery that treats a torn commit as committed, or that replays stale
 * records appended before a crash after new ones written since.
 */
import * as nodeFs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LogManager, logFileName } from '../../../src/log/index.js';
import { CorruptionError, lsnFile, lsnOffset } from '../../../src/util/index.js';
import { appendMany, recordsOf, sameRecord, useLogDir } from './log-fixture.js';
import type { Appended } from './log-fixture.js';

const FILE_BYTES = 64 * 1024;
const logDir = useLogDir(FILE_BYTES);
const open = logDir.open;


function expectRecords(log: LogManager, expected: readonly Appended[]): void {
  const got = recordsOf(log);
  expect(got.length).toBe(expected.length);
  got.forEach((g, i) => expect(sameRecord(log.readAt(g.lsn), expected[i]!)).toBe(true));
}

/** Overwrites bytes of the log file holding `lsn`, at `lsn`'s offset plus `delta`. */
function scribble(log: LogManager, lsn: number, delta: number, bytes: Uint8Array): void {
  const path = log.filePath(lsnFile(lsn as never));
  const fd = nodeFs.openSync(path, 'r+');
  nodeFs.writeSync(fd, bytes, 0, bytes.length, lsnOffset(lsn as never) + delta);
  nodeFs.closeSync(fd);
}

describe('torn tail of the last file', () => {
  it('ends the log before a truncated last record and appends cleanly after it', () => {
    let log = open();
    const expected = appendMany(log, 100, () => 80);
    log.close();
    const last = expected.at(-1)!;
    nodeFs.truncateSync(log.filePath(lsnFile(last.lsn)), lsnOffset(last.lsn) + 10);

    log = open();
    expect(log.report.stop).toBe('truncated');
    expect(log.report.tornTail).toBe(true);
    expect(log.endLsn).toBe(last.lsn);
    expect(nodeFs.statSync(log.filePath(lsnFile(last.lsn))).size).toBe(FILE_BYTES);
    expectRecords(log, expected.slice(0, 99));
    const more = appendMany(log, 50, () => 80, 3, 100);
    expect(more[0]!.lsn).toBe(last.lsn);
    log.close();

    log = open();
    expect(log.report.tornTail).toBe(false);
    expectRecords(log, [...expected.slice(0, 99), ...more]);
    log.close();
  });

  it('cuts a garbled record and never resurrects the stale records after it', () => {
    let log = open();
    const expected = appendMany(log, 60, () => 100);
    log.close();
    // Damage record 40's body: records 41..59 are intact but follow a torn one.
    scribble(log, expected[40]!.lsn, 40, Uint8Array.of(0xde, 0xad));

    log = open();
    expect(log.report.stop).toBe('checksum mismatch');
    expect(log.report.tornTail).toBe(true);
    expectRecords(log, expected.slice(0, 40));
    // Same lengths as before, so a stale record 41 would line up perfectly after it.
    const redo = appendMany(log, 1, () => 100, 3, 40);
    expect(redo[0]!.lsn).toBe(expected[40]!.lsn);
    log.close();

    log = open();
    expectRecords(log, [...expected.slice(0, 40), ...redo]);
    log.close();
  });

  it('treats a zeroed length as the end of the log', () => {
    let log = open();
    const expected = appendMany(log, 30, () => 64);
    log.close();
    scribble(log, expected[29]!.lsn, 0, new Uint8Array(4));
    log = open();
    expect(log.report.stop).toBe('zero length');
    expectRecords(log, expected.slice(0, 29));
    log.close();
  });
});

describe('damage that is corruption', () => {
  it('reports garbage inside an earlier file with its file and offset', () => {
    let log = open();
    const expected = appendMany(log, 1500, () => 150);
    log.close();
    const victim = expected[100]!;
    expect(lsnFile(victim.lsn)).toBeLessThan(lsnFile(expected.at(-1)!.lsn));
    scribble(log, victim.lsn, 30, Uint8Array.of(1, 2, 3, 4, 5));

    log = open();
    expect(log.report.tornTail).toBe(false);
    const path = log.filePath(lsnFile(victim.lsn));
    let caught: unknown;
    try {
      log.verify();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CorruptionError);
    const corruption = caught as CorruptionError;
    expect(corruption.detail).toEqual({ file: path, offset: lsnOffset(victim.lsn) });
    expect(corruption.message).toContain(path);
    expect(corruption.message).toContain(`offset ${lsnOffset(victim.lsn)}`);
    expect(() => log.readAt(victim.lsn)).toThrow(CorruptionError);
    // Walking backward from the end reaches the same record and fails there too.
    const cursor = log.cursor();
    expect(() => {
      for (let r = cursor.last(); r !== undefined; r = cursor.prev());
    }).toThrow(/bad record at offset/);
    log.close();
  });

  it('reports a missing file in the middle of the log', () => {
    let log = open();
    appendMany(log, 1500, () => 150);
    log.close();
    nodeFs.rmSync(log.filePath(3));
    log = open();
    expect(() => log.verify()).toThrow(/log\.0000000003 is missing/);
    log.close();
  });

  it('reports a last file whose header is damaged', () => {
    let log = open();
    appendMany(log, 10, () => 10);
    log.close();
    const path = log.filePath(1);
    const fd = nodeFs.openSync(path, 'r+');
    nodeFs.writeSync(fd, Uint8Array.of(0x55), 0, 1, 0);
    nodeFs.closeSync(fd);
    expect(() => open()).toThrow(CorruptionError);
  });
});

describe('remnants of interrupted creations', () => {
  it('removes an empty or zero-header last file and a .tmp leftover', () => {
    let log = open();
    const expected = appendMany(log, 1000, () => 150);
    log.close();
    const files = log.files();
    const next = files.at(-1)! + 1;
    nodeFs.writeFileSync(`${logDir.dir}/${logFileName(next)}`, new Uint8Array(0));
    nodeFs.writeFileSync(`${logDir.dir}/${logFileName(next + 1)}.tmp`, new Uint8Array(100));

    log = open();
    expect(log.report.remnantFiles).toEqual([next]);
    expect(log.report.unfinishedFilesRemoved).toBe(1);
    expect(log.files()).toEqual(files);
    expectRecords(log, expected);
    log.close();
    expect(nodeFs.readdirSync(logDir.dir).sort()).toEqual(files.map(logFileName));
  });

  it('starts a new log at the remnant number when nothing else is left', () => {
    nodeFs.writeFileSync(`${logDir.dir}/${logFileName(7)}`, new Uint8Array(4096));
    const log = open();
    expect(log.files()).toEqual([7]);
    const [first] = appendMany(log, 1, () => 1);
    expect(lsnFile(first!.lsn)).toBe(7);
    log.close();
  });
});
