import { writeTimestamp } from "./clock";
import type { TaskIds } from "./ids";
import type { LineBuffer } from "./line-buffer";

/** The record's own field names in one format. */
interface Names {
  ts: string;
  tid: string;
  lvl: string;
  mt: string;
  msg: string;
  at: string;
  st: string;
  dur: string;
  exc: string;
  reason: string;
  stack: string;
}

const LOGXPY: Names = {
  ts: "ts", tid: "tid", lvl: "lvl", mt: "mt", msg: "msg", at: "at", st: "st",
  dur: "dur", exc: "exc", reason: "reason", stack: "stack",
};

/** Eliot's names, so eliot-tree and Eliot's parser read the file. */
const ELIOT: Names = {
  ts: "timestamp", tid: "task_uuid", lvl: "task_level", mt: "message_type", msg: "message",
  at: "action_type", st: "action_status", dur: "duration", exc: "exception", reason: "reason", stack: "traceback",
};

/**
 * The action keys in both formats. On a message they are escaped (`_at`) as
 * its own keys are, so a field cannot make a reader take the message for an
 * action: Python logxpy reads `at`/`st`, eliot-tree `action_type`.
 */
const ACTION_KEYS: readonly string[] = (["at", "st", "dur", "exc", "reason", "stack"] as const).flatMap((k) => [LOGXPY[k], ELIOT[k]]);

/** The status of an action record. */
export type ActionStatus = "started" | "succeeded" | "failed";

/** User fields, as log calls take them. */
export type Fields = Record<string, unknown>;

/**
 * One line of a logxpy file in the default format, parsed: what a function
 * destination receives (with `format: "eliot"`, the same record under
 * Eliot's names: `timestamp`, `task_uuid`, `task_level`…). A message has `mt` and `msg`; an action record has
 * `at` and `st` (and `dur` at its end; `exc`, `reason`, `stack` when it
 * failed, as an exception message has). The user's fields sit beside these.
 */
export interface LogRecord {
  /** Seconds since the epoch, to the microsecond. */
  ts: number;
  /** The task id. */
  tid: string;
  /** The Eliot task level: the record's place in its task. */
  lvl: number[];
  mt?: string;
  msg?: unknown;
  at?: string;
  st?: ActionStatus;
  /** Seconds the action took. */
  dur?: number;
  exc?: string;
  reason?: string;
  stack?: string;
  /** OpenTelemetry's ids, inside a span. */
  trace_id?: string;
  span_id?: string;
  trace_flags?: string;
  [field: string]: unknown;
}

/**
 * Writes the record's own members into a {@link LineBuffer}; the serializer
 * writes the values between them. The key texts of the chosen format are
 * computed once here.
 *
 * @example
 * const f = new RecordFormat("logxpy");
 * f.head(out, '"Xa.1"', "[1]"); f.messageType(out, "info"); ser.writeString("Hello");
 * ser.writeFields({ user_id: 123 }, f.messageNames); f.end(out);
 * // {"ts":1795718250.304033,"tid":"Xa.1","lvl":[1],"mt":"info","msg":"Hello","user_id":123}
 */
export class RecordFormat {
  /** Names a message's user fields may not take (they are written with a leading "_"). */
  readonly messageNames: ReadonlySet<string>;
  /** Names an action record's user fields may not take. */
  readonly actionNames: ReadonlySet<string>;
  /** Names an exception record's user fields may not take. */
  readonly exceptionNames: ReadonlySet<string>;
  /** The key texts for exception details and durations: `,"exc":`, `,"reason":`, `,"stack":`, `,"dur":`. */
  readonly excKey: string;
  readonly reasonKey: string;
  readonly stackKey: string;
  readonly durKey: string;

  readonly #open: string;
  readonly #tid: string;
  readonly #lvl: string;
  readonly #mt: string;
  readonly #msg: string;
  readonly #at: string;
  readonly #st: string;

  constructor(format: "logxpy" | "eliot") {
    const n = format === "eliot" ? ELIOT : LOGXPY;
    this.#open = `{"${n.ts}":`;
    this.#tid = `,"${n.tid}":`;
    this.#lvl = `,"${n.lvl}":`;
    this.#mt = `,"${n.mt}":"`;
    this.#msg = `","${n.msg}":`;
    this.#at = `,"${n.at}":`;
    this.#st = `,"${n.st}":"`;
    this.excKey = `,"${n.exc}":`;
    this.reasonKey = `,"${n.reason}":`;
    this.stackKey = `,"${n.stack}":`;
    this.durKey = `,"${n.dur}":`;
    this.messageNames = new Set([n.ts, n.tid, n.lvl, n.mt, n.msg, ...ACTION_KEYS]);
    this.actionNames = new Set([n.ts, n.tid, n.lvl, n.at, n.st, n.dur, n.exc, n.reason, n.stack]);
    this.exceptionNames = new Set([...this.messageNames, "cause"]);
  }

  /** Opens a record: the time, the task id (JSON text) and the level (`[1,2]`). */
  head(out: LineBuffer, tid: string | TaskIds, lvl: string): void {
    out.ascii(this.#open);
    writeTimestamp(out);
    out.ascii(this.#tid);
    // A new task's id is written as it is made; an action's is quoted JSON text already.
    if (typeof tid === "string") out.text(tid);
    else tid.writeNext(out);
    out.ascii(this.#lvl);
    out.ascii(lvl);
  }

  /** A message's type (a plain level name) and the key of its text, which the caller writes next. */
  messageType(out: LineBuffer, mt: string): void {
    out.ascii(this.#mt);
    out.ascii(mt);
    out.ascii(this.#msg);
  }

  /** The key of an action's type, which the caller writes next. */
  actionType(out: LineBuffer): void {
    out.ascii(this.#at);
  }

  /** An action record's status. */
  status(out: LineBuffer, st: ActionStatus): void {
    out.ascii(this.#st);
    out.ascii(st);
    out.byte(34);
  }

  /** Closes the record and its line. */
  end(out: LineBuffer): void {
    out.ascii("}\n");
  }
}
