/**
 * `PersistentMap` as a drop-in `Map`: the Map interface, the btree extras, copies not
 * references, iterators that close on break, keys of every codec type, class instances
 * through `codecs.classOf`, and anonymous (in-memory) maps.
 */
import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { Type } from 'class-transformer';
import { Environment, PersistentMap, codecs } from '../../../src/index.js';
import { tempDir } from '../../support/temp-dir.js';

class Address {
  street = '';
  city = '';
}

class User {
  name = '';
  @Type(() => Date) createdAt: Date = new Date(0);
  @Type(() => Address) address: Address = new Address();
  @Type(() => Address) previous: Address[] = [];
  greet(): string {
    return `hello ${this.name}`;
  }
}

function sumSizes(m: Map<string, number>): number {
  let total = 0;
  m.forEach((v) => { total += v; });
  return total + m.size;
}

describe('PersistentMap', () => {
  it('is a Map: a function typed to take a Map accepts it', () => {
    const m = new PersistentMap<string, number>();
    m.set('a', 1).set('b', 2);
    expect(sumSizes(m)).toBe(5);
    expect(Object.prototype.toString.call(m)).toBe('[object PersistentMap]');
    expect(new Map(m)).toEqual(new Map([['a', 1], ['b', 2]]));
    const seen: unknown[] = [];
    m.forEach(function (this: unknown, v, k, map) { seen.push([k, v, this, map === m]); }, 'ctx');
    expect(seen).toEqual([['a', 1, 'ctx', true], ['b', 2, 'ctx', true]]);
    expect([...m.keys()]).toEqual(['a', 'b']);
    expect([...m.values()]).toEqual([1, 2]);
    expect(m.delete('a')).toBe(true);
    expect(m.delete('a')).toBe(false);
    m.clear();
    expect(m.size).toBe(0);
  });

  it('orders keys naturally, including numbers, dates and tuples', () => {
    const m = new PersistentMap<unknown, string>();
    const keys = [10, -5, 2.5, -Infinity, 'b', 'a', new Date(5), 3n, [1, 'x'], [1], true];
    for (const k of keys) m.set(k, String(k));
    expect([...m.keys()]).toEqual([true, -Infinity, -5, 2.5, 10, 3n, new Date(5), 'a', 'b',
      [1], [1, 'x']]);
    m.set(-0, 'zero');
    expect(m.get(0)).toBe('zero');
  });

  it('offers first, last, range, lowerBound, upperBound and setIfAbsent', () => {
    const m = new PersistentMap<number, string>();
    for (let i = 0; i < 100; i += 10) m.set(i, `v${i}`);
    expect(m.first()).toEqual([0, 'v0']);
    expect(m.last()).toEqual([90, 'v90']);
    expect(m.lowerBound(15)).toEqual([20, 'v20']);
    expect(m.lowerBound(20)).toEqual([20, 'v20']);
    expect(m.upperBound(20)).toEqual([30, 'v30']);
    expect(m.upperBound(90)).toBeUndefined();
    expect([...m.range({ gt: 20, lte: 50 })].map(([k]) => k)).toEqual([30, 40, 50]);
    expect([...m.range({ gte: 20, lt: 50, reverse: true })].map(([k]) => k)).toEqual([40, 30, 20]);
    expect([...m.range({ limit: 2, reverse: true })].map(([k]) => k)).toEqual([90, 80]);
    expect(m.setIfAbsent(10, 'no')).toBe(false);
    expect(m.setIfAbsent(11, 'yes')).toBe(true);
    expect(m.get(10)).toBe('v10');
  });

  it('hands out copies: changing a returned value changes nothing stored', () => {
    const m = new PersistentMap<string, { n: number }>();
    m.set('a', { n: 1 });
    const got = m.get('a')!;
    got.n = 99;
    expect(m.get('a')).toEqual({ n: 1 });
  });

  it('stores under the right key when the value codec itself uses maps', () => {
    const lookup = new PersistentMap<string, string>();
    lookup.set('other-key', 'looked up');
    const valueCodec = {
      encode: (v: string) => Buffer.from(`${v}/${lookup.get('other-key')}/${lookup.has('x')}`),
      decode: (b: Uint8Array) => Buffer.from(b).toString(),
    };
    const m = new PersistentMap<string, string>({ value: valueCodec });
    m.set('key-1', 'one');
    expect(m.setIfAbsent('key-2', 'two')).toBe(true);
    expect([...m]).toEqual([['key-1', 'one/looked up/false'], ['key-2', 'two/looked up/false']]);
    expect(lookup.size).toBe(1);
  });

  it('closes the cursor of an iterator left by break, and survives changes while iterating', () => {
    const m = new PersistentMap<number, number>();
    for (let i = 0; i < 1000; i++) m.set(i, i);
    for (const [k] of m) if (k === 5) break;
    expect(m.db.am.openCursors()).toBe(0);
    const visited: number[] = [];
    for (const [k] of m) {
      visited.push(k);
      if (k === 10) { m.delete(11); m.set(1000, 1000); m.delete(10); }
    }
    expect(visited).toContain(1000);
    expect(visited).not.toContain(11);
    expect(visited.length).toBe(1000);
    expect(m.db.am.openCursors()).toBe(0);
  });

  it('stores class instances through codecs.classOf and reopens them as instances', () => {
    expect(Reflect.getMetadata('design:type', User.prototype, 'createdAt')).toBe(Date);
    const dir = tempDir();
    const env = Environment.open(dir);
    const users = env.openMap<string, User>('users', { value: codecs.classOf(User) });
    const u = new User();
    u.name = 'ada';
    u.createdAt = new Date(1234);
    u.address.city = 'London';
    const old = new Address();
    old.city = 'Paris';
    u.previous.push(old);
    users.set('ada', u);
    env.close();
    const again = Environment.open(dir);
    const back = again.openMap<string, User>('users', { value: codecs.classOf(User) }).get('ada')!;
    expect(back).toBeInstanceOf(User);
    expect(back.greet()).toBe('hello ada');
    expect(back.createdAt).toEqual(new Date(1234));
    expect(back.address).toBeInstanceOf(Address);
    expect(back.previous[0]).toBeInstanceOf(Address);
    expect(back.previous[0]!.city).toBe('Paris');
    again.close();
  });
});
