import { ErrorCode, LogxpyError } from "../errors";
import { LEVELS, levelValue } from "../levels";
import { type Entry, withFields } from "./entry";
import { ActionNode, type Task } from "./task";
import { parseDuration, parseInstant } from "./time-spec";

/** What the filter options say, as given on the command line. */
export interface FilterOptions {
  task?: string;
  action?: string;
  status?: string;
  level?: string;
  since?: string;
  until?: string;
  minDuration?: string;
  maxDuration?: string;
  field?: string[];
  has?: string[];
  grep?: string;
}

/** A message or an action of a task: what a filter looks at. */
export type Item = ActionNode | Entry;

type Test = (item: Item) => boolean;

const STATUSES = new Set(["started", "succeeded", "failed"]);

/**
 * Decides which tasks are shown: a task is shown when one of its messages or
 * actions passes every test given (all tests on one item, so `--action db:*
 * --status failed` means a failed db action, not any failure in a task that
 * has a db action).
 *
 * @example
 * const f = TaskFilter.from({ action: "db:*", status: "failed" }, Date.now() / 1000);
 * if (f.matches(task)) render(task);
 */
export class TaskFilter {
  readonly #tests: Test[];
  readonly #task: string | undefined;

  private constructor(tests: Test[], task: string | undefined) {
    this.#tests = tests;
    this.#task = task;
  }

  /** Builds the filter; a bad value throws a `LOGXPY_ERR_USAGE` error naming the option. */
  static from(o: FilterOptions, nowSeconds: number): TaskFilter {
    const tests: Test[] = [];
    if (o.action !== undefined) {
      const match = typeMatcher(o.action);
      tests.push((i) => i instanceof ActionNode && match(i.type ?? ""));
    }
    if (o.status !== undefined) {
      if (!STATUSES.has(o.status)) throw usage(`--status must be started, succeeded or failed; got ${JSON.stringify(o.status)}`);
      const want = o.status;
      tests.push((i) => i instanceof ActionNode && i.status === want);
    }
    if (o.level !== undefined) {
      let min: number;
      try {
        min = levelValue(o.level);
      } catch (err) {
        throw usage(`--level: ${(err as Error).message}`);
      }
      tests.push((i) => severity(i) >= min);
    }
    const since = o.since === undefined ? undefined : instant("--since", o.since, nowSeconds);
    const until = o.until === undefined ? undefined : instant("--until", o.until, nowSeconds);
    if (since !== undefined) tests.push((i) => (time(i) ?? -Infinity) >= since);
    if (until !== undefined) tests.push((i) => (time(i) ?? Infinity) <= until);
    const minDur = o.minDuration === undefined ? undefined : duration("--min-duration", o.minDuration);
    const maxDur = o.maxDuration === undefined ? undefined : duration("--max-duration", o.maxDuration);
    if (minDur !== undefined) tests.push((i) => i instanceof ActionNode && (i.duration ?? -1) >= minDur);
    if (maxDur !== undefined) tests.push((i) => i instanceof ActionNode && i.duration !== undefined && i.duration <= maxDur);
    for (const spec of o.field ?? []) {
      const eq = spec.indexOf("=");
      if (eq <= 0) throw usage(`--field takes key=value; got ${JSON.stringify(spec)}`);
      const path = spec.slice(0, eq).split(".");
      const want = spec.slice(eq + 1);
      tests.push((i) => {
        const got = lookup(view(i), path);
        return got !== undefined && (typeof got === "string" ? got : JSON.stringify(got)) === want;
      });
    }
    for (const key of o.has ?? []) {
      const path = key.split(".");
      tests.push((i) => lookup(view(i), path) !== undefined);
    }
    if (o.grep !== undefined) {
      const needle = o.grep;
      tests.push((i) => words(view(i)).some((w) => w.includes(needle)));
    }
    return new TaskFilter(tests, o.task?.replace(/@\/.*$/, ""));
  }

  /** True when record tests were given, so `--only` has something to keep. */
  get selective(): boolean {
    return this.#tests.length > 0;
  }

