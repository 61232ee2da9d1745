/**
 * MemFs: the same file behaviour as NodeFs, plus the durability model: what a power cut
 * keeps (synced data, synced directory entries), what it loses, and seeded torn writes.
 */

import { describe, expect, it } from 'vitest';
import { MemFs } from '../../../src/os/index.js';
import { InvalidArgumentError, IoError } from '../../../src/util/index.js';
import { errorOf } from '../../support/thrown.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

/** Runs `action` and returns the IoError it throws. */
const ioErrorOf = (action: () => unknown): IoError => errorOf(action, IoError);

/** Creates `path` holding `data`, syncs it and its directory. */
function durableFile(mem: MemFs, path: string, data: Uint8Array): void {
  const handle = mem.open(path, 'create');
  handle.write(data, 0);
  handle.sync();
  handle.close();
  mem.syncDir(path.slice(0, path.lastIndexOf('/')) || '/');
}

describe('MemFs files', () => {
  it('writes, reads back with a short read at end of file, and reports the size', () => {
    const mem = new MemFs();
    const handle = mem.open('/d/a', 'create');
    handle.write(bytes(1, 2, 3), 0);
    handle.write(bytes(9), 6);
    expect(handle.size()).toBe(7);
    const target = new Uint8Array(10);
    expect(handle.read(target, 0)).toBe(7);
    expect([...target.subarray(0, 7)]).toEqual([1, 2, 3, 0, 0, 0, 9]);
    expect(handle.read(target, 7)).toBe(0);
    handle.close();
    expect(mem.openHandleCount()).toBe(0);
  });

  it('grows through many appends', () => {
    const mem = new MemFs();
    const handle = mem.open('/log', 'create');
    for (let index = 0; index < 5000; index++) handle.write(bytes(index % 256), index);
    expect(handle.size()).toBe(5000);
    expect(mem.liveBytes('/log')![4999]).toBe(4999 % 256);
    handle.close();
  });

  it('truncates down and extends with zeros', () => {
    const mem = new MemFs();
    const handle = mem.open('/a', 'create');
    handle.write(bytes(1, 2, 3, 4, 5), 0);
    handle.truncate(2);
    handle.truncate(4);
    expect([...mem.liveBytes('/a')!]).toEqual([1, 2, 0, 0]);
    handle.close();
  });

});

describe('MemFs handle errors', () => {

  it('throws ENOENT for a missing file opened read or readwrite', () => {
    const mem = new MemFs();
    expect(ioErrorOf(() => mem.open('/nope', 'read')).errno).toBe('ENOENT');
    expect(ioErrorOf(() => mem.open('/nope', 'readwrite')).errno).toBe('ENOENT');
    expect(ioErrorOf(() => mem.readFile('/nope')).errno).toBe('ENOENT');
    expect(mem.exists('/nope')).toBe(false);
  });

  it('throws EBADF after close and for writes through a read handle', () => {
    const mem = new MemFs();
    mem.open('/a', 'create').close();
    const reader = mem.open('/a', 'read');
    expect(ioErrorOf(() => reader.write(bytes(1), 0)).errno).toBe('EBADF');
    expect(ioErrorOf(() => reader.truncate(0)).errno).toBe('EBADF');
    reader.close();
    expect(ioErrorOf(() => reader.read(new Uint8Array(1), 0)).errno).toBe('EBADF');
    expect(ioErrorOf(() => reader.sync()).errno).toBe('EBADF');
    expect(ioErrorOf(() => reader.size()).errno).toBe('EBADF');
    expect(ioErrorOf(() => reader.close()).errno).toBe('EBADF');
  });

  it('rejects negative positions', () => {
    const mem = new MemFs();
    const handle = mem.open('/a', 'create');
    expect(() => handle.write(bytes(1), -1)).toThrow(InvalidArgumentError);
    handle.close();
  });

  it('keeps a handle working after its file is renamed', () => {
    const mem = new MemFs();
    const handle = mem.open('/a', 'create');
    mem.rename('/a', '/b');
    handle.write(bytes(5), 0);
    expect([...mem.liveBytes('/b')!]).toEqual([5]);
    handle.close();
  });
});

