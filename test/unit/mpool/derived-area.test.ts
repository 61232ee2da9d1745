/**
 * The derived area of a cache frame (mpool/frame.ts, invariant 4): words beside the page
 * bytes that an access method may fill, which the cache clears whenever they could be stale.
 *
 * Strategy: a pool over an in-memory file; a marker written into a frame's area must
 * survive pinning and unpinning, and be gone after `markDirty`, after `create`, and when the
 * frame's memory is handed to another page after an eviction. The budget counts the areas.
 */
import { describe, expect, it } from 'vitest';
import { MemFs } from '../../../src/os/index.js';
import { type Frame, MPool } from '../../../src/mpool/index.js';
import { pgno } from '../../../src/util/index.js';

const PAGE = 512;

function openPool(cacheSizeBytes: number) {
  const fs = new MemFs();
  fs.mkdir('/d');
  const pool = new MPool({ cacheSizeBytes });
  const file = pool.openFile(fs.open('/d/f', 'create'), PAGE, '/d/f');
  return { pool, file };
}

function mark(frame: Frame, value: number): void {
  frame.words[frame.derivedAt] = value;
  frame.words[frame.derivedAt + frame.derivedLength - 1] = value;
}

describe('the derived area of a frame', () => {
  it('lies beside the page bytes, an eighth of the page, and is cleared by every change', () => {
    const { file } = openPool(64 * 1024);
    const frame = file.create(pgno(1));
    expect(frame.derivedLength).toBe(PAGE / 32);
    const pageEnd = (frame.data.byteOffset + PAGE) / 4;
    expect(frame.derivedAt).toBe(pageEnd);
    expect(frame.words.buffer).toBe(frame.data.buffer);
    mark(frame, 7);
    file.release(frame);
    const again = file.get(pgno(1));
    expect(again).toBe(frame);
    expect(again.words[again.derivedAt]).toBe(7);
    file.markDirty(again);
    expect(again.words[again.derivedAt]).toBe(0);
    file.release(again);
  });

  it('starts empty when its memory is reused for another page', () => {
    // A full cache: each further page evicts a frame and takes over its memory. The page
    // read back last comes through the read path, which changes nothing by itself.
    const frameBytes = PAGE + PAGE / 8;
    const { pool, file } = openPool(4096);
    const capacity = Math.floor(4096 / frameBytes);
    const areas = new Set<number>();
    for (let p = 1; p <= capacity + 1; p++) {
      const f = file.create(pgno(p));
      mark(f, 9);
      areas.add(f.derivedAt);
      file.release(f);
    }
    file.flush();
    expect(pool.stat().evictions).toBe(1);
    let evicted = 1;
    while (file.frames.get(evicted) !== undefined) evicted++;
    const read = file.get(pgno(evicted));
    expect(pool.stat().evictions).toBe(2);
    expect(areas.has(read.derivedAt)).toBe(true);
    expect(read.words[read.derivedAt]).toBe(0);
    file.release(read);
    pool.checkInvariants();
  });

  it('is counted in the cache budget', () => {
    const { pool, file } = openPool(64 * 1024);
    for (let p = 1; p <= 5; p++) file.release(file.create(pgno(p)));
    expect(pool.stat().bytesResident).toBe(5 * (PAGE + PAGE / 8));
    pool.checkInvariants();
  });
});
