/**
 * Log files recovery no longer needs are removed after every checkpoint by default: the log
 * on disk stays bounded while the environment is open, an open transaction pins the log it
 * needs, `logAutoRemove: false` (or `set_flags DB_LOG_AUTO_REMOVE off` in DB_CONFIG) keeps
 * every file, and catastrophic recovery over a log whose first files were removed starts at
 * the earliest checkpoint whose records are all still there.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CorruptionError, Environment, InvalidArgumentError, type Transaction, codecs,
} from '../../../src/index.js';
import { MemFs } from '../../../src/os/index.js';
import { tempDir } from '../../support/temp-dir.js';
import { thrownBy } from '../../support/thrown.js';

const MiB = 2 ** 20;
const logNames = (dir: string) => fs.readdirSync(dir).filter((f) => /^log\.\d+$/.test(f)).sort();
const logBytesOnDisk = (dir: string) =>
  logNames(dir).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
const fileNumber = (name: string) => Number(name.slice(4));
/** Small files and frequent checkpoints, so a few thousand writes rotate many files. */
const SMALL = { logFileSize: 64 * 1024, checkpointBytes: 128 * 1024, durability: 'none' } as const;

/**
 * Begins a transaction in another async context (so later calls here do not join it) and
 * runs `write` in it.
 */
function openElsewhere(env: Environment, write: () => void): Promise<Transaction> {
  return new Promise((resolve) => setImmediate(() => {
    const txn = env.begin();
    write();
    resolve(txn);
  }));
}

function fill(map: { set(k: number, v: string): unknown }, from: number, count: number): void {
  for (let i = from; i < from + count; i++) map.set(i % 2000, `value ${i} `.repeat(20));
}

