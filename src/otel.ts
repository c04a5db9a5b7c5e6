import { createRequire } from "node:module";
import type * as OtelApi from "@opentelemetry/api";
import { ErrorCode, LogxpyError } from "./errors";
import { boolOption, plainObject, rejectUnknown } from "./option-checks";

/**
 * OpenTelemetry, when the application has `@opentelemetry/api` installed:
 * the ids of the active span on every record, and, opted into, each action
 * as a span. `@opentelemetry/api` is an optional peer dependency, looked for
 * once at `init`; without it nothing is loaded and a record pays one check.
 */

/** Options of `init({ otel })`. */
export interface OtelOptions {
  /** `trace_id`, `span_id` and `trace_flags` on records logged inside a span (default true; needs `@opentelemetry/api`). */
  traceIds?: boolean;
  /** Each action an OpenTelemetry span, its task's place in the trace (default false; needs `@opentelemetry/api`). */
  spans?: boolean;
}

/** The W3C ids of the span a record belongs to. */
export interface SpanIds {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
}

/**
 * What an action holds of OpenTelemetry: the ids its records carry, and,
 * when actions are spans, the span, which `run` makes the active one.
 */
export interface ActionSpan {
  readonly ids: SpanIds;
  run<T>(fn: () => T): T;
  end(status: "succeeded" | "failed", attributes: Record<string, unknown> | undefined, err?: unknown): void;
}

type Api = typeof OtelApi;
/** Span attribute values as OpenTelemetry takes them (its `Attributes`, without naming the optional package). */
type Attributes = Record<string, string | number | boolean | string[] | number[]>;
let cached: Api | null | undefined;

/** `@opentelemetry/api`, resolved from where logxpy is installed, or undefined when the application has none. */
function loadApi(): Api | undefined {
  if (cached === undefined) {
    try {
      // Through createRequire, not a literal require: a bundler must not insist on an optional peer.
      cached = createRequire(__filename)("@opentelemetry/api") as Api;
    } catch {
      cached = null;
    }
  }
  return cached ?? undefined;
}

const OTEL_KEYS = new Set(Object.keys({ traceIds: true, spans: true } satisfies Record<keyof OtelOptions, true>));

/**
 * Checks `init({ otel })` and connects to `@opentelemetry/api`: undefined
 * when neither trace ids nor spans are wanted, or the API is absent and only
 * trace ids (the default) were. Spans asked for without the API are a
 * `LOGXPY_ERR_OPTION`.
 */
export function otelBridge(options: unknown, masked: (value: Record<string, unknown>) => Record<string, unknown>): OtelBridge | undefined {
  const given = options === undefined ? {} : plainObject(options, "otel");
  rejectUnknown(given, OTEL_KEYS, "otel");
  const traceIds = boolOption((given as OtelOptions).traceIds, "otel.traceIds", true);
  const spans = boolOption((given as OtelOptions).spans, "otel.spans", false);
  if (!traceIds && !spans) return undefined;
  const api = loadApi();
  if (api === undefined) {
    if (spans) throw new LogxpyError(ErrorCode.OPTION, "otel.spans needs @opentelemetry/api: npm i @opentelemetry/api (and an SDK that records spans)");
    return undefined;
  }
  return new Bridge(api, traceIds, spans, masked);
}

/**
 * The connection to `@opentelemetry/api` the encoder and the actions use.
 * An interface of its own, so that the published types never name the
 * optional peer's: a user without it must still compile against logxpy.
 */
export interface OtelBridge {
  readonly spans: boolean;
  idsOf(action: { readonly span: ActionSpan | undefined } | undefined): SpanIds | undefined;
  startSpan(type: string, fields: unknown, parent: ActionSpan | undefined, remote: SpanIds | undefined): ActionSpan | undefined;
}

class Bridge implements OtelBridge {
  readonly spans: boolean;
  readonly #api: Api;
  readonly #traceIds: boolean;
  readonly #masked: (value: Record<string, unknown>) => Record<string, unknown>;
  #tracer: OtelApi.Tracer | undefined;

  constructor(api: Api, traceIds: boolean, spans: boolean, masked: (value: Record<string, unknown>) => Record<string, unknown>) {
    this.#api = api;
    this.#traceIds = traceIds;
    this.spans = spans;
    this.#masked = masked;
  }

