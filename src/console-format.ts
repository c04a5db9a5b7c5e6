import { type Entry, toEntry } from "./cli/entry";
import { colors, levelColour, type Paint, seconds, shown } from "./cli/text";

/**
 * The console destination's human-readable form of records, rendered one at
 * a time as they arrive: the console cannot wait for a task to end, so a
 * record's place comes from its Eliot task level alone (a message sits one
 * step right of the action it is in), and while more than one task is in
 * flight each line starts with a short task marker saying whose it is.
 * Stacks are printed on lines of their own, once: the same stack again (an
 * error logged, then failing its action and the action around that) is
 * shown as a reference. Control characters and ANSI escapes a record carries
 * are shown escaped, so a logged value can never move the cursor, recolour
 * the terminal or forge a line of its own, and every line is cut at a bound.
 */

/** Longest message, field value and stack line shown before a cut marker. */
const MAX_MESSAGE = 500;
const MAX_VALUE = 200;
/** Longest head line (characters shown, colour codes aside); the fields past it are counted instead. */
const MAX_LINE = 1200;
/** Stack lines shown per stack (a stack trace limit of Infinity makes thousands). */
const MAX_STACK_LINES = 40;
/** Tasks in flight and stacks already shown that are remembered; the oldest are forgotten first. */
const MAX_OPEN = 64;
const MAX_STACKS = 100;

/** Error properties shown beside the error's type rather than among the fields. */
const ERROR_DETAILS = ["errno", "syscall"] as const;

const ICON: Record<string, string> = { started: "▶", succeeded: "✔", failed: "✖" };

/** An error's parts as a record or a serialized `Error` value carries them. */
interface Failure {
  readonly type: string;
  readonly reason: string | undefined;
  readonly code: unknown;
  readonly details: Record<string, unknown>;
  readonly stack: string | undefined;
  readonly cause: unknown;
}

/**
 * Renders records for one console stream; it keeps which tasks are in
 * flight and which stacks it has shown, so each writer has its own.
 *
 * @example
 * const format = new ConsoleFormat(false);
 * format.render('{"ts":1795718250.3,"tid":"Xa.1","lvl":[1],"mt":"info","msg":"hi","n":1}\n');
 * // "10:37:30.300 INFO     hi n=1\n" (in local time)
 */
export class ConsoleFormat {
  readonly #paint: Paint;
  /** Tasks with an action under way: task id → the length of the first level seen (its root's). */
  readonly #open = new Map<string, number>();
  readonly #stacks = new Set<string>();

  constructor(color: boolean) {
    this.#paint = colors(color, false, {});
  }

  /** One record (a JSON line) as terminal lines, each ending in `\n`. Never throws. */
  render(line: string): string {
    let entry: Entry | string;
    try {
      entry = toEntry(JSON.parse(line), "", 0);
    } catch {
      entry = "not JSON";
    }
    if (typeof entry === "string") return shown(line.trimEnd(), MAX_LINE) + "\n";
    const p = this.#paint;
    const indent = `${this.#marker(entry)}${"  ".repeat(depth(entry))}`;
    const head = new Head(p);
    head.add(p.dim(clock(entry.ts)) + " " + indent, 13 + indent.length);
    const fields = { ...entry.fields };
    if (entry.at !== undefined) {
      const st = entry.st ?? "";
      const colour = st === "failed" ? p.red : st === "succeeded" ? p.green : p.cyan;
      const text = `${ICON[st] ?? "•"} ${shown(entry.at, MAX_VALUE)} ${shown(st, MAX_VALUE)}`;
      head.add(colour(text), text.length);
      if (entry.dur !== undefined) head.add(" " + seconds(entry.dur), 1 + seconds(entry.dur).length);
    } else {
      const mt = entry.mt ?? "";
      const label = shown(mt.toUpperCase(), 20).padEnd(8);
      head.add(levelColour(mt, p)(label), label.length);
      const msg = entry.msg === undefined ? "" : shown(entry.msg, MAX_MESSAGE);
      head.add(" " + msg, 1 + msg.length);
    }
    const below: string[] = [];
    const pad = " ".repeat(13 + indent.length + 4);
    if (entry.exc !== undefined || entry.reason !== undefined || entry.stack !== undefined) {
      const failure: Failure = {
        type: entry.exc ?? "Error",
        reason: entry.reason,
        code: take(fields, "code"),
        details: Object.fromEntries(ERROR_DETAILS.filter((k) => fields[k] !== undefined).map((k) => [k, take(fields, k)])),
        stack: entry.stack,
        cause: take(fields, "cause"),
      };
      const text = " " + this.#failure(failure, pad, below);
      head.add(p.red(text), text.length);
    }
    for (const [key, value] of Object.entries(fields)) {
      const failure = asFailure(value);
      const text = failure === undefined ? shown(value, MAX_VALUE) : this.#failure(failure, pad, below);
      head.add(` ${p.dim(shown(key, MAX_VALUE) + "=")}${text}`, 2 + key.length + text.length);
    }
    return [head.text(), ...below].join("\n") + "\n";
  }

