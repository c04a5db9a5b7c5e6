import { isatty } from "node:tty";
import { prettyLine } from "./console-format";
import { ErrorCode, LogxpyError } from "./errors";
import { describe } from "./levels";
import { writeFully } from "./writers/fd";
import type { Writer, WriterFault, WriterMetrics } from "./writers/writer";

/** A function destination: called with each record (parsed) and its line. */
export type DestinationFunction = (record: Record<string, unknown>, line: string) => void;

/** A log file. `mode` overrides the logger's "w"/"a" for this file. */
export interface FileDestination {
  type: "file";
  path: string;
  mode?: "w" | "a";
}

/** Standard output or error: readable (and coloured) on a terminal, JSON lines when piped. */
export interface ConsoleDestination {
  type: "console";
  stream?: "stdout" | "stderr";
  /** Readable lines instead of JSON; default: when the stream is a terminal. */
  pretty?: boolean;
}

/**
 * Where records go: a file path, `"console"` (or `"stderr"`), a function, or
 * one of the destination objects. To log to a file literally named "console",
 * write `"./console"`.
 *
 * @example
 * log.configure({ destinations: ["app.log", "console", (rec) => metrics.count(rec.mt)] });
 */
export type Destination = string | DestinationFunction | FileDestination | ConsoleDestination;

// A key outside these is a typo or a setting logxpy does not have ({ level } per file, say): never ignored.
const FILE_KEYS: ReadonlySet<string> = new Set(["type", "path", "mode"]);
const CONSOLE_KEYS: ReadonlySet<string> = new Set(["type", "stream", "pretty"]);

/** A destination in one shape, checked. */
export type ResolvedDestination =
  | { kind: "file"; path: string; mode: "w" | "a" | undefined }
  | { kind: "console"; fd: 1 | 2; pretty: boolean | undefined }
  | { kind: "function"; fn: DestinationFunction };

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
  if (typeof dest === "string" && dest.length > 0) return { kind: "file", path: dest, mode: undefined };
  if (dest !== null && typeof dest === "object") {
    const d = dest as { type?: unknown; path?: unknown; mode?: unknown; stream?: unknown; pretty?: unknown };
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
      return { kind: "file", path: d.path, mode: d.mode as "w" | "a" | undefined };
    }
    if (d.type === "console") {
      if (d.stream !== undefined && d.stream !== "stdout" && d.stream !== "stderr") {
        throw new LogxpyError(ErrorCode.DESTINATION, `console stream must be "stdout" or "stderr"; got ${describe(d.stream)}`);
      }
      if (d.pretty !== undefined && typeof d.pretty !== "boolean") {
        throw new LogxpyError(ErrorCode.DESTINATION, `console pretty must be true or false; got ${describe(d.pretty)}`);
      }
      return { kind: "console", fd: d.stream === "stderr" ? 2 : 1, pretty: d.pretty };
    }
  }
  throw new LogxpyError(
    ErrorCode.DESTINATION,
    `a destination must be a file path, "console", "stderr", a function, or { type: "file", path } / { type: "console" }; got ${describe(dest)}`,
  );
}

/**
 * A destination that writes as the call happens: nothing is ever pending, so
 * flushing and closing have nothing to do. Subclasses count each record.
 */
abstract class ImmediateWriter implements Writer {
  readonly backend = "sync" as const;
  protected enqueued = 0;
  protected written = 0;
  protected dropped = 0;
  protected errors = 0;

  abstract write(buf: Buffer, start: number, end: number): void;

  flush(): Promise<void> {
    return Promise.resolve();
  }
  flushSync(): boolean {
    return true;
  }
  close(): boolean {
    return true;
  }
  reopen(): void {}
  metrics(): WriterMetrics {
    return { enqueued: this.enqueued, written: this.written, dropped: this.dropped, errors: this.errors, pending: 0 };
  }
}

/**
 * Standard output or error, written synchronously (as Node itself writes to
 * files and pipes on Linux), so nothing is pending at exit.
 */
export class ConsoleWriter extends ImmediateWriter {
  readonly #fd: 1 | 2;
  readonly #render: (buf: Buffer, start: number, end: number) => Uint8Array;
  readonly #timeoutMs: number;
  readonly #report: (fault: WriterFault) => void;

  constructor(fd: 1 | 2, pretty: boolean | undefined, timeoutMs: number, report: (fault: WriterFault) => void) {
    super();
    this.#fd = fd;
    this.#timeoutMs = timeoutMs;
    this.#report = report;
    const readable = pretty ?? isatty(fd);
    const color = readable && isatty(fd) && !("NO_COLOR" in process.env && process.env.NO_COLOR !== "");
    this.#render = readable
      ? (buf, start, end) => Buffer.from(prettyLine(buf.toString("utf8", start, end), color), "utf8")
      : (buf, start, end) => buf.subarray(start, end);
  }

  write(buf: Buffer, start: number, end: number): void {
    this.enqueued++;
    const name = this.#fd === 1 ? "stdout" : "stderr";
    const fault = writeFully(this.#fd, this.#render(buf, start, end), name, Date.now() + this.#timeoutMs);
    if (fault === undefined) {
      this.written++;
    } else {
      this.errors++;
      this.dropped++;
      this.#report(fault);
    }
  }
}

/** A user function, called with each record; what it throws is reported, never rethrown. */
export class FunctionWriter extends ImmediateWriter {
  readonly #fn: DestinationFunction;
  readonly #report: (fault: WriterFault) => void;

  constructor(fn: DestinationFunction, report: (fault: WriterFault) => void) {
    super();
    this.#fn = fn;
    this.#report = report;
  }

  write(buf: Buffer, start: number, end: number): void {
    this.enqueued++;
    try {
      const line = buf.toString("utf8", start, end);
      this.#fn(JSON.parse(line) as Record<string, unknown>, line);
      this.written++;
    } catch (err) {
      this.errors++;
      this.dropped++;
      this.#report({
        code: ErrorCode.WRITE,
        message: `destination function ${this.#fn.name || "(anonymous)"} threw: ${describeThrown(err)}`,
        destination: "function",
      });
    }
  }
}

/** What a thrown value says about itself, without throwing again. */
function describeThrown(err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return "(a value that cannot be printed)";
  }
}
