import { ErrorCode, LogxpyError } from "./errors";

/**
 * The record levels, with the Python logxpy's numeric values so thresholds
 * compare the same way in both; `trace`, below `debug`, is Node's.
 *
 * @example
 * LEVELS.warning > LEVELS.info; // true
 */
export const LEVELS = {
  trace: 5,
  debug: 10,
  info: 20,
  success: 25,
  note: 26,
  warning: 30,
  error: 40,
  critical: 50,
} as const;

/** A record level: `"trace" | "debug" | "info" | "success" | "note" | "warning" | "error" | "critical"`. */
export type LevelName = keyof typeof LEVELS;

/**
 * What a threshold (`level` option, `log.level`) may be set to: a record
 * level, pino's names for two of them (`"warn"`, `"fatal"`), or `"silent"`
 * for nothing at all.
 */
export type ThresholdName = LevelName | "warn" | "fatal" | "silent";

/** The level names in increasing order of severity. */
export const LEVEL_NAMES = Object.keys(LEVELS) as LevelName[];

const ALIASES: Readonly<Record<string, LevelName>> = { warn: "warning", fatal: "critical" };

/**
 * A threshold name in one spelling: lower case, pino's aliases resolved;
 * throws `LOGXPY_ERR_LEVEL` for anything else.
 *
 * @example
 * thresholdName("WARN"); // "warning"
 */
export function thresholdName(name: unknown): LevelName | "silent" {
  if (typeof name === "string") {
    const lower = name.toLowerCase();
    if (Object.hasOwn(LEVELS, lower)) return lower as LevelName;
    if (Object.hasOwn(ALIASES, lower)) return ALIASES[lower]!;
    if (lower === "silent") return "silent";
  }
  throw new LogxpyError(ErrorCode.LEVEL, `level must be one of ${[...LEVEL_NAMES, "warn", "fatal", "silent"].join(", ")}; got ${describe(name)}`);
}

/**
 * The numeric threshold for a threshold name (`"silent"` is above every
 * level); throws `LOGXPY_ERR_LEVEL` for anything else.
 *
 * @example
 * levelValue("warning"); // 30
 */
export function levelValue(name: unknown): number {
  const canonical = thresholdName(name);
  return canonical === "silent" ? Number.POSITIVE_INFINITY : LEVELS[canonical];
}

/** A short, safe description of a bad option value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "an array" : "an object";
}
