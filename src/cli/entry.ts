/**
 * One record of any of the four formats the reader accepts, under one set of
 * names: logxpy's compact format, logxpy's `format: "eliot"`, Eliot's own
 * files and the Python logxpy's files (compact names, plus `exception` and
 * `logxpy:traceback` from its decorators). A record is in Eliot's names when
 * it has `task_uuid`; the two naming schemes are never mixed in one record.
 */

/** A record with the reader's names; `fields` holds everything else, in file order. */
export interface Entry {
  readonly tid: string;
  readonly lvl: readonly number[];
  readonly ts: number | undefined;
  /** The action type, on action records only. */
  readonly at: string | undefined;
  readonly st: string | undefined;
  /** The message type (a level name for logxpy, anything for Eliot), on messages only. */
  readonly mt: string | undefined;
  readonly msg: string | undefined;
  readonly dur: number | undefined;
  readonly exc: string | undefined;
  readonly reason: string | undefined;
  readonly stack: string | undefined;
  readonly fields: Record<string, unknown>;
  readonly file: string;
  readonly line: number;
}

interface Names {
  readonly ts: string;
  readonly tid: string;
  readonly lvl: string;
  readonly mt: string;
  readonly msg: string;
  readonly at: string;
  readonly st: string;
  readonly dur: string;
  readonly exc: readonly string[];
  readonly stack: readonly string[];
}

const COMPACT: Names = {
  ts: "ts", tid: "tid", lvl: "lvl", mt: "mt", msg: "msg", at: "at", st: "st", dur: "dur",
  exc: ["exc", "exception"], stack: ["stack", "traceback", "logxpy:traceback"],
};

const ELIOT: Names = {
  ts: "timestamp", tid: "task_uuid", lvl: "task_level", mt: "message_type", msg: "message",
  at: "action_type", st: "action_status", dur: "duration", exc: ["exception"], stack: ["traceback"],
};

/**
 * The deepest task level read. Deeper records are bad lines: drawing a tree
 * recurses once per level and builds every prefix of the path, so a single
 * line 10,000 levels deep (garbage, or a runaway recursion) would end the
 * reading with a stack overflow or exhaust memory. logxpy itself cannot
 * nest actions this deep without async recursion (Node's stack ends sync
 * nesting at about 1,200).
 */
export const MAX_LEVEL_DEPTH = 1000;

/** The own names of each scheme, made once: a set per record was a fifth of the reading time. */
const OWN = new Map<Names, ReadonlySet<string>>(
  [COMPACT, ELIOT].map((n) => [n, new Set([n.ts, n.tid, n.lvl, n.mt, n.msg, n.at, n.st, n.dur, "reason", ...n.exc, ...n.stack])]),
);

/**
 * The record a parsed JSON line holds, or the reason it is not one.
 *
 * @example
 * toEntry({ ts: 1.5, tid: "Xa.1", lvl: [1], mt: "info", msg: "hi", n: 1 }, "app.log", 3);
 * // { tid: "Xa.1", lvl: [1], mt: "info", msg: "hi", fields: { n: 1 }, file: "app.log", line: 3, ... }
 * toEntry([1, 2], "app.log", 4); // "not a JSON object"
 */
export function toEntry(value: unknown, file: string, line: number): Entry | string {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "not a JSON object";
  const rec = value as Record<string, unknown>;
  const n = Object.hasOwn(rec, "task_uuid") ? ELIOT : COMPACT;
  const tid = rec[n.tid];
  if (typeof tid !== "string" || tid === "") return "a record without a task id";
  const lvl = rec[n.lvl];
  // An empty level is the Python logxpy's for a message inside an Eliot action; the task places it.
  if (!Array.isArray(lvl) || !lvl.every((i) => Number.isSafeInteger(i) && i >= 1)) {
    return "a record without a task level (a list of positive integers)";
  }
  if (lvl.length > MAX_LEVEL_DEPTH) return `a task level deeper than ${MAX_LEVEL_DEPTH} levels`;
  const taken = OWN.get(n)!;
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(rec)) if (!taken.has(key)) put(fields, key, rec[key]);
  const at = rec[n.at];
  const isAction = at !== undefined && at !== null;
  const pick = (keys: readonly string[]): string | undefined => {
    for (const k of keys) if (rec[k] !== undefined && rec[k] !== null) return text(rec[k]);
    return undefined;
  };
  const ts = rec[n.ts];
  const dur = rec[n.dur];
  return {
    tid,
    lvl: lvl as number[],
    ts: typeof ts === "number" && Number.isFinite(ts) ? ts : undefined,
    at: isAction ? text(at) : undefined,
    st: isAction ? text(rec[n.st] ?? "") : undefined,
    mt: isAction ? undefined : text(rec[n.mt] ?? ""),
    msg: rec[n.msg] === undefined ? undefined : text(rec[n.msg]),
    dur: typeof dur === "number" && Number.isFinite(dur) ? dur : undefined,
    exc: pick(n.exc),
    reason: pick(["reason"]),
    stack: pick(n.stack),
    fields,
    file,
    line,
  };
}

/** logxpy's compact names of a record's own values, in the order its writer writes them. */
export const OWN_NAMES = ["ts", "tid", "lvl", "mt", "msg", "at", "st", "dur", "exc", "reason", "stack"] as const;

const OWN_SET: ReadonlySet<string> = new Set(OWN_NAMES);

/**
 * `own`, then the user fields; a field named like one of {@link OWN_NAMES}
 * (an Eliot-format record may hold a `ts` or a `msg` of the user's) is
 * renamed as logxpy's writer renames it, `_ts`, one more underscore while
 * that name is taken, so it never hides the record's own value.
 *
 * @example
 * withFields({ msg: "hello" }, { msg: "mine", n: 1 }); // { msg: "hello", _msg: "mine", n: 1 }
 */
export function withFields(own: Record<string, unknown>, fields: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(fields)) {
    let name = k;
    if (OWN_SET.has(k)) {
      name = "_" + k;
      while (OWN_SET.has(name) || Object.hasOwn(fields, name)) name = "_" + name;
    }
    put(own, name, v);
  }
  return own;
}

/**
 * Sets `obj[key]`, a key named `"__proto__"` too (logxpy writes it as an
 * ordinary key): assigning that one would set the object's prototype and
 * lose the field. Only that key pays for defineProperty.
 *
 * @example
 * put(fields, "__proto__", { p: 1 }); // Object.keys(fields) includes "__proto__"
 */
export function put(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
