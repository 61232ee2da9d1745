/**
 * Partial records (GEN-08) and bulk calls (BLK-01..03) of the low-level `Database`: the
 * eight cases of the seed's partial-put table, clipped partial reads, the errors Berkeley DB
 * gives (EINVAL for a partial put with duplicates, BUFFER_SMALL for a batch too small), and
 * bulk calls equal to their loops of single calls. Every database is verified after use.
 *
 * Expected bytes were checked against the real Berkeley DB 5.3 (Perl's BerkeleyDB module,
 * `partial_set`): case 8 pads with five NUL bytes (offset 25 of a 20-byte value), where the
 * seed's drawing shows four.
 */
import { describe, expect, it } from 'vitest';
import {
  BufferSmallError, Environment, InvalidArgumentError, KeyExistsError, type Database,
} from '../../../src/index.js';
import { tempDir } from '../../support/temp-dir.js';
import { errorOf } from '../../support/thrown.js';

const te = new TextEncoder();
const td = new TextDecoder();
const b = (s: string): Uint8Array => te.encode(s);
const text = (bytes: Uint8Array | undefined): string | undefined =>
  bytes === undefined ? undefined : td.decode(bytes);

const RECORD = 'ABCDEFGHIJ0123456789';

/** The seed's table (001, "Partial record storage and retrieval"): offset, length, data. */
const PUT_CASES: [number, number, string, string][] = [
  [0, 20, 'abcdefghijabcdefghij', 'abcdefghijabcdefghij'],
  [20, 0, 'abcdefghij', 'ABCDEFGHIJ0123456789abcdefghij'],
  [10, 5, 'abcdefghij', 'ABCDEFGHIJabcdefghij56789'],
  [10, 0, 'abcdefghij', 'ABCDEFGHIJabcdefghij0123456789'],
  [2, 15, 'abcdefghij', 'ABabcdefghij789'],
  [0, 0, 'abcdefghij', 'abcdefghijABCDEFGHIJ0123456789'],
  [0, 10, '', '0123456789'],
  [25, 0, 'abcdefghij', 'ABCDEFGHIJ0123456789\0\0\0\0\0abcdefghij'],
];

function withDb(run: (db: Database, env: Environment) => void,
  config: Parameters<Environment['openDatabase']>[1] = {}): void {
  const env = Environment.open(tempDir(), { pageSize: 4096 });
  try {
    const db = env.openDatabase('t', config);
    run(db, env);
    expect(db.verify().errors).toEqual([]);
  } finally {
    env.close();
  }
}

describe('partial records (GEN-08)', () => {
  it.each(PUT_CASES)('put at %i length %i of "%s" gives the seed\'s result',
    (offset, length, data, expected) => {
      withDb((db) => {
        db.put(b('k'), b(RECORD));
        db.putPartial(b('k'), { offset, length }, b(data));
        expect(text(db.get(b('k')))).toBe(expected);
      });
    });

  it('reads the window clipped to the value, empty past its end, undefined when absent', () => {
    withDb((db) => {
      db.put(b('k'), b(RECORD));
      expect(text(db.getPartial(b('k'), { offset: 5, length: 3 }))).toBe('FGH');
      expect(text(db.getPartial(b('k'), { offset: 18, length: 5 }))).toBe('89');
      expect(text(db.getPartial(b('k'), { offset: 25, length: 3 }))).toBe('');
      expect(text(db.getPartial(b('k'), { offset: 0, length: 0 }))).toBe('');
      expect(db.getPartial(b('absent'), { offset: 0, length: 4 })).toBeUndefined();
    });
  });

  it('stores a partial put of an absent key as if its value were empty (NUL padded)', () => {
    withDb((db) => {
      db.putPartial(b('new'), { offset: 3, length: 2 }, b('xy'));
      expect([...db.get(b('new'))!]).toEqual([0, 0, 0, 0x78, 0x79]);
    });
  });

  it('works on overflow values: a window in the middle of a 100 KB value', () => {
    withDb((db) => {
      const big = new Uint8Array(100_000).map((_, i) => i % 251);
      db.put(b('big'), big);
      db.putPartial(b('big'), { offset: 50_000, length: 10 }, b('0123456789abc'));
      const after = db.get(b('big'))!;
      expect(after.length).toBe(100_003);
      expect(text(db.getPartial(b('big'), { offset: 50_000, length: 13 }))).toBe('0123456789abc');
      expect(after.subarray(50_013)).toEqual(big.subarray(50_010));
    });
  });

  it('refuses a partial put on a database with duplicates (EINVAL) and changes nothing', () => {
    withDb((db) => {
      db.put(b('k'), b('one'));
      const e = errorOf(() => db.putPartial(b('k'), { offset: 0, length: 1 }, b('x')),
        InvalidArgumentError);
      expect(e.message).toMatch(/duplicates/);
      expect(db.getAll(b('k')).map(text)).toEqual(['one']);
    }, { duplicates: 'sorted' });
  });

  it('refuses windows that are not two integers from 0 to 2^32 - 1', () => {
    withDb((db) => {
      db.put(b('k'), b(RECORD));
      for (const window of [{ offset: -1, length: 0 }, { offset: 0.5, length: 1 },
        { offset: 0, length: 2 ** 32 }, { offset: 0 }, null]) {
        expect(() => db.putPartial(b('k'), window as never, b('x')))
          .toThrow(InvalidArgumentError);
        expect(() => db.getPartial(b('k'), window as never)).toThrow(InvalidArgumentError);
      }
      expect(text(db.get(b('k')))).toBe(RECORD);
    });
  });

  it('is undone by an abort like any put', () => {
    withDb((db, env) => {
      db.put(b('k'), b(RECORD));
      const txn = env.begin();
      db.putPartial(b('k'), { offset: 0, length: 10 }, b(''));
      expect(text(db.get(b('k')))).toBe('0123456789');
      txn.abort();
      expect(text(db.get(b('k')))).toBe(RECORD);
    });
  });
});

