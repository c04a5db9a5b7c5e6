import type { Action } from "./action";
import type { TraceContext } from "./context";
import { errorParts } from "./error-parts";
import type { TaskIds } from "./ids";
import type { LineBuffer } from "./line-buffer";
import type { OtelBridge, SpanIds } from "./otel";
import { LEVELS, type LevelName } from "./levels";
import type { ActionStatus, RecordFormat } from "./record";
import type { Serializer } from "./serialize";
import type { WriterMetrics } from "./writers/writer";

type Fields = Record<string, unknown>;

/**
 * Hands the record encoded in `out` from `start` to the destinations;
 * `nested` while another record is under way; `level` is the record's, for
 * destinations with a level of their own.
 */
export type Deliver = (start: number, nested: boolean, level: number) => void;

/** What encoding reads at each record: the current settings' format, serializer, task ids and global fields. */
export interface EncodingState {
  readonly format: RecordFormat;
  readonly serializer: Serializer;
  readonly ids: TaskIds;
  /** Fields on every record (`configure({ context })`), or undefined when there are none. */
  readonly context: Fields | undefined;
  /** Fields computed for every record (`init({ mixin })`), or undefined. */
  readonly mixin: (() => Fields | undefined) | undefined;
  /** Trace ids from OpenTelemetry (`init({ otel })`), or undefined. */
  readonly otel: OtelBridge | undefined;
}

/** The `err` of a message record that is not an exception's (`undefined` can be thrown). */
const NO_ERROR = Symbol("no error");

/**
 * Encodes records, one after another, into one buffer (`out`), and hands each
 * to `deliver`. Every record follows one sequence, which this class owns
 * (`withRecord`, and its steps written out in the two hot record kinds):
 * begin at the buffer's end, write, and either hand the record over or, when
 * writing threw, take it off again. A record logged while another is
 * being encoded (by a getter, say) is encoded after it and delivered as
 * nested. With a single native writer the records stay in `out` until that
 * writer hands them over (see `Writer.attach`); otherwise each is copied to
 * every writer and taken off again.
 *
 * @example
 * const out = new LineBuffer();
 * const encoder = new RecordEncoder(state, out, { deliver: (start) => writer.write(out.buf, start, out.pos) });
 * encoder.message(undefined, "info", "hello", { user: "ann" }, undefined);
 */
export class RecordEncoder {
  readonly out: LineBuffer;
  readonly #state: EncodingState;
  /** Whose `deliver` takes each record: the logger's writers, whichever they are at the time. */
  readonly #destinations: { readonly deliver: Deliver };
  /** Records begun and not yet delivered or dropped: more than one means nested. */
  #depth = 0;
  /** True while the mixin runs: a record it logs gets no mixin fields, instead of calling it again. */
  #inMixin = false;

  constructor(state: EncodingState, out: LineBuffer, destinations: { readonly deliver: Deliver }) {
    this.#state = state;
    this.out = out;
    this.#destinations = destinations;
  }

  /**
   * Encodes one record with `write` and delivers it. The record stays begun
   * while it is delivered, so a record that a destination or an error
   * listener logs meanwhile counts as nested. What `write` throws drops the
   * record and is rethrown.
   */
  withRecord(write: (out: LineBuffer) => void, level: number, deliver?: Deliver): void {
    const start = this.#begin();
    try {
      write(this.out);
    } catch (err) {
      this.#abort(start);
      throw err;
    }
    this.#deliver(start, level, deliver);
  }

