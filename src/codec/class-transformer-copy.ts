/**
 * The class-transformer copy `codecs.classOf` works with, its decorator metadata, and the
 * check that a class was not decorated through another copy of the package.
 *
 * Layer: codec (rank 1). Imports util only (plus the class-transformer package and Node's
 * built-in `node:module`).
 *
 * class-transformer keeps the metadata of `@Type`, `@Expose`, `@Exclude` and `@Transform` in
 * a module-level `defaultMetadataStorage`. When two physical copies of the package are loaded
 * (a linked package, a monorepo whose packages each install one), a class decorated through
 * one copy is invisible to the other: nested classes come back as plain objects and
 * `@Exclude` fields are written, with no error. Node keeps every CommonJS module it loaded in
 * `require.cache`, keyed by real path, which is where the other copies are found.
 *
 * Invariants:
 * 1. `metadataStorage` is the storage of the copy that `import 'class-transformer'` loads
 *    from this file's location (the same resolution, so the same module instance).
 * 2. `assertOneCopy(type)` throws CodecError when any class on `type`'s prototype chain has
 *    metadata of its own in another loaded copy's storage; it names both copies and the fix.
 *    A class that passed is remembered and not checked again.
 * 3. A copy that is not in `require.cache` (a bundled or ESM-only build) cannot be seen; the
 *    check then passes, as it did before it existed.
 */
import { createRequire } from 'node:module';
import { TransformationType } from 'class-transformer';
import { CodecError } from '../util/index.js';

/** The part of class-transformer 0.5's `TypeMetadata` the codec reads. */
export interface TypeMetadataView {
  readonly typeFunction?: (options?: unknown) => unknown;
  readonly reflectedType?: unknown;
  readonly options?: { readonly discriminator?: { readonly subTypes?: unknown } };
}

/** The part of class-transformer 0.5's `MetadataStorage` the codec reads. */
interface MetadataStorageView {
  findTypeMetadata(target: Function, propertyName: string): TypeMetadataView | undefined;
  getExposedProperties(target: Function, type: number): string[];
  getExcludedProperties(target: Function, type: number): string[];
  getStrategy(target: Function): string;
  findTransformMetadatas(target: Function, propertyName: string, type: number): unknown[];
}

type AnyClass = Function & { readonly prototype: unknown };

const STORAGE_MODULE = 'class-transformer/cjs/storage.js';
/** The storage module of any copy, in any of the package's builds. */
const STORAGE_PATH = /[\\/]class-transformer[\\/](?:cjs|esm5|esm2015)[\\/]storage\.js$/;
/** The private maps of `MetadataStorage`, keyed by the decorated class. */
const METADATA_MAPS = [
  '_typeMetadatas', '_exposeMetadatas', '_excludeMetadatas', '_transformMetadatas',
] as const;

const requireHere = createRequire(import.meta.url);
const ourStoragePath = requireHere.resolve(STORAGE_MODULE);
const ourStorage = (requireHere(STORAGE_MODULE) as { defaultMetadataStorage: unknown })
  .defaultMetadataStorage as MetadataStorageView;
const checkedClasses = new WeakSet<Function>();

/** What the encode path needs to know of one property's metadata (our copy, inherited too). */
interface FieldMetadata {
  /** The design type a `@Type` decorator recorded, if the property has one. */
  readonly reflectedType: unknown;
  /** Whether a `@Transform` applies when writing the plain form. */
  readonly plainTransform: boolean;
}

interface ClassMetadata {
  /** The properties class-transformer reads besides own enumerable ones (`@Expose`). */
  readonly exposed: readonly string[];
  /** The properties it does not read (`@Exclude`). */
  readonly excluded: ReadonlySet<string>;
  /** Whether it reads only the exposed properties (`@Exclude()` on the class). */
  readonly exposedOnly: boolean;
  readonly fields: Map<string, FieldMetadata>;
}

/**
 * Lookups cached per class: class-transformer's own lookups walk the ancestors and build
 * arrays on every call, and a class's decorators have all run before its first encode.
 */
const metadataByClass = new WeakMap<Function, ClassMetadata>();

function classMetadata(owner: Function): ClassMetadata {
  let found = metadataByClass.get(owner);
  if (found === undefined) {
    const toPlain = TransformationType.CLASS_TO_PLAIN;
    found = {
      exposed: ourStorage.getExposedProperties(owner, toPlain),
      excluded: new Set(ourStorage.getExcludedProperties(owner, toPlain)),
      exposedOnly: ourStorage.getStrategy(owner) === 'excludeAll',
      fields: new Map(),
    };
    metadataByClass.set(owner, found);
  }
  return found;
}

