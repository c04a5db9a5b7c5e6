import { types } from "node:util";

const BUILTIN_ERROR_NAMES: ReadonlySet<string> = new Set([
  "Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError", "AggregateError",
]);

/**
 * The one rule for an error's type, used for `exc` (log.exception, failed
 * actions) and for `type` (an Error serialized as a value): `err.name`, or
 * the constructor's name when a subclass kept a built-in name such as "Error".
 *
 * @example
 * class HttpError extends Error { name = "NotFound"; }
 * errorType(new HttpError());        // "NotFound"
 * errorType(new (class DbError extends Error {})()); // "DbError"
 */
export function errorType(e: Error): string {
  const own: unknown = e.name;
  const name = typeof own === "string" && own !== "" ? own : "Error";
  const ctor: unknown = typeof e.constructor === "function" ? e.constructor.name : undefined;
  const isSubclass = typeof ctor === "string" && ctor !== "" && !BUILTIN_ERROR_NAMES.has(ctor);
  return isSubclass && BUILTIN_ERROR_NAMES.has(name) ? ctor : name;
}

/**
 * The type, message and stack of anything thrown, without throwing: an
 * exception or failed-action record's `exc`, `reason` and `stack`.
 *
 * @example
 * errorParts("plain text"); // { exc: "string", reason: "plain text", stack: undefined }
 */
export function errorParts(err: unknown): { exc: string; reason: string; stack: string | undefined } {
  try {
    if (err instanceof Error || types.isNativeError(err)) {
      const stack: unknown = err.stack;
      return { exc: errorType(err), reason: String(err.message), stack: typeof stack === "string" ? stack : undefined };
    }
    return { exc: err === null ? "null" : typeof err, reason: String(err), stack: undefined };
  } catch {
    return { exc: "unknown", reason: "(an error whose details could not be read)", stack: undefined };
  }
}