  /**
   * A message record: its own task (`lvl:[1]`) outside any action, else the
   * next child of the current action. `err` (an exception record's) adds the
   * error's type, message, stack, own properties and cause.
   */
  message(store: TraceContext | undefined, mt: string, msg: unknown, fields: unknown, own: Fields | undefined, err: unknown = NO_ERROR): void {
    const { format, serializer, ids } = this.#state;
    const out = this.out;
    // withRecord's steps written out: a closure per record costs the hot path measurably.
    const start = this.#begin();
    try {
      const action = store?.action;
      if (action === undefined) format.head(out, ids, "[1]");
      else format.head(out, action.tidJson, action.nextLevel());
      format.messageType(out, mt);
      if (typeof msg === "string") serializer.writeString(msg);
      else serializer.writeValue(msg);
      const names = err === NO_ERROR ? format.messageNames : format.exceptionNames;
      let taken = err === NO_ERROR ? names : this.#writeFailure(err, names);
      const span = this.#state.otel?.idsOf(action);
      if (span !== undefined) taken = this.#writeTraceIds(span, taken);
      this.#writeFields(store, fields, own, taken);
      format.end(out);
    } catch (e) {
      this.#abort(start);
      throw e;
    }
    this.#deliver(start, LEVELS[mt as LevelName] ?? LEVELS.info);
  }

  /** An action's `started`, `succeeded` or `failed` record; `dur` on end records, `err` on failed ones. */
  action(action: Action, st: ActionStatus, lvl: string, fields: unknown, own: Fields | undefined, store: TraceContext | undefined, dur?: number, err?: unknown): void {
    const { format, serializer } = this.#state;
    const out = this.out;
    const start = this.#begin();
    try {
      format.head(out, action.tidJson, lvl);
      format.actionType(out);
      serializer.writeString(action.type);
      format.status(out, st);
      if (dur !== undefined) {
        out.ascii(format.durKey);
        out.ascii(String(dur));
      }
      let taken = st === "failed" ? this.#writeFailure(err, format.actionNames) : format.actionNames;
      const span = this.#state.otel?.idsOf(action);
      if (span !== undefined) taken = this.#writeTraceIds(span, taken);
      this.#writeFields(store, fields, own, taken);
      format.end(out);
    } catch (e) {
      this.#abort(start);
      throw e;
    }
    // For a destination's own level, an action's records count as info, a failed end as error.
    this.#deliver(start, st === "failed" ? LEVELS.error : LEVELS.info);
  }

  /** The `async_stats` record (`statsInterval`), delivered by `deliver`. */
  stats(metrics: WriterMetrics, deliver: Deliver): void {
    const { format, serializer, ids } = this.#state;
    this.withRecord((out) => {
      format.head(out, ids, "[1]");
      format.messageType(out, "async_stats");
      out.ascii('"async writer statistics"');
      serializer.writeFields(metrics, format.messageNames);
      format.end(out);
    }, LEVELS.info, deliver);
  }