describe('bulk calls (BLK-01..03)', () => {
  const pairs = (n: number): [Uint8Array, Uint8Array][] => Array.from({ length: n },
    (_, i) => [b(`key-${String(i).padStart(5, '0')}`), b(`value-${i * 7}`)]);

  it('putMany of 1000 pairs equals 1000 single puts', () => {
    const env = Environment.open(tempDir());
    try {
      const bulk = env.openDatabase('bulk');
      const single = env.openDatabase('single');
      const list = pairs(1000).reverse();
      expect(bulk.putMany(list)).toBe(1000);
      for (const [k, v] of list) single.put(k, v);
      const scan = (db: Database) => {
        const c = db.cursor();
        const out: string[] = [];
        while (c.next()) out.push(`${text(c.key())}=${text(c.value())}`);
        c.close();
        return out;
      };
      expect(scan(bulk)).toEqual(scan(single));
      expect(bulk.verify().errors).toEqual([]);
    } finally {
      env.close();
    }
  });

  it('putMany with sorted duplicates: a stored pair is KeyExistsError and the batch is undone',
    () => {
      withDb((db) => {
        db.putMany([[b('k'), b('a')], [b('k'), b('c')]]);
        expect(() => db.putMany([[b('k'), b('b')], [b('k'), b('c')]])).toThrow(KeyExistsError);
        expect(db.getAll(b('k')).map(text)).toEqual(['a', 'c']);
        expect(db.putMany([[b('k'), b('b')], [b('k'), b('c')]], { overwriteDup: true })).toBe(2);
        expect(db.getAll(b('k')).map(text)).toEqual(['a', 'b', 'c']);
        expect(() => db.putMany([], { noOverwrite: true } as never))
          .toThrow(InvalidArgumentError);
      }, { duplicates: 'sorted' });
    });

  it('deleteMany removes each key with all its values; deletePairs one pair each', () => {
    withDb((db) => {
      db.putMany([[b('k'), b('a')], [b('k'), b('b')], [b('k'), b('c')], [b('m'), b('x')],
        [b('n'), b('y')]]);
      expect(db.deletePairs([[b('k'), b('b')], [b('k'), b('zz')]])).toBe(1);
      expect(db.getAll(b('k')).map(text)).toEqual(['a', 'c']);
      expect(db.deleteMany([b('m'), b('absent'), b('k')])).toBe(3);
      expect(db.count()).toBe(1);
      expect(db.getAll(b('n')).map(text)).toEqual(['y']);
      expect(db.getAll(b('k'))).toEqual([]);
    }, { duplicates: 'unsorted' });
  });

  it('checks every pair before storing any', () => {
    withDb((db) => {
      expect(() => db.putMany([[b('a'), b('1')], [b('b'), 'two' as never]]))
        .toThrow(InvalidArgumentError);
      expect(() => db.deleteMany([b('a'), 7 as never])).toThrow(InvalidArgumentError);
      expect(db.count()).toBe(0);
    });
  });

  it('a 64 KiB nextBatch scan of 10k pairs equals a plain scan', () => {
    withDb((db) => {
      db.putMany(pairs(10_000));
      const batched: string[] = [];
      const c = db.cursor();
      let batches = 0;
      for (let batch = c.nextBatch(65536); batch.length > 0; batch = c.nextBatch(65536)) {
        batches++;
        for (const { key, value } of batch) batched.push(`${text(key)}=${text(value)}`);
        expect(text(c.key())).toBe(text(batch.at(-1)!.key));
      }
      c.close();
      const plain = pairs(10_000).map(([k, v]) => `${text(k)}=${text(v)}`);
      expect(batched).toEqual(plain);
      expect(batches).toBeGreaterThan(1);
    });
  });

  it('nextBatch: buffers below a page or not a multiple of 1024 are refused; a pair larger ' +
    'than the buffer is BufferSmallError and the cursor stays', () => {
    withDb((db) => {
      db.put(b('a'), b('1'));
      db.put(b('b'), new Uint8Array(10_000));
      const c = db.cursor();
      expect(() => c.nextBatch(2048)).toThrow(InvalidArgumentError);
      expect(() => c.nextBatch(5000)).toThrow(InvalidArgumentError);
      expect(c.nextBatch(4096).map((p) => text(p.key))).toEqual(['a']);
      const e = errorOf(() => c.nextBatch(4096), BufferSmallError);
      expect(e.code).toBe('BUFFER_SMALL');
      expect(e.needed).toBe(10_240);
      expect(text(c.key())).toBe('a');
      expect(c.nextBatch(e.needed).map((p) => text(p.key))).toEqual(['b']);
      expect(c.nextBatch(4096)).toEqual([]);
      c.close();
    });
  });
});