describe('MemFs namespace', () => {
  it('normalises paths, implies directories and lists sorted names', () => {
    const mem = new MemFs();
    mem.open('db/./b', 'create').close();
    mem.open('/db/sub/../a', 'create').close();
    mem.mkdir('/db/logs');
    expect(mem.list('/db')).toEqual(['a', 'b', 'logs']);
    expect(mem.list('/')).toEqual(['db']);
    expect(mem.exists('/db')).toBe(true);
    expect(mem.fileNames()).toEqual(['/db/a', '/db/b']);
  });

  it('renames over an existing file, removes, and tolerates removing a missing file', () => {
    const mem = new MemFs();
    mem.writeFileAtomic('/a', text('A'));
    mem.writeFileAtomic('/b', text('B'));
    mem.rename('/a', '/b');
    expect(new TextDecoder().decode(mem.readFile('/b'))).toBe('A');
    mem.remove('/b');
    mem.remove('/b');
    expect(mem.fileNames()).toEqual([]);
  });

  it('reports namespace errors with errno', () => {
    const mem = new MemFs();
    mem.open('/f', 'create').close();
    expect(ioErrorOf(() => mem.list('/missing')).errno).toBe('ENOENT');
    expect(ioErrorOf(() => mem.list('/f')).errno).toBe('ENOTDIR');
    expect(ioErrorOf(() => mem.open('/f/x', 'create')).errno).toBe('ENOTDIR');
    expect(ioErrorOf(() => mem.rename('/missing', '/g')).errno).toBe('ENOENT');
    expect(ioErrorOf(() => mem.syncDir('/missing')).errno).toBe('ENOENT');
  });

  it('writes a whole file atomically and leaves no temporary file', () => {
    const mem = new MemFs();
    mem.writeFileAtomic('/meta', text('long first version'));
    mem.writeFileAtomic('/meta', text('v2'));
    expect(new TextDecoder().decode(mem.readFile('/meta'))).toBe('v2');
    expect(mem.fileNames()).toEqual(['/meta']);
    expect(new TextDecoder().decode(mem.powerCut().readFile('/meta'))).toBe('v2');
  });

  it('creates a file exclusively once, durably', () => {
    const mem = new MemFs();
    expect(mem.createExclusive('/d/lock', text('one'))).toBe(true);
    expect(mem.createExclusive('/d/lock', text('two'))).toBe(false);
    expect(new TextDecoder().decode(mem.powerCut().readFile('/d/lock'))).toBe('one');
  });
});

describe('MemFs durability', () => {
  it('loses unsynced writes and keeps synced ones on a power cut', () => {
    const mem = new MemFs();
    durableFile(mem, '/d/a', bytes(1, 2, 3));
    const handle = mem.open('/d/a', 'readwrite');
    handle.write(bytes(9, 9), 1);
    handle.write(bytes(7), 5);
    expect([...mem.liveBytes('/d/a')!]).toEqual([1, 9, 9, 0, 0, 7]);
    expect([...mem.powerCut().liveBytes('/d/a')!]).toEqual([1, 2, 3]);
    handle.sync();
    expect([...mem.powerCut().liveBytes('/d/a')!]).toEqual([1, 9, 9, 0, 0, 7]);
    handle.close();
  });

  it('keeps a synced truncation and its zero-filled extension', () => {
    const mem = new MemFs();
    durableFile(mem, '/a', bytes(1, 2, 3, 4));
    const handle = mem.open('/a', 'readwrite');
    handle.truncate(1);
    handle.truncate(3);
    handle.sync();
    handle.close();
    expect([...mem.powerCut().liveBytes('/a')!]).toEqual([1, 0, 0]);
  });

  it('drops a synced file whose directory was never synced', () => {
    const mem = new MemFs();
    const handle = mem.open('/d/new', 'create');
    handle.write(bytes(1), 0);
    handle.sync();
    handle.close();
    const after = mem.powerCut();
    expect(after.exists('/d/new')).toBe(false);
    expect(after.exists('/d')).toBe(true);
    mem.syncDir('/d');
    expect([...mem.powerCut().liveBytes('/d/new')!]).toEqual([1]);
  });

});

