/**
 * Flushing: N appends plus one sync flush cost exactly one write and one sync; flushing what
 * is already durable costs nothing; 'write' flushes never sync; the buffer threshold writes
 * automatically; rotation syncs the file it leaves; a power cut keeps every record below
 * syncedLsn; and a failed write or sync poisons the log.
 *
 * Counting uses FaultFs over MemFs; power cuts use MemFs's durable images.
 */
import { describe, expect, it } from 'vitest';
import { LogManager } from '../../../src/log/index.js';
import type { LogOptions } from '../../../src/log/index.js';
import { FaultFs, MemFs } from '../../../src/os/index.js';
import type { FileSystem } from '../../../src/os/index.js';
import {
  IoError,
  RunRecoveryError,
  ZERO_LSN,
  lsnFile,
  makeLsn,
  txnId,
} from '../../../src/util/index.js';
import {
  BtInsert,
  Marker,
  appendMany,
  bodyFor,
  fixtureRegistry,
  sameRecord,
  recordsOf,
} from './log-fixture.js';
import type { Appended } from './log-fixture.js';

const registry = fixtureRegistry();

function openOn(fs: FileSystem, extra: Partial<LogOptions> = {}): LogManager {
  return LogManager.open({ fs, dir: '/env', logFileSizeBytes: 64 * 1024, registry, ...extra });
}

function counted(extra: Partial<LogOptions> = {}): { fault: FaultFs; log: LogManager } {
  const fault = new FaultFs(new MemFs());
  const log = openOn(fault, extra);
  fault.resetCounters();
  return { fault, log };
}

function readAll(log: LogManager): number {
  return recordsOf(log).length;
}

describe('flush costs', () => {
  it('makes N appends durable with one write and one sync', () => {
    const { fault, log } = counted();
    const appended = appendMany(log, 200, () => 100);
    expect(fault.writeCount).toBe(0);
    log.flush(appended.at(-1)!.lsn, 'sync');
    expect(fault.writeCount).toBe(1);
    expect(fault.syncCount).toBe(1);
    expect(log.syncedLsn).toBe(log.endLsn);
    expect(log.stats).toMatchObject({ records: 200, flushes: 1, syncs: 1 });

    log.flush(appended.at(-1)!.lsn, 'sync');
    log.flush(appended[5]!.lsn, 'sync');
    log.flush(ZERO_LSN, 'sync');
    log.flush();
    expect(fault.writeCount).toBe(1);
    expect(fault.syncCount).toBe(1);
    log.close();
  });

  it("writes without syncing on 'write' and syncs only once after", () => {
    const { fault, log } = counted();
    const a = appendMany(log, 10, () => 100);
    log.flush(a[3]!.lsn, 'write');
    expect([fault.writeCount, fault.syncCount]).toEqual([1, 0]);
    expect(log.flushedLsn).toBe(log.endLsn);
    expect(log.syncedLsn).toBeLessThan(a[0]!.lsn + 1);
    log.flush(a[9]!.lsn, 'write');
    expect(fault.writeCount).toBe(1);
    log.flush(a[9]!.lsn, 'sync');
    expect([fault.writeCount, fault.syncCount]).toEqual([1, 1]);
    log.close();
  });

  it('writes automatically when the buffer passes its threshold, never syncing', () => {
    const { fault, log } = counted({ bufferFlushBytes: 4096 });
    appendMany(log, 400, () => 100);
    expect(fault.writeCount).toBeGreaterThanOrEqual(10);
    expect(fault.syncCount).toBe(0);
    expect(log.endLsn - log.flushedLsn).toBeLessThan(4096);
    log.close();
  });

  it('syncs the old file before it creates the next one', () => {
    const { fault, log } = counted({ logFileSizeBytes: 4096 });
    let syncsAtRotation = -1;
    const first = log.append(BtInsert, txnId(1), ZERO_LSN, bodyFor(0, 100));
    for (let i = 1; lsnFile(log.endLsn) === lsnFile(first); i++) {
      log.append(BtInsert, txnId(1), ZERO_LSN, bodyFor(i, 100));
      syncsAtRotation = fault.syncCount;
    }
    // One sync of the old file, then the new file's data sync and directory sync.
    expect(syncsAtRotation).toBe(3);
    expect(log.syncedLsn).toBeGreaterThan(first);
    expect(log.stats.filesCreated).toBe(1);
    log.close();
  });
});

