/**
 * True for promises and promise-like values: what `syncMode`, `action` and
 * `logged` wait for before they end.
 *
 * @example
 * isThenable(Promise.resolve(1)); // true
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "function" || typeof value === "object") && typeof (value as { then?: unknown }).then === "function";
}
