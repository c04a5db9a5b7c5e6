/** Seconds per unit of a duration such as `250ms`, `10m` or `1.5h`. */
const UNITS: Record<string, number> = { us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Seconds in a duration text: a number with a unit (`us ms s m h d`); a bare
 * number is seconds. Undefined when it is not one.
 *
 * @example
 * parseDuration("250ms"); // 0.25
 * parseDuration("10m");   // 600
 */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|h|d)?$/.exec(text.trim());
  if (m === null) return undefined;
  return Number(m[1]) * UNITS[m[2] ?? "s"]!;
}

/**
 * A point in time in Unix seconds: an ISO 8601 date or date-time, or a
 * duration meaning that long before `nowSeconds` (`10m` is ten minutes ago).
 *
 * @example
 * parseInstant("2026-12-01T14:00:00Z", 0); // 1796133600
 * parseInstant("10m", 1000);               // 400
 */
export function parseInstant(text: string, nowSeconds: number): number | undefined {
  const ago = parseDuration(text);
  if (ago !== undefined) return nowSeconds - ago;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}
