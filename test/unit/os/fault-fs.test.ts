/**
 * FaultFs: counting of writes, syncs and all operations, the nth-operation faults (one-shot
 * and sticky) with their errno, short writes, and capturing power-cut images at sync points.
 */

import { describe, expect, it } from 'vitest';
import { FaultFs, MemFs, type FileSystem } from '../../../src/os/index.js';
import { IoError } from '../../../src/util/index.js';
import { errorOf } from '../../support/thrown.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

/** Runs `action` and returns the IoError it throws. */
const ioErrorOf = (action: () => unknown): IoError => errorOf(action, IoError);

/** A small commit-like workload: three appends to a log, each synced, then a manifest. */
function workload(fs: FileSystem): void {
  fs.mkdir('/env');
  const log = fs.open('/env/log', 'create');
  fs.syncDir('/env');
  for (let index = 0; index < 3; index++) {
    log.write(bytes(index + 1), index);
    log.sync();
  }
  log.close();
  fs.writeFileAtomic('/env/manifest', bytes(3));
}

describe('FaultFs counting', () => {
  it('counts writes, syncs and every operation', () => {
    const fault = new FaultFs(new MemFs());
    workload(fault);
    // Writes: three log appends and the manifest's temporary file.
    expect(fault.writeCount).toBe(4);
    // Syncs: syncDir, three log syncs, the temporary file's sync, the final syncDir.
    expect(fault.syncCount).toBe(6);
    expect(fault.opCount).toBeGreaterThan(10);
    fault.resetCounters();
    expect([fault.writeCount, fault.syncCount, fault.opCount]).toEqual([0, 0, 0]);
  });
});

describe('FaultFs faults', () => {
  it('fails the nth write with the given errno and writes nothing', () => {
    const mem = new MemFs();
    const fault = new FaultFs(mem);
    const handle = fault.open('/a', 'create');
    handle.write(bytes(1), 0);
    fault.failAt({ op: 'write', nth: 2, errno: 'ENOSPC' });
    handle.write(bytes(2), 1);
    const error = ioErrorOf(() => handle.write(bytes(3, 3), 2));
    expect(error.errno).toBe('ENOSPC');
    expect(error.message).toContain('/a');
    expect([...mem.liveBytes('/a')!]).toEqual([1, 2]);
    handle.write(bytes(4), 2);
    expect([...mem.liveBytes('/a')!]).toEqual([1, 2, 4]);
    expect(fault.faultCount).toBe(1);
    handle.close();
  });

  it('writes a prefix before failing when asked', () => {
    const mem = new MemFs();
    const fault = new FaultFs(mem);
    const handle = fault.open('/a', 'create');
    fault.failAt({ op: 'write', nth: 1, errno: 'ENOSPC', prefixBytes: 2 });
    expect(ioErrorOf(() => handle.write(bytes(1, 2, 3, 4), 0)).errno).toBe('ENOSPC');
    expect([...mem.liveBytes('/a')!]).toEqual([1, 2]);
    handle.close();
  });

  it('fails the nth sync with EIO and syncs nothing', () => {
    const mem = new MemFs();
    const fault = new FaultFs(mem);
    const handle = fault.open('/a', 'create');
    fault.syncDir('/');
    handle.write(bytes(1), 0);
    fault.failAt({ op: 'sync', nth: 1, errno: 'EIO' });
    expect(ioErrorOf(() => handle.sync()).errno).toBe('EIO');
    expect(mem.powerCut().liveBytes('/a')).toEqual(new Uint8Array(0));
    handle.sync();
    expect([...mem.powerCut().liveBytes('/a')!]).toEqual([1]);
    handle.close();
  });

});

describe('FaultFs sticky and any-operation faults', () => {

  it('keeps failing after a sticky fault until cleared', () => {
    const fault = new FaultFs(new MemFs());
    const handle = fault.open('/a', 'create');
    fault.failAt({ op: 'sync', nth: 2, errno: 'EIO', sticky: true });
    handle.sync();
    for (let index = 0; index < 3; index++) {
      expect(ioErrorOf(() => handle.sync()).errno).toBe('EIO');
    }
    expect(ioErrorOf(() => fault.syncDir('/')).errno).toBe('EIO');
    fault.clearFaults();
    handle.sync();
    handle.close();
  });

  it("counts every operation for op 'any'", () => {
    const fault = new FaultFs(new MemFs());
    fault.failAt({ op: 'any', nth: 3, errno: 'EIO' });
    const handle = fault.open('/a', 'create');
    handle.write(bytes(1), 0);
    expect(ioErrorOf(() => handle.size()).errno).toBe('EIO');
    expect(handle.size()).toBe(1);
    handle.close();
  });

  it('fails a workload at each sync point in turn', () => {
    const counting = new FaultFs(new MemFs());
    workload(counting);
    const syncPoints = counting.syncCount;
    for (let nth = 1; nth <= syncPoints; nth++) {
      const fault = new FaultFs(new MemFs());
      fault.failAt({ op: 'sync', nth, errno: 'EIO' });
      expect(ioErrorOf(() => workload(fault)).errno).toBe('EIO');
      expect(fault.syncCount).toBe(nth);
    }
  });
});

describe('FaultFs crash points', () => {
  it('captures a power-cut image at every sync point', () => {
    const mem = new MemFs();
    const fault = new FaultFs(mem);
    const images: MemFs[] = [];
    fault.onSync = () => images.push(mem.powerCut());
    workload(fault);
    expect(images.length).toBe(6);
    // After the third log sync (sync point 3), two bytes of the log are durable.
    expect([...images[2]!.liveBytes('/env/log')!]).toEqual([1, 2]);
    expect(images[4]!.exists('/env/manifest')).toBe(false);
    expect([...images[5]!.liveBytes('/env/manifest')!]).toEqual([3]);
  });

  it('halts the workload when the hook throws at the chosen sync', () => {
    const mem = new MemFs();
    const fault = new FaultFs(mem);
    const crash = new Error('crash');
    let image: MemFs | undefined;
    fault.onSync = (count) => {
      if (count !== 2) return;
      image = mem.powerCut();
      throw crash;
    };
    expect(() => workload(fault)).toThrow(crash);
    expect([...image!.liveBytes('/env/log')!]).toEqual([1]);
  });
});
