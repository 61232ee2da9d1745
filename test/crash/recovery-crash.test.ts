/**
 * Crashes during recovery itself, when recovery undoes a loser that spans a checkpoint.
 *
 * The bug it guards against: undo logs a full-page image (`pg_full`) of each page it changes
 * that was last written before the recovery's redo point. Those images named the file by the
 * id the cache gave the file recovery opened, not by the id the log registered for it. If
 * the process died after that undo and before recovery's own checkpoint, the next recovery
 * read an unregistered file id (`CorruptionError`), or, when a database had been closed
 * earlier so that the ids shifted, wrote a page of one database into another, silently.
 *
 * Strategy: a `MemFs` environment with databases `b` and `c` (and, in one variant, a
 * database `x` opened and closed first, so that the run-time file ids are not the ones a
 * fresh process gives): committed transactions, then one explicit transaction that writes to
 * both, a checkpoint that puts its pages on disk, and more of its writes; then the process
 * dies (the live image survives). Recovery of that image is stopped at each of its writes in
 * turn (a kill: the writes before it survive) and at each of its syncs (a power cut: only
 * what was synced survives), and the image that leaves is recovered again.
 *
 * Invariants: every recovered image holds exactly the committed data of `b` and `c`, both
 * verify clean, and the cache and lock invariants hold.
 */
import { describe, expect, it } from 'vitest';
import { Environment, type PersistentMap } from '../../src/index.js';
import { FaultFs, MemFs } from '../../src/os/index.js';
import { describeError } from './harness.js';

const HOME = '/env';
const OPTIONS = { durability: 'sync', cacheSize: 256 * 1024, logFileSize: 256 * 1024 } as const;
const KEYS = 400;

type Model = Record<'b' | 'c', Map<number, string>>;

function committedValue(name: string, key: number): string {
  return `${name}${key}-`.repeat(1 + (key % 7));
}

/** Builds the crashed image; returns it with the committed content of `b` and `c`. */
function crashedImage(closeEarlier: boolean): { image: MemFs; model: Model } {
  const mem = new MemFs();
  const env = Environment.open(HOME, { ...OPTIONS, fileSystem: mem });
  if (closeEarlier) {
    const x = env.openMap<number, string>('x');
    x.set(1, 'closed early');
    x.db.close();
  }
  const maps = { b: env.openMap<number, string>('b'), c: env.openMap<number, string>('c') };
  const model: Model = { b: new Map(), c: new Map() };
  for (const name of ['b', 'c'] as const) {
    env.transaction(() => {
      for (let key = 0; key < KEYS; key++) {
        maps[name].set(key, committedValue(name, key));
        model[name].set(key, committedValue(name, key));
      }
    });
  }
  env.begin(); // the loser: open across the checkpoint, never ended
  loserWrites(maps, 'before');
  env.checkpoint();
  loserWrites(maps, 'after');
  return { image: mem.clone(), model };
}

function loserWrites(maps: Record<'b' | 'c', PersistentMap<number, string>>, tag: string): void {
  for (let key = 0; key < KEYS; key += 9) {
    maps.b.set(key, `loser-${tag}`);
    maps.c.delete(key + 1);
    maps.c.set(KEYS + key, `loser-${tag}`.repeat(30));
  }
}

/** Opens `fs` (recovery runs) and checks it holds exactly `model`. */
function recoverAndCheck(fs: MemFs, model: Model): void {
  const env = Environment.open(HOME, { ...OPTIONS, fileSystem: fs });
  try {
    for (const name of ['b', 'c'] as const) {
      const got = new Map(env.openMap<number, string>(name).entries());
      expect(got, `database ${name}`).toEqual(model[name]);
      expect(env.openDatabase(name).verify().errors, `verify ${name}`).toEqual([]);
    }
    env.checkInvariants();
  } finally {
    env.close();
  }
}

/** Counts the writes and syncs of recovering `image`. */
function recoveryOps(image: MemFs): { writes: number; syncs: number } {
  const fs = new FaultFs(image.clone());
  Environment.open(HOME, { ...OPTIONS, fileSystem: fs }).close();
  return { writes: fs.writeCount, syncs: fs.syncCount };
}

/** Recovers a clone of `image`, stopped at its nth write (a kill just before it). */
function killRecoveryAtWrite(image: MemFs, nth: number): MemFs {
  const clone = image.clone();
  const fs = new FaultFs(clone);
  fs.failAt({ op: 'write', nth, errno: 'EIO' });
  expect(() => Environment.open(HOME, { ...OPTIONS, fileSystem: fs }).close()).toThrow();
  return clone.clone();
}

/** Recovers a clone of `image`, with power cut right after its nth sync. */
function cutRecoveryAtSync(image: MemFs, nth: number): MemFs {
  const clone = image.clone();
  const fs = new FaultFs(clone);
  let cut: MemFs | undefined;
  fs.onSync = (count) => {
    if (count !== nth) return;
    cut = clone.powerCut();
    throw new Error(`power cut at recovery sync ${nth}`);
  };
  try {
    Environment.open(HOME, { ...OPTIONS, fileSystem: fs }).close();
  } catch (e) {
    if (cut === undefined) throw e;
  }
  return cut ?? clone.powerCut();
}

function checkEveryRecoveryCrash(closeEarlier: boolean): void {
  const { image, model } = crashedImage(closeEarlier);
  recoverAndCheck(image.clone(), model);
  const { writes, syncs } = recoveryOps(image);
  const failures: string[] = [];
  const attempt = (label: string, crashed: () => MemFs) => {
    try {
      recoverAndCheck(crashed(), model);
    } catch (e) {
      failures.push(`${label}: ${describeError(e)}`);
    }
  };
  for (let n = 1; n <= writes; n++) attempt(`kill at write ${n}`, () => killRecoveryAtWrite(image, n));
  for (let n = 1; n <= syncs; n++) attempt(`cut at sync ${n}`, () => cutRecoveryAtSync(image, n));
  console.log(`[recovery-crash] ${closeEarlier ? 'after a closed database' : 'plain'}: ` +
    `${writes} recovery writes, ${syncs} syncs, ${failures.length} failures`);
  expect(failures.slice(0, 5)).toEqual([]);
}

describe('crash: during recovery of a loser spanning a checkpoint', () => {
  it('recovers the committed state after a crash at every write and sync of recovery', () => {
    checkEveryRecoveryCrash(false);
  });

  it('... also when a database closed earlier shifted the file ids', () => {
    checkEveryRecoveryCrash(true);
  });
});
