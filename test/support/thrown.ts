/**
 * `thrownBy`: the error an action throws, for tests that inspect its fields; an action that
 * does not throw fails the test.
 */
export function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** The error an action throws, checked to be an instance of `type`. */
export function errorOf<T>(action: () => unknown, type: abstract new (...args: never[]) => T): T {
  const error = thrownBy(action);
  if (!(error instanceof type)) {
    throw new Error(`expected a ${type.name}, got ${String(error)}`, { cause: error });
  }
  return error;
}
