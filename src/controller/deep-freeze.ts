// Freezing a value and everything it holds: for values shared as immutable (validated settings, a
// status record whose facts are kept, a table handed out by identity), so that a write throws
// instead of changing what was judged or kept.

/** `value` frozen with every object it holds, in place; returned for chaining. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
