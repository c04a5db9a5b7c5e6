import { createColors } from "picocolors";
import { neutralise } from "../console-format";

/** The colour functions the renderers use; all identity functions when colour is off. */
export type Paint = ReturnType<typeof createColors>;

/**
 * Colour on when asked (`--color` / `--no-color`), else when standard output
 * is a terminal and `NO_COLOR` is not set (https://no-color.org).
 *
 * @example
 * const paint = colors(undefined, process.stdout.isTTY === true, process.env);
 */
export function colors(asked: boolean | undefined, tty: boolean, env: NodeJS.ProcessEnv): Paint {
  const on = asked ?? (tty && !env.NO_COLOR && env.TERM !== "dumb");
  return createColors(on);
}

/**
 * A value as one safe line: strings as they are, anything else as JSON,
 * control characters escaped (a record cannot move the cursor or forge a
 * line), cut to `max` characters with a marker saying how much was left out.
 *
 * @example
 * shown("a\x1b[2Jb", 100);      // "a\\x1b[2Jb"
 * shown("x".repeat(50), 10);   // "xxxxxxxxxx…(+40)"
 */
export function shown(value: unknown, max: number): string {
  const text = neutralise(typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value) ?? String(value));
  return text.length > max ? `${text.slice(0, max)}…(+${text.length - max})` : text;
}

/**
 * A duration in seconds, to three significant digits in a readable unit.
 *
 * @example
 * seconds(0.00123); // "1.23ms"
 * seconds(75);      // "1m15s"
 */
export function seconds(s: number): string {
  if (s < 1e-3) return `${+(s * 1e6).toPrecision(3)}µs`;
  if (s < 1) return `${+(s * 1e3).toPrecision(3)}ms`;
  if (s < 60) return `${+s.toPrecision(3)}s`;
  return `${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
}

/**
 * Unix seconds as an ISO 8601 UTC time with milliseconds, or `-` when unknown.
 *
 * @example
 * isoTime(1796133600.5); // "2026-12-01T14:00:00.500Z"
 */
export function isoTime(ts: number | undefined): string {
  return ts === undefined ? "-" : new Date(ts * 1000).toISOString();
}
