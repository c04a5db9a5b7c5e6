import { ErrorCode, LogxpyError } from "./errors";

/**
 * Names masked when `maskFields` is not given: the usual carriers of secrets.
 * Pass `maskFields: []` to mask nothing.
 *
 * @example
 * log.init("app.log", { maskFields: [...DEFAULT_MASK_FIELDS, "ssn", "users[*].pin"] });
 */
export const DEFAULT_MASK_FIELDS: readonly string[] = [
  "password",
  "passwd",
  "secret",
  "token",
  "accessToken",
  "refreshToken",
  "apiKey",
  "api_key",
  "authorization",
  "proxy-authorization",
  "x-api-key",
  "cookie",
  "set-cookie",
];

/**
 * What to hide in a line.
 *
 * @example
 * new Serializer({}, { names: ["password", /token/i, "req.headers.authorization"], patterns: [MASK_PATTERNS.jwt] });
 */
export interface MaskRules {
  /**
   * Members whose value is written as "***", whatever it is. A string is a
   * field name matched at any depth, ignoring ASCII case, or, when it holds
   * a "." or "[", a path from the record's fields (`"req.headers.authorization"`,
   * `"users[*].password"`; `*` is any key or index). A RegExp is tested
   * against field names at any depth.
   */
  names: ReadonlyArray<string | RegExp>;
  /** Every match inside any string value (the message included, keys excluded) is replaced by "***". */
  patterns: readonly RegExp[];
}

/**
 * Ready patterns for `maskPatterns`, for secrets that turn up inside text
 * (a header copied into a message, an error's text): add the ones you need.
 *
 * @example
 * log.init("app.log", { maskPatterns: [MASK_PATTERNS.bearerToken, MASK_PATTERNS.jwt] });
 */
export const MASK_PATTERNS = Object.freeze({
  /** `Bearer <token>` as in an Authorization header (the scheme word in any case). */
  bearerToken: /\bbearer\s+[A-Za-z0-9\-._~+/]+=*/i,
  /** A JSON Web Token: three base64url parts, the first starting `eyJ` (an encoded `{"`). */
  jwt: /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/,
  /** A payment card number: 13 to 19 digits, optionally grouped by spaces or dashes. */
  cardNumber: /\b\d(?:[ -]?\d){12,18}\b/,
});

/** One step of a mask path: a key (ASCII lower case), or `*` for any key or index. */
type PathStep = string;

/** A mask path and how far into it the current member is. */
export interface PathCursor {
  readonly steps: readonly PathStep[];
  readonly at: number;
}

const ASCII_UPPER_RUNS = /[A-Z]+/g;
const NON_ASCII = /[^\u0000-\u007f]/;

/** ASCII lower case: names match ignoring ASCII case, whatever other letters they hold. */
export function asciiLower(s: string): string {
  // toLowerCase is exact for ASCII text and far cheaper than a replace with a callback.
  return NON_ASCII.test(s) ? s.replace(ASCII_UPPER_RUNS, (run) => run.toLowerCase()) : s.toLowerCase();
}

/** True for a `names` string that is a path rather than a field name. */
export function isMaskPath(name: string): boolean {
  return name.includes(".") || name.includes("[");
}

/**
 * The steps of a path such as `"req.headers.authorization"`, `"users[*].password"`
 * or `'headers["x-api.key"]'`; throws `LOGXPY_ERR_OPTION` for one that cannot be read.
 *
 * @example
 * parseMaskPath("users[*].password"); // ["users", "*", "password"]
 */
export function parseMaskPath(path: string): PathStep[] {
  const bad = (at: number): LogxpyError =>
    new LogxpyError(ErrorCode.OPTION, `maskFields: cannot read the path ${JSON.stringify(path)} at character ${at + 1}; write it as "a.b", "a[*].b" or 'a["b.c"]'`);
  const steps: PathStep[] = [];
  let i = 0;
  while (i < path.length) {
    let step: string;
    if (path.startsWith('["', i)) {
      const close = path.indexOf('"]', i + 2);
      if (close < 0) throw bad(i);
      step = path.slice(i + 2, close);
      i = close + 2;
    } else if (path[i] === "[") {
      const close = path.indexOf("]", i);
      step = close < 0 ? "" : path.slice(i + 1, close);
      if (!/^(\*|\d+)$/.test(step)) throw bad(i);
      i = close + 1;
    } else {
      if (steps.length > 0 && path[i++] !== ".") throw bad(i - 1);
      step = /^[^.[\]"]*/.exec(path.slice(i))![0];
      if (step === "") throw bad(i);
      i += step.length;
    }
    steps.push(asciiLower(step));
  }
  return steps;
}

/** The paths among `names`, each at its first step, for the record's fields. */
export function pathCursors(names: MaskRules["names"]): PathCursor[] {
  return names.flatMap((n) => (typeof n === "string" && isMaskPath(n) ? [{ steps: parseMaskPath(n), at: 0 }] : []));
}

/**
 * Where the paths go past member `key`: `masked` when one ends there, else
 * the cursors for its value's members, or null when none goes on.
 */
export function advancePaths(cursors: readonly PathCursor[], key: string): { masked: boolean; next: PathCursor[] | null } {
  let next: PathCursor[] | null = null;
  let lower: string | undefined;
  for (const c of cursors) {
    const step = c.steps[c.at]!;
    if (step !== "*" && step !== key && step !== (lower ??= asciiLower(key))) continue;
    if (c.at + 1 === c.steps.length) return { masked: true, next: null };
    (next ??= []).push({ steps: c.steps, at: c.at + 1 });
  }
  return { masked: false, next };
}

/**
 * Field names compared by their ASCII lower-case form, and RegExps tested
 * against them. A key whose length no name has skips the set lookup by one
 * array read, which lowering and looking up every key costs far more than
 * (README, "Measurements behind the design"). The serializer caches the
 * answer per key, so a RegExp runs once per key.
 */
export function nameMatcher(names: MaskRules["names"]): ((key: string) => boolean) | undefined {
  const plain = names.filter((n): n is string => typeof n === "string" && !isMaskPath(n));
  const regexps = names.filter((n): n is RegExp => n instanceof RegExp).map(withoutState);
  if (plain.length === 0 && regexps.length === 0) return undefined;
  const lowered = new Set(plain.map(asciiLower));
  const hasLength: boolean[] = [];
  for (const name of lowered) hasLength[name.length] = true;
  const byName = (key: string): boolean => hasLength[key.length] === true && (lowered.has(key) || lowered.has(asciiLower(key)));
  return regexps.length === 0 ? byName : (key) => byName(key) || regexps.some((re) => re.test(key));
}

/** Every match of every pattern becomes "***": a pattern without the g flag is given it. */
export function redactor(patterns: readonly RegExp[]): ((s: string) => string) | undefined {
  if (patterns.length === 0) return undefined;
  const global = patterns.map((p) => new RegExp(p.source, p.flags.replace(/[gy]/g, "") + "g"));
  return (s) => {
    for (const re of global) s = s.replace(re, "***");
    return s;
  };
}

/** A copy without g or y, whose `test` keeps no position from one key to the next. */
function withoutState(re: RegExp): RegExp {
  return new RegExp(re.source, re.flags.replace(/[gy]/g, ""));
}