  /** The ids a record carries: its action's, else the active span's, else none. */
  idsOf(action: { readonly span: ActionSpan | undefined } | undefined): SpanIds | undefined {
    if (!this.#traceIds) return undefined;
    const own = action?.span;
    if (own !== undefined) return own.ids;
    const span = this.#api.trace.getSpan(this.#api.context.active());
    if (span === undefined) return undefined;
    const sc = span.spanContext();
    return this.#api.isSpanContextValid(sc) ? sc : undefined;
  }

  /**
   * The span of a new action: a child of its parent action's span, or of
   * `remote` (a caller's traceparent), or of the active span; of the active
   * span too when it is in the caller's trace, as an instrumentation's server
   * span that continued the same header is. Without spans, an action
   * continuing a caller's trace still carries the caller's ids.
   */
  startSpan(type: string, fields: unknown, parent: ActionSpan | undefined, remote: SpanIds | undefined): ActionSpan | undefined {
    const api = this.#api;
    let ctx = api.context.active();
    const active = remote === undefined || parent !== undefined ? undefined : api.trace.getSpan(ctx)?.spanContext();
    const caller = active !== undefined && api.isSpanContextValid(active) && active.traceId === remote!.traceId ? undefined : remote;
    // Without spans, an action inside a continued trace carries the caller's ids, as its parent does.
    if (!this.spans) return caller === undefined ? parent : passThrough(caller);
    if (parent instanceof OtelActionSpan) ctx = api.trace.setSpan(ctx, parent.span);
    else if (caller !== undefined) ctx = api.trace.setSpanContext(ctx, { ...caller, isRemote: true });
    else if (parent !== undefined) ctx = api.trace.setSpanContext(ctx, { ...parent.ids, isRemote: true });
    this.#tracer ??= api.trace.getTracer("logxpy");
    const attributes = fields !== null && typeof fields === "object" && !Array.isArray(fields) ? flatten(this.#masked(fields as Record<string, unknown>)) : {};
    const span = this.#tracer.startSpan(type, { attributes }, ctx);
    return new OtelActionSpan(api, span, this.#masked);
  }
}

/** An action that carries a caller's ids without a span of its own. */
function passThrough(ids: SpanIds): ActionSpan {
  return { ids, run: (fn) => fn(), end: () => {} };
}

class OtelActionSpan implements ActionSpan {
  readonly ids: SpanIds;
  readonly span: OtelApi.Span;
  readonly #api: Api;
  readonly #masked: (value: Record<string, unknown>) => Record<string, unknown>;

  constructor(api: Api, span: OtelApi.Span, masked: (value: Record<string, unknown>) => Record<string, unknown>) {
    this.#api = api;
    this.span = span;
    this.#masked = masked;
    this.ids = span.spanContext();
  }

  run<T>(fn: () => T): T {
    const api = this.#api;
    return api.context.with(api.trace.setSpan(api.context.active(), this.span), fn);
  }

  end(status: "succeeded" | "failed", attributes: Record<string, unknown> | undefined, err?: unknown): void {
    const { span } = this;
    if (attributes !== undefined) span.setAttributes(flatten(this.#masked(attributes)));
    if (status === "failed") {
      const { type, message, stack } = this.#masked({ type: errorType(err), message: errorMessage(err), stack: (err as { stack?: unknown } | null)?.stack });
      span.addEvent("exception", {
        "exception.type": String(type),
        "exception.message": String(message),
        ...(typeof stack === "string" ? { "exception.stacktrace": stack } : {}),
      });
      span.setStatus({ code: this.#api.SpanStatusCode.ERROR, message: String(message) });
    } else {
      span.setStatus({ code: this.#api.SpanStatusCode.OK });
    }
    span.end();
  }
}

function errorType(err: unknown): string {
  if (err instanceof Error) return err.name || err.constructor?.name || "Error";
  return err === null ? "null" : typeof err;
}

function errorMessage(err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return "[unprintable]";
  }
}

/**
 * Span attributes from a record's fields (already masked and limited):
 * nested objects as dotted keys, arrays of one primitive type as arrays,
 * anything else as its JSON text, as OpenTelemetry attribute values must be.
 */
export function flatten(fields: Record<string, unknown>, prefix = "", out: Attributes = {}, depth = 0): Attributes {
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    const name = prefix + key;
    if (value === null || value === undefined) continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") out[name] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === "string")) out[name] = value as string[];
    else if (Array.isArray(value) && value.every((v) => typeof v === "number")) out[name] = value as number[];
    else if (typeof value === "object" && !Array.isArray(value) && depth < 4) flatten(value as Record<string, unknown>, `${name}.`, out, depth + 1);
    else out[name] = JSON.stringify(value);
  }
  return out;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;

/**
 * The ids in a W3C `traceparent` header ("00-<trace id>-<span id>-<flags>"),
 * or undefined for anything else (version ff, all-zero ids, extra fields on
 * version 00).
 *
 * @example
 * parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"); // { traceId: "4bf9…", spanId: "00f0…", traceFlags: 1 }
 */
export function parseTraceparent(header: unknown): SpanIds | undefined {
  if (typeof header !== "string") return undefined;
  const m = TRACEPARENT.exec(header.trim());
  if (m === null) return undefined;
  const [, version, traceId, spanId, flags] = m;
  if (version === "ff" || (version === "00" && header.trim().length !== 55)) return undefined;
  if (/^0+$/.test(traceId!) || /^0+$/.test(spanId!)) return undefined;
  return { traceId: traceId!, spanId: spanId!, traceFlags: Number.parseInt(flags!, 16) };
}

/** The `traceparent` header for ids. */
export function formatTraceparent(ids: SpanIds): string {
  return `00-${ids.traceId}-${ids.spanId}-${(ids.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}
