import { ErrorCode, LogxpyError } from "./errors";
import { describe } from "./levels";

export function atMost(value: number, max: number, name: string): number {
  if (value > max) throw new LogxpyError(ErrorCode.OPTION, `${name} must be at most ${max}; got ${value}`);
  return value;
}

export function positiveInt(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new LogxpyError(ErrorCode.OPTION, `${name} must be a whole number of at least 1; got ${describe(value)}`);
  }
  return value;
}

/** `value` when it is a boolean, `fallback` when absent; otherwise a `LOGXPY_ERR_OPTION` naming the option. */
export function boolOption(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new LogxpyError(ErrorCode.OPTION, `${name} must be true or false; got ${describe(value)}`);
  }
  return value;
}

export function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    throw new LogxpyError(ErrorCode.OPTION, `${name} must be one of ${allowed.join(", ")}; got ${describe(value)}`);
  }
  return value as T;
}

/** Checks that `value` is an object (not an array), or absent. */
export function plainObject(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new LogxpyError(ErrorCode.OPTION, `${name} must be an object of fields; got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** `value` when it is an array, `[]` when absent; otherwise a `LOGXPY_ERR_OPTION` naming the option. */
export function arrayOption<T>(value: unknown, name: string): readonly T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new LogxpyError(ErrorCode.OPTION, `${name} must be an array; got ${describe(value)}`);
  }
  return value as T[];
}

export function functionOption<F>(value: unknown, name: string): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "function") {
    throw new LogxpyError(ErrorCode.OPTION, `${name} must be a function; got ${describe(value)}`);
  }
  return value as F;
}

/** A `LOGXPY_ERR_OPTION` for the first key of `options` not in `known`, listing the known ones. */
export function rejectUnknown(options: object, known: Set<string>, where: string): void {
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      throw new LogxpyError(ErrorCode.OPTION, `${where}: unknown option ${JSON.stringify(key)}; known options are ${[...known].join(", ")}`);
    }
  }
}