describe('MemFs durability of the namespace and copies', () => {

  it('makes renames and removals durable only on syncDir of the parent', () => {
    const mem = new MemFs();
    durableFile(mem, '/d/a', bytes(1));
    durableFile(mem, '/d/b', bytes(2));
    mem.rename('/d/a', '/d/c');
    mem.remove('/d/b');
    expect(mem.powerCut().fileNames()).toEqual(['/d/a', '/d/b']);
    mem.syncDir('/d');
    const after = mem.powerCut();
    expect(after.fileNames()).toEqual(['/d/c']);
    expect([...after.liveBytes('/d/c')!]).toEqual([1]);
  });

  it('starts a power-cut image fully durable, independent of the original', () => {
    const mem = new MemFs();
    durableFile(mem, '/a', bytes(1));
    const after = mem.powerCut();
    const handle = after.open('/a', 'readwrite');
    handle.write(bytes(5), 0);
    handle.close();
    expect([...mem.liveBytes('/a')!]).toEqual([1]);
    expect([...after.powerCut().liveBytes('/a')!]).toEqual([1]);
    expect(after.durableBytes('/a')).toEqual(bytes(1));
  });

  it('clones live and durable state', () => {
    const mem = new MemFs();
    durableFile(mem, '/a', bytes(1));
    const handle = mem.open('/a', 'readwrite');
    handle.write(bytes(2), 0);
    handle.close();
    const copy = mem.clone();
    expect(copy.liveBytes('/a')).toEqual(bytes(2));
    expect(copy.powerCut().liveBytes('/a')).toEqual(bytes(1));
    expect(copy.snapshot()).toEqual(new Map([['/a', bytes(2)]]));
  });
});

describe('MemFs torn writes', () => {
  /** A durable 4 KiB file of 0xaa, then an unsynced 2 KiB write of 0xbb at offset 700. */
  function pendingWrite(): MemFs {
    const mem = new MemFs();
    durableFile(mem, '/f', new Uint8Array(4096).fill(0xaa));
    const handle = mem.open('/f', 'readwrite');
    handle.write(new Uint8Array(2048).fill(0xbb), 700);
    handle.close();
    return mem;
  }

  it('applies a sector-aligned prefix of the last unsynced write', () => {
    const cuts = new Set<number>();
    for (let seed = 0; seed < 64; seed++) {
      const after = pendingWrite().powerCut({ tearLastWrite: true, seed });
      const torn = after.tornWrite!;
      expect(torn).toMatchObject({ path: '/f', position: 700, lengthBytes: 2048 });
      const end = 700 + torn.writtenBytes;
      expect(end === 700 || end === 2748 || end % 512 === 0).toBe(true);
      const data = after.liveBytes('/f')!;
      expect(data.length).toBe(4096);
      expect(data.subarray(0, 700).every((value) => value === 0xaa)).toBe(true);
      expect(data.subarray(700, end).every((value) => value === 0xbb)).toBe(true);
      expect(data.subarray(end).every((value) => value === 0xaa)).toBe(true);
      cuts.add(torn.writtenBytes);
    }
    // Cut points: 700 (nothing), 1024, 1536, 2048, 2560 and 2748 (everything).
    expect([...cuts].sort((a, b) => a - b)).toEqual([0, 324, 836, 1348, 1860, 2048]);
  });

  it('tears the same way for the same seed', () => {
    const first = pendingWrite().powerCut({ tearLastWrite: true, seed: 42 });
    const second = pendingWrite().powerCut({ tearLastWrite: true, seed: 42 });
    expect(first.tornWrite).toEqual(second.tornWrite);
    expect(first.liveBytes('/f')).toEqual(second.liveBytes('/f'));
  });

  it('tears nothing when every write is synced or tearing is off', () => {
    const mem = pendingWrite();
    expect(mem.powerCut().tornWrite).toBeUndefined();
    const handle = mem.open('/f', 'readwrite');
    handle.sync();
    handle.close();
    expect(mem.powerCut({ tearLastWrite: true }).tornWrite).toBeUndefined();
  });
});
