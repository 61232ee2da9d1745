/**
 * The unclean marker (`__stowage.unclean`, docs/architecture.md section 2): a home is known to
 * have been closed cleanly only when its last owner's `close()` synced everything. A crash
 * (here a power cut of the in-memory file system, whose lock then names this very thread), a
 * close after an error poisoned the environment and a failed open of a home that was already
 * unclean all leave it unclean (a failed open of a clean home changes no data: it stays
 * clean), so the next open reports `wasUnclean` and treats a log found removed as corruption
 * instead of starting a fresh log over database files that miss committed work.
 */
import { describe, expect, it } from 'vitest';
import {
  CorruptionError, Environment, IoError, RunRecoveryError,
} from '../../../src/index.js';
import { FaultFs, MemFs } from '../../../src/os/index.js';
import { errorOf } from '../../support/thrown.js';

const HOME = '/home';
const MARKER = `${HOME}/__stowage.unclean`;
const OPTIONS = { logFileSize: 64 * 1024, checkpointBytes: 32 * 1024 } as const;

/** Commits `rounds` transactions of 200 records each into map 'm'. */
function write(env: Environment, rounds: number, from = 0): void {
  const m = env.openMap<number, string>('m');
  for (let r = from; r < from + rounds; r++) {
    env.transaction(() => {
      for (let k = 0; k < 200; k++) m.set(r * 200 + k, `value ${r}/${k} `.repeat(4));
    });
  }
}

function removeLogs(fs: MemFs): void {
  for (const name of fs.list(HOME)) if (/^log\.\d+$/.test(name)) fs.remove(`${HOME}/${name}`);
  fs.syncDir(HOME);
}

describe('the unclean marker', () => {
  it('is there while the home is open and gone after a clean close', () => {
    const fs = new MemFs();
    const env = Environment.open(HOME, { ...OPTIONS, fileSystem: fs });
    expect(env.wasUnclean).toBe(false);
    expect(fs.exists(MARKER)).toBe(true);
    write(env, 3);
    env.close();
    expect(fs.exists(MARKER)).toBe(false);
    const again = Environment.open(HOME, { ...OPTIONS, fileSystem: fs });
    expect(again.wasUnclean).toBe(false);
    again.close();
  });

  it('survives a crash: the next open is unclean, and a removed log is corruption', () => {
    const fs = new MemFs();
    const env = Environment.open(HOME, { ...OPTIONS, fileSystem: fs });
    write(env, 20);
    const crashed = fs.powerCut();
    env.close();
    const reopened = Environment.open(HOME, { ...OPTIONS, fileSystem: crashed.powerCut() });
    expect(reopened.wasUnclean).toBe(true);
    expect(reopened.openMap('m').size).toBe(20 * 200);
    reopened.close();
    removeLogs(crashed);
    const error = errorOf(
      () => Environment.open(HOME, { ...OPTIONS, fileSystem: crashed }), CorruptionError,
    );
    expect(error.message).toMatch(/not closed cleanly/);
  });

  it('survives a failed open: removing the damaged log afterwards is still corruption', () => {
    const fs = new MemFs();
    const env = Environment.open(HOME, { ...OPTIONS, fileSystem: fs });
    write(env, 20);
    const crashed = fs.powerCut();
    env.close();
    const logs = crashed.list(HOME).filter((n) => /^log\.\d+$/.test(n)).sort();
    const newest = `${HOME}/${logs.at(-1)!}`;
    const handle = crashed.open(newest, 'readwrite');
    handle.truncate(200);
    handle.close();
    errorOf(() => Environment.open(HOME, { ...OPTIONS, fileSystem: crashed }), CorruptionError);
    removeLogs(crashed);
    errorOf(() => Environment.open(HOME, { ...OPTIONS, fileSystem: crashed }), CorruptionError);
  });

  it('is removed again by a failed open of a clean home (opening changes no data)', () => {
    const fs = new MemFs();
    const env = Environment.open(HOME, { ...OPTIONS, fileSystem: fs });
    write(env, 20);
    env.close();
    const logs = fs.list(HOME).filter((n) => /^log\.\d+$/.test(n)).sort();
    const handle = fs.open(`${HOME}/${logs.at(-1)!}`, 'readwrite');
    handle.truncate(200);
    handle.close();
    errorOf(() => Environment.open(HOME, { ...OPTIONS, fileSystem: fs }), CorruptionError);
    expect(fs.exists(MARKER)).toBe(false);
    removeLogs(fs);
    const reopened = Environment.open(HOME, { ...OPTIONS, fileSystem: fs });
    expect(reopened.wasUnclean).toBe(false);
    expect(reopened.openMap('m').size).toBe(20 * 200);
    reopened.close();
  });

  it('survives a poisoned close: the next open is unclean and finds every commit', () => {
    const mem = new MemFs();
    const fs = new FaultFs(mem);
    const env = Environment.open(HOME, { ...OPTIONS, fileSystem: fs });
    write(env, 5);
    fs.failAt({ op: 'write', nth: 1, errno: 'EIO', sticky: true });
    errorOf(() => write(env, 20, 5), IoError);
    errorOf(() => env.openMap('m').get(0), RunRecoveryError);
    env.close();
    fs.clearFaults();
    expect(mem.exists(MARKER)).toBe(true);
    const reopened = Environment.open(HOME, { ...OPTIONS, fileSystem: mem });
    expect(reopened.wasUnclean).toBe(true);
    const m = reopened.openMap<number, string>('m');
    for (let k = 0; k < 5 * 200; k += 97) {
      expect(m.get(k)).toBe(`value ${Math.floor(k / 200)}/${k % 200} `.repeat(4));
    }
    reopened.close();
    expect(mem.exists(MARKER)).toBe(false);
  });
});
