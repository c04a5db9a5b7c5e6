import { ErrorCode, LogxpyError } from "./errors";
import { describe } from "./levels";

const UNIT_MS: Record<string, number> = {
  ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000,
};

/**
 * A duration in milliseconds from seconds (a number) or a string with a unit:
 * "250ms", "1s", "10µs", "5m".
 *
 * @example
 * durationMs("1.5s", "flushInterval", true); // 1500
 */
export function durationMs(value: unknown, name: string, zeroAllowed: boolean): number {
  let ms: number;
  if (typeof value === "number") {
    ms = value * 1000;
  } else if (typeof value === "string") {
    const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ns|us|µs|ms|s|m|min|h)?\s*$/.exec(value);
    if (!m) {
      throw new LogxpyError(ErrorCode.DURATION, `${name} must be seconds or a string such as "100ms" or "1s"; got ${describe(value)}`);
    }
    ms = Number(m[1]) * UNIT_MS[m[2] ?? "s"]!;
  } else {
    throw new LogxpyError(ErrorCode.DURATION, `${name} must be seconds or a string such as "100ms"; got ${describe(value)}`);
  }
  if (!Number.isFinite(ms) || ms < 0 || (!zeroAllowed && ms === 0) || ms > 86_400_000) {
    throw new LogxpyError(ErrorCode.DURATION, `${name} must be ${zeroAllowed ? "at least 0" : "more than 0"} and at most a day; got ${describe(value)}`);
  }
  return ms;
}

/** Bytes per unit; K, M and G are binary multiples, as log sizes usually are. */
const UNIT_BYTES: Record<string, number> = {
  b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2, gb: 1024 ** 3, gib: 1024 ** 3,
};

/**
 * A size in bytes from a number or a string with a unit: "500KB", "100MB",
 * "1.5GiB" (units are case-insensitive; KB and KiB are both 1024 bytes).
 * Fractions of a byte are dropped.
 *
 * @example
 * byteSize("100MB", "rotate.size"); // 104857600
 */
export function byteSize(value: unknown, name: string): number {
  let bytes: number;
  if (typeof value === "number") {
    bytes = value;
  } else if (typeof value === "string") {
    const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]+)?\s*$/i.exec(value);
    const unit = UNIT_BYTES[(m?.[2] ?? "b").toLowerCase()];
    if (!m || unit === undefined) {
      throw new LogxpyError(ErrorCode.OPTION, `${name} must be bytes or a string such as "500KB", "100MB" or "1GB"; got ${describe(value)}`);
    }
    bytes = Math.floor(Number(m[1]) * unit);
  } else {
    throw new LogxpyError(ErrorCode.OPTION, `${name} must be bytes or a string such as "100MB"; got ${describe(value)}`);
  }
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new LogxpyError(ErrorCode.OPTION, `${name} must be a whole number of bytes, at least 1; got ${describe(value)}`);
  }
  return bytes;
}