  /** True when the task is to be shown. */
  matches(task: Task): boolean {
    if (this.#task !== undefined && task.tid !== this.#task) return false;
    return this.#tests.length === 0 || this.#any(task.root);
  }

  /** True when the item passes every test. */
  passes(item: Item): boolean {
    return this.#tests.every((t) => t(item));
  }

  #any(node: ActionNode): boolean {
    if ((node.start !== undefined || node.end !== undefined) && this.passes(node)) return true;
    for (const c of node.children) {
      if (c.item instanceof ActionNode ? this.#any(c.item) : this.passes(c.item)) return true;
    }
    return false;
  }
}

/**
 * True when `keep` accepts the action or something under it (`--only` draws
 * the actions leading to a kept record).
 *
 * @example
 * wanted(task.root, (i) => filter.passes(i));
 */
export function wanted(node: ActionNode, keep: (item: Item) => boolean): boolean {
  if (keep(node)) return true;
  return node.children.some((c) => (c.item instanceof ActionNode ? wanted(c.item, keep) : keep(c.item)));
}

/**
 * An item's own values under logxpy's names, then its user fields (renamed
 * where they have an own value's name, as in an export): what `--field`,
 * `--has` and `--grep` look in.
 */
export function view(i: Item): Record<string, unknown> {
  if (i instanceof ActionNode) {
    const end = i.end;
    return withFields({ at: i.type, st: i.status, dur: i.duration, exc: end?.exc, reason: end?.reason }, i.fields);
  }
  return withFields({ mt: i.mt, msg: i.msg, exc: i.exc, reason: i.reason }, i.fields);
}

/**
 * The value at a dotted path (split on its dots), or undefined.
 *
 * @example
 * lookup({ user: { id: 7 } }, ["user", "id"]); // 7
 */
export function lookup(value: unknown, path: readonly string[]): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** The keys and values in a value, strings as they are (not JSON-escaped), for `--grep`. */
function words(value: unknown, out: string[] = []): string[] {
  if (value === null || typeof value !== "object") {
    if (value !== undefined) out.push(typeof value === "string" ? value : String(value));
    return out;
  }
  for (const [k, v] of Object.entries(value)) {
    if (!Array.isArray(value)) out.push(k);
    words(v, out);
  }
  return out;
}

/** A message's level value; a failed action or a record with an exception counts as an error. */
function severity(i: Item): number {
  if (i instanceof ActionNode) return i.status === "failed" ? LEVELS.error : LEVELS.info;
  if (i.mt !== undefined && Object.hasOwn(LEVELS, i.mt)) return LEVELS[i.mt as keyof typeof LEVELS];
  return i.exc !== undefined ? LEVELS.error : LEVELS.info;
}

function time(i: Item): number | undefined {
  return i instanceof ActionNode ? i.start?.ts ?? i.end?.ts : i.ts;
}

/**
 * `/regex/`, or a glob: `*` any run of characters (also `/` and `:`, action
 * types are not paths), `?` one character, everything else itself.
 */
function typeMatcher(spec: string): (type: string) => boolean {
  const re = /^\/(.*)\/([a-z]*)$/.exec(spec);
  if (re !== null) {
    try {
      const r = new RegExp(re[1]!, re[2]);
      return (t) => r.test(t);
    } catch (err) {
      throw usage(`--action: ${(err as Error).message}`);
    }
  }
  const glob = new RegExp(`^${spec.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "s");
  return (t) => glob.test(t);
}

function instant(option: string, text: string, now: number): number {
  const t = parseInstant(text, now);
  if (t === undefined) throw usage(`${option} takes an ISO date-time or a duration ago such as 10m; got ${JSON.stringify(text)}`);
  return t;
}

function duration(option: string, text: string): number {
  const d = parseDuration(text);
  if (d === undefined) throw usage(`${option} takes a duration such as 250ms or 2s; got ${JSON.stringify(text)}`);
  return d;
}

/** A command-line error with the usage code. */
export function usage(message: string): LogxpyError {
  return new LogxpyError(ErrorCode.USAGE, message);
}
