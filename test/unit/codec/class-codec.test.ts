/**
 * Examples for `codecs.classOf`: real instances back (nested classes, Dates, Maps), schema
 * versions (added fields default, removed fields dropped, migrate, newer records refused).
 */
import 'reflect-metadata';
import { Exclude, Expose, Type } from 'class-transformer';
import { describe, expect, it } from 'vitest';
import { codecs } from '../../../src/codec/index.js';
import { CodecError, InvalidArgumentError } from '../../../src/util/index.js';
import { thrownBy } from '../../support/thrown.js';

class Address {
  street = '';
  city = '';

  static of(street: string, city: string): Address {
    const address = new Address();
    address.street = street;
    address.city = city;
    return address;
  }

  label(): string {
    return `${this.street}, ${this.city}`;
  }
}

class User {
  name = '';
  @Type(() => Date) createdAt: Date = new Date(0);
  @Type(() => Address) address: Address = new Address();
  @Type(() => Address) previous: Address[] = [];
  @Type(() => Address) places: Map<string, Address> = new Map();
  score = 0n;
  @Exclude() session = 'not stored';

  greet(): string {
    return `hello ${this.name}`;
  }
}

function sampleUser(): User {
  const user = new User();
  user.name = 'ada';
  user.createdAt = new Date(1_700_000_000_000);
  user.address = Address.of('1 Main St', 'Springfield');
  user.previous = [Address.of('2 Old Rd', 'Shelbyville')];
  user.places = new Map([['work', Address.of('3 Office Pk', 'Capital City')]]);
  user.score = 2n ** 70n;
  user.session = 'secret';
  return user;
}

describe('codecs.classOf', () => {
  it('sees decorator metadata (guard: the test transform must emit design:type)', () => {
    expect(Reflect.getMetadata('design:type', User.prototype, 'createdAt')).toBe(Date);
    expect(Reflect.getMetadata('design:type', User.prototype, 'places')).toBe(Map);
  });

  it('decodes a real instance with nested classes, Dates and Maps restored', () => {
    const codec = codecs.classOf(User);
    const output = codec.decode(codec.encode(sampleUser()));
    expect(output).toBeInstanceOf(User);
    expect(output.greet()).toBe('hello ada');
    expect(output.createdAt).toBeInstanceOf(Date);
    expect(output.createdAt.getTime()).toBe(1_700_000_000_000);
    expect(output.address).toBeInstanceOf(Address);
    expect(output.address.label()).toBe('1 Main St, Springfield');
    expect(output.previous[0]).toBeInstanceOf(Address);
    expect(output.places).toBeInstanceOf(Map);
    expect(output.places.get('work')).toBeInstanceOf(Address);
    expect(output.places.get('work')?.city).toBe('Capital City');
    expect(output.score).toBe(2n ** 70n);
    expect(output.session).toBe('not stored');
  });

  it('writes the tag byte and the version varint first', () => {
    const bytes = codecs.classOf(User, { version: 300 }).encode(sampleUser());
    expect([...bytes.subarray(0, 3)]).toEqual([0xc1, 0xac, 0x02]);
    expect(codecs.classOf(User).version).toBe(1);
  });

  it('refuses what is not an instance of the class', () => {
    const codec = codecs.classOf(User);
    for (const bad of [{ name: 'ada' }, new Address(), null, 'ada']) {
      const error = thrownBy(() => codec.encode(bad as User));
      expect(error).toBeInstanceOf(CodecError);
      expect((error as CodecError).message).toMatch(/instances of User/);
    }
  });

  it('refuses records that are not class records', () => {
    const codec = codecs.classOf(User);
    for (const bytes of [new Uint8Array(), codecs.value.encode({ name: 'x' }),
      Uint8Array.of(0xc1, 0x01, 0x00), Uint8Array.of(0xc1, 0x81)]) {
      expect(thrownBy(() => codec.decode(bytes))).toBeInstanceOf(CodecError);
    }
  });

  it('rejects bad options with InvalidArgumentError', () => {
    for (const version of [0, -1, 1.5, 2 ** 31]) {
      expect(thrownBy(() => codecs.classOf(User, { version }))).toBeInstanceOf(
        InvalidArgumentError,
      );
    }
    expect(thrownBy(() => codecs.classOf('User' as unknown as typeof User))).toBeInstanceOf(
      InvalidArgumentError,
    );
  });
});

