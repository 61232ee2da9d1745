/**
 * A second physical copy of class-transformer (a linked package, a monorepo with one copy per
 * package): classes decorated through it are refused with a CodecError that says two copies
 * are loaded, instead of coming back as plain objects. The copy is made for real: the
 * package directory copied into a temp dir (beside no other package: it needs none) and
 * loaded with Node's `require`; `afterAll` unloads it and removes the temp dir.
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { Exclude, Type } from 'class-transformer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codecs } from '../../../src/codec/index.js';
import { CodecError } from '../../../src/util/index.js';
import { thrownBy } from '../../support/thrown.js';

type ClassTransformer = typeof import('class-transformer');

const requireHere = createRequire(import.meta.url);
const ourPackageDir = path.dirname(requireHere.resolve('class-transformer/package.json'));
let copyRoot = '';
let foreign: ClassTransformer;

beforeAll(() => {
  copyRoot = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'stowage-ct-copy-')));
  const target = path.join(copyRoot, 'node_modules', 'class-transformer');
  fs.cpSync(fs.realpathSync(ourPackageDir), target, { recursive: true });
  foreign = createRequire(path.join(copyRoot, 'index.js'))('class-transformer') as ClassTransformer;
});

afterAll(() => {
  for (const loaded of Object.keys(requireHere.cache)) {
    if (loaded.startsWith(copyRoot)) Reflect.deleteProperty(requireHere.cache, loaded);
  }
  fs.rmSync(copyRoot, { recursive: true, force: true });
});

class Address {
  city = '';
}

function expectTwoCopies(error: unknown, className: string): void {
  expect(error).toBeInstanceOf(CodecError);
  const message = (error as CodecError).message;
  expect(message).toMatch(/two copies of class-transformer are loaded/);
  expect(message).toContain(className);
  expect(message).toContain(copyRoot);
  expect(message).toMatch(/npm dedupe/);
}

describe('codecs.classOf with a second copy of class-transformer', () => {
  it('loads a physically separate copy (guard)', () => {
    expect(foreign.Type).not.toBe(Type);
    expect(requireHere.resolve('class-transformer')).not.toContain(copyRoot);
  });

  it('refuses a class decorated through the other copy when the codec is made', () => {
    class Customer {
      name = '';
      @foreign.Type(() => Address) address = new Address();
    }
    expectTwoCopies(thrownBy(() => codecs.classOf(Customer)), 'Customer');
  });

  it('refuses a nested @Type class decorated through the other copy', () => {
    class Card {
      @foreign.Exclude() pin = '0000';
    }
    class Wallet {
      @Type(() => Card) card = new Card();
    }
    expectTwoCopies(thrownBy(() => codecs.classOf(Wallet)), 'Card');
  });

  it('refuses at first encode a nested class declared after the codec was made', () => {
    class Order {
      // The type function cannot run before `Line` is declared (temporal dead zone).
      @Type(() => Line) line: unknown = null;
    }
    const codec = codecs.classOf(Order);
    class Line {
      @foreign.Type(() => Date) at = new Date(0);
    }
    const order = new Order();
    order.line = new Line();
    expectTwoCopies(thrownBy(() => codec.encode(order)), 'Line');
  });

  it('refuses at encode an instance of such a class in an undecorated field', () => {
    class Secret {
      @foreign.Exclude() token = 'hidden';
    }
    class Box {
      content: unknown = null;
    }
    const box = new Box();
    box.content = new Secret();
    expectTwoCopies(thrownBy(() => codecs.classOf(Box).encode(box)), 'Secret');
  });

  it('does not look into an @Exclude field, which is never written', () => {
    class Secret {
      @foreign.Exclude() token = 'hidden';
    }
    class Holder {
      @Exclude() secret: unknown = null;
      name = '';
    }
    const holder = Object.assign(new Holder(), { name: 'kept', secret: new Secret() });
    const codec = codecs.classOf(Holder);
    const output = codec.decode(codec.encode(holder));
    expect(output.name).toBe('kept');
    expect(output.secret).toBeNull();
  });

  it('still accepts classes decorated through our copy while the other one is loaded', () => {
    class Account {
      @Exclude() session = 'not stored';
      @Type(() => Address) address = new Address();
    }
    const input = Object.assign(new Account(), { session: 'live' });
    input.address.city = 'Lisbon';
    const codec = codecs.classOf(Account);
    const output = codec.decode(codec.encode(input));
    expect(output.address).toBeInstanceOf(Address);
    expect(output.address.city).toBe('Lisbon');
    expect(output.session).toBe('not stored');
  });
});
