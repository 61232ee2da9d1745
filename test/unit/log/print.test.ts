/**
 * printLog: one db_printlog-style line per record with its LSN, type name, hex txn id,
 * prevLsn and every field; unknown types print as hex; a directory is printed read-only.
 */
import * as nodeFs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LogManager,
  LogRecordRegistry,
  defineLogRecord,
  formatTxnId,
  printLog,
} from '../../../src/log/index.js';
import { NodeFs } from '../../../src/os/index.js';
import { CorruptionError, ZERO_LSN, formatLsn, makeLsn, txnId } from '../../../src/util/index.js';
import { BtInsert, Everything, Marker, fixtureRegistry, tempDir } from './log-fixture.js';

const fs = new NodeFs();
let dir = '';
let cleanup = (): void => {};

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

describe('printLog', () => {
  it('prints LSN, type name, txn id, prevLsn and field values', () => {
    const registry = fixtureRegistry();
    const log = LogManager.open({ fs, dir, registry });
    const t = txnId(0x80000001);
    const item = new TextEncoder().encode('k1');
    const first = log.append(BtInsert, t, ZERO_LSN, {
      fileId: 3, pgno: 7, index: 0, item, prevLsn: makeLsn(1, 28),
    });
    const second = log.append(Marker, t, first, {});
    log.append(Everything, txnId(5), ZERO_LSN, {
      a: 1, b: 2, c: 3, d: -4, e: true, f: 5, g: 1.5, h: second, i: 8 as never,
      j: 9 as never, k: 10 as never, l: Uint8Array.of(0, 255), m: 'héllo', n: [item], o: [1, 2],
    });
    const lines = printLog(log);
    expect(lines).toEqual([
      `[1][32] bt_insert: rec: 20 txnid 0x80000001 prevlsn [0][0] fileId: 3 pgno: 7 index: 0 ` +
        `item: "k1" prevLsn: [1][28]`,
      `${formatLsn(second)} marker: rec: 22 txnid 0x80000001 prevlsn ${formatLsn(first)}`,
      expect.stringContaining('everything: rec: 21 txnid 0x5 prevlsn [0][0] a: 1 b: 2 c: 3 d: -4'),
    ]);
    expect(lines[2]).toContain(
      `e: true f: 5 g: 1.5 h: ${formatLsn(second)} i: 8 j: 9 k: 10 l: 0x00ff m: "héllo" ` +
        `n: ["k1"] o: [1, 2]`,
    );
    log.close();
    expect(formatTxnId(0x80000001)).toBe('0x80000001');
  });

  it('prints a log directory read-only, unknown types as hex', () => {
    const log = LogManager.open({ fs, dir });
    const Secret = defineLogRecord({ name: 'secret', typeId: 10001, fields: { v: 'u32' } });
    log.append(Secret, txnId(1), ZERO_LSN, { v: 0x01020304 });
    log.close();
    const before = nodeFs.readdirSync(dir);
    const lines = printLog({ fs, dir }, new LogRecordRegistry());
    expect(lines).toEqual([
      '[1][32] unknown: rec: 10001 txnid 0x1 prevlsn [0][0] body: 0x04030201',
    ]);
    expect(printLog({ fs, dir }, new LogRecordRegistry().register(Secret))).toEqual([
      '[1][32] secret: rec: 10001 txnid 0x1 prevlsn [0][0] v: 16909060',
    ]);
    expect(nodeFs.readdirSync(dir)).toEqual(before);
    // A strict cursor refuses the unknown type.
    const strict = LogManager.open({ fs, dir, readOnly: true, registry: new LogRecordRegistry() });
    expect(() => strict.cursor().first()).toThrow(CorruptionError);
    strict.close();
  });
});
