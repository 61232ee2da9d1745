/**
 * Throughput sanity check on real files (printed, not asserted on time): appends of
 * 100-byte bodies per second, and the latency of a sync flush of one small record into a
 * preallocated file.
 */
import { expect, it } from 'vitest';
import { LogManager, LogRecordRegistry, defineLogRecord } from '../../../src/log/index.js';
import { NodeFs } from '../../../src/os/index.js';
import { ZERO_LSN, txnId } from '../../../src/util/index.js';
import { tempDir } from './log-fixture.js';

const Put = defineLogRecord({
  name: 'put',
  typeId: 30,
  fields: { fileId: 'fileId', pgno: 'pgno', index: 'u16', data: 'bytes' },
});

it('prints append and sync-flush throughput', () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = LogManager.open({ fs: new NodeFs(), dir });
    const body = { fileId: 1 as never, pgno: 2 as never, index: 3, data: new Uint8Array(90) };
    const count = 200_000;
    let start = process.hrtime.bigint();
    for (let i = 0; i < count; i++) log.append(Put, txnId(1), ZERO_LSN, body);
    log.flush(undefined, 'write');
    const appendNs = Number(process.hrtime.bigint() - start);
    const perSecond = Math.round(count / (appendNs / 1e9));
    const mib = log.stats.bytes / 2 ** 20;

    log.flush(undefined, 'sync');
    const syncs = 200;
    start = process.hrtime.bigint();
    for (let i = 0; i < syncs; i++) log.flush(log.append(Put, txnId(2), ZERO_LSN, body), 'sync');
    const syncUs = Number(process.hrtime.bigint() - start) / syncs / 1000;
    start = process.hrtime.bigint();
    const cursor = log.cursor({ registry: new LogRecordRegistry().register(Put) });
    let read = 0;
    for (let r = cursor.first(); r !== undefined; r = cursor.next()) read++;
    const readPerSecond = Math.round(read / (Number(process.hrtime.bigint() - start) / 1e9));
    expect(read).toBe(count + syncs);
    console.log(
      `log append: ${perSecond.toLocaleString('en')} records/s (100-byte bodies, ` +
        `${mib.toFixed(1)} MiB, ${log.files().length} files); ` +
        `sync flush: ${syncUs.toFixed(0)} us per commit; ` +
        `cursor scan: ${readPerSecond.toLocaleString('en')} records/s`,
    );
    expect(log.stats.syncs).toBeGreaterThanOrEqual(syncs);
    log.close();
  } finally {
    cleanup();
  }
});
