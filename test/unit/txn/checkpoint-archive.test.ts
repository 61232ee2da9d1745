/**
 * Checkpoints bound recovery work and free log files: automatic checkpoints by log volume,
 * `archive()` listing (and removing) only files recovery no longer needs, and catastrophic
 * recovery rolling a restored backup of a database file forward through every log.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Environment, codecs } from '../../../src/index.js';
import { tempDir } from '../../support/temp-dir.js';

const value = (i: number) => Buffer.alloc(200, i & 255);
const logFiles = (dir: string) => fs.readdirSync(dir).filter((f) => f.startsWith('log.')).sort();

describe('checkpoints and log archival', () => {
  it('checkpoints automatically, archives only unneeded logs, and recovery stays short', () => {
    const dir = tempDir();
    const options = {
      logFileSize: 64 * 1024, checkpointBytes: 128 * 1024, durability: 'none', logAutoRemove: false,
    } as const;
    const env = Environment.open(dir, options);
    const map = env.openMap<number, Uint8Array>('m', { value: codecs.bytes });
    for (let i = 0; i < 3000; i++) map.set(i, value(i));
    expect(logFiles(dir).length).toBeGreaterThan(5);
    const open = env.begin();
    map.set(-1, value(1));
    const listed = env.archive();
    expect(listed.length).toBeGreaterThan(0);
    const removed = env.archive({ remove: true });
    expect(removed).toEqual(listed);
    for (const f of removed) expect(fs.existsSync(f)).toBe(false);
    open.abort();
    env.close();
    const again = Environment.open(dir, options);
    expect(again.recovery!.recordsScanned).toBeLessThan(50);
    const map2 = again.openMap<number, Uint8Array>('m', { value: codecs.bytes });
    expect(map2.size).toBe(3000);
    expect(map2.get(2999)).toEqual(value(2999));
    expect(map2.has(-1)).toBe(false);
    again.close();
  });

  it('catastrophic recovery rolls a restored backup forward through every log', () => {
    const dir = tempDir();
    const env = Environment.open(dir);
    const map = env.openMap<number, string>('m');
    for (let i = 0; i < 200; i++) map.set(i, `first ${i}`);
    env.checkpoint();
    const backup = fs.readFileSync(path.join(dir, 'm.db'));
    for (let i = 100; i < 400; i++) map.set(i, `second ${i}`);
    for (let i = 0; i < 50; i++) map.delete(i);
    env.close();
    fs.writeFileSync(path.join(dir, 'm.db'), backup);
    const restored = Environment.open(dir, { recover: 'catastrophic' });
    const m = restored.openMap<number, string>('m');
    expect(m.size).toBe(350);
    expect(m.get(10)).toBeUndefined();
    expect(m.get(60)).toBe('first 60');
    expect(m.get(300)).toBe('second 300');
    expect(m.db.verify().errors).toEqual([]);
    restored.close();
  });
});
