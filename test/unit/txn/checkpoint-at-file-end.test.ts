/**
 * A checkpoint that begins when the current log file has no room left for its first record
 * has its scan point at the end of that file, where no record starts: its records go to the
 * next file. Recovery from such a checkpoint must start at the next file's first record, not
 * find nothing to scan and skip every change logged after the checkpoint.
 */
import { describe, expect, it } from 'vitest';
import { Environment } from '../../../src/index.js';
import { MemFs } from '../../../src/os/index.js';
import { lsnFile, lsnOffset } from '../../../src/util/index.js';

const FILE_BYTES = 64 * 1024;
/** Less room than a file registration record (28-byte frame, file id, name) needs. */
const TOO_SMALL_FOR_DBREG = 40;

describe('a checkpoint whose scan point is the end of a log file', () => {
  it('recovery after a power cut still redoes what was committed after it', () => {
    const memFs = new MemFs();
    const options = { fileSystem: memFs, logFileSize: FILE_BYTES };
    const env = Environment.open('/env', options);
    const map = env.openMap<number, string>('m');
    let placed = false;
    let i = 0;
    // Values of varying sizes leave every amount of room at the end of some file.
    for (; i < 20_000 && !placed; i++) {
      map.set(i, 'x'.repeat((i * 37) % 190));
      const room = FILE_BYTES - lsnOffset(env.endLsn!);
      if (room < TOO_SMALL_FOR_DBREG) {
        const fileBefore = lsnFile(env.endLsn!);
        env.checkpoint();
        placed = lsnFile(env.endLsn!) === fileBefore + 1;
      }
    }
    expect(placed).toBe(true);
    for (let k = 0; k < 50; k++) map.set(100_000 + k, `after the checkpoint ${k}`);
    const again = Environment.open('/env', { ...options, fileSystem: memFs.powerCut() });
    const m = again.openMap<number, string>('m');
    expect(again.recovery!.pageRecordsRedone).toBeGreaterThan(0);
    for (let k = 0; k < 50; k++) expect(m.get(100_000 + k)).toBe(`after the checkpoint ${k}`);
    expect(m.size).toBe(i + 50);
    again.close();
  });
});
