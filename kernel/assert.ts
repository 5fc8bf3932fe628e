// Invariants asserted in the code as well as in tests (TigerBeetle's rule). A failed assertion is
// a bug: inside the control step it throws, and the runtime puts the outputs in their safe state.

export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}