describe('power cuts', () => {
  it('keeps every record below syncedLsn and a clean prefix of the rest', () => {
    const mem = new MemFs();
    const log = openOn(mem, { bufferFlushBytes: 2048 });
    const synced = appendMany(log, 700, (i) => i % 200);
    log.flush(synced.at(-1)!.lsn, 'sync');
    const unsynced = appendMany(log, 300, () => 150, 3, 700);
    log.flush(undefined, 'write');
    const all = [...synced, ...unsynced];

    for (const tear of [false, true]) {
      const after = mem.powerCut({ tearLastWrite: tear, seed: 7 });
      const reopened = openOn(after);
      const survivors = readAll(reopened);
      // Rotation syncs the files it leaves, so more than the synced records may survive,
      // but always a prefix of what was appended.
      expect(survivors).toBeGreaterThanOrEqual(synced.length);
      all.slice(0, survivors).forEach((s: Appended) => {
        expect(sameRecord(reopened.readAt(s.lsn), s)).toBe(true);
      });
      expect(reopened.cursor().last()?.lsn).toBe(all[survivors - 1]!.lsn);
      reopened.append(Marker, txnId(2), ZERO_LSN, {});
      reopened.close();
      expect(readAll(openOn(after))).toBe(survivors + 1);
    }
    log.close();
  });

  it('loses exactly the unsynced records of the last file', () => {
    const mem = new MemFs();
    const log = openOn(mem, { logFileSizeBytes: 1024 * 1024 });
    const synced = appendMany(log, 300, () => 100);
    log.flush(synced[299]!.lsn);
    appendMany(log, 50, () => 100, 3, 300);
    log.flush(undefined, 'write');
    const reopened = openOn(mem.powerCut(), { logFileSizeBytes: 1024 * 1024 });
    expect(readAll(reopened)).toBe(300);
    expect(reopened.endLsn).toBe(log.syncedLsn);
    reopened.close();
    log.close();
  });

  it('keeps a synced log whose last file was just created', () => {
    const mem = new MemFs();
    const log = openOn(mem, { logFileSizeBytes: 2048 });
    const all = appendMany(log, 100, () => 100);
    log.flush();
    const after = mem.powerCut();
    const reopened = openOn(after, { logFileSizeBytes: 2048 });
    expect(readAll(reopened)).toBe(all.length);
    expect(reopened.files().length).toBeGreaterThan(3);
    reopened.close();
    log.close();
  });
});

describe('I/O failures', () => {
  it('poisons the log after a failed sync', () => {
    const { fault, log } = counted();
    appendMany(log, 5, () => 10);
    fault.failAt({ op: 'sync', nth: 1, errno: 'EIO' });
    expect(() => log.flush()).toThrow(IoError);
    expect(() => log.append(Marker, txnId(1), ZERO_LSN, {})).toThrow(RunRecoveryError);
    expect(() => log.flush()).toThrow(RunRecoveryError);
    log.close();
  });

  it('poisons the log after a failed write', () => {
    const { fault, log } = counted();
    appendMany(log, 5, () => 10);
    fault.failAt({ op: 'write', nth: 1, errno: 'ENOSPC', prefixBytes: 7 });
    expect(() => log.flush(undefined, 'write')).toThrow(/ENOSPC/);
    expect(() => log.flush(makeLsn(1, 0), 'sync')).toThrow(RunRecoveryError);
    log.close();
  });
});
