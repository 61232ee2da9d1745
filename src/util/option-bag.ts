/**
 * Reading an options object a user passed in: `readOptions` checks that it is an object,
 * rejects names it does not know, and reads each known option once into a plain snapshot,
 * so that validation and use never touch the caller's object again.
 *
 * Layer: util (rank 0).
 *
 * Invariants:
 * 1. Every failure is `InvalidArgumentError` naming the option: an unknown name, a getter or
 *    proxy trap that throws, an argument that is not an object. Nothing else escapes.
 * 2. The snapshot holds only known names whose value is not `undefined`.
 * 3. Each call site keeps its list of known names in one constant next to its options type,
 *    made by `optionNames`, so a name the type gains and the list lacks fails to compile.
 */
import { InvalidArgumentError } from './errors.js';
import { describeError, describeValue } from './describe-value.js';

/** `Names` when it lists every key of `T`; otherwise a type no list is assignable to. */
type Complete<T, Names extends readonly PropertyKey[]> =
  Exclude<keyof T, Names[number]> extends never
    ? Names
    : { missingOptionNames: Exclude<keyof T, Names[number]> };

/**
 * The option names of options type `T`, checked at compile time to be every one of its keys:
 * `const NAMES = optionNames<PutOptions>()(['noOverwrite'])`.
 */
export function optionNames<T>() {
  return <const Names extends readonly (keyof T & string)[]>(
    names: Names & Complete<T, Names>,
  ): Names => names;
}

/**
 * A plain copy of the known options in `given` (`undefined` gives `{}`).
 * @param what names the options in messages: 'environment options', 'database config'...
 */
export function readOptions<K extends string>(
  given: unknown, known: readonly K[], what: string,
): Partial<Record<K, unknown>> {
  const out: Partial<Record<K, unknown>> = {};
  if (given === undefined) return out;
  if (typeof given !== 'object' || given === null) {
    throw new InvalidArgumentError(`${what} must be an object, got ${describeValue(given)}`);
  }
  let names: string[];
  try {
    names = Object.keys(given);
  } catch (error) {
    throw unreadable(what, error);
  }
  for (const name of names) {
    if (!(known as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(
        `unknown option ${describeValue(name)} in ${what} (known: ${known.join(', ')})`,
      );
    }
  }
  for (const name of known) {
    let value: unknown;
    try {
      value = (given as Record<string, unknown>)[name];
    } catch (error) {
      throw unreadable(`${what}: option '${name}'`, error);
    }
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function unreadable(what: string, error: unknown): InvalidArgumentError {
  return new InvalidArgumentError(
    `${what} could not be read (reading it threw ${describeError(error)})`, { cause: error },
  );
}
