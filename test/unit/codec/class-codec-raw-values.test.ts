/**
 * Examples for raw values in `codecs.classOf` records: Map, Set, typed arrays, Buffer,
 * ArrayBuffer, DataView, RegExp and Error fields, which class-transformer alone mangles
 * (a Set became an array, a Map an object), come back whole at any depth, decorated or not.
 */
import 'reflect-metadata';
import v8 from 'node:v8';
import { Exclude, Expose, Transform, Type } from 'class-transformer';
import { describe, expect, it } from 'vitest';
import { codecs, type ClassCodec } from '../../../src/codec/index.js';
import { CodecError } from '../../../src/util/index.js';
import { thrownBy } from '../../support/thrown.js';

class Sensor {
  label = '';
  readings = new Float64Array(0);
  flags = new Set<string>();
  @Type(() => Date) seen: Date = new Date(0);
}

class Station {
  name = '';
  tags = new Set<string>();
  counts = new Map<unknown, number>();
  bytes = new Uint8Array(0);
  blob = Buffer.alloc(0);
  buffer = new ArrayBuffer(0);
  view = new DataView(new ArrayBuffer(0));
  pattern = /x/;
  failure: Error | null = null;
  when = new Date(0);
  notes: Record<string, unknown> = {};
  @Type(() => Sensor) sensor: Sensor = new Sensor();
  @Type(() => Sensor) sensors: Sensor[] = [];
  @Type(() => Sensor) byRoom: Map<string, Sensor> = new Map();
  @Type(() => Sensor) spares: Set<Sensor> = new Set();
}

function sensor(label: string): Sensor {
  return Object.assign(new Sensor(), {
    label,
    readings: Float64Array.of(1.5, -0, Number.NaN),
    flags: new Set([`${label}-on`]),
    seen: new Date(1_000),
  });
}

function sampleStation(): Station {
  const station = new Station();
  station.name = 'north';
  station.tags = new Set(['t']);
  station.counts = new Map<unknown, number>([['c', 1], [2, 3], [4n, 5]]);
  station.bytes = Uint8Array.of(0, 1, 255);
  station.blob = Buffer.from('blob');
  station.buffer = Uint8Array.of(9, 8).buffer;
  station.view = new DataView(Uint8Array.of(7, 6, 5).buffer, 1);
  station.pattern = /ab+c/gi;
  station.failure = new RangeError('out of range');
  station.when = new Date(2_000);
  station.notes = { deep: [{ set: new Set([1, 2]), map: new Map([[1, 'one']]) }] };
  station.sensor = sensor('main');
  station.sensors = [sensor('a'), sensor('b')];
  station.byRoom = new Map([['hall', sensor('hall')]]);
  station.spares = new Set([sensor('spare')]);
  return station;
}

function roundTrip<T extends object>(value: T, type: new () => T): T {
  const codec = codecs.classOf(type);
  return codec.decode(codec.encode(value));
}

function expectSensor(actual: Sensor, label: string): void {
  expect(actual).toBeInstanceOf(Sensor);
  expect(actual.label).toBe(label);
  expect(actual.readings).toBeInstanceOf(Float64Array);
  expect([...actual.readings]).toEqual([1.5, -0, Number.NaN]);
  expect(actual.flags).toEqual(new Set([`${label}-on`]));
  expect(actual.seen).toEqual(new Date(1_000));
}