  /**
   * `Type [code]: reason errno=… syscall=…`; its stack (unless shown
   * before) and its causes go onto `below`, which the record's errors share.
   */
  #failure(f: Failure, pad: string, below: string[]): string {
    const p = this.#paint;
    if (f.stack !== undefined && this.#stacks.has(f.stack)) {
      below.push(pad + p.dim("(stack and causes shown above)"));
      return summary(f);
    }
    let outer = this.#stack(f, [], pad, below);
    let cause = f.cause;
    for (let n = 0; cause !== undefined && cause !== null && n < 5; n++) {
      const c = asFailure(cause);
      below.push(pad + p.red(`caused by ${c === undefined ? shown(cause, MAX_VALUE) : summary(c)}`));
      if (c === undefined) break;
      outer = this.#stack(c, outer, pad, below);
      cause = c.cause;
    }
    return summary(f);
  }

  /**
   * Pushes the frames of `f`'s stack onto `below`, those it ends with in
   * common with the stack of the error it caused (`outer`) as a count, as
   * Node prints causes; returns its frames.
   */
  #stack(f: Failure, outer: readonly string[], pad: string, below: string[]): string[] {
    if (f.stack === undefined || f.stack === "") return [];
    const p = this.#paint;
    remember(this.#stacks, f.stack, MAX_STACKS);
    const lines = frames(f.stack, f.reason);
    let common = 0;
    while (common < lines.length && common < outer.length && lines[lines.length - 1 - common] === outer[outer.length - 1 - common]) common++;
    const own = lines.slice(0, lines.length - common);
    for (const l of own.slice(0, MAX_STACK_LINES)) below.push(pad + p.dim(shown(l, MAX_VALUE)));
    if (own.length > MAX_STACK_LINES) below.push(pad + p.dim(`… ${own.length - MAX_STACK_LINES} more lines`));
    if (common > 0) below.push(pad + p.dim(`… ${common} lines matching the stack above`));
    return lines;
  }

  /**
   * The task marker (`Xa.2 `, coloured by task) while another task is in
   * flight, else nothing. A task is in flight from its first record that is
   * not a lone message to the end record of its outermost action.
   */
  #marker(e: Entry): string {
    const root = this.#open.get(e.tid);
    const others = this.#open.size - (root === undefined ? 0 : 1);
    const lone = e.at === undefined && e.lvl.length === 1 && e.lvl[0] === 1;
    if (e.at !== undefined && e.st !== "started" && e.lvl.length === (root ?? 1)) {
      this.#open.delete(e.tid);
    } else if (!lone) {
      this.#open.delete(e.tid);
      this.#open.set(e.tid, root ?? e.lvl.length);
      if (this.#open.size > MAX_OPEN) this.#open.delete(this.#open.keys().next().value!);
    }
    if (others === 0) return "";
    const short = shown(e.tid.length <= 10 ? e.tid : e.tid.slice(0, 8), 10);
    const tint = TINTS[hash(e.tid) % TINTS.length]!;
    return this.#paint[tint](short.padEnd(7)) + " ";
  }
}

/** The head line, built until it reaches `MAX_LINE` characters shown; the fields past that are counted. */
class Head {
  #text = "";
  #width = 0;
  #left = 0;
  readonly #paint: Paint;

  constructor(paint: Paint) {
    this.#paint = paint;
  }

  /** Adds `text` (`width` characters shown), or counts it once the line is full. */
  add(text: string, width: number): void {
    if (this.#left > 0 || (this.#width > 0 && this.#width + width > MAX_LINE)) {
      this.#left++;
    } else {
      this.#text += text;
      this.#width += width;
    }
  }

  text(): string {
    return this.#left === 0 ? this.#text : this.#text + this.#paint.dim(` …(+${this.#left} more)`);
  }
}

const TINTS = ["cyan", "magenta", "yellow", "green", "white"] as const;

/** How far right a record sits: an action's records at its start's depth, a message one step inside its action. */
function depth(e: Entry): number {
  const n = e.lvl.length;
  if (e.at !== undefined || n === 0) return Math.max(0, n - 1);
  return e.lvl[n - 1] === 1 ? n - 1 : n;
}

/** `Type [code]: reason errno=… syscall=…` */
function summary(f: Failure): string {
  let text = shown(f.type, MAX_VALUE);
  if (f.code !== undefined && f.code !== null) text += ` [${shown(f.code, MAX_VALUE)}]`;
  if (f.reason !== undefined && f.reason !== "") text += `: ${shown(f.reason, MAX_MESSAGE)}`;
  for (const [k, v] of Object.entries(f.details)) text += ` ${k}=${shown(v, MAX_VALUE)}`;
  return text;
}

/** A stack's lines without its first, `Type: reason` (already on the head line), each without its own indent. */
function frames(stack: string, reason: string | undefined): string[] {
  const lines = stack.split("\n");
  const first = lines.findIndex((l) => /^\s+at /.test(l));
  const header = first > 0 ? lines.slice(0, first).join("\n") : "";
  const skip = first > 0 && (reason === undefined || header.includes(reason)) ? first : 0;
  return lines.slice(skip).map((l) => l.trim()).filter((l) => l !== "");
}

/** The parts of a serialized `Error` value (`{ type, message, stack, code?, cause? }`), or undefined. */
function asFailure(value: unknown): Failure | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.type !== "string" || typeof v.message !== "string" || typeof v.stack !== "string") return undefined;
  const details: Record<string, unknown> = {};
  for (const k of ERROR_DETAILS) if (v[k] !== undefined) details[k] = v[k];
  return { type: v.type, reason: v.message, code: v.code, details, stack: v.stack, cause: v.cause };
}

function take(fields: Record<string, unknown>, key: string): unknown {
  const value = fields[key];
  delete fields[key];
  return value;
}

function remember(set: Set<string>, value: string, max: number): void {
  set.add(value);
  if (set.size > max) set.delete(set.values().next().value!);
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h;
}

function clock(seconds: number | undefined): string {
  if (seconds === undefined) return "--:--:--.---";
  const d = new Date(seconds * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}
