/**
 * SGR codes that open and close each style. Written out rather than taken
 * from a colour library: the package has no runtime dependency, and these
 * ten are all the reader uses.
 */
const STYLES = {
  bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39],
  magenta: [35, 39], cyan: [36, 39], white: [37, 39], gray: [90, 39], bgRed: [41, 49],
} as const;

/** The colour functions the renderers use; all identity functions when colour is off. */
export type Paint = { readonly [K in keyof typeof STYLES]: (text: string) => string };

/**
 * Colour on when asked (`--color` / `--no-color`), else by `colourWanted`: `FORCE_COLOR` decides when set, else colour on a
 * terminal unless `NO_COLOR` (https://no-color.org), `NODE_DISABLE_COLORS`
 * or `TERM=dumb`.
 *
 * @example
 * const paint = colors(undefined, process.stdout.isTTY === true, process.env);
 * paint.green("ok"); // "\x1b[32mok\x1b[39m" on a terminal, "ok" when piped
 */
export function colors(asked: boolean | undefined, tty: boolean, env: NodeJS.ProcessEnv): Paint {
  const on = asked ?? colourWanted(env, () => tty);
  const paint = {} as Record<keyof typeof STYLES, (text: string) => string>;
  for (const [name, [open, close]] of Object.entries(STYLES) as [keyof typeof STYLES, readonly [number, number]][]) {
    paint[name] = on ? (text) => `\x1b[${open}m${text}\x1b[${close}m` : (text) => text;
  }
  return paint;
}

/**
 * Whether an output is coloured when nothing asks, by the rule
 * `util.styleText` follows (the console's too): `FORCE_COLOR` decides when
 * set (`""`, `1`, `2`, `3`, `true` on, anything else off); else not under
 * `NO_COLOR`, `NODE_DISABLE_COLORS` or `TERM=dumb`; else when `terminal()`
 * (asked only then) says the output is a colour terminal.
 *
 * @example
 * colourWanted({ FORCE_COLOR: "1" }, () => false); // true, even when piped
 */
export function colourWanted(env: NodeJS.ProcessEnv, terminal: () => boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return ["", "1", "2", "3", "true"].includes(force);
  if (env.NO_COLOR !== undefined || env.NODE_DISABLE_COLORS !== undefined || env.TERM === "dumb") return false;
  return terminal();
}

/**
 * The colour of a message's level name; cyan (info's) for a type that is
 * not a level, such as an Eliot message type.
 *
 * @example
 * levelColour("error", paint)("ERROR"); // red
 */
export function levelColour(mt: string, p: Paint): (text: string) => string {
  switch (mt) {
    case "debug": return p.gray;
    case "success": return p.green;
    case "note": return p.magenta;
    case "warning": return p.yellow;
    case "error": return p.red;
    case "critical": return (s) => p.bgRed(p.white(s));
    default: return p.cyan;
  }
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
 * Unix seconds as an ISO 8601 UTC time with milliseconds, or `-` when unknown;
 * a time no date can hold (microseconds written as seconds) as its number.
 *
 * @example
 * isoTime(1796133600.5); // "2026-12-01T14:00:00.500Z"
 * isoTime(1796133600000000); // "1796133600000000"
 */
export function isoTime(ts: number | undefined): string {
  if (ts === undefined) return "-";
  const date = new Date(ts * 1000);
  return Number.isNaN(date.getTime()) ? String(ts) : date.toISOString();
}

/** Shows C0/C1 control characters (ESC, CR, LF, BEL...) as visible escapes. */
export function neutralise(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`;
  });
}