describe('codecs.classOf raw values', () => {
  it('round-trips undecorated Map, Set, typed array, DataView, RegExp and Error fields', () => {
    const output = roundTrip(sampleStation(), Station);
    expect(output).toBeInstanceOf(Station);
    expect(output.tags).toEqual(new Set(['t']));
    expect(output.counts).toEqual(new Map<unknown, number>([['c', 1], [2, 3], [4n, 5]]));
    expect(output.bytes).toEqual(Uint8Array.of(0, 1, 255));
    expect(Buffer.isBuffer(output.blob)).toBe(true);
    expect(output.blob.toString()).toBe('blob');
    expect(output.buffer).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(output.buffer)]).toEqual([9, 8]);
    expect(output.view).toBeInstanceOf(DataView);
    expect(output.view.getUint8(0)).toBe(6);
    expect(output.view.byteLength).toBe(2);
    expect(output.pattern).toEqual(/ab+c/gi);
    expect(output.failure).toBeInstanceOf(RangeError);
    expect(output.failure?.message).toBe('out of range');
    expect(output.when).toEqual(new Date(2_000));
  });

  it('round-trips raw values inside plain objects, nested classes, arrays, Maps and Sets', () => {
    const output = roundTrip(sampleStation(), Station);
    const deep = (output.notes['deep'] as { set: Set<number>; map: Map<number, string> }[])[0]!;
    expect(deep.set).toEqual(new Set([1, 2]));
    expect(deep.map).toEqual(new Map([[1, 'one']]));
    expectSensor(output.sensor, 'main');
    expect(output.sensors).toHaveLength(2);
    expectSensor(output.sensors[1]!, 'b');
    expect(output.byRoom).toBeInstanceOf(Map);
    expectSensor(output.byRoom.get('hall')!, 'hall');
    expect(output.spares).toBeInstanceOf(Set);
    expectSensor([...output.spares][0]!, 'spare');
  });

  it('leaves Buffers to class-transformer, which needs one in a @Type(() => Buffer) field', () => {
    class Blob {
      @Type(() => Buffer) data: Buffer = Buffer.alloc(0);
      plain = Buffer.alloc(0);
    }
    const input = Object.assign(new Blob(), { data: Buffer.from('typed'), plain: Buffer.of(1) });
    const output = roundTrip(input, Blob);
    expect(Buffer.isBuffer(output.data)).toBe(true);
    expect(output.data.toString()).toBe('typed');
    expect(output.plain).toEqual(Buffer.of(1));
  });

  it('round-trips raw values of a class that exposes only @Expose fields', () => {
    @Exclude()
    class Strict {
      @Expose() tags = new Set<string>();
      hidden = new Set<string>(['default']);
    }
    const input = Object.assign(new Strict(), { tags: new Set(['a']), hidden: new Set(['b']) });
    const output = roundTrip(input, Strict);
    expect(output.tags).toEqual(new Set(['a']));
    expect(output.hidden).toEqual(new Set(['default']));
  });

  it('keeps one raw value shared by two fields shared', () => {
    class Pair {
      left = new Set<number>();
      right = new Set<number>();
    }
    const input = new Pair();
    input.left = input.right = new Set([1]);
    const output = roundTrip(input, Pair);
    expect(output.left).toBe(output.right);
    expect(output.left).toEqual(new Set([1]));
  });

  it('does not change the instance it encodes', () => {
    const input = sampleStation();
    const before = sampleStation();
    codecs.classOf(Station).encode(input);
    expect(input).toEqual(before);
    expect(input.tags).toBeInstanceOf(Set);
    expect(input.sensor).toBeInstanceOf(Sensor);
  });

  it('writes the plain layout (tag 0xC1) when there is no raw value', () => {
    class Plain {
      name = 'x';
      @Type(() => Date) at: Date = new Date(0);
    }
    expect(codecs.classOf(Plain).encode(new Plain())[0]).toBe(0xc1);
    expect(codecs.classOf(Station).encode(sampleStation())[0]).toBe(0xc2);
  });

  it('leaves a field with @Transform to the transform', () => {
    class Tagged {
      @Transform(({ value }) => [...(value as Set<string>)].join(','), { toPlainOnly: true })
      @Transform(({ value }) => new Set((value as string).split(',')), { toClassOnly: true })
      tags = new Set<string>();
    }
    const input = new Tagged();
    input.tags = new Set(['a', 'b']);
    const codec = codecs.classOf(Tagged);
    const bytes = codec.encode(input);
    expect(bytes[0]).toBe(0xc1);
    expect(codec.decode(bytes).tags).toEqual(new Set(['a', 'b']));
  });

  it('refuses a Map with @Type whose keys are not strings, naming the field', () => {
    class Rooms {
      @Type(() => Sensor) byFloor: Map<number, Sensor> = new Map();
    }
    class Floor {
      level = 0;
    }
    class Plan {
      @Type(() => Floor) byNumber: Map<number, Floor> = new Map();
    }
    const rooms = new Rooms();
    rooms.byFloor.set(3, sensor('third'));
    const plan = new Plan();
    plan.byNumber.set(1, new Floor());
    for (const [codec, input, field] of [
      [codecs.classOf(Rooms), rooms, /Rooms\.byFloor/],
      [codecs.classOf(Plan), plan, /Plan\.byNumber/],
    ] as const) {
      const error = thrownBy(() => (codec as ClassCodec<object>).encode(input));
      expect(error).toBeInstanceOf(CodecError);
      expect((error as CodecError).message).toMatch(field);
      expect((error as CodecError).message).toMatch(/string keys/);
    }
  });

  it('hands migrate the raw values and restores the ones it creates', () => {
    class LogV1 {
      lines = new Set<string>();
    }
    class LogV2 {
      lines = new Set<string>();
      seenBy = new Map<number, string>();
    }
    const old = new LogV1();
    old.lines = new Set(['boot']);
    const stored = codecs.classOf(LogV1).encode(old);
    const codec = codecs.classOf(LogV2, {
      version: 2,
      migrate: (plain) => {
        expect(plain['lines']).toEqual(new Set(['boot']));
        return { ...plain, seenBy: new Map([[7, 'ops']]) };
      },
    });
    const output = codec.decode(stored);
    expect(output.lines).toEqual(new Set(['boot']));
    expect(output.seenBy).toEqual(new Map([[7, 'ops']]));
  });

  it('refuses a raw-value record whose paths are malformed or lead elsewhere', () => {
    const codec = codecs.classOf(Station);
    for (const body of [[{ a: 1 }, [['a']]], [{ a: 1 }, 'a'], [{ a: 1 }], { a: 1 }]) {
      const forged = Uint8Array.of(0xc2, 0x01, ...v8.serialize(body));
      expect(thrownBy(() => codec.decode(forged))).toBeInstanceOf(CodecError);
    }
  });
});
