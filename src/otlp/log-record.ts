// One logxpy line as an OpenTelemetry log record, for the pure-TypeScript
// writer's exporter. The mapping is the native exporter's
// (crates/logxpy-otlp/src/record.rs), field for field: both writers pass
// the same collector tests (__test__/otlp.spec.ts).

/** The record fields the official exporters read (`ReadableLogRecord` of `@opentelemetry/sdk-logs`). */
export interface OtlpLogRecord {
  hrTime: [number, number];
  hrTimeObserved: [number, number];
  spanContext?: { traceId: string; spanId: string; traceFlags: number };
  severityNumber: number;
  severityText: string;
  body: unknown;
  attributes: Record<string, unknown>;
  droppedAttributesCount: number;
  resource: unknown;
  instrumentationScope: { name: string; version?: string };
}

/** `(logxpy name, Eliot name, attribute)`: fields with a meaning of their own. */
const RENAMED: ReadonlyArray<readonly [string, string, string]> = [
  ["tid", "task_uuid", "logxpy.task_id"],
  ["lvl", "task_level", "logxpy.task_level"],
  ["mt", "message_type", "logxpy.message_type"],
  ["at", "action_type", "logxpy.action_type"],
  ["st", "action_status", "logxpy.action_status"],
  ["dur", "duration", "logxpy.duration"],
  ["exc", "exception", "exception.type"],
  ["reason", "reason", "exception.message"],
];

/** OpenTelemetry severity numbers of logxpy's levels. */
const SEVERITY: Readonly<Record<string, readonly [number, string]>> = {
  debug: [5, "debug"],
  info: [9, "info"],
  success: [10, "success"],
  note: [11, "note"],
  warning: [13, "warning"],
  error: [17, "error"],
  exception: [17, "error"],
  critical: [21, "critical"],
};

const MAX_FLATTEN_DEPTH = 8;
const HEX = /^[0-9a-f]+$/i;

/**
 * The record one line makes; `observed` is when the exporter read it.
 *
 * @example
 * toLogRecord('{"ts":1.5,"mt":"warning","msg":"disk"}', [2, 0], resource, scope).severityNumber; // 13
 */
export function toLogRecord(line: string, observed: [number, number], resource: unknown, scope: { name: string; version?: string }): OtlpLogRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    parsed = undefined;
  }
  const base = { hrTimeObserved: observed, droppedAttributesCount: 0, resource, instrumentationScope: scope };
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return { ...base, hrTime: observed, severityNumber: 0, severityText: "", body: line, attributes: {} };
  }
  const fields = parsed as Record<string, unknown>;
  const ts = take(fields, "ts", "timestamp");
  const [severityNumber, severityText] = severity(fields);
  const body = takeBody(fields);
  const spanContext = traceContext(fields);
  const attributes: Record<string, unknown> = {};
  if ("stack" in fields) {
    push(attributes, "exception.stacktrace", fields.stack, 0);
    delete fields.stack;
  }
  for (const [ours, eliot, attribute] of RENAMED) {
    const value = take(fields, ours, eliot);
    if (value !== undefined) push(attributes, attribute, value, 0);
  }
  for (const [key, value] of Object.entries(fields)) push(attributes, key, value, 0);
  return {
    ...base,
    hrTime: typeof ts === "number" && Number.isFinite(ts) && ts >= 0 ? hrTime(ts) : observed,
    ...(spanContext === undefined ? {} : { spanContext }),
    severityNumber,
    severityText,
    body,
    attributes,
  };
}

/** Flattens objects into dotted keys, as OpenTelemetry names attributes; drops nulls, which it has no value for. */
export function push(into: Record<string, unknown>, key: string, value: unknown, depth: number): void {
  if (value === null || value === undefined) return;
  if (typeof value === "object" && !Array.isArray(value) && depth < MAX_FLATTEN_DEPTH && Object.keys(value).length > 0) {
    for (const [sub, v] of Object.entries(value)) push(into, `${key}.${sub}`, v, depth + 1);
    return;
  }
  into[key] = value;
}

/** Seconds with microseconds as [seconds, nanoseconds], without the float's nanosecond noise. */
function hrTime(ts: number): [number, number] {
  const secs = Math.trunc(ts);
  return [secs, Math.round((ts - secs) * 1e6) * 1000];
}

function take(fields: Record<string, unknown>, ours: string, eliot: string): unknown {
  for (const key of [ours, eliot]) {
    if (key in fields) {
      const value = fields[key];
      delete fields[key];
      return value;
    }
  }
  return undefined;
}

function severity(fields: Record<string, unknown>): readonly [number, string] {
  const status = fields.st ?? fields.action_status;
  if (typeof status === "string") return status === "failed" ? [17, "error"] : [9, "info"];
  const level = fields.mt ?? fields.message_type;
  return (typeof level === "string" ? SEVERITY[level] : undefined) ?? [9, "info"];
}

function takeBody(fields: Record<string, unknown>): unknown {
  if ("msg" in fields) {
    const msg = fields.msg;
    delete fields.msg;
    return msg;
  }
  const action = fields.at ?? fields.action_type;
  const status = fields.st ?? fields.action_status;
  if (typeof action !== "string") return "";
  return typeof status === "string" ? `${action} ${status}` : action;
}

function traceContext(fields: Record<string, unknown>): OtlpLogRecord["spanContext"] {
  const traceId = hexId(fields.trace_id, 32);
  const spanId = hexId(fields.span_id, 16);
  if (traceId !== undefined) delete fields.trace_id;
  if (spanId !== undefined) delete fields.span_id;
  const raw = fields.trace_flags;
  const flags = typeof raw === "string" && /^[0-9a-f]{1,2}$/i.test(raw) ? Number.parseInt(raw, 16) : Number.isInteger(raw) && (raw as number) >= 0 && (raw as number) < 256 ? (raw as number) : undefined;
  if (flags !== undefined) delete fields.trace_flags;
  if (traceId === undefined && spanId === undefined) return undefined;
  return { traceId: traceId ?? "", spanId: spanId ?? "", traceFlags: flags ?? 0 };
}

function hexId(value: unknown, digits: number): string | undefined {
  if (typeof value !== "string" || value.length !== digits || !HEX.test(value) || /^0+$/.test(value)) return undefined;
  return value.toLowerCase();
}