/** The `@Type` and `@Transform` metadata of `owner.key` that the encode path reads. */
export function fieldMetadata(owner: Function, key: string): FieldMetadata {
  const { fields } = classMetadata(owner);
  let found = fields.get(key);
  if (found === undefined) {
    const transforms = ourStorage.findTransformMetadatas(
      owner, key, TransformationType.CLASS_TO_PLAIN,
    );
    found = {
      reflectedType: ourStorage.findTypeMetadata(owner, key)?.reflectedType,
      plainTransform: transforms.length > 0,
    };
    fields.set(key, found);
  }
  return found;
}

/** The properties of an `owner` instance that class-transformer reads to write its plain form. */
export function plainProperties(owner: Function, instance: object): string[] {
  const { exposed, excluded, exposedOnly } = classMetadata(owner);
  const keys = new Set(exposedOnly ? exposed : [...Object.keys(instance), ...exposed]);
  return [...keys].filter((key) => !excluded.has(key));
}

/** The `@Type` metadata entries declared on `owner` itself in our copy. */
function ownTypeMetadatas(owner: Function): TypeMetadataView[] {
  const byProperty = ownEntries(ourStorage, '_typeMetadatas', owner);
  return byProperty === undefined ? [] : [...byProperty.values()] as TypeMetadataView[];
}

/**
 * Throws CodecError when a class on `type`'s prototype chain was decorated through another
 * copy of class-transformer (invariant 2). `context` names the codec in the message.
 */
export function assertOneCopy(type: Function, context: string): void {
  if (checkedClasses.has(type)) return;
  const foreign = foreignStorages();
  for (let at: unknown = type; isClass(at); at = Object.getPrototypeOf(at)) {
    for (const { path, storage } of foreign) {
      if (!METADATA_MAPS.some((map) => ownEntries(storage, map, at as AnyClass))) continue;
      throw new CodecError(twoCopiesMessage(context, (at as AnyClass).name, path));
    }
  }
  checkedClasses.add(type);
}

/**
 * `assertOneCopy` for `root` and every class its `@Type` decorators name, transitively.
 * A type function that cannot run yet (a class declared later, a function of the value) is
 * skipped: the encode path checks the classes of the instances it meets as well.
 */
export function assertTypeGraphOneCopy(root: Function, context: string): void {
  const pending: Function[] = [root];
  const seen = new Set<Function>(pending);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    assertOneCopy(next, context);
    for (let at: unknown = next; isClass(at); at = Object.getPrototypeOf(at)) {
      for (const named of namedTypes(ownTypeMetadatas(at))) {
        if (seen.has(named)) continue;
        seen.add(named);
        pending.push(named);
      }
    }
  }
}

function namedTypes(metadatas: readonly TypeMetadataView[]): Function[] {
  const named: unknown[] = [];
  for (const metadata of metadatas) {
    try {
      named.push(metadata.typeFunction?.());
    } catch {
      // The type function needs its options or a later declaration; see the doc comment.
    }
    const subTypes = metadata.options?.discriminator?.subTypes;
    if (Array.isArray(subTypes)) {
      for (const subType of subTypes) named.push((subType as { value?: unknown }).value);
    }
  }
  return named.filter(isClass);
}

function twoCopiesMessage(context: string, className: string, foreignPath: string): string {
  return `${context}: two copies of class-transformer are loaded; the decorators of ` +
    `${className || 'an anonymous class'} were registered with the copy in ` +
    `${packageDir(foreignPath)}, but stowage uses the copy in ${packageDir(ourStoragePath)}, ` +
    `which cannot see them (nested classes would come back as plain objects, @Exclude ` +
    `fields would be written). Install a single copy: depend on class-transformer from the ` +
    `application only (stowage declares it as a peer dependency), then run \`npm dedupe\` ` +
    `and check \`npm ls class-transformer\`.`;
}

function foreignStorages(): { path: string; storage: object }[] {
  const found: { path: string; storage: object }[] = [];
  for (const [path, loaded] of Object.entries(requireHere.cache)) {
    if (path === ourStoragePath || !STORAGE_PATH.test(path)) continue;
    const storage = (loaded?.exports as { defaultMetadataStorage?: unknown } | undefined)
      ?.defaultMetadataStorage;
    if (typeof storage === 'object' && storage !== null) found.push({ path, storage });
  }
  return found;
}

function ownEntries(
  storage: object,
  map: (typeof METADATA_MAPS)[number],
  owner: Function,
): Map<string, unknown> | undefined {
  const byClass = (storage as Record<string, unknown>)[map];
  if (!(byClass instanceof Map)) return undefined;
  const entries: unknown = byClass.get(owner);
  return entries instanceof Map && entries.size > 0 ? entries as Map<string, unknown> : undefined;
}

function isClass(value: unknown): value is AnyClass {
  return typeof value === 'function' && value !== Function.prototype;
}

function packageDir(storagePath: string): string {
  return storagePath.replace(/[\\/](?:cjs|esm5|esm2015)[\\/]storage\.js$/, '');
}
