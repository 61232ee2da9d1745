/**
 * `describeValue`, `describeType`, `describeError` and `readOptions` (util): messages about
 * user values never throw and never call the values' own code, whatever the value; options
 * objects are read once, unknown names and unreadable options are `InvalidArgumentError`;
 * `optionNames` lists must name every option of their type (checked by the type checker).
 */
import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError, describeError, describeType, describeValue, optionNames, readOptions,
} from '../../../src/util/index.js';

function hostile(): unknown[] {
  const circular: Record<string, unknown> = {};
  circular['self'] = circular;
  const trap = () => { throw new Error('trap'); };
  const handler = {
    get: trap, has: trap, ownKeys: trap, getPrototypeOf: trap, getOwnPropertyDescriptor: trap,
  };
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const revokedArray = Proxy.revocable([], {});
  revokedArray.revoke();
  const namedBadly = () => 1;
  Object.defineProperty(namedBadly, 'name', { get: trap });
  return [
    10n, Symbol('s'), circular, Object.create(null), new Proxy({}, handler),
    new Proxy(function f() {}, handler), revocable.proxy, revokedArray.proxy, namedBadly,
    { toString: trap, valueOf: trap, [Symbol.toPrimitive]: trap }, [new Proxy({}, handler)],
    Object.assign(new Date(0), { getTime: trap, toISOString: trap }), 'x'.repeat(10_000),
  ];
}

describe('describeValue', () => {
  it('never throws and stays short, whatever the value', () => {
    for (const value of hostile()) {
      for (const describeIt of [describeValue, describeType, describeError]) {
        const text = describeIt(value);
        expect(typeof text).toBe('string');
        expect(text.length).toBeLessThanOrEqual(80);
      }
    }
  });

  it('shows plain values plainly', () => {
    expect(describeValue(10n)).toBe('10n');
    expect(describeValue(Symbol('s'))).toBe('Symbol(s)');
    expect(describeValue('abc')).toBe('"abc"');
    expect(describeValue(-0)).toBe('-0');
    expect(describeValue(new Date(0))).toBe('Date(1970-01-01T00:00:00.000Z)');
    expect(describeError(new Error('why'))).toBe('why');
  });
});

describe('readOptions', () => {
  const known = ['a', 'b'] as const;

  it('copies known options and rejects unknown names, non-objects and throwing getters', () => {
    expect(readOptions({ a: 1, b: undefined }, known, 'test options')).toEqual({ a: 1 });
    expect(readOptions(undefined, known, 'test options')).toEqual({});
    expect(() => readOptions({ c: 1 }, known, 'test options')).toThrow(/'c'|"c"/);
    for (const value of [null, 5, 'a', 10n, Symbol('s')]) {
      expect(() => readOptions(value, known, 'test options')).toThrow(InvalidArgumentError);
    }
    const getter = { get a(): number { throw new Error('boom'); } };
    expect(() => readOptions(getter, known, 'test options')).toThrow(/option 'a'.*boom/);
    for (const value of hostile().filter((v) => typeof v === 'object' && v !== null)) {
      try {
        readOptions(value, known, 'test options');
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidArgumentError);
      }
    }
  });
});

describe('optionNames', () => {
  interface Options { a?: number; b?: string }

  it('returns the complete list it is given, and the type checker refuses an incomplete one', () => {
    expect(optionNames<Options>()(['a', 'b'])).toEqual(['a', 'b']);
    // @ts-expect-error 'b' is missing: a list that lacks an option of the type fails to compile.
    const missing = optionNames<Options>()(['a']);
    // @ts-expect-error 'c' is not an option of the type.
    const extra = optionNames<Options>()(['a', 'b', 'c']);
    expect([missing, extra]).toEqual([['a'], ['a', 'b', 'c']]);
  });
});