describe('automatic log removal', () => {
  it('keeps the log on disk under 64 MiB while 200 MB of log is written (defaults)', () => {
    const dir = tempDir();
    const env = Environment.open(dir);
    const map = env.openMap<number, Uint8Array>('m', { value: codecs.bytes });
    const value = Buffer.alloc(900, 7);
    let largest = 0;
    let written = 0;
    for (let i = 0; env.stat().log!.bytes < 200e6;) {
      env.transaction(() => {
        for (let k = 0; k < 200; k++, i++) {
          value[0] = i & 255;
          map.set((i * 7919) % 20_000, value);
        }
      });
      written = i;
      largest = Math.max(largest, logBytesOnDisk(dir));
    }
    expect(env.stat().log!.bytes).toBeGreaterThanOrEqual(200e6);
    expect(largest).toBeGreaterThan(10 * MiB);
    expect(largest).toBeLessThanOrEqual(64 * MiB);
    expect(fileNumber(logNames(dir)[0]!)).toBeGreaterThan(5);
    env.close();
    const again = Environment.open(dir);
    const m = again.openMap<number, Uint8Array>('m', { value: codecs.bytes });
    const last = written - 1;
    expect(m.get((last * 7919) % 20_000)![0]).toBe(last & 255);
    expect(m.size).toBe(20_000);
    again.close();
  });

  it('never removes the log an open transaction needs, and frees it once it ends', async () => {
    const dir = tempDir();
    const env = Environment.open(dir, SMALL);
    const pinned = env.openMap<number, string>('pinned');
    const other = env.openMap<number, string>('other');
    fill(other, 0, 1000);
    const txn = await openElsewhere(env, () => pinned.set(1, 'uncommitted'));
    const firstFile = logNames(dir)[logNames(dir).length - 1]!;
    fill(other, 1000, 3000);
    const held = logNames(dir);
    expect(held.length).toBeGreaterThan(5);
    expect(held[0]! <= firstFile).toBe(true);
    txn.abort();
    expect(pinned.has(1)).toBe(false);
    fill(other, 4000, 1000);
    expect(fileNumber(logNames(dir)[0]!)).toBeGreaterThan(fileNumber(held[held.length - 1]!));
    env.close();
  });

  it('keeps every log file with logAutoRemove: false or DB_CONFIG off', () => {
    for (const how of ['option', 'DB_CONFIG'] as const) {
      const dir = tempDir();
      if (how === 'DB_CONFIG') {
        fs.writeFileSync(path.join(dir, 'DB_CONFIG'), 'set_flags DB_LOG_AUTO_REMOVE off\n');
      }
      const env = Environment.open(dir, how === 'option' ? { ...SMALL, logAutoRemove: false }
        : SMALL);
      fill(env.openMap<number, string>('m'), 0, 3000);
      expect(logNames(dir)[0]).toBe('log.0000000001');
      expect(logNames(dir).length).toBeGreaterThan(5);
      expect(env.archive().length).toBeGreaterThan(0);
      env.close();
    }
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'DB_CONFIG'), 'set_flags DB_LOG_AUTO_REMOVE maybe\n');
    expect(thrownBy(() => Environment.open(dir))).toBeInstanceOf(InvalidArgumentError);
    expect(thrownBy(() => Environment.open(tempDir(), { logAutoRemove: 'no' as never })))
      .toBeInstanceOf(InvalidArgumentError);
  });

  it('catastrophic recovery works on a log whose first files were removed', () => {
    const dir = tempDir();
    const env = Environment.open(dir, SMALL);
    const map = env.openMap<number, string>('m');
    fill(map, 0, 4000);
    for (let i = 0; i < 100; i++) map.delete(i);
    env.close();
    expect(fileNumber(logNames(dir)[0]!)).toBeGreaterThan(3);
    const again = Environment.open(dir, { ...SMALL, recover: 'catastrophic' });
    const m = again.openMap<number, string>('m');
    expect(again.recovery!.recordsScanned).toBeGreaterThan(0);
    expect(m.size).toBe(1900);
    expect(m.get(1999)).toBe('value 3999 '.repeat(20));
    expect(m.has(5)).toBe(false);
    expect(m.db.verify().errors).toEqual([]);
    again.close();
  });

  it('catastrophic recovery after a crash undoes a transaction older than a checkpoint',
    async () => {
    const memFs = new MemFs();
    const options = { ...SMALL, fileSystem: memFs };
    const env = Environment.open('/env', options);
    const map = env.openMap<number, string>('m');
    const side = env.openMap<number, string>('side');
    fill(map, 0, 3000);
    await openElsewhere(env, () => side.set(7, 'never committed'));
    fill(map, 3000, 2000);
    env.checkpoint();
    const crashed = memFs.powerCut();
    expect(crashed.list('/env')).not.toContain('log.0000000001');
    const again = Environment.open('/env', {
      ...options, fileSystem: crashed, recover: 'catastrophic',
    });
    expect(again.recovery!.losers).toBe(1);
    expect(again.openMap<number, string>('side').has(7)).toBe(false);
    const m = again.openMap<number, string>('m');
    expect(m.get(999)).toBe('value 4999 '.repeat(20));
    expect(m.db.verify().errors).toEqual([]);
    again.close();
  });

  it('recovery that needs removed records says so with a CorruptionError', async () => {
    const memFs = new MemFs();
    const options = { ...SMALL, logAutoRemove: false, fileSystem: memFs };
    const env = Environment.open('/env', options);
    const map = env.openMap<number, string>('m');
    const side = env.openMap<number, string>('side');
    fill(map, 0, 500);
    await openElsewhere(env, () => side.set(1, 'open across checkpoints'));
    fill(map, 500, 3000);
    const crashed = memFs.powerCut();
    const logs = crashed.list('/env').filter((f) => /^log\.\d+$/.test(f)).sort();
    for (const f of logs.slice(0, -2)) crashed.remove(`/env/${f}`);
    crashed.syncDir('/env');
    const error = thrownBy(() => Environment.open('/env', { ...options, fileSystem: crashed }));
    expect(error).toBeInstanceOf(CorruptionError);
    expect((error as Error).message).toMatch(/removed/);
  });
});
