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
