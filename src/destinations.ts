import { ErrorCode, LogxpyError } from "./errors";
import type { LogRecord } from "./record";
import { describe, levelValue, type ThresholdName } from "./levels";
import { type OtlpDestination, type OtlpTarget, otlpFromString, resolveOtlp } from "./otlp/target";

export type { OtlpDestination } from "./otlp/target";

/** A function destination: called with each record (parsed) and its line. */
export type DestinationFunction = (record: LogRecord, line: string) => void;

/** A log file. `mode` overrides the logger's "w"/"a" for this file. */
export interface FileDestination {
  type: "file";
  path: string;
  mode?: "w" | "a";
  /** Only records at this level or above reach this file (the logger's `level` still comes first). */
  level?: ThresholdName;
}

/** Standard output or error: readable (and coloured) on a terminal, JSON lines when piped. */
export interface ConsoleDestination {
  type: "console";
  stream?: "stdout" | "stderr";
  /** Readable lines instead of JSON; default: when the stream is a terminal. */
  pretty?: boolean;
  /** Only records at this level or above reach the console (the logger's `level` still comes first). */
  level?: ThresholdName;
}

/**
 * Where records go: a file path (or `"file://path"`), `"console"` (or
 * `"stderr"`), a function, an OpenTelemetry Collector (`"otel://host:4317"`
 * over gRPC, `"otlp+http://host:4318"` over HTTP, `"otlp"` from the
 * `OTEL_EXPORTER_OTLP_*` variables), or one of the destination objects. To
 * log to a file literally named "console", write `"./console"`.
 *
 * @example
 * log.configure({ destinations: ["app.log", "console", "otel://collector:4317", (rec) => metrics.count(rec.mt)] });
 */
export type Destination = string | DestinationFunction | FileDestination | ConsoleDestination | OtlpDestination;

// A key outside these is a typo or a setting logxpy does not have: never ignored.
const FILE_KEYS: ReadonlySet<string> = new Set(["type", "path", "mode", "level"]);
const CONSOLE_KEYS: ReadonlySet<string> = new Set(["type", "stream", "pretty", "level"]);

/** A destination in one shape, checked; `level` is the lowest record level it takes (undefined: all). */
export type ResolvedDestination =
  | { kind: "file"; path: string; mode: "w" | "a" | undefined; level?: number }
  | { kind: "console"; fd: 1 | 2; pretty: boolean | undefined; level?: number }
  | { kind: "function"; fn: DestinationFunction; level?: number }
  | { kind: "otlp"; target: OtlpTarget; level?: number };

/**
 * Checks a destination and puts it in one shape; throws `LOGXPY_ERR_DESTINATION`.
 *
 * @example
 * resolveDestination("console"); // { kind: "console", fd: 1, pretty: undefined }
 */
export function resolveDestination(dest: unknown): ResolvedDestination {
  if (typeof dest === "function") return { kind: "function", fn: dest as DestinationFunction };
  if (dest === "console" || dest === "stdout") return { kind: "console", fd: 1, pretty: undefined };
  if (dest === "stderr") return { kind: "console", fd: 2, pretty: undefined };
  if (typeof dest === "string" && dest.startsWith("file://")) return { kind: "file", path: filePath(dest), mode: undefined };
  if (typeof dest === "string" && dest.length > 0) {
    const target = otlpFromString(dest);
    return target === undefined ? { kind: "file", path: dest, mode: undefined } : { kind: "otlp", target };
  }
  if (dest !== null && typeof dest === "object") {
    const d = dest as { type?: unknown; path?: unknown; mode?: unknown; stream?: unknown; pretty?: unknown; level?: unknown };
    if (d.type === "otlp") return { kind: "otlp", target: resolveOtlp(dest as OtlpDestination) };
    const known = d.type === "file" ? FILE_KEYS : d.type === "console" ? CONSOLE_KEYS : undefined;
    const unknown = known === undefined ? undefined : Object.keys(d).find((key) => !known.has(key));
    if (unknown !== undefined) {
      throw new LogxpyError(
        ErrorCode.DESTINATION,
        `a ${String(d.type)} destination has no option ${JSON.stringify(unknown)}; it takes ${[...known!].join(", ")}`,
      );
    }
    if (d.type === "file" && typeof d.path === "string" && d.path.length > 0) {
      if (d.mode !== undefined && d.mode !== "w" && d.mode !== "a") {
        throw new LogxpyError(ErrorCode.MODE, `destination mode must be "w" or "a"; got ${describe(d.mode)}`);
      }
      return { kind: "file", path: d.path, mode: d.mode as "w" | "a" | undefined, ...destinationLevel(d.level) };
    }
    if (d.type === "console") {
      if (d.stream !== undefined && d.stream !== "stdout" && d.stream !== "stderr") {
        throw new LogxpyError(ErrorCode.DESTINATION, `console stream must be "stdout" or "stderr"; got ${describe(d.stream)}`);
      }
      if (d.pretty !== undefined && typeof d.pretty !== "boolean") {
        throw new LogxpyError(ErrorCode.DESTINATION, `console pretty must be true or false; got ${describe(d.pretty)}`);
      }
      return { kind: "console", fd: d.stream === "stderr" ? 2 : 1, pretty: d.pretty, ...destinationLevel(d.level) };
    }
  }
  throw new LogxpyError(
    ErrorCode.DESTINATION,
    `a destination must be a file path, "console", "stderr", a function, an "otel://" or "otlp+http://" URL, or { type: "file", path } / { type: "console" } / { type: "otlp" }; got ${describe(dest)}`,
  );
}

/** A destination's `level`, checked as the logger's is (`LOGXPY_ERR_LEVEL`). */
function destinationLevel(level: unknown): { level?: number } {
  return level === undefined ? {} : { level: levelValue(level) };
}

/** `file://app.log` is app.log (relative), `file:///var/log/app.log` the absolute path; %-escapes are decoded. */
function filePath(url: string): string {
  const rest = url.slice("file://".length);
  let path: string;
  try {
    path = decodeURIComponent(rest.startsWith("localhost/") ? rest.slice("localhost".length) : rest);
  } catch {
    throw new LogxpyError(ErrorCode.DESTINATION, `${JSON.stringify(url)} is not a file URL: a %-escape in it is malformed`);
  }
  if (path === "") throw new LogxpyError(ErrorCode.DESTINATION, `${JSON.stringify(url)} names no file`);
  return path;
}
