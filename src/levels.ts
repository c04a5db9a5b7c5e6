import { ErrorCode, LogxpyError } from "./errors";

/**
 * The seven levels, with the Python logxpy's numeric values so thresholds
 * compare the same way in both.
 *
 * @example
 * LEVELS.warning > LEVELS.info; // true
 */
export const LEVELS = {
  debug: 10,
  info: 20,
  success: 25,
  note: 26,
  warning: 30,
  error: 40,
  critical: 50,
} as const;

/** A level name: `"debug" | "info" | "success" | "note" | "warning" | "error" | "critical"`. */
export type LevelName = keyof typeof LEVELS;

/** The level names in increasing order of severity. */
export const LEVEL_NAMES = Object.keys(LEVELS) as LevelName[];

/**
 * The numeric threshold for a level name; throws `LOGXPY_ERR_LEVEL` for anything else.
 *
 * @example
 * levelValue("warning"); // 30
 */
export function levelValue(name: unknown): number {
  if (typeof name === "string" && Object.hasOwn(LEVELS, name.toLowerCase())) {
    return LEVELS[name.toLowerCase() as LevelName];
  }
  throw new LogxpyError(ErrorCode.LEVEL, `level must be one of ${LEVEL_NAMES.join(", ")}; got ${describe(name)}`);
}

/** A short, safe description of a bad option value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "an array" : "an object";
}