describe('codecs.classOf schema evolution', () => {
  class ProfileV1 {
    name = '';
    age = 0;
    @Type(() => Date) born: Date = new Date(0);
  }

  class ProfileV2 {
    fullName = '';
    @Type(() => Date) born: Date = new Date(0);
    email = 'unknown@example.com';
  }

  function storedV1(): Uint8Array {
    const profile = new ProfileV1();
    profile.name = 'Grace';
    profile.age = 85;
    profile.born = new Date(Date.UTC(1906, 11, 9));
    return codecs.classOf(ProfileV1).encode(profile);
  }

  it('migrates an older record, defaults added fields and drops removed ones', () => {
    const calls: number[] = [];
    const codec = codecs.classOf(ProfileV2, {
      version: 2,
      migrate: (plain, fromVersion) => {
        calls.push(fromVersion);
        const { name, ...rest } = plain;
        return { ...rest, fullName: name };
      },
    });
    const output = codec.decode(storedV1());
    expect(calls).toEqual([1]);
    expect(output).toBeInstanceOf(ProfileV2);
    expect(output.fullName).toBe('Grace');
    expect(output.born).toBeInstanceOf(Date);
    expect(output.born.getUTCFullYear()).toBe(1906);
    expect(output.email).toBe('unknown@example.com');
    expect(Object.keys(output)).not.toContain('age');
    expect(Object.keys(output)).not.toContain('name');
  });

  it('without migrate, still defaults added fields and drops removed ones', () => {
    const output = codecs.classOf(ProfileV2, { version: 2 }).decode(storedV1());
    expect(output.email).toBe('unknown@example.com');
    expect(output.fullName).toBe('');
    expect('age' in output).toBe(false);
    expect('name' in output).toBe(false);
  });

  it('keeps undeclared fields when dropUnknown is false', () => {
    const output = codecs.classOf(ProfileV2, { dropUnknown: false }).decode(storedV1());
    expect((output as unknown as { age: number }).age).toBe(85);
  });

  it('does not run migrate for a record of the current version', () => {
    const codec = codecs.classOf(ProfileV1, {
      migrate: () => {
        throw new Error('must not run');
      },
    });
    expect(codec.decode(storedV1()).age).toBe(85);
  });

  it('refuses a record newer than the codec (version mismatch)', () => {
    const newer = codecs.classOf(ProfileV2, { version: 3 }).encode(new ProfileV2());
    const error = thrownBy(() => codecs.classOf(ProfileV2, { version: 2 }).decode(newer));
    expect(error).toBeInstanceOf(CodecError);
    expect((error as CodecError).message).toMatch(/version mismatch/);
    expect((error as CodecError).message).toMatch(/version 3/);
  });

  it('reports a failing or bad migrate as CodecError with the cause', () => {
    const failure = new Error('cannot migrate');
    const throwing = codecs.classOf(ProfileV2, {
      version: 2,
      migrate: () => {
        throw failure;
      },
    });
    const error = thrownBy(() => throwing.decode(storedV1()));
    expect(error).toBeInstanceOf(CodecError);
    expect((error as CodecError).cause).toBe(failure);
    const bad = codecs.classOf(ProfileV2, {
      version: 2,
      migrate: () => null as unknown as Record<string, unknown>,
    });
    expect(thrownBy(() => bad.decode(storedV1()))).toBeInstanceOf(CodecError);
  });

  it('keeps decorated fields that have no initialiser', () => {
    class Tagged {
      @Expose() label!: string;
      count = 0;
    }
    const input = new Tagged();
    input.label = 'kept';
    input.count = 3;
    const codec = codecs.classOf(Tagged);
    const output = codec.decode(codec.encode(input));
    expect(output.label).toBe('kept');
    expect(output.count).toBe(3);
  });

  it('reports a field structured clone refuses as CodecError', () => {
    class Holder {
      callback: unknown = null;
    }
    const holder = new Holder();
    holder.callback = Symbol('not clonable');
    const error = thrownBy(() => codecs.classOf(Holder).encode(holder));
    expect(error).toBeInstanceOf(CodecError);
    expect((error as CodecError).message).toMatch(/Holder/);
  });
});
