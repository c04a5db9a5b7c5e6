import type { ActionSpan } from "./otel";
import type { ActionStatus } from "./record";
import { traceStorage } from "./context";
import { quote } from "./json-text";
import { isThenable } from "./thenable";

/**
 * Writes one action record; the logger that started the action provides it.
 * `dur` (seconds) is given on end records, `err` on failed ones.
 */
export type ActionEmitter = (
  action: Action,
  st: ActionStatus,
  lvl: string,
  fields: unknown,
  dur?: number,
  err?: unknown,
) => void;

/**
 * One action of a task: the unit of cause and effect. Its records share the
 * task id; their levels follow Eliot: the start is `[...prefix, 1]`, each
 * child message or child action takes the next index, the end comes last.
 * Returned by `log.startAction`; `log.action` manages one for you.
 *
 * @example
 * const upload = log.startAction("upload", { size: 1024 });
 * upload.run(() => log.info("chunk sent"));
 * upload.finish({ ok: true });
 */
export class Action {
  /** The task id. */
  readonly tid: string;
  /** The task id as JSON text, ready for a record. */
  readonly tidJson: string;
  /** The action type (`at`). */
  readonly type: string;
  /** Its OpenTelemetry span (`otel: { spans: true }`), or a caller's trace ids it continues; else undefined. */
  readonly span: ActionSpan | undefined;
  readonly #prefix: readonly number[];
  readonly #prefixText: string;
  readonly #emit: ActionEmitter;
  /** performance.now() at the start: a double, where hrtime.bigint() allocated two BigInts per action. */
  readonly #started = performance.now();
  #counter = 0;
  #ended = false;

  /**
   * Starts an action: writes its `started` record with `fields` through
   * `emit`. Programs start actions with `log.startAction`, `log.action` or
   * `log.continueTask`, which call this.
   */
  static start(emit: ActionEmitter, type: string, tid: string, prefix: readonly number[], fields: unknown, span?: ActionSpan): Action {
    const action = new Action(emit, type, tid, prefix, span);
    emit(action, "started", action.nextLevel(), fields);
    return action;
  }

  private constructor(emit: ActionEmitter, type: string, tid: string, prefix: readonly number[], span: ActionSpan | undefined) {
    this.#emit = emit;
    this.type = type;
    this.span = span;
    this.tid = tid;
    // A task id can come from a peer (continueTask): quoted as every string of a record is.
    this.tidJson = quote(tid);
    this.#prefix = prefix;
    this.#prefixText = prefix.length === 0 ? "[" : "[" + prefix.join(",") + ",";
  }

  /** The level text of the next child record, e.g. "[2,3]". @internal */
  nextLevel(): string {
    return this.#prefixText + ++this.#counter + "]";
  }

  /** The level path a child in another process continues from (`continueTask`). @internal */
  nextPath(): readonly number[] {
    return [...this.#prefix, ++this.#counter];
  }

  /** True once `finish` or `fail` has run. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Runs `fn` inside this action: what it logs (also after `await`) becomes
   * the action's children.
   */
  run<T>(fn: () => T): T {
    const store = traceStorage.getStore();
    const context = { action: this, scope: store?.scope };
    // With a span, OpenTelemetry's context has it active inside too, for the instrumentations below.
    if (this.span !== undefined) return this.span.run(() => traceStorage.run(context, fn));
    return traceStorage.run(context, fn);
  }

  /** Writes the `succeeded` record with `fields` and the duration. A second end is ignored. */
  finish(fields?: Record<string, unknown>): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#emit(this, "succeeded", this.nextLevel(), fields, this.#seconds());
    this.span?.end("succeeded", fields);
  }

  /** Writes the `failed` record with the error's type, message and stack. A second end is ignored. */
  fail(err: unknown, fields?: Record<string, unknown>): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#emit(this, "failed", this.nextLevel(), fields, this.#seconds(), err);
    this.span?.end("failed", fields, err);
  }

  /** Seconds since the start, to the microsecond. */
  #seconds(): number {
    return Math.round((performance.now() - this.#started) * 1000) / 1e6;
  }
}

/**
 * Runs `fn` inside `action` and ends it: `succeeded` with what `result`
 * makes of the return value (once a returned promise resolves), or `failed`
 * with the error, which is rethrown.
 *
 * @example
 * runInAction(log.startAction("db:query"), () => db.select("users"));
 */
export function runInAction<T>(action: Action, fn: () => T, result?: (value: unknown) => Record<string, unknown> | undefined): T {
  let out: T;
  try {
    out = action.run(fn);
  } catch (err) {
    action.fail(err);
    throw err;
  }
  if (isThenable(out)) {
    return Promise.resolve(out).then(
      (value) => {
        action.finish(result?.(value));
        return value;
      },
      (err: unknown) => {
        action.fail(err);
        throw err;
      },
    ) as T;
  }
  action.finish(result?.(out));
  return out;
}