  /** Starts a record at the end of `out`; returns where it begins. */
  #begin(): number {
    this.#depth++;
    return this.out.pos;
  }

  /** Takes a record that could not be encoded off `out`. */
  #abort(start: number): void {
    this.#depth--;
    this.out.pos = start;
  }

  /**
   * Hands the record from `start` over. It stays begun meanwhile, so a
   * record that a destination or an error listener logs counts as nested.
   */
  #deliver(start: number, level: number, deliver?: Deliver): void {
    try {
      // Looked up now, not when the record began: a getter may have changed the destinations meanwhile.
      (deliver ?? this.#destinations.deliver)(start, this.#depth > 1, level);
    } finally {
      this.#depth--;
    }
  }

  /**
   * The user fields as `,"k":v` members: global, then the mixin's, then
   * scope, then the logger's own, then the call's, a later one's key
   * winning; written from each in turn rather than merged into a new object
   * first, which cost a record with a scope or a child logger's fields 60%
   * more.
   */
  #writeFields(store: TraceContext | undefined, fields: unknown, own: Fields | undefined, reserved: ReadonlySet<string>): void {
    const { serializer, context, mixin } = this.#state;
    const given = fields === undefined || fields === null
      ? undefined
      : typeof fields === "object" && !isList(fields) ? (fields as Fields) : { value: fields };
    const scope = store?.scope;
    if (context === undefined && mixin === undefined && scope === undefined && own === undefined) {
      if (given !== undefined) serializer.writeFields(given, reserved);
      return;
    }
    const sources: Fields[] = [];
    if (context !== undefined) sources.push(context);
    if (mixin !== undefined && !this.#inMixin) {
      const computed = this.#callMixin(mixin);
      if (computed !== undefined) sources.push(computed);
    }
    if (scope !== undefined) sources.push(scope as Fields);
    if (own !== undefined) sources.push(own);
    if (given !== undefined) sources.push(given);
    serializer.writeMergedFields(sources, reserved);
  }

  /**
   * `,"trace_id":…,"span_id":…,"trace_flags":…` (OpenTelemetry's names for
   * a log record's span, in W3C hex); returns the names the user fields may
   * then not take.
   */
  #writeTraceIds(ids: SpanIds, reserved: ReadonlySet<string>): ReadonlySet<string> {
    const out = this.out;
    // Hex from a valid span context or a checked traceparent: nothing to escape.
    out.ascii(',"trace_id":"');
    out.ascii(ids.traceId);
    out.ascii('","span_id":"');
    out.ascii(ids.spanId);
    out.ascii('","trace_flags":"');
    out.ascii(FLAGS[ids.traceFlags & 0xff]!);
    out.ascii('"');
    let names = WITH_TRACE_NAMES.get(reserved);
    if (names === undefined) {
      names = new Set([...reserved, "trace_id", "span_id", "trace_flags"]);
      // The format's sets are few and long-lived; an exception's own set is made per record.
      if (WITH_TRACE_NAMES.size < 16) WITH_TRACE_NAMES.set(reserved, names);
    }
    return names;
  }

  /** The mixin's fields, or its error as the `mixin` field; a record it logs meanwhile gets no mixin. */
  #callMixin(mixin: () => Fields | undefined): Fields | undefined {
    this.#inMixin = true;
    try {
      const computed = mixin();
      return computed !== null && typeof computed === "object" ? computed : undefined;
    } catch (err) {
      return { mixin: `[Throws: ${safeString(err instanceof Error ? err.message : err)}]` };
    } finally {
      this.#inMixin = false;
    }
  }

  /**
   * An error's `,"exc":...,"reason":...,"stack":...` members, its own
   * properties (`code`, `errno`, `syscall`...) and its `cause`: one way for
   * exception records and failed actions alike. Returns the names the
   * record's user fields may not take.
   */
  #writeFailure(err: unknown, reserved: ReadonlySet<string>): ReadonlySet<string> {
    const { format, serializer } = this.#state;
    const out = this.out;
    const { exc, reason, stack } = errorParts(err);
    out.ascii(format.excKey);
    serializer.writeString(exc);
    out.ascii(format.reasonKey);
    serializer.writeString(reason);
    if (stack !== undefined) {
      out.ascii(format.stackKey);
      serializer.writeString(stack);
    }
    if (err === null || typeof err !== "object") return reserved;
    const taken = new Set(reserved);
    for (const name of serializer.writeErrorProperties(err, reserved)) taken.add(name);
    const cause = readCause(err);
    if (cause !== undefined) {
      out.ascii(',"cause":');
      serializer.writeValue(cause);
      taken.add("cause");
    }
    return taken;
  }
}

/** An error's `cause`, or undefined when reading it throws. */
function readCause(err: object): unknown {
  try {
    return (err as { cause?: unknown }).cause;
  } catch (e) {
    return `[Throws: ${safeString(e instanceof Error ? e.message : e)}]`;
  }
}

const FLAGS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const WITH_TRACE_NAMES = new Map<ReadonlySet<string>, ReadonlySet<string>>();

/**
 * `Array.isArray(value)`, false for a revoked proxy, which throws: the
 * serializer then writes it as what it can say of it.
 */
export function isList(value: unknown): value is unknown[] {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * `String(value)`, or its `Object.prototype.toString` tag when that throws,
 * or "[object]" when that throws too (a revoked proxy, or one whose every
 * trap throws): a log call never throws for what it was given.
 *
 * @example
 * safeString(Symbol("x")); // "Symbol(x)"
 */
export function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return "[object]";
    }
  }
}
