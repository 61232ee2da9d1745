/**
 * Declared log record types: encode/decode round trip of every field kind (fast-check, seed
 * printed), inferred body types, argument checks, corrupt bodies, printing, and the registry
 * (duplicates, reserved app ids, generic handlers).
 *
 * Strategy: random bodies of a record holding one field of each kind are encoded and decoded;
 * the sizes must agree and the decoded body must equal the original.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  APP_RECORD_TYPE_MIN,
  LogRecordRegistry,
  defineLogRecord,
} from '../../../src/log/index.js';
import type { LogBody, LogRecord } from '../../../src/log/index.js';
import {
  CorruptionError,
  InvalidArgumentError,
  fileId,
  makeLsn,
  pgno,
  txnId,
} from '../../../src/util/index.js';
import type { Lsn } from '../../../src/util/index.js';
import { BtInsert, Everything, Marker } from './log-fixture.js';

const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);
console.log('fast-check seed', seed);

const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const bytesArb = fc.uint8Array({ maxLength: 80 });
const lsnArb = fc
  .tuple(fc.integer({ min: 0, max: 2 ** 21 - 1 }), u32)
  .map(([file, offset]) => makeLsn(file, offset));

const everythingArb = fc.record({
  a: fc.integer({ min: 0, max: 255 }),
  b: fc.integer({ min: 0, max: 65535 }),
  c: u32,
  d: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  e: fc.boolean(),
  f: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  g: fc.double(),
  h: lsnArb,
  i: u32.map(pgno),
  j: u32.map(fileId),
  k: u32.map(txnId),
  l: bytesArb,
  m: fc.string({ unit: 'binary', maxLength: 40 }),
  n: fc.array(bytesArb, { maxLength: 6 }),
  o: fc.array(u32, { maxLength: 10 }),
});

describe('defineLogRecord round trip', () => {
  it('decode(encode(body)) equals body for every field kind', () => {
    fc.assert(
      fc.property(everythingArb, (body) => {
        const bytes = Everything.encode(body);
        expect(bytes.length).toBe(Everything.bodySize(body));
        expect(Everything.decode(bytes)).toEqual(body);
      }),
      { seed, numRuns: 500 },
    );
  });

  it('decoded bytes never alias the input', () => {
    const bytes = BtInsert.encode({
      fileId: 1,
      pgno: 2,
      index: 3,
      item: Uint8Array.of(9, 9),
      prevLsn: makeLsn(1, 32),
    });
    const body = BtInsert.decode(bytes);
    bytes.fill(0);
    expect([...body.item]).toEqual([9, 9]);
  });

  it('an empty declaration has an empty body', () => {
    expect(Marker.encode({}).length).toBe(0);
    expect(Marker.decode(new Uint8Array(0))).toEqual({});
    expect(Marker.print({})).toBe('');
  });

  it('infers the body type from the field spec', () => {
    const body: LogBody<typeof Everything> = {
      a: 1, b: 2, c: 3, d: -4, e: true, f: 2 ** 40, g: 0.5, h: makeLsn(1, 40),
      i: pgno(5), j: fileId(6), k: txnId(7), l: new Uint8Array(1), m: 'x', n: [], o: [1],
    };
    expect(Everything.decode(Everything.encode(body))).toEqual(body);
    const lsnField: Lsn = Everything.decode(Everything.encode(body)).h;
    expect(lsnField).toBe(makeLsn(1, 40));
    // @ts-expect-error: 'item' must be a Uint8Array
    const wrong: LogBody<typeof BtInsert> = { fileId: 1, pgno: 2, index: 3, item: 'x', prevLsn: 0 };
    expect(wrong).toBeDefined();
    const record = { typeId: 20, body: { item: Uint8Array.of(1) } } as LogRecord;
    expect(BtInsert.is(record)).toBe(true);
    if (BtInsert.is(record)) {
      const item: Uint8Array = record.body.item;
      expect([...item]).toEqual([1]);
    }
  });
});

describe('argument and corruption checks', () => {
  const base = { fileId: 1, pgno: 2, index: 3, item: new Uint8Array(0), prevLsn: makeLsn(0, 0) };

  it('rejects out-of-range values naming the field', () => {
    expect(() => BtInsert.encode({ ...base, index: 65536 })).toThrow(/'index'/);
    expect(() => BtInsert.encode({ ...base, fileId: -1 })).toThrow(InvalidArgumentError);
    expect(() => BtInsert.encode({ ...base, pgno: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => BtInsert.encode({ ...base, prevLsn: -1 as Lsn })).toThrow(InvalidArgumentError);
    const notBytes = { ...base, item: [1, 2] as unknown as Uint8Array };
    expect(() => BtInsert.encode(notBytes)).toThrow(/'item'/);
  });

  it('rejects bad declarations', () => {
    expect(() => defineLogRecord({ name: 'x', typeId: 0, fields: {} })).toThrow(
      InvalidArgumentError,
    );
    expect(() => defineLogRecord({ name: 'x', typeId: 2 ** 32, fields: {} })).toThrow(
      InvalidArgumentError,
    );
    expect(() => defineLogRecord({ name: 'x', typeId: 1, fields: { '0': 'u8' } })).toThrow(
      /field name/,
    );
    const badKind = { k: 'u64' } as unknown as { k: 'u8' };
    expect(() => defineLogRecord({ name: 'x', typeId: 1, fields: badKind })).toThrow(/kind/);
    expect(() => defineLogRecord({ name: 'two words', typeId: 1, fields: {} })).toThrow(
      InvalidArgumentError,
    );
  });

  it('reports truncated and overlong bodies as corruption', () => {
    const bytes = BtInsert.encode({ ...base, item: Uint8Array.of(1, 2, 3) });
    expect(() => BtInsert.decode(bytes.subarray(0, bytes.length - 1))).toThrow(CorruptionError);
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(() => BtInsert.decode(longer)).toThrow(/left over/);
    const hugeCount = Uint8Array.of(0xff, 0xff, 0xff, 0x7f);
    const List = defineLogRecord({ name: 'list', typeId: 5, fields: { n: 'bytesList' } });
    expect(() => List.decode(hugeCount)).toThrow(CorruptionError);
  });
});

describe('print', () => {
  it('prints every field by name with a readable value', () => {
    const line = BtInsert.print({
      fileId: 3,
      pgno: 7,
      index: 1,
      item: new TextEncoder().encode('hello'),
      prevLsn: makeLsn(2, 4096),
    });
    expect(line).toBe('fileId: 3 pgno: 7 index: 1 item: "hello" prevLsn: [2][4096]');
  });

  it('shows binary bytes as hex and shortens long values', () => {
    const Blob = defineLogRecord({
      name: 'blob',
      typeId: 6,
      fields: { data: 'bytes', list: 'u32List', text: 'string' },
    });
    const line = Blob.print({
      data: new Uint8Array(100).fill(0xab),
      list: Array.from({ length: 20 }, (_, i) => i),
      text: 'y'.repeat(200),
    });
    expect(line).toContain(`data: 0x${'ab'.repeat(32)}...(100 bytes)`);
    expect(line).toContain('list: [0, 1, 2, 3, 4, 5, 6, 7, ...(20 items)]');
    expect(line).toContain(`text: "${'y'.repeat(64)}..."`);
  });
});

describe('LogRecordRegistry', () => {
  it('maps type ids to types and rejects duplicates', () => {
    const registry = new LogRecordRegistry().register(BtInsert);
    expect(registry.get(20)).toBe(BtInsert);
    expect(registry.getByName('bt_insert')).toBe(BtInsert);
    expect(registry.get(21)).toBeUndefined();
    const sameId = defineLogRecord({ name: 'other', typeId: 20, fields: {} });
    expect(() => registry.register(sameId)).toThrow(/already registered/);
    const sameName = defineLogRecord({ name: 'bt_insert', typeId: 99, fields: {} });
    expect(() => registry.register(sameName)).toThrow(InvalidArgumentError);
  });

  it('reserves ids below APP_RECORD_TYPE_MIN for the engine', () => {
    const registry = new LogRecordRegistry();
    const low = defineLogRecord({ name: 'app_low', typeId: 9999, fields: {} });
    const high = defineLogRecord({ name: 'app_mkdir', typeId: APP_RECORD_TYPE_MIN, fields: {} });
    expect(() => registry.registerApp(low)).toThrow(/reserved/);
    registry.registerApp(high);
    expect(() => registry.registerApp(high)).toThrow(/already registered/);
  });

  it('stores and returns handlers of the registry type', () => {
    type Handler = (record: LogRecord, op: 'undo' | 'redo') => string;
    const registry = new LogRecordRegistry<Handler>();
    registry.register(BtInsert, () => 'insert');
    registry.register(Marker);
    expect(registry.handler(22)).toBeUndefined();
    registry.setHandler(Marker, (_r, op) => `marker ${op}`);
    const record = { typeId: 22 } as LogRecord;
    expect(registry.handler(record.typeId)?.(record, 'undo')).toBe('marker undo');
    expect(registry.handler(20)?.(record, 'redo')).toBe('insert');
    expect(() => registry.setHandler(77, () => 'x')).toThrow(/not registered/);
    expect(registry.types().map((t) => t.typeId)).toEqual([20, 22]);
  });
});
