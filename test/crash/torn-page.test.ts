/**
 * Crash test 10 of the spec (§11), with full-page logging: a power cut that tears the write
 * of a database page in place (only a prefix of its sectors reaches the disk) is repaired by
 * normal recovery, because the first change of every page after a checkpoint's redo point is
 * preceded in the log by an image of the whole page (`pg_full`).
 *
 * Strategy: two maps on a `MemFs` under a `FaultFs`; a checkpoint, then synced commits that
 * change pages of both files; then another checkpoint, cut at the sync that follows the
 * first database file's sync, so the other file's page writes are the latest unsynced ones
 * and the cut tears one of them. Seeds are tried until the tear is partial (some but not all
 * of a page). Recovery must give back exactly the committed contents, and verify passes.
 */
import { describe, expect, it } from 'vitest';
import { CorruptionError, Environment, type EnvironmentOptions } from '../../src/index.js';
import { FaultFs, MemFs } from '../../src/os/index.js';

const HOME = '/env';
const PAGE_SIZE = 4096;
const OPTIONS: EnvironmentOptions = {
  durability: 'sync', cacheSize: 1024 * 1024, pageSize: PAGE_SIZE,
};

/** Committed contents of both maps. */
type Model = { a: Map<number, string>; b: Map<number, string> };

/** Fills and checkpoints, then commits changes; returns the model and the workload's fs. */
function prepare(fullPageWrites = true): {
  mem: MemFs; fs: FaultFs; env: Environment; model: Model;
} {
  const mem = new MemFs();
  const fs = new FaultFs(mem);
  const env = Environment.open(HOME, { ...OPTIONS, fullPageWrites, fileSystem: fs });
  const model: Model = { a: new Map(), b: new Map() };
  const a = env.openMap<number, string>('a');
  const b = env.openMap<number, string>('b');
  env.transaction(() => {
    for (let i = 0; i < 300; i++) {
      a.set(i, `a${i}`.padEnd(60, '.'));
      b.set(i, `b${i}`.padEnd(60, '.'));
    }
  });
  env.checkpoint();
  for (let i = 0; i < 300; i += 7) {
    env.transaction(() => {
      // Same sizes: no page splits, so every page written next is overwritten in place.
      a.set(i, `changed a${i}`.padEnd(60, '!'));
      b.set(i, `changed b${i}`.padEnd(60, '!'));
    });
  }
  for (const [k, v] of a) model.a.set(k, v);
  for (const [k, v] of b) model.b.set(k, v);
  return { mem, fs, env, model };
}

/** True when the image's torn write cut a database page written in place in two. */
function tornInsidePage(image: MemFs): boolean {
  const torn = image.tornWrite;
  if (!torn || !torn.path.endsWith('.db') || torn.writtenBytes === 0) return false;
  // A tear at a page boundary leaves whole pages, old or new: only a cut inside a page
  // leaves one that fails its checksum.
  return torn.writtenBytes < torn.lengthBytes && torn.writtenBytes % PAGE_SIZE !== 0;
}

/** Takes a checkpoint cut at its `k`-th sync, tearing the latest write with `seed`. */
function cutCheckpoint(k: number, seed: number, fullPageWrites = true): MemFs {
  const { mem, fs, env } = prepare(fullPageWrites);
  const before = fs.syncCount;
  let image: MemFs | undefined;
  fs.onSync = (count) => {
    if (count !== before + k) return;
    image = mem.powerCut({ tearLastWrite: true, seed });
    throw new Error('power cut');
  };
  expect(() => env.checkpoint()).toThrow();
  expect(image).toBeDefined();
  return image!;
}

describe('crash: torn database page', () => {
  it('is repaired by normal recovery from the full-page image in the log', () => {
    const { model } = prepare();
    let repaired = 0;
    // The checkpoint syncs the log, then a.db, then b.db: cut after a.db's sync (k = 2).
    for (let seed = 1; seed <= 200 && repaired < 3; seed++) {
      const image = cutCheckpoint(2, seed);
      if (!tornInsidePage(image)) continue;
      const env = Environment.open(HOME, { ...OPTIONS, fileSystem: image });
      const a = env.openMap<number, string>('a');
      const b = env.openMap<number, string>('b');
      expect(new Map(a)).toEqual(model.a);
      expect(new Map(b)).toEqual(model.b);
      expect(a.db.verify().errors).toEqual([]);
      expect(b.db.verify().errors).toEqual([]);
      env.close();
      repaired++;
    }
    expect(repaired).toBe(3);
  });

  it('is reported, not repaired, with fullPageWrites off', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const image = cutCheckpoint(2, seed, false);
      if (!tornInsidePage(image)) continue;
      const open = () => {
        const options = { ...OPTIONS, fullPageWrites: false, fileSystem: image };
        const env = Environment.open(HOME, options);
        try {
          for (const name of ['a', 'b']) [...env.openMap<number, string>(name)];
        } finally {
          env.close();
        }
      };
      expect(open).toThrow(CorruptionError);
      return;
    }
    throw new Error('no seed tore a page in two');
  });
});
