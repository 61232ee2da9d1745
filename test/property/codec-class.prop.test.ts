/**
 * Property tests of `codecs.classOf`, differential against structured clone: whatever a
 * class's undecorated field holds, the decoded field is what `v8.deserialize(v8.serialize())`
 * of the original gives, at every depth of a tree of `@Type` classes.
 *
 * Strategy: draw payloads from leaves (strings, doubles incl. -0 and NaN, bigints, booleans,
 * null, undefined, Dates), raw values (Uint8Array, Int32Array, Float64Array, Buffer, Map with
 * primitive keys, Set) and plain arrays and objects of these, nested; hang them on a tree of
 * `Node` instances whose children sit in a `@Type` array and a `@Type` Map. Object keys
 * leave out `__proto__` and `constructor`, which class-transformer skips by design; arrays
 * are dense (class-transformer compacts holes).
 *
 * Invariants:
 * 1. Every decoded node is a `Node`, with as many children and the same child names.
 * 2. Every decoded payload is deep-strictly equal (`util.isDeepStrictEqual`: classes, -0,
 *    Map keys, typed array kinds) to the structured clone of the original payload.
 *
 * Seed: FC_SEED (printed); runs: PROP_SCALE scales the default 200.
 */
import 'reflect-metadata';
import v8 from 'node:v8';
import { isDeepStrictEqual } from 'node:util';
import { Type } from 'class-transformer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codecs } from '../../src/codec/index.js';
import { propertySeed, scaled } from '../support/seed.js';

class Node {
  payload: unknown = null;
  @Type(() => Node) children: Node[] = [];
  @Type(() => Node) named: Map<string, Node> = new Map();
}

interface NodeShape {
  readonly payload: unknown;
  readonly children: readonly NodeShape[];
  readonly named: readonly (readonly [string, NodeShape])[];
}

const objectKey = fc.string({ maxLength: 6 })
  .filter((key) => key !== '__proto__' && key !== 'constructor');

const leaf = fc.oneof(
  fc.string({ maxLength: 8 }), fc.double(), fc.bigInt(), fc.boolean(), fc.constant(null),
  fc.constant(undefined), fc.date(),
);

const raw = fc.oneof(
  fc.uint8Array({ maxLength: 8 }),
  fc.int32Array({ maxLength: 4 }),
  fc.float64Array({ maxLength: 4 }),
  fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes)),
);

const { value: payload } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    raw,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(objectKey, tie('value'), { maxKeys: 4 }),
    fc.array(fc.tuple(leaf, tie('value')), { maxLength: 3 }).map((entries) => new Map(entries)),
    fc.array(tie('value'), { maxLength: 3 }).map((members) => new Set(members)),
  ),
}));

const { node: tree } = fc.letrec<{ node: NodeShape }>((tie) => ({
  node: fc.record({
    payload,
    children: fc.oneof(
      { depthSize: 'small' }, fc.constant([]), fc.array(tie('node'), { maxLength: 2 }),
    ),
    named: fc.oneof(
      { depthSize: 'small' },
      fc.constant([]),
      fc.uniqueArray(fc.tuple(objectKey, tie('node')), { maxLength: 2, selector: ([k]) => k }),
    ),
  }),
}));

function build(shape: NodeShape): Node {
  const node = new Node();
  node.payload = shape.payload;
  node.children = shape.children.map(build);
  node.named = new Map(shape.named.map(([name, child]) => [name, build(child)]));
  return node;
}

/**
 * `value` with every invalid `Date` replaced by a marker: `isDeepStrictEqual` compares dates
 * by `getTime()`, and NaN never equals NaN, so two invalid dates would differ.
 */
function markInvalidDates(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? { invalidDate: true } : value;
  if (Array.isArray(value)) return value.map(markInvalidDates);
  if (value instanceof Map) {
    return new Map([...value].map(([k, v]) => [markInvalidDates(k), markInvalidDates(v)]));
  }
  if (value instanceof Set) return new Set([...value].map(markInvalidDates));
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  const entries = Object.entries(value).map(([k, v]) => [k, markInvalidDates(v)]);
  const marked = Object.fromEntries(entries) as object;
  return Object.setPrototypeOf(marked, Object.getPrototypeOf(value)) as unknown;
}

/** The first difference between `actual` and the clone of `shape`, or null. */
function difference(actual: unknown, shape: NodeShape, at: string): string | null {
  if (!(actual instanceof Node)) return `${at} is not a Node`;
  const clone = v8.deserialize(v8.serialize(shape.payload));
  if (!isDeepStrictEqual(markInvalidDates(actual.payload), markInvalidDates(clone))) {
    return `${at}.payload differs`;
  }
  if (actual.children.length !== shape.children.length) return `${at}.children length`;
  for (const [index, child] of shape.children.entries()) {
    const found = difference(actual.children[index], child, `${at}.children[${index}]`);
    if (found !== null) return found;
  }
  if (!(actual.named instanceof Map) || actual.named.size !== shape.named.length) {
    return `${at}.named size`;
  }
  for (const [name, child] of shape.named) {
    const found = difference(actual.named.get(name), child, `${at}.named[${name}]`);
    if (found !== null) return found;
  }
  return null;
}

describe('codecs.classOf (property)', () => {
  it('decodes every payload of a Node tree as structured clone would', () => {
    const codec = codecs.classOf(Node);
    fc.assert(
      fc.property(tree, (shape) => {
        const decoded = codec.decode(codec.encode(build(shape)));
        expect(difference(decoded, shape, 'root')).toBeNull();
      }),
      { seed: propertySeed('codec-class'), numRuns: scaled(200) },
    );
  });
});
