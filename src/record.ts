import { timestamp } from "./clock";

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

/** The status of an action record. */
export type ActionStatus = "started" | "succeeded" | "failed";

/**
 * Builds record lines. Every piece it is given is already JSON text (the
 * serializer made it), so a line is one string concatenation; the key texts
 * of the chosen format are computed once here.
 *
 * @example
 * const f = new RecordFormat("logxpy");
 * f.message('"Xa.1"', "[1]", "info", '"Hello"', ',"user_id":123');
 * // '{"ts":1795718250.304033,"tid":"Xa.1","lvl":[1],"mt":"info","msg":"Hello","user_id":123}\n'
 */
export class RecordFormat {
  /** Names a message's user fields may not take (they are written with a leading "_"). */
  readonly messageNames: ReadonlySet<string>;
  /** Names an action record's user fields may not take. */
  readonly actionNames: ReadonlySet<string>;
  /** Names an exception record's user fields may not take. */
  readonly exceptionNames: ReadonlySet<string>;
  /** The key texts for exception details: `,"exc":`, `,"reason":`, `,"stack":`. */
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
    this.messageNames = new Set([n.ts, n.tid, n.lvl, n.mt, n.msg]);
    this.actionNames = new Set([n.ts, n.tid, n.lvl, n.at, n.st, n.dur, n.exc, n.reason, n.stack]);
    this.exceptionNames = new Set([...this.messageNames, n.exc, n.reason, n.stack, "cause"]);
  }

  /** A message record. `mt` must be a plain name (a level); the rest is JSON text. */
  message(tid: string, lvl: string, mt: string, msg: string, fields: string): string {
    return this.#open + timestamp() + this.#tid + tid + this.#lvl + lvl + this.#mt + mt + this.#msg + msg + fields + "}\n";
  }

  /** An action record: `extra` holds `dur`/`exc`... already as `,"key":value` text. */
  action(tid: string, lvl: string, at: string, st: ActionStatus, extra: string, fields: string): string {
    return this.#open + timestamp() + this.#tid + tid + this.#lvl + lvl + this.#at + at + this.#st + st + '"' + extra + fields + "}\n";
  }
}
